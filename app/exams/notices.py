"""Who is told what about an exam, and when (issue 16; the words are in
:mod:`app.notifications.kinds.exams`).

- *An exam opens for you*: to the exam's audience (:mod:`app.auth.audience`) who have not
  started it, when it is published with its window open, else by the time-based run once
  ``opens_at`` has passed. Someone admitted later hears it at the next run.
- *It closes within 24 hours and you have not started*: the time-based run.
- *Your result is ready*: when the review policy lets the learner see it
  (:mod:`app.exams.review_policy`): at grading when results show after submitting, else by
  the time-based run once the exam has closed; an essay's attempt when it is marked.
- *Written answers wait for marking*: to the exam's author (else every trainer), once per
  backlog: when an attempt starts waiting while no other attempt of the exam does.

Functions flush; the caller commits. The time-based run (``due``) is idempotent: each
notice has a ``dedupe_key``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth import audience
from app.auth.models import Role, User, UserRole
from app.auth.permissions import Permission, can
from app.exams.models import Attempt, AttemptItem, AttemptState, Exam, ExamAudience
from app.exams.review_policy import result_open
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify

CLOSING_WARNING = timedelta(hours=24)
# How long after an exam closes the time-based run still looks for results to announce
# (a missed run is caught up; years of old attempts are never announced).
RESULT_LOOKBACK = timedelta(days=7)


def audience_members(exam: Exam) -> list[User]:
    """The active people the exam is for."""
    rows = db.session.execute(sa.select(ExamAudience.team_id, ExamAudience.user_id).where(
        ExamAudience.exam_id == exam.id)).all()
    return list(db.session.execute(audience.members(
        exam.audience, [team for team, _ in rows if team is not None],
        [person for _, person in rows if person is not None])).scalars())


def _not_started(exam: Exam, people: list[User]) -> list[User]:
    started = set(db.session.execute(sa.select(Attempt.user_id).where(
        Attempt.exam_id == exam.id)).scalars())
    return [person for person in people if person.id not in started]


def _open(exam: Exam, now: datetime) -> bool:
    return exam.published_at is not None and exam.opens_at <= now < exam.closes_at


def exam_opened(exam: Exam, now: datetime) -> int:
    """Tell the audience that the (published) exam is open, once each; how many were told."""
    if not _open(exam, now):
        return 0
    return len(notify(_not_started(exam, audience_members(exam)), "exam.opened", exam,
                      dedupe_key=f"exam.opened:{exam.id}"))


def exam_closing(exam: Exam, now: datetime) -> int:
    """Within 24 hours of the close: tell who has not started. A close moved later and
    near again is told again (the key names the closing time)."""
    if not _open(exam, now) or exam.closes_at > now + CLOSING_WARNING:
        return 0
    key = f"exam.closing:{exam.id}:{exam.closes_at:%Y%m%dT%H%M}"
    return len(notify(_not_started(exam, audience_members(exam)), "exam.closing", exam,
                      dedupe_key=key))


def result_ready(attempt: Attempt, now: datetime) -> int:
    """A graded attempt whose result the review policy lets its learner see now."""
    if attempt.state != AttemptState.GRADED or not result_open(attempt.exam, now):
        return 0
    return len(notify([db.session.get(User, attempt.user_id)], "exam.result", attempt,
                      dedupe_key=_result_key(attempt.id)))


def _result_key(attempt_id: int) -> str:
    return f"exam.result:{attempt_id}"


def markers(exam: Exam) -> list[User]:
    """Who is told that answers wait: the exam's author while they may still mark, else
    every active trainer (the marking queue is shared)."""
    author = db.session.get(User, exam.created_by_id) if exam.created_by_id else None
    if author is not None and author.active and can(author, Permission.MANAGE_EXAMS):
        return [author]
    return list(db.session.execute(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TRAINER.value, User.active.is_(True))
        .order_by(User.id)).scalars())


def marking_waits(attempt: Attempt) -> int:
    """An attempt now waits for marking: tell the markers if it starts a new backlog.

    One notice per backlog, not per answer: nothing while another attempt of the exam
    still waits (they were told and have not finished). The key counts the exam's items
    marked so far, so it changes only once a marker has worked, and two attempts that
    start waiting at the same moment share one key (the unique key lets one notice in).
    """
    if attempt.state != AttemptState.AWAITING_MARKING:
        return 0
    others = db.session.execute(sa.select(sa.exists().where(
        Attempt.exam_id == attempt.exam_id, Attempt.id != attempt.id,
        Attempt.state == AttemptState.AWAITING_MARKING))).scalar()
    if others:
        return 0
    marked = db.session.execute(
        sa.select(sa.func.count(AttemptItem.id))
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.exam_id == attempt.exam_id, AttemptItem.marked_at.is_not(None))
    ).scalar_one()
    return len(notify(markers(attempt.exam), "exam.marking", attempt.exam,
                      dedupe_key=f"exam.marking:{attempt.exam_id}:{marked}"))


def attempt_finished(attempt: Attempt, now: datetime) -> None:
    """An attempt has just been submitted and graded (or waits for marking)."""
    result_ready(attempt, now)
    marking_waits(attempt)


def _results_after_close(now: datetime) -> int:
    """Graded attempts of recently closed exams whose result shows after the close and
    whose learner has not been told yet."""
    told = sa.exists().where(
        Notification.user_id == Attempt.user_id,
        Notification.dedupe_key == sa.literal("exam.result:") + sa.cast(Attempt.id, sa.String))
    attempts = db.session.execute(
        sa.select(Attempt).join(Exam, Exam.id == Attempt.exam_id).where(
            Exam.closes_at <= now, Exam.closes_at > now - RESULT_LOOKBACK,
            Attempt.state == AttemptState.GRADED, ~told)
        .order_by(Attempt.id)).scalars().all()
    return sum(result_ready(attempt, now) for attempt in attempts)


def due(now: datetime) -> int:
    """The time-based exam notices: opened, closing soon, results after the close."""
    exams = db.session.execute(sa.select(Exam).where(
        Exam.published_at.is_not(None), Exam.opens_at <= now, Exam.closes_at > now)
        .order_by(Exam.id)).scalars().all()
    made = sum(exam_opened(exam, now) + exam_closing(exam, now) for exam in exams)
    return made + _results_after_close(now)
