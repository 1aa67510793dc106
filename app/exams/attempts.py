"""Attempts: who may start, and starting one; the public face of the attempt's life.

The rules here are the ones examinees' pay and promotion depend on (§1.3.1,
§3.2.1): the server owns the deadline, a stale page cannot overwrite a newer
answer, submitting twice is harmless, and an abandoned attempt is finalised at
its deadline with everything saved before it. The parts live beside this module:
:mod:`app.exams.draws` (what an attempt is served), :mod:`app.exams.saves` (saving
answers), :mod:`app.exams.finishing` (submitting, deadlines, grading); their public
names are importable from here. Functions take ``now`` so tests and the CLI sweep
control the clock; they flush, the caller commits.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth import audience
from app.auth.models import User
from app.exams.draws import Draw, Served, banks_stamp, draw_questions, prepare_draw, rule_filters
from app.exams.finishing import (
    DEFAULT_GRACE,
    PAGE_CLOCK_TOLERANCE,
    close_expired,
    finalise_if_expired,
    grade_attempt,
    submit_attempt,
)
from app.exams.models import Accommodation, Attempt, AttemptItem, AttemptState, Exam, ExamAudience
from app.exams.option_order import to_original
from app.exams.refusals import AttemptRefused, SaveRefused
from app.exams.saves import (
    SEQ_SHIFT,
    AnswerTarget,
    answer_target,
    refuse_save,
    save_answer,
    store_answer,
)
from app.extensions import db

__all__ = ["DEFAULT_GRACE", "PAGE_CLOCK_TOLERANCE", "SEQ_SHIFT", "AnswerTarget",
           "AttemptRefused", "Draw", "SaveRefused", "Served", "accommodation", "answer_target",
           "attempts_of", "banks_stamp", "can_sit_again", "close_expired", "draw_questions",
           "finalise_if_expired", "grade_attempt", "in_audience", "prepare_draw", "refuse_save",
           "refuse_early", "rule_filters", "save_answer", "start_attempt", "start_delay",
           "start_opens_at", "store_answer", "submit_attempt",
           "to_original"]


def accommodation(exam: Exam, user: User) -> Accommodation | None:
    return db.session.execute(sa.select(Accommodation).where(
        Accommodation.exam_id == exam.id, Accommodation.user_id == user.id)).scalar_one_or_none()


def start_delay(exam: Exam, user: User) -> timedelta:
    """This person's share of the exam's start spread, in [0, spread): the same on every
    page and every host (derived from the exam and the person, never stored)."""
    if exam.start_spread_seconds <= 0:
        return timedelta(0)
    digest = hashlib.sha256(f"start-spread:{exam.id}:{user.id}".encode()).digest()
    return timedelta(milliseconds=int.from_bytes(digest[:8], "big")
                     % (exam.start_spread_seconds * 1000))


def start_opens_at(exam: Exam, user: User) -> datetime:
    """When this person may start: the opening, plus their delay when starts are spread."""
    return exam.opens_at + start_delay(exam, user)


def in_audience(exam: Exam, user: User) -> bool:
    return audience.admits(exam.audience, ExamAudience, ExamAudience.exam_id, exam.id, user)


def attempts_of(exam: Exam, user: User) -> list[Attempt]:
    return list(db.session.execute(sa.select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)
    ).scalars())


def _attempts_allowed(exam: Exam, extra: Accommodation | None) -> int:
    return exam.attempts_allowed + (extra.extra_attempts if extra else 0)


def can_sit_again(exam: Exam, user: User, now: datetime) -> bool:
    """Whether the person could still start another attempt (open window, attempts left)."""
    if now >= exam.closes_at:
        return False
    return len(attempts_of(exam, user)) < _attempts_allowed(exam, accommodation(exam, user))


def start_attempt(exam: Exam, user: User, now: datetime, draw: Draw | None = None) -> Attempt:
    """Start (or resume) the person's attempt; refuses outside the rules.

    ``draw``: the questions, drawn beforehand by ``prepare_draw`` (the start view
    draws in its read phase so the write lock is held only for the inserts).
    """
    if exam.published_at is None:
        raise AttemptRefused(_l("This exam is not published."))
    if not in_audience(exam, user):
        raise AttemptRefused(_l("This exam is not for you."))
    previous = attempts_of(exam, user)
    for attempt in previous:
        finalise_if_expired(attempt, now)
    running = next((a for a in previous if a.state == AttemptState.IN_PROGRESS), None)
    if running is not None:
        return running  # reload, new tab, other device: the same attempt continues
    extra = accommodation(exam, user)
    _refuse_outside_window(exam, now, len(previous), _attempts_allowed(exam, extra))
    refuse_early(exam, user, now)
    limit = timedelta(minutes=exam.time_limit_minutes + (extra.extra_minutes if extra else 0))
    return _insert_attempt(exam, user, len(previous) + 1, now, min(now + limit, exam.closes_at),
                           draw or prepare_draw(exam))


def _refuse_outside_window(exam: Exam, now: datetime, used: int, allowed: int) -> None:
    if now < exam.opens_at:
        raise AttemptRefused(_l("This exam has not opened yet."))
    if now >= exam.closes_at:
        raise AttemptRefused(_l("This exam has closed."))
    if used >= allowed:
        raise AttemptRefused(_l("You have used all your attempts at this exam."))


def refuse_early(exam: Exam, user: User, now: datetime) -> None:
    """Starts are spread: this person's own start has not opened yet."""
    if exam.opens_at <= now < start_opens_at(exam, user):
        raise AttemptRefused(_l(
            "Your start opens %(n)d seconds after the exam opens: starts are spread over "
            "%(spread)d seconds so that everyone's page loads at once. Your time starts when "
            "you start.", n=int(start_delay(exam, user).total_seconds()) + 1,
            spread=exam.start_spread_seconds))


def _insert_attempt(exam: Exam, user: User, number: int, now: datetime, deadline: datetime,
                    draw: Draw) -> Attempt:
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, started_at=now,
                      deadline_at=deadline, seed=draw.seed, max_score=draw.max_score)
    attempt.move_to(AttemptState.IN_PROGRESS)
    db.session.add(attempt)
    db.session.flush()
    if draw.items:  # one multi-row INSERT: no ORM object per served question
        db.session.execute(sa.insert(cast(sa.Table, AttemptItem.__table__)),
                           [{**item, "attempt_id": attempt.id, "seq": 0, "flagged": False}
                            for item in draw.items])
    return attempt
