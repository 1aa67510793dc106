"""Attempts: who may start, the server-owned clock, saving answers, submitting, grading.

The rules here are the ones examinees' pay and promotion depend on (§1.3.1,
§3.2.1): the server owns the deadline, a stale page cannot overwrite a newer
answer, submitting twice is harmless, and an abandoned attempt is finalised at
its deadline with everything saved before it. Functions take ``now`` so tests
and the CLI sweep control the clock; they flush, the caller commits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth import audience
from app.auth.models import User
from app.banks.models import Question, QuestionBank, QuestionVersion
from app.database import UTCDateTime
from app.exams.grading import grade
from app.exams.models import (
    Accommodation,
    Attempt,
    AttemptItem,
    AttemptState,
    Exam,
    ExamAudience,
    ExamRule,
)
from app.exams.option_order import to_original
from app.extensions import db

DEFAULT_GRACE = timedelta(seconds=30)


class AttemptRefused(Exception):
    """The person may not start or change this attempt; the message says why."""


class SaveRefused(AttemptRefused):
    """A save was refused (too late, or older than what is stored); nothing was lost."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # "closed", "stale"


def accommodation(exam: Exam, user: User) -> Accommodation | None:
    return db.session.execute(sa.select(Accommodation).where(
        Accommodation.exam_id == exam.id, Accommodation.user_id == user.id)).scalar_one_or_none()


def in_audience(exam: Exam, user: User) -> bool:
    return audience.admits(exam.audience, ExamAudience, ExamAudience.exam_id, exam.id, user)


def attempts_of(exam: Exam, user: User) -> list[Attempt]:
    return list(db.session.execute(sa.select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)
    ).scalars())


def can_sit_again(exam: Exam, user: User, now: datetime) -> bool:
    """Whether the person could still start another attempt (open window, attempts left)."""
    if now >= exam.closes_at:
        return False
    extra = accommodation(exam, user)
    allowed = exam.attempts_allowed + (extra.extra_attempts if extra else 0)
    return len(attempts_of(exam, user)) < allowed


@dataclass(frozen=True)
class Draw:
    """What a new attempt will be served, decided before anything is written."""

    seed: int
    items: list[dict]  # rows for exam_attempt_items, without attempt_id
    max_score: float


def prepare_draw(exam: Exam) -> Draw:
    """Draw an attempt's questions and option orders (reads only; see ``start_attempt``)."""
    seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)  # noqa: S311 - order, not secrecy
    items = []
    for position, served in enumerate(draw_questions(exam, rng), start=1):
        content = served.content
        size = len(content.get("choices") or content.get("pairs") or content.get("sequence")
                   or [])
        order = list(range(size))
        if content["type"] in ("ordering", "matching"):
            _shuffle_away_from_identity(order, rng)  # the shown order must not be the key
        elif exam.shuffle_options:
            rng.shuffle(order)
        items.append({"position": position, "question_version_id": served.version_id,
                      "points": served.points, "option_order": order})
    return Draw(seed, items, round(sum(item["points"] for item in items), 2))


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
    if now < exam.opens_at:
        raise AttemptRefused(_l("This exam has not opened yet."))
    if now >= exam.closes_at:
        raise AttemptRefused(_l("This exam has closed."))
    extra = accommodation(exam, user)
    allowed = exam.attempts_allowed + (extra.extra_attempts if extra else 0)
    if len(previous) >= allowed:
        raise AttemptRefused(_l("You have used all your attempts at this exam."))
    limit = timedelta(minutes=exam.time_limit_minutes + (extra.extra_minutes if extra else 0))
    draw = draw or prepare_draw(exam)
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=len(previous) + 1,
                      started_at=now, deadline_at=min(now + limit, exam.closes_at),
                      seed=draw.seed, state=AttemptState.IN_PROGRESS, max_score=draw.max_score)
    db.session.add(attempt)
    db.session.flush()
    if draw.items:  # one multi-row INSERT: no ORM object per served question
        db.session.execute(sa.insert(AttemptItem.__table__),
                           [{**item, "attempt_id": attempt.id, "seq": 0, "flagged": False}
                            for item in draw.items])
    return attempt


@dataclass(frozen=True)
class Served:
    version_id: int
    question_pk: int
    content: dict
    points: float


