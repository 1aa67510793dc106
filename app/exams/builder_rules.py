"""An exam's sections (ExamRule): fixed questions by ID, or N drawn at random from a bank.

A section is checked when it is saved and again when the exam is published, because
banks change underneath it: every fixed ID must name a current (not retired) question,
and a random section must be satisfiable (N no more than the questions its bank, tags
and difficulty match). Candidates are counted with ``attempts.rule_filters``, the very
conditions ``draw_questions`` uses, so what the builder promises is what attempts get.

Once any attempt exists the composition is frozen (:func:`ensure_editable`): attempts
already served must stay comparable with the ones still to come. Services flush, never
commit, and raise :class:`BuilderError`; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.audit import log as audit
from app.banks.models import Question, QuestionBank
from app.banks.questions import DIFFICULTIES, QUESTION_TYPES
from app.exams.draws import rule_filters
from app.exams.models import Attempt, Exam, ExamRule
from app.extensions import db


class BuilderError(ValueError):
    """A builder rule was broken. The message says why; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class FixedSection:
    """What a trainer asks for in a fixed section: these questions, in this order."""

    title: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class RandomSection:
    """N questions drawn from one bank, carrying all of ``tags``, of one difficulty or any,
    of one question type or any."""

    title: str
    bank_pk: int
    count: int
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    points_each: float | None = None
    question_type: str | None = None


@dataclass(frozen=True)
class Candidates:
    """The questions a random section can draw from: how many, and their points."""

    count: int
    average_points: float = 0.0
    uniform_points: bool = True


@dataclass(frozen=True)
class SectionSummary:
    """One section as the exam page shows it; ``questions`` is what an attempt gets from it."""

    rule: ExamRule
    questions: int
    points: float
    approximate: bool = False  # points averaged over candidates whose points differ
    available: int | None = None  # random sections: how many match
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composition:
    sections: list[SectionSummary] = field(default_factory=list)

    @property
    def total_questions(self) -> int:
        return sum(s.questions for s in self.sections)

    @property
    def total_points(self) -> float:
        return round(sum(s.points for s in self.sections), 2)

    @property
    def approximate(self) -> bool:
        return any(s.approximate for s in self.sections)

    @property
    def problems(self) -> list[str]:
        return [problem for s in self.sections for problem in s.problems]


# --- Freezing ------------------------------------------------------------------------------
def attempts_started(exam: Exam) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.exam_id == exam.id)).scalar_one()


def ensure_editable(exam: Exam) -> None:
    """Refuse composition changes once anyone has started: their questions are served."""
    started = attempts_started(exam)
    if started:
        raise BuilderError(ngettext(
            "%(num)d attempt has started, so the sections of this exam are frozen. "
            "Duplicate the exam to change them.",
            "%(num)d attempts have started, so the sections of this exam are frozen. "
            "Duplicate the exam to change them.", started))


# --- Checks --------------------------------------------------------------------------------
def _id_problems(question_ids: tuple[str, ...] | list[str]) -> tuple[list[str], list[str]]:
    """(unknown IDs, retired IDs), each in the order given."""
    rows = dict(db.session.execute(sa.select(Question.question_id, Question.retired_at).where(
        Question.question_id.in_(list(question_ids)))).all()) if question_ids else {}
    unknown = [qid for qid in question_ids if qid not in rows]
    retired = [qid for qid in question_ids if qid in rows and rows[qid] is not None]
    return unknown, retired


def _id_messages(unknown: list[str], retired: list[str]) -> list[str]:
    messages = []
    if unknown:
        messages.append(ngettext("Unknown question ID: %(ids)s.", "Unknown question IDs: %(ids)s.",
                                 len(unknown), ids=", ".join(unknown)))
    if retired:
        messages.append(ngettext("Retired question ID (no longer in its bank): %(ids)s.",
                                 "Retired question IDs (no longer in their banks): %(ids)s.",
                                 len(retired), ids=", ".join(retired)))
    return messages


def check_fixed(section: FixedSection) -> None:
    """Every ID must exist and be current; the message names the ones that are not."""
    if not section.question_ids:
        raise BuilderError(_("Enter at least one question ID."), "question_ids")
    messages = _id_messages(*_id_problems(section.question_ids))
    if messages:
        raise BuilderError(" ".join(messages), "question_ids")


