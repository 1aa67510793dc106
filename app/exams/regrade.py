"""Regrading after a key correction: grade old answers against a question's current version.

Attempts are graded against the exact version they were served, so correcting a key (a new
version imported) changes nothing by itself. A trainer then regrades: :func:`plan` is the dry
run — every finished attempt served an *older* version of the question, graded afresh with the
current content, keeping each item's points and its exam's scoring — and :func:`apply` writes
it, with a required reason.

Decisions:

- the item's ``question_version_id`` moves to the current version, for unchanged items too:
  review then shows the key the score was computed with, and a second dry run finds nothing
  left to do. The old version is kept in each audit entry;
- one "exam.regrade" audit entry per attempt whose score changed (items and total before and
  after, the reason), plus one "exam.regrade_question" entry per run on the question (counts,
  versions), so a run that changed no score is still on record;
- essays are excluded (a marker's judgement is not a key), as are hand-marked items;
- attempts still in progress are left alone and counted: they are graded against their
  served version when they end, and can be regraded then.

Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.audit import log as audit
from app.auth.models import User
from app.banks.models import Question, QuestionVersion
from app.exams.finishing import MARKED
from app.exams.grading import grade
from app.exams.models import Attempt, AttemptItem, AttemptState
from app.extensions import db


class RegradeRefused(Exception):
    """The regrade cannot run as confirmed (the key changed again since the dry run…)."""


@dataclass
class ItemChange:
    """One regraded item: what it was served and scored, and what the current key gives."""

    item: AttemptItem
    old_version: int
    old_score: float | None
    old_status: str | None
    new_score: float
    new_status: str

    @property
    def changed(self) -> bool:
        return round(self.old_score or 0.0, 2) != round(self.new_score, 2)


@dataclass
class AttemptChange:
    """One attempt of the dry run: its person, its regraded items and its totals."""

    attempt: Attempt
    person: User
    old_total: float
    items: list[ItemChange] = field(default_factory=list)

    @property
    def new_total(self) -> float:
        delta = sum(c.new_score - (c.old_score or 0.0) for c in self.items)
        return round(self.old_total + delta, 2)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.items)


@dataclass
class Plan:
    question: Question
    target: QuestionVersion
    attempts: list[AttemptChange] = field(default_factory=list)
    in_progress: int = 0
    excluded_essays: int = 0
    # Answers are stored as option positions; when the options themselves changed
    # (added, removed, reordered, reworded) old positions would point at other
    # options, so those answers are not regraded automatically.
    excluded_restructured: int = 0

    @property
    def changed(self) -> list[AttemptChange]:
        return [a for a in self.attempts if a.changed]

    @property
    def unchanged(self) -> int:
        return len(self.attempts) - len(self.changed)


def current_version(question: Question) -> QuestionVersion:
    return db.session.execute(sa.select(QuestionVersion).where(
        QuestionVersion.question_pk == question.id,
        QuestionVersion.version == question.version)).scalar_one()


def plan(question: Question) -> Plan:
    """The dry run: who was served an older version and what the current key gives them."""
    target = current_version(question)
    result = Plan(question, target)
    by_attempt: dict[int, AttemptChange] = {}
    for item, served, attempt, person in _older_servings(question, target):
        if attempt.state == AttemptState.IN_PROGRESS:
            result.in_progress += 1
        elif _is_essay(item, served, target):
            result.excluded_essays += 1
        elif _structure(served.content) != _structure(target.content):
            result.excluded_restructured += 1
        else:
            change = by_attempt.setdefault(
                attempt.id, AttemptChange(attempt, person, attempt.score or 0.0))
            change.items.append(_regrade_item(item, served, target, attempt))
    result.attempts = list(by_attempt.values())
    return result


def _older_servings(question: Question, target: QuestionVersion
                    ) -> Sequence[sa.Row[AttemptItem, QuestionVersion, Attempt, User]]:
    """Every item served an older version of the question, with its attempt and person."""
    return db.session.execute(
        sa.select(AttemptItem, QuestionVersion, Attempt, User)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(QuestionVersion.question_pk == question.id,
               QuestionVersion.version < target.version)
        .order_by(Attempt.exam_id, User.display_name, Attempt.number)).all()


def _structure(content: dict) -> tuple:
    """What stored answers point into: the type and the texts of options, pairs, items."""
    return (content.get("type"), [c["text"] for c in content.get("choices", ())],
            [(p["left"], p["right"]) for p in content.get("pairs", ())],
            list(content.get("sequence", ())))


def _is_essay(item: AttemptItem, served: QuestionVersion, target: QuestionVersion) -> bool:
    return (item.status == MARKED or served.content.get("type") == "essay"
            or target.content.get("type") == "essay")


def _regrade_item(item: AttemptItem, served: QuestionVersion, target: QuestionVersion,
                  attempt: Attempt) -> ItemChange:
    """Grade the stored response with the current content, the item's points and the exam's
    scoring mode."""
    result = grade({**target.content, "points": item.points}, item.response,
                   scoring=attempt.exam.scoring)
    return ItemChange(item, served.version, item.score, item.status, result.points or 0.0,
                      result.status)


def apply(result: Plan, *, confirmed_version: int, actor: User, reason: str) -> int:
    """Write the dry run; returns how many attempts' scores changed.

    ``confirmed_version`` is the version the trainer saw in the dry run: if the key changed
    again since, nothing is written.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RegradeRefused("A reason is required.")
    if not result.attempts:
        raise RegradeRefused("No finished attempt was served an older version.")
    if confirmed_version != result.target.version:
        raise RegradeRefused("The question changed since the dry run.")
    for change in result.attempts:
        _write_change(change, result.target, actor, reason)
    _record_run(result, actor, reason)
    db.session.flush()
    return len(result.changed)


def _write_change(change: AttemptChange, target: QuestionVersion, actor: User,
                  reason: str) -> None:
    """One attempt's items move to the current version with their new scores; a changed
    total is audited."""
    for item_change in change.items:
        item = item_change.item
        item.question_version_id = target.id
        item.score, item.status = item_change.new_score, item_change.new_status
    if change.changed:
        change.attempt.score = change.new_total
        audit.record("exam.regrade", change.attempt, actor=actor, before=_before(change),
                     after=_after(change, target), reason=reason)


def _before(change: AttemptChange) -> dict:
    return {"score": change.old_total, "max_score": change.attempt.max_score,
            "items": [{"position": c.item.position, "question_version": c.old_version,
                       "score": c.old_score, "status": c.old_status} for c in change.items]}


def _after(change: AttemptChange, target: QuestionVersion) -> dict:
    return {"score": change.new_total, "max_score": change.attempt.max_score,
            "items": [{"position": c.item.position, "question_version": target.version,
                       "score": c.new_score, "status": c.new_status} for c in change.items]}


def _record_run(result: Plan, actor: User, reason: str) -> None:
    audit.record("exam.regrade_question", object_type="questions",
                 object_id=result.question.question_id, actor=actor, reason=reason,
                 after={"version": result.target.version,
                        "attempts_changed": len(result.changed),
                        "attempts_unchanged": result.unchanged,
                        "excluded_essays": result.excluded_essays,
                        "in_progress": result.in_progress})