def draw_questions(exam: Exam, rng: random.Random) -> list[Served]:
    """The questions an attempt gets, by the exam's rules, current versions only."""
    served: list[Served] = []
    taken: set[int] = set()
    for rule in exam.rules:
        for candidate in _candidates(rule, rng):
            if candidate.question_pk not in taken:
                taken.add(candidate.question_pk)
                served.append(Served(candidate.version_id, candidate.question_pk,
                                     candidate.content, rule.points_each or candidate.points))
    if exam.shuffle_questions:
        rng.shuffle(served)
    return served


def _current(*conditions, order_by=None) -> list[Served]:
    """Current versions of live questions, as plain rows (no ORM objects: cheap to draw)."""
    stmt = (sa.select(QuestionVersion.id, QuestionVersion.question_pk, QuestionVersion.content,
                      Question.points)
            .join(Question, sa.and_(Question.id == QuestionVersion.question_pk,
                                    Question.version == QuestionVersion.version))
            .where(Question.retired_at.is_(None), *conditions))
    if order_by is not None:
        stmt = stmt.order_by(order_by)
    return [Served(vid, qpk, content, points) for vid, qpk, content, points in
            db.session.execute(stmt).all()]


def _candidates(rule: ExamRule, rng: random.Random) -> list[Served]:
    rows = _rule_rows(rule)
    if rule.kind == "fixed":
        return rows
    return rng.sample(rows, min(rule.count, len(rows)))


# A thousand examinees starting at once would each read and decode the same question
# versions. Each process keeps the rows a rule draws from, keyed by the rule and the
# banks' stamp (read from the database on every draw, so an import anywhere is seen at
# once); Served rows are never changed after they are made.
_RULE_ROWS: dict[tuple, list[Served]] = {}
_RULE_ROWS_LIMIT = 256


def banks_stamp() -> tuple:
    """Changes whenever an import adds, changes, retires or brings back a question: the
    banks' revisions only grow, and so does the newest version id."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.sum(QuestionBank.revision)).scalar_subquery(),
        sa.select(sa.func.count(QuestionBank.id)).scalar_subquery(),
        sa.select(sa.func.max(QuestionVersion.id)).scalar_subquery())).one())


def _rule_rows(rule: ExamRule) -> list[Served]:
    """The current versions a rule draws from: in the rule's order (fixed) or by question."""
    shape = ((rule.kind, tuple(rule.question_ids)) if rule.kind == "fixed" else
             (rule.kind, rule.bank_pk, rule.difficulty, tuple(rule.tags)))
    key = (banks_stamp(), *shape)
    rows = _RULE_ROWS.get(key)
    if rows is None:
        if rule.kind == "fixed":
            order = {qid: i for i, qid in enumerate(rule.question_ids)}
            rows = sorted(_current(Question.question_id.in_(rule.question_ids)),
                          key=lambda row: order[row.content["id"]])
        else:
            rows = _current(*rule_filters(rule), order_by=Question.id)
        if len(_RULE_ROWS) >= _RULE_ROWS_LIMIT:
            _RULE_ROWS.clear()
        _RULE_ROWS[key] = rows
    return rows


def rule_filters(rule: ExamRule) -> list:
    """SQL conditions of a random rule (also used by the builder to count candidates)."""
    filters = [Question.bank_pk == rule.bank_pk, Question.retired_at.is_(None)]
    if rule.difficulty:
        filters.append(Question.difficulty == rule.difficulty)
    filters += [Question.tag_list.contains(f",{tag},") for tag in rule.tags]
    return filters


def _shuffle_away_from_identity(order: list[int], rng: random.Random) -> None:
    """Shuffle until the order differs from the original (when it can)."""
    original = list(order)
    for _ in range(20):
        rng.shuffle(order)
        if order != original or len(order) < 2:
            return
    order.reverse()


def finalise_if_expired(attempt: Attempt, now: datetime,
                        grace: timedelta = DEFAULT_GRACE) -> bool:
    """An in-progress attempt past its deadline (and grace) is submitted as it stands."""
    if attempt.state != AttemptState.IN_PROGRESS or now <= attempt.deadline_at + grace:
        return False
    if not _lock_open(attempt):
        return False
    _finish(attempt, AttemptState.EXPIRED, attempt.deadline_at)
    return True


def _lock_open(attempt: Attempt) -> bool:
    """Take the attempt row exclusively and re-read it; True if it is still in progress.

    In-flight saves hold a share lock on the row; once they finish, no new save can
    pass its own check, so grading sees every answer that was acknowledged.
    """
    db.session.refresh(attempt, with_for_update=True)
    return attempt.state == AttemptState.IN_PROGRESS


