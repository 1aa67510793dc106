"""Saving answers: the exam's hot path, where a stale page never overwrites a newer answer.

Every save carries a sequence number, ``(page revision << SEQ_SHIFT) + n``: a newer page's
saves outrank every save of an older page or tab. The view reads the served question
(:func:`answer_target`) before its write phase and stores it in two statements inside it
(:func:`store_answer`). Functions take ``now``; they flush, the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NoReturn, cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.banks.models import QuestionVersion
from app.database import UTCDateTime
from app.exams.finishing import DEFAULT_GRACE, finalise_if_expired
from app.exams.models import Attempt, AttemptItem, AttemptState
from app.exams.option_order import to_original
from app.exams.refusals import SaveRefused
from app.extensions import db

SEQ_SHIFT = 20  # saves carry (page revision << SEQ_SHIFT) + a per-page counter


@dataclass(frozen=True)
class AnswerTarget:
    """What a save needs to know about a served question; fixed once the attempt started."""

    kind: str
    option_order: list[int]
    revision: int
    deadline_at: datetime


@cache
def _answer_target_query() -> sa.Select[str, list[int], int, datetime]:
    # Built once: constructing a statement costs more than running it on SQLite.
    return (sa.select(QuestionVersion.content["type"].as_string(), AttemptItem.option_order,
                      Attempt.revision, Attempt.deadline_at)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .where(Attempt.id == sa.bindparam("attempt_id"),
                   Attempt.user_id == sa.bindparam("user_id"),
                   AttemptItem.position == sa.bindparam("position")))


def answer_target(attempt_id: int, user_id: int, position: int) -> AnswerTarget | None:
    """One read: the served question at ``position`` of this person's attempt, or None."""
    row = db.session.execute(_answer_target_query(), {
        "attempt_id": attempt_id, "user_id": user_id, "position": position}).first()
    return AnswerTarget(*row) if row is not None else None


def save_answer(attempt: Attempt, position: int, response: Any, seq: int, now: datetime, *,
                flagged: bool | None = None, grace: timedelta = DEFAULT_GRACE,
                displayed: bool = False) -> None:
    """Store one answer if the attempt is open and ``seq`` is newer than the stored one."""
    target = answer_target(attempt.id, attempt.user_id, position)
    if target is None:
        refuse_save(attempt, now, grace, missing=True)
    store_answer(attempt.id, target, position, response, seq, now, flagged=flagged,
                 grace=grace, displayed=displayed)


def store_answer(attempt_id: int, target: AnswerTarget, position: int, response: Any,
                 seq: int, now: datetime, *, flagged: bool | None = None,
                 grace: timedelta = DEFAULT_GRACE, displayed: bool = False) -> None:
    """The write half of a save: two statements decide, whatever other requests do.

    A share-lock on the attempt row while it is still open (a submit or the expiry
    sweep takes the row exclusively, so no save can slip in after grading), then one
    conditional UPDATE, so a stale page or a second tab never overwrites a newer
    answer. ``target`` may have been read in an earlier transaction: nothing in it
    changes while the attempt runs (a newer page only raises the revision, and a save
    from it comes later than this one). ``displayed``: the response uses the page's
    display positions (mapped here).
    """
    _refuse_foreign_seq(seq, target)
    _share_lock_open(attempt_id, now, grace)
    if displayed:
        response = to_original(target.kind, response, target.option_order)
    updated = cast(sa.CursorResult[Any], db.session.execute(_store_query(flagged is not None), {
        "item_attempt": attempt_id, "item_position": position, "new_seq": seq,
        "new_response": response, "new_saved_at": now, "new_flagged": flagged})).rowcount
    if updated != 1 and not _already_stored(attempt_id, position, seq, response, flagged):
        raise SaveRefused(_l("A newer answer to this question was saved from another page; "
                             "reload to see it."), "stale")


def _already_stored(attempt_id: int, position: int, seq: int, response: Any,
                    flagged: bool | None) -> bool:
    """The same save again (a retry after a lost reply, or a proxy's 502 after the app had
    stored it): it is acknowledged, not refused as stale."""
    row = db.session.execute(sa.select(AttemptItem.seq, AttemptItem.response,
                                       AttemptItem.flagged).where(
        AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).first()
    return (row is not None and row.seq == seq and row.response == response
            and (flagged is None or row.flagged == flagged))


def _refuse_foreign_seq(seq: int, target: AnswerTarget) -> None:
    """No page of this attempt has numbered a save beyond its newest revision."""
    if not 0 <= seq < (target.revision + 1) << SEQ_SHIFT:
        raise SaveRefused(_l("This save does not come from a page of this attempt; reload "
                             "the page."), "stale")


def _share_lock_open(attempt_id: int, now: datetime, grace: timedelta) -> None:
    """Share-lock the attempt row if it is still open; else refuse the save."""
    still_open = db.session.execute(_open_attempt_query(), {
        "attempt_id": attempt_id, "cutoff": now - grace}).first()
    if still_open is None:
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None  # the target was read from this attempt's rows
        refuse_save(attempt, now, grace)


@cache
def _open_attempt_query() -> sa.Select[int]:
    return (sa.select(Attempt.id)
            .where(Attempt.id == sa.bindparam("attempt_id"),
                   Attempt.state == AttemptState.IN_PROGRESS,
                   Attempt.deadline_at >= sa.bindparam("cutoff", type_=UTCDateTime))
            .with_for_update(read=True))


@cache
def _store_query(with_flag: bool) -> sa.Update:
    items = cast(sa.Table, AttemptItem.__table__)
    values = {"response": sa.bindparam("new_response", type_=items.c.response.type),
              "seq": sa.bindparam("new_seq", type_=items.c.seq.type),
              "saved_at": sa.bindparam("new_saved_at", type_=items.c.saved_at.type)}
    if with_flag:
        values["flagged"] = sa.bindparam("new_flagged", type_=items.c.flagged.type)
    return (sa.update(items)
            .where(items.c.attempt_id == sa.bindparam("item_attempt"),
                   items.c.position == sa.bindparam("item_position"),
                   items.c.seq < sa.bindparam("new_seq"))
            .values(**values))


def refuse_save(attempt: Attempt, now: datetime, grace: timedelta = DEFAULT_GRACE,
                missing: bool = False) -> NoReturn:
    """Why a save cannot be stored; an attempt past its deadline is finalised on the way."""
    if missing and attempt.state == AttemptState.IN_PROGRESS \
            and now <= attempt.deadline_at + grace:
        raise SaveRefused(_l("There is no such question in this attempt; reload the page."),
                          "stale")
    finalise_if_expired(attempt, now, grace)
    if attempt.state != AttemptState.IN_PROGRESS and not attempt.expired:
        raise SaveRefused(_l("This attempt has been submitted: this answer was not saved. "
                             "Everything saved before is kept and graded."), "closed")
    raise SaveRefused(_l("Time is up: this answer was not saved. Everything saved before "
                         "the deadline is kept and graded."), "closed")