def bank_tags(bank_pk: int | None = None) -> dict[int, list[str]]:
    """Each bank's tags (or one bank's): those it declares plus those its questions carry."""
    banks = sa.select(QuestionBank.id, QuestionBank.tags)
    used = sa.select(Question.bank_pk, Question.tag_list).where(
        Question.retired_at.is_(None)).distinct()
    if bank_pk is not None:
        banks, used = banks.where(QuestionBank.id == bank_pk), used.where(
            Question.bank_pk == bank_pk)
    tags: dict[int, set[str]] = {pk: set(declared or ()) for pk, declared in
                                 db.session.execute(banks)}
    for pk, tag_list in db.session.execute(used):
        tags.setdefault(pk, set()).update(t for t in tag_list.split(",") if t)
    return {pk: sorted(found) for pk, found in tags.items()}


def as_rule(section: RandomSection) -> ExamRule:
    """A transient rule, never added to the session, so rule_filters can be asked about it."""
    return ExamRule(kind="random", bank_pk=section.bank_pk, count=section.count,
                    tags=list(section.tags), difficulty=section.difficulty,
                    question_type=section.question_type, points_each=section.points_each)


def candidates(rule: ExamRule) -> Candidates:
    """Count the questions a random rule can draw from, with the same filters attempts use."""
    count, average, low, high = db.session.execute(
        sa.select(sa.func.count(), sa.func.avg(Question.points), sa.func.min(Question.points),
                  sa.func.max(Question.points)).where(*rule_filters(rule))).one()
    return Candidates(count, float(average or 0), low == high)


def _check_random_shape(section: RandomSection) -> None:
    if db.session.get(QuestionBank, section.bank_pk) is None:
        raise BuilderError(_("Choose an existing bank."), "bank")
    if section.count < 1:
        raise BuilderError(_("Draw at least one question."), "count")
    if section.difficulty and section.difficulty not in DIFFICULTIES:
        raise BuilderError(_("Unknown difficulty."), "difficulty")
    if section.question_type and section.question_type not in QUESTION_TYPES:
        raise BuilderError(_("Unknown question type."), "question_type")
    if section.points_each is not None and section.points_each <= 0:
        raise BuilderError(_("Points each must be more than 0, or left empty."), "points_each")
    known = bank_tags(section.bank_pk).get(section.bank_pk, [])
    foreign = [t for t in section.tags if t not in known]
    if foreign:
        raise BuilderError(_("This bank has no such tag: %(tags)s.", tags=", ".join(foreign)),
                           "tags")


def _shortfall_message(available: int) -> str:
    if available == 0:
        return _("No current question matches this bank, tags and difficulty.")
    return ngettext("Only %(num)d question is available for this bank, tags and difficulty.",
                    "Only %(num)d questions are available for this bank, tags and difficulty.",
                    available)


def check_random(section: RandomSection) -> None:
    """Refuse a section that cannot be satisfied, saying how many questions are available."""
    _check_random_shape(section)
    available = candidates(as_rule(section)).count
    if section.count > available:
        raise BuilderError(_shortfall_message(available), "count")


def check(section: FixedSection | RandomSection) -> None:
    if isinstance(section, FixedSection):
        check_fixed(section)
    else:
        check_random(section)


# --- Changes -------------------------------------------------------------------------------
def _fill(rule: ExamRule, section: FixedSection | RandomSection) -> None:
    rule.title = section.title.strip()
    if isinstance(section, FixedSection):
        rule.kind, rule.question_ids = "fixed", list(section.question_ids)
        return
    rule.kind, rule.bank_pk, rule.count = "random", section.bank_pk, section.count
    rule.tags, rule.difficulty = list(section.tags), section.difficulty or None
    rule.question_type = section.question_type or None
    rule.points_each = section.points_each


def rule_snapshot(rule: ExamRule) -> dict:
    """A rule as plain values, for the audit log and for copying."""
    return {"title": rule.title, "kind": rule.kind, "question_ids": list(rule.question_ids or []),
            "bank_pk": rule.bank_pk, "count": rule.count, "tags": list(rule.tags or []),
            "difficulty": rule.difficulty, "question_type": rule.question_type,
            "points_each": rule.points_each}


def _audit_if_published(exam: Exam, before: list[dict], actor) -> None:
    """Sections of a live exam decide what examinees will get: record the change."""
    if exam.published_at is not None:
        audit.record("exam.sections", exam, actor=actor, before={"sections": before},
                     after={"sections": [rule_snapshot(r) for r in _ordered(exam)]})