SEQ_SHIFT = 20  # saves carry (page revision << SEQ_SHIFT) + a per-page counter


@dataclass(frozen=True)
class AnswerTarget:
    """What a save needs to know about a served question; fixed once the attempt started."""

    kind: str
    option_order: list[int]
    revision: int
    deadline_at: datetime


@cache
def _answer_target_query() -> sa.Select:
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


def save_answer(attempt: Attempt, position: int, response, seq: int, now: datetime, *,
                flagged: bool | None = None, grace: timedelta = DEFAULT_GRACE,
                displayed: bool = False) -> None:
    """Store one answer if the attempt is open and ``seq`` is newer than the stored one."""
    target = answer_target(attempt.id, attempt.user_id, position)
    if target is None:
        refuse_save(attempt, now, grace, missing=True)
    store_answer(attempt.id, target, position, response, seq, now, flagged=flagged,
                 grace=grace, displayed=displayed)


def store_answer(attempt_id: int, target: AnswerTarget, position: int, response, seq: int,
                 now: datetime, *, flagged: bool | None = None,
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
    if not 0 <= seq < (target.revision + 1) << SEQ_SHIFT:
        raise SaveRefused(_l("This save does not come from a page of this attempt; reload "
                             "the page."), "stale")
    still_open = db.session.execute(_open_attempt_query(), {
        "attempt_id": attempt_id, "cutoff": now - grace}).first()
    if still_open is None:
        refuse_save(db.session.get(Attempt, attempt_id), now, grace)
    if displayed:
        response = to_original(target.kind, response, target.option_order)
    updated = db.session.execute(_store_query(flagged is not None), {
        "item_attempt": attempt_id, "item_position": position, "new_seq": seq,
        "new_response": response, "new_saved_at": now, "new_flagged": flagged}).rowcount
    if updated != 1:
        raise SaveRefused(_l("A newer answer to this question was saved from another page; "
                             "reload to see it."), "stale")


@cache
def _open_attempt_query() -> sa.Select:
    return (sa.select(Attempt.id)
            .where(Attempt.id == sa.bindparam("attempt_id"),
                   Attempt.state == AttemptState.IN_PROGRESS,
                   Attempt.deadline_at >= sa.bindparam("cutoff", type_=UTCDateTime))
            .with_for_update(read=True))


@cache
def _store_query(with_flag: bool) -> sa.Update:
    items = AttemptItem.__table__
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
                missing: bool = False):
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


# How early a page's "my countdown ran out" may arrive and still count: the page counts the
# server's remaining time (whole seconds) on its own clock, so it can be a little early.
PAGE_CLOCK_TOLERANCE = timedelta(seconds=5)


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
        _finish(attempt, AttemptState.EXPIRED, min(now, attempt.deadline_at))
        return
    _finish(attempt, AttemptState.SUBMITTED, now)


def _finish(attempt: Attempt, state: AttemptState, when: datetime) -> None:
    attempt.state, attempt.finished_at = state, when
    attempt.expired = state == AttemptState.EXPIRED
    grade_attempt(attempt)


def grade_attempt(attempt: Attempt) -> None:
    """Grade every served version with the exam's scoring; essays wait for a marker."""
    rows = db.session.execute(
        sa.select(AttemptItem, QuestionVersion.content)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id)).all()
    pending = False
    for item, content in rows:
        if item.status == "marked":
            continue
        result = grade({**content, "points": item.points}, item.response,
                       scoring=attempt.exam.scoring)
        item.score, item.status = result.points, result.status
        pending = pending or result.status == "needs_marking"
    attempt.score = round(sum(item.score or 0 for item, _ in rows), 2)
    attempt.state = AttemptState.AWAITING_MARKING if pending else AttemptState.GRADED
    db.session.flush()


def close_expired(now: datetime, grace: timedelta = DEFAULT_GRACE) -> int:
    """The cron sweep: finalise every abandoned attempt past its deadline."""
    expired = db.session.execute(sa.select(Attempt).where(
        Attempt.state == AttemptState.IN_PROGRESS,
        Attempt.deadline_at < now - grace)).scalars().all()
    for attempt in expired:
        finalise_if_expired(attempt, now, grace)
    return len(expired)
