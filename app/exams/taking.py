"""What the learner's pages need: exam lists, the attempt page data, review visibility.

Nothing here ever hands a page an answer key: ``attempt_view`` builds the served
questions from the stem and option texts only, in the attempt's option order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.banks.models import QuestionVersion
from app.exams.attempts import (
    SEQ_SHIFT,
    finalise_if_expired,
)
from app.exams.models import Accommodation, Attempt, AttemptItem, AttemptState, Exam, ExamAudience
from app.extensions import db


@dataclass
class ExamListing:
    exam: Exam
    attempts: list[Attempt]
    running: Attempt | None
    can_start: bool


def my_exams(user: User, now: datetime) -> dict[str, list[ExamListing]]:
    """Published exams for this person: open, upcoming and past.

    A fixed number of queries whatever the number of exams: everyone opens this
    page at the start of an exam day.
    """
    exams = db.session.execute(sa.select(Exam).where(Exam.published_at.is_not(None))
                               .order_by(Exam.opens_at)).scalars().all()
    ids = [exam.id for exam in exams]
    # (exam, "teams") or (exam, "people") pairs that name this person, as in_audience
    admitted = {(exam_id, "people" if user_id is not None else "teams")
                for exam_id, user_id in db.session.execute(
                    sa.select(ExamAudience.exam_id, ExamAudience.user_id).where(
                        ExamAudience.exam_id.in_(ids),
                        sa.or_(ExamAudience.user_id == user.id,
                               sa.and_(ExamAudience.team_id.is_not(None),
                                       ExamAudience.team_id == user.team_id))))}
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.execute(sa.select(Attempt).where(
            Attempt.user_id == user.id, Attempt.exam_id.in_(ids))
            .order_by(Attempt.number)).scalars():
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    extras = {a.exam_id: a.extra_attempts for a in db.session.execute(
        sa.select(Accommodation).where(Accommodation.user_id == user.id,
                                       Accommodation.exam_id.in_(ids))).scalars()}
    groups: dict[str, list[ExamListing]] = {"open": [], "upcoming": [], "past": []}
    for exam in exams:
        if exam.audience != "everyone" and (exam.id, exam.audience) not in admitted:
            continue
        mine = attempts.get(exam.id, [])
        for attempt in mine:
            finalise_if_expired(attempt, now)
        running = next((a for a in mine if a.state == AttemptState.IN_PROGRESS), None)
        left = exam.attempts_allowed + extras.get(exam.id, 0) - len(mine)
        listing = ExamListing(exam, mine, running, left > 0)
        if now < exam.opens_at:
            groups["upcoming"].append(listing)
        elif now < exam.closes_at and (running or left > 0):
            groups["open"].append(listing)
        else:
            groups["past"].append(listing)
    return groups


@dataclass
class ServedQuestion:
    position: int
    type: str
    points: float
    stem_html: str
    options: list[tuple[int, str]] = field(default_factory=list)  # (original index, html)
    lefts: list[tuple[int, str]] = field(default_factory=list)    # matching: left items
    word_limit: int | None = None
    response: object = None
    flagged: bool = False


def attempt_view(attempt: Attempt) -> list[ServedQuestion]:
    """The served questions as the learner sees them: no keys, no explanations."""
    rows = db.session.execute(
        sa.select(AttemptItem, QuestionVersion.content, QuestionVersion.rendered)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)).all()
    return [_served(item, content, rendered) for item, content, rendered in rows]


def _served(item: AttemptItem, content: dict, rendered: dict) -> ServedQuestion:
    kind = content["type"]
    order = item.option_order
    served = ServedQuestion(item.position, kind, item.points, rendered["stem"],
                            word_limit=content.get("word_limit"),
                            response=to_display(kind, item.response, order),
                            flagged=item.flagged)
    # The page only ever sees display positions (0..n-1 in the shown order): original
    # indices would give away the key of matching and ordering questions.
    if kind in ("single", "multiple", "truefalse"):
        served.options = [(j, rendered["choices"][i]) for j, i in enumerate(order)]
    elif kind == "matching":
        pairs = rendered["pairs"]
        served.lefts = [(i, pairs[i][0]) for i in range(len(pairs)) if content["pairs"][i]["left"]]
        served.options = [(j, pairs[i][1]) for j, i in enumerate(order)]
    elif kind == "ordering":
        served.options = [(j, rendered["sequence"][i]) for j, i in enumerate(order)]
    return served


def to_display(kind: str, response, order: list[int]):
    """A stored response (original indices) in the page's display positions."""
    if response is None or not order:
        return response
    where = {original: shown for shown, original in enumerate(order)}
    try:
        if kind in ("single", "truefalse"):
            return where[response]
        if kind in ("multiple", "ordering"):
            return [where[i] for i in response]
        if kind == "matching":
            return {left: (where[right] if right is not None else None)
                    for left, right in response.items()}
    except (KeyError, TypeError, AttributeError):
        return None  # a malformed stored answer shows as unanswered, never breaks the page
    return response


def next_revision(attempt: Attempt) -> int:
    """A new page of this attempt is being served; its saves outrank older pages'.

    One atomic increment in the database, so two pages loaded at the same moment
    never share a revision, whatever was read before.
    """
    revision = db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id)
        .values(revision=Attempt.revision + 1).returning(Attempt.revision)
        .execution_options(synchronize_session=False)).scalar_one()
    set_committed_value(attempt, "revision", revision)
    return revision << SEQ_SHIFT


def review_visible(exam: Exam, now: datetime) -> bool:
    """Whether the review policy lets learners see their results yet."""
    return exam.review_when == "after_submit" or now >= exam.closes_at


def remaining_seconds(attempt: Attempt, now: datetime) -> int:
    return seconds_until(attempt.deadline_at, now)


def seconds_until(deadline: datetime, now: datetime) -> int:
    return max(0, int((deadline - now).total_seconds()))


@dataclass
class ReviewItem:
    position: int
    content: dict
    rendered: dict
    status: str | None
    score: float | None
    points: float
    answer_html: list[str]  # sanitised fragments describing the learner's answer
    answer_text: str | None  # a typed answer (escaped by the template)
    marker_comment: str | None = None


def review_items(attempt: Attempt, items: list[AttemptItem]) -> list[ReviewItem]:
    """Each served question with the learner's answer, for the review page."""
    versions = {v.id: v for v in db.session.execute(sa.select(QuestionVersion).where(
        QuestionVersion.id.in_([i.question_version_id for i in items]))).scalars()}
    review = []
    for item in items:
        version = versions[item.question_version_id]
        html, text = _answer_parts(version.content, version.rendered, item.response)
        review.append(ReviewItem(item.position, version.content, version.rendered, item.status,
                                 item.score, item.points, html, text, item.marker_comment))
    return review


def _answer_parts(content: dict, rendered: dict, response) -> tuple[list[str], str | None]:
    kind = content["type"]
    try:
        if kind in ("single", "truefalse") and isinstance(response, int):
            return [rendered["choices"][response]], None
        if kind == "multiple" and isinstance(response, list):
            return [rendered["choices"][i] for i in response], None
        if kind == "ordering" and isinstance(response, list):
            return [rendered["sequence"][i] for i in response], None
        if kind == "matching" and isinstance(response, dict):
            return [f"{rendered['pairs'][int(left)][0]} → {rendered['pairs'][right][1]}"
                    for left, right in response.items() if right is not None], None
    except (IndexError, ValueError, TypeError):
        return [], None
    if isinstance(response, str | int | float):
        return [], str(response)
    return [], None
