"""The builder's question picker: find current questions to put in a fixed section.

Reads only. A trainer searches by text or ID, bank, tag, type and difficulty; each hit
comes with its current version (stem and learner view for the preview) and the sections
of the exam that already hold it. What a rule can draw (:func:`draw_count`) is counted
by ``builder_rules.candidates``, the same filters attempts use.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.banks.models import Question, QuestionBank, QuestionVersion
from app.exams import builder_rules as rules
from app.exams.models import Exam
from app.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class PickerFilters:
    """What the trainer searches for; empty values match everything."""

    text: str = ""
    bank_pk: int | None = None
    tag: str = ""
    type: str = ""
    difficulty: str = ""


@dataclass(frozen=True)
class Hit:
    """One question found: the question, its current version, the sections that hold it."""

    question: Question
    version: QuestionVersion
    in_sections: tuple[int, ...] = ()

    @property
    def stem(self) -> str:
        return str(self.version.content.get("stem", ""))


def _filtered(filters: PickerFilters) -> sa.Select:
    stmt = (sa.select(Question).join(QuestionBank).where(Question.retired_at.is_(None))
            .order_by(QuestionBank.title, Question.position))
    if filters.bank_pk:
        stmt = stmt.where(Question.bank_pk == filters.bank_pk)
    if filters.type:
        stmt = stmt.where(Question.type == filters.type)
    if filters.difficulty:
        stmt = stmt.where(Question.difficulty == filters.difficulty)
    if filters.tag:
        stmt = stmt.where(Question.tag_list.contains(f",{filters.tag.strip().lower()},",
                                                     autoescape=True))
    if filters.text.strip():
        stmt = stmt.where(sa.func.lower(Question.search_text).contains(
            filters.text.strip().lower(), autoescape=True))
    return stmt


def _current_versions(questions: list[Question]) -> dict[int, QuestionVersion]:
    if not questions:
        return {}
    wanted = [(q.id, q.version) for q in questions]
    rows = db.session.execute(sa.select(QuestionVersion).where(
        sa.tuple_(QuestionVersion.question_pk, QuestionVersion.version).in_(wanted))).scalars()
    return {row.question_pk: row for row in rows}


def sections_holding(exam: Exam) -> dict[str, tuple[int, ...]]:
    """Each question ID in the exam's fixed sections, with the sections' positions."""
    held: dict[str, list[int]] = {}
    for rule in sorted(exam.rules, key=lambda r: r.position):
        if rule.kind != "fixed":
            continue
        for qid in rule.question_ids or ():
            held.setdefault(qid, []).append(rule.position)
    return {qid: tuple(positions) for qid, positions in held.items()}


def search(exam: Exam, filters: PickerFilters, page: int = 1):
    """A page of hits (``.items`` are :class:`Hit`), newest version of each question."""
    found = db.paginate(_filtered(filters), page=page, per_page=PER_PAGE, error_out=False)
    versions = _current_versions(list(found.items))
    held = sections_holding(exam)
    found.items = [Hit(q, versions[q.id], held.get(q.question_id, ()))
                   for q in found.items if q.id in versions]
    return found


def existing_ids(question_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Those of the IDs that name a current question, in the order given, once each."""
    wanted = list(dict.fromkeys(question_ids))
    current = set(db.session.execute(sa.select(Question.question_id).where(
        Question.question_id.in_(wanted), Question.retired_at.is_(None))).scalars())
    return [qid for qid in wanted if qid in current]


def draw_count(bank_pk: int, tags: tuple[str, ...] = (), difficulty: str | None = None,
               question_type: str | None = None) -> int:
    """How many current questions a random rule of this bank, tags, difficulty and type
    can draw."""
    section = rules.RandomSection("", bank_pk, 1, tags, difficulty or None,
                                  question_type=question_type or None)
    return rules.candidates(rules.as_rule(section)).count
