"""How an attempt ends: submitted by the person or the page, or finalised at its deadline.

The server owns the deadline (§1.3.1): submitting twice is harmless, and an abandoned attempt
is finalised at its deadline with everything saved before it. Ending an attempt grades it in
the same call, so it goes straight from in progress to graded or awaiting marking
(:mod:`app.exams.states`). Functions take ``now``; they flush, the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.banks.models import QuestionVersion
from app.exams import notices
from app.exams.grading import NEEDS_MARKING, grade
from app.exams.models import Attempt, AttemptItem, AttemptState
from app.extensions import db

DEFAULT_GRACE = timedelta(seconds=30)
# How early a page's "my countdown ran out" may arrive and still count: the page counts the
# server's remaining time (whole seconds) on its own clock, so it can be a little early.
PAGE_CLOCK_TOLERANCE = timedelta(seconds=5)
MARKED = "marked"  # a marker's score, which grading never touches


def finalise_if_expired(attempt: Attempt, now: datetime,
                        grace: timedelta = DEFAULT_GRACE) -> bool:
    """An in-progress attempt past its deadline (and grace) is submitted as it stands."""
    if attempt.state != AttemptState.IN_PROGRESS or now <= attempt.deadline_at + grace:
        return False
    if not _lock_open(attempt):
        return False
    _finish(attempt, attempt.deadline_at, now, expired=True)
    return True


def _lock_open(attempt: Attempt) -> bool:
    """Take the attempt row exclusively and re-read it; True if it is still in progress.

    In-flight saves hold a share lock on the row; once they finish, no new save can
    pass its own check, so grading sees every answer that was acknowledged.
    """
    db.session.refresh(attempt, with_for_update=True)
    return attempt.state == AttemptState.IN_PROGRESS


def submit_attempt(attempt: Attempt, now: datetime, grace: timedelta = DEFAULT_GRACE, *,
                   at_deadline: bool = False) -> None:
    """Submit (harmless when already submitted).

    The attempt counts as ended by the deadline (``expired``) after the deadline and its
    grace, or when the page submitted it itself because its countdown ran out
    (``at_deadline``) and the server's deadline is at most ``PAGE_CLOCK_TOLERANCE`` away; a
    claim made earlier than that is a person's own submission.
    """
    if attempt.state != AttemptState.IN_PROGRESS or not _lock_open(attempt):
        return
    if now > attempt.deadline_at + grace or (
            at_deadline and now >= attempt.deadline_at - PAGE_CLOCK_TOLERANCE):
        _finish(attempt, min(now, attempt.deadline_at), now, expired=True)
        return
    _finish(attempt, now, now, expired=False)


def _finish(attempt: Attempt, when: datetime, now: datetime, *, expired: bool) -> None:
    """End the attempt at ``when``, grade it, and tell who needs to know (its learner if
    the review policy shows the result now, the markers if it waits for them)."""
    attempt.finished_at, attempt.expired = when, expired
    grade_attempt(attempt)
    notices.attempt_finished(attempt, now)


def grade_attempt(attempt: Attempt) -> None:
    """Grade every served version with the exam's scoring; essays wait for a marker.

    One read and one batched UPDATE (an executemany), not an ORM object per item: at the
    deadline thousands of attempts are graded within seconds.
    """
    rows = db.session.execute(
        sa.select(AttemptItem.id, AttemptItem.points, AttemptItem.response, AttemptItem.status,
                  AttemptItem.score, QuestionVersion.content)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id)).all()
    pending, total, grades = False, 0.0, []
    for row in rows:
        if row.status == MARKED:
            total += row.score or 0
            continue
        result = grade({**row.content, "points": row.points}, row.response,
                       scoring=attempt.exam.scoring)
        grades.append({"id": row.id, "score": result.points, "status": result.status})
        total += result.points or 0
        pending = pending or result.status == NEEDS_MARKING
    if grades:
        db.session.execute(sa.update(AttemptItem), grades)  # bulk UPDATE by primary key
        _expire_loaded_items(attempt.id)
    attempt.score = round(total, 2)
    attempt.move_to(AttemptState.AWAITING_MARKING if pending else AttemptState.GRADED)
    db.session.flush()


def _expire_loaded_items(attempt_id: int) -> None:
    """Items of the attempt already in the session read their new grades on next access."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, AttemptItem) and obj.attempt_id == attempt_id:
            db.session.expire(obj, ["score", "status"])


def close_expired(now: datetime, grace: timedelta = DEFAULT_GRACE) -> int:
    """The cron sweep: finalise every abandoned attempt past its deadline."""
    expired = db.session.execute(sa.select(Attempt).where(
        Attempt.state == AttemptState.IN_PROGRESS,
        Attempt.deadline_at < now - grace)).scalars().all()
    for attempt in expired:
        finalise_if_expired(attempt, now, grace)
    return len(expired)