def _ordered(exam: Exam) -> list[ExamRule]:
    return sorted(exam.rules, key=lambda rule: rule.position)


def _renumber(exam: Exam) -> None:
    for position, rule in enumerate(_ordered(exam), start=1):
        rule.position = position


def add_section(exam: Exam, section: FixedSection | RandomSection, *, actor=None) -> ExamRule:
    """Append a checked section at the end of the exam."""
    ensure_editable(exam)
    check(section)
    before = [rule_snapshot(r) for r in _ordered(exam)]
    rule = ExamRule(position=max((r.position for r in exam.rules), default=0) + 1)
    _fill(rule, section)
    exam.rules.append(rule)
    db.session.flush()
    _audit_if_published(exam, before, actor)
    return rule


def update_section(exam: Exam, rule: ExamRule, section: FixedSection | RandomSection, *,
                   actor=None) -> None:
    """Change a section; its kind stays what it was."""
    ensure_editable(exam)
    if (rule.kind == "fixed") != isinstance(section, FixedSection):
        raise BuilderError(_("A section cannot change between fixed and random."))
    check(section)
    before = [rule_snapshot(r) for r in _ordered(exam)]
    _fill(rule, section)
    db.session.flush()
    _audit_if_published(exam, before, actor)


def add_picked(exam: Exam, question_ids: list[str], *, title: str = "",
               rule: ExamRule | None = None, actor=None) -> ExamRule:
    """Questions chosen in the picker: a new fixed section, or appended to ``rule``.

    IDs the section already holds are not added twice; the order is the order picked.
    """
    if rule is None:
        return add_section(exam, FixedSection(title, tuple(dict.fromkeys(question_ids))),
                           actor=actor)
    if rule.kind != "fixed":
        raise BuilderError(_("Questions can be picked only for a fixed section."))
    merged = tuple(dict.fromkeys([*(rule.question_ids or ()), *question_ids]))
    update_section(exam, rule, FixedSection(rule.title, merged), actor=actor)
    return rule


def remove_section(exam: Exam, rule: ExamRule, *, actor=None) -> None:
    ensure_editable(exam)
    before = [rule_snapshot(r) for r in _ordered(exam)]
    exam.rules.remove(rule)  # delete-orphan: the row goes at flush
    _renumber(exam)
    db.session.flush()
    _audit_if_published(exam, before, actor)


def move_section(exam: Exam, rule: ExamRule, offset: int, *, actor=None) -> bool:
    """Swap a section with its neighbour (offset -1: up, +1: down); False at either end."""
    ensure_editable(exam)
    ordered = _ordered(exam)
    index = ordered.index(rule)
    target = index + offset
    if not 0 <= target < len(ordered):
        return False
    before = [rule_snapshot(r) for r in ordered]
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    db.session.flush()
    _audit_if_published(exam, before, actor)
    return True


def copy_rules(source: Exam, target: Exam) -> None:
    """Give ``target`` the same sections as ``source`` (for Duplicate)."""
    for rule in _ordered(source):
        copy = ExamRule(position=rule.position)
        for name, value in rule_snapshot(rule).items():
            setattr(copy, name, value)
        target.rules.append(copy)


# --- What the exam page shows ---------------------------------------------------------------
def _fixed_summary(rule: ExamRule) -> SectionSummary:
    points = dict(db.session.execute(sa.select(Question.question_id, Question.points).where(
        Question.question_id.in_(rule.question_ids), Question.retired_at.is_(None))).all())
    current = [qid for qid in rule.question_ids if qid in points]
    total = sum(rule.points_each or points[qid] for qid in current)
    problems = _id_messages(*_id_problems(rule.question_ids))
    return SectionSummary(rule, len(current), total, problems=tuple(problems))


def _random_summary(rule: ExamRule) -> SectionSummary:
    found = candidates(rule)
    drawn = min(rule.count, found.count)
    each = rule.points_each or found.average_points
    approximate = rule.points_each is None and not found.uniform_points
    problems = (_shortfall_message(found.count),) if found.count < rule.count else ()
    return SectionSummary(rule, drawn, drawn * each, approximate, found.count, problems)


def composition(exam: Exam) -> Composition:
    """Every section with its question count and points, and the exam's totals.

    A question picked by two sections is served once, so an attempt may get fewer.
    """
    return Composition([_fixed_summary(rule) if rule.kind == "fixed" else _random_summary(rule)
                        for rule in _ordered(exam)])
