"""Marking written answers by hand, correcting a mark, and reading an attempt as a marker.

Only essays are marked by hand: the grader leaves a non-blank essay ``needs_marking`` (score
None) and the attempt ``awaiting_marking``. A marker gives points (0 to the item's points, in
steps of 0.01) and an optional comment; the item becomes ``marked`` and
:func:`app.exams.finishing.grade_attempt` never touches it again. When no item of the attempt
still needs marking, the attempt becomes ``graded`` with the sum of its item scores.

A mark can be corrected later (same function): the attempt total follows, and the audit entry
("exam.mark") keeps the mark before and after, so every change of a score is on record.

Markers see the learner's name unless the exam has blind marking on: then the pages name
the attempt's candidate (:mod:`app.exams.blind`) until its marks are saved. Functions flush;
the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.audit import log as audit
from app.auth.models import User
from app.banks.models import QuestionVersion
from app.exams import notices
from app.exams.finishing import MARKED
from app.exams.grading import NEEDS_MARKING
from app.exams.models import Attempt, AttemptItem, AttemptState
from app.exams.states import FINISHED_STATES
from app.extensions import db


class MarkingRefused(Exception):
    """This item cannot be marked (not an essay, nothing written, attempt still open…)."""


@dataclass(frozen=True)
class Entry:
    """An item with what a marker needs to see: its attempt, person and served version."""

    item: AttemptItem
    attempt: Attempt
    person: User
    version: QuestionVersion


def _entries(stmt: sa.Select) -> list[Entry]:
    return [Entry(*row) for row in db.session.execute(stmt).all()]


def _select() -> sa.Select:
    return (sa.select(AttemptItem, Attempt, User, QuestionVersion)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .join(User, User.id == Attempt.user_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id))


def queue(limit: int = 50) -> tuple[list[Entry], int]:
    """Essays waiting for a marker in finished attempts, oldest submission first; and how
    many there are in all."""
    waiting = _select().where(AttemptItem.status == NEEDS_MARKING,
                              Attempt.state.in_(FINISHED_STATES))
    total = db.session.execute(sa.select(sa.func.count()).select_from(
        waiting.with_only_columns(AttemptItem.id).subquery())).scalar_one()
    entries = _entries(waiting.order_by(Attempt.finished_at, Attempt.id, AttemptItem.position)
                       .limit(limit))
    return entries, total


def entry(item_id: int) -> Entry | None:
    found = _entries(_select().where(AttemptItem.id == item_id))
    return found[0] if found else None


def attempt_entries(attempt: Attempt) -> list[Entry]:
    """Every item of an attempt, in the order served."""
    return _entries(_select().where(AttemptItem.attempt_id == attempt.id)
                    .order_by(AttemptItem.position))


def can_mark(found: Entry) -> bool:
    """An essay with a written answer, in a finished attempt."""
    return (found.version.content.get("type") == "essay"
            and found.item.status in (NEEDS_MARKING, MARKED)
            and found.attempt.state in FINISHED_STATES)


def mark_item(found: Entry, points: Decimal | float, comment: str | None, marker: User,
              now: datetime) -> bool:
    """Give (or correct) the mark of one essay; False when nothing changed.

    Raises :class:`MarkingRefused` for an item that is not markable or points outside
    0 … the item's points.
    """
    item = found.item
    score = _checked_score(found, points)
    comment = (comment or "").strip() or None
    if item.status == MARKED and item.score == score and item.marker_comment == comment:
        return False
    before: dict[str, object] = {"score": item.score, "status": item.status,
                                 "comment": item.marker_comment,
                                 "marked_by_id": item.marked_by_id}
    item.score, item.status, item.marker_comment = score, MARKED, comment
    item.marked_by_id, item.marked_at = marker.id, now
    was_graded = found.attempt.state == AttemptState.GRADED
    settle(found.attempt)
    _record_mark(found, marker, before)
    if not was_graded:  # the last essay marked: the result is final (a correction is not news)
        notices.result_ready(found.attempt, now)
    return True


def _record_mark(found: Entry, marker: User, before: dict[str, object]) -> None:
    item, attempt = found.item, found.attempt
    audit.record("exam.mark", item, actor=marker, before=before, after={
        "score": item.score, "status": MARKED, "comment": item.marker_comment,
        "marked_by_id": marker.id, "attempt_id": attempt.id, "attempt_score": attempt.score,
        "attempt_state": attempt.state})


def _checked_score(found: Entry, points: Decimal | float) -> float:
    if not can_mark(found):
        raise MarkingRefused("Only written answers of finished attempts are marked by hand.")
    score = round(float(points), 2)
    if not 0 <= score <= found.item.points:
        raise MarkingRefused(f"Give between 0 and {found.item.points:g} points.")
    return score


def settle(attempt: Attempt) -> None:
    """The attempt's total is the sum of its item scores; with nothing left to mark it is
    graded."""
    rows = db.session.execute(sa.select(AttemptItem.score, AttemptItem.status).where(
        AttemptItem.attempt_id == attempt.id)).all()
    attempt.score = round(sum(score or 0 for score, _ in rows), 2)
    if attempt.state != AttemptState.GRADED \
            and not any(status == NEEDS_MARKING for _, status in rows):
        attempt.move_to(AttemptState.GRADED)
    db.session.flush()


def describe_response(content: dict, response) -> list[str]:
    """A response as plain text lines (the template escapes them): the chosen options' text,
    the matched pairs, the learner's order, or what they typed. Empty: no answer."""
    if response is None or response == "" or response == [] or response == {}:
        return []
    kind = content.get("type")
    if kind in ("single", "truefalse", "multiple"):
        picked = response if isinstance(response, list) else [response]
        return [_text(content.get("choices"), i, "text") for i in picked]
    if kind == "matching" and isinstance(response, dict):
        pairs = content.get("pairs") or []
        return [f"{_text(pairs, _int(k), 'left')} → {_text(pairs, v, 'right')}"
                for k, v in sorted(response.items(), key=lambda kv: str(kv[0]))
                if v is not None]
    if kind == "ordering" and isinstance(response, list):
        return [_text([{"t": s} for s in content.get("sequence") or []], i, "t")
                for i in response]
    return [str(response)]


def _int(value):
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _text(options, index, key: str) -> str:
    """The text at an original index, or the raw value when the response is malformed."""
    options = options or []
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(options):
        return str(options[index].get(key) or "")
    return repr(index)
