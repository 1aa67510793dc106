"""What the learner's pages show (:mod:`app.exams.learner_views`): my exams, the attempt
page, the review.

Nothing here ever hands a page an answer key: ``attempt_view`` builds the served
questions from the stem and option texts only, in the attempt's option order
(:mod:`app.exams.option_order`). Two functions write, and the view commits:
``my_exams`` finalises the person's expired attempts it finds on the way, and
``next_revision`` numbers a newly served attempt page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.banks.models import QuestionVersion
from app.exams.finishing import finalise_if_expired
from app.exams.models import Accommodation, Attempt, AttemptItem, AttemptState, Exam, ExamAudience
from app.exams.option_order import to_display
from app.exams.saves import SEQ_SHIFT
from app.extensions import db


@dataclass
class ExamListing:
    exam: Exam
    attempts: list[Attempt]
    running: Attempt | None
    can_start: bool


def my_exams(user: User, now: datetime) -> dict[str, list[ExamListing]]:
    """Published exams for this person: open, upcoming and past.

    Writes: an attempt of theirs past its deadline is finalised here, so the lists
    never show it as running (the caller commits). A fixed number of queries whatever
    the number of exams: everyone opens this page at the start of an exam day.
    """
    exams = db.session.execute(sa.select(Exam).where(Exam.published_at.is_not(None))
                               .order_by(Exam.opens_at)).scalars().all()
    ids = [exam.id for exam in exams]
    admitted = _admitted(user, ids)
    attempts = _attempts_by_exam(user, ids)
    extras = _extra_attempts(user, ids)
    groups: dict[str, list[ExamListing]] = {"open": [], "upcoming": [], "past": []}
    for exam in exams:
        if exam.audience != "everyone" and (exam.id, exam.audience) not in admitted:
            continue
        listing = _listing(exam, attempts.get(exam.id, []), extras.get(exam.id, 0), now)
        groups[_group(listing, now)].append(listing)
    return groups


def _admitted(user: User, exam_ids: list[int]) -> set[tuple[int, str]]:
    """(exam, "teams") or (exam, "people") pairs that name this person, as in_audience."""
    rows = db.session.execute(
        sa.select(ExamAudience.exam_id, ExamAudience.user_id).where(
            ExamAudience.exam_id.in_(exam_ids),
            sa.or_(ExamAudience.user_id == user.id,
                   sa.and_(ExamAudience.team_id.is_not(None),
                           ExamAudience.team_id == user.team_id))))
    return {(exam_id, "people" if user_id is not None else "teams") for exam_id, user_id in rows}


def _attempts_by_exam(user: User, exam_ids: list[int]) -> dict[int, list[Attempt]]:
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.execute(sa.select(Attempt).where(
            Attempt.user_id == user.id, Attempt.exam_id.in_(exam_ids))
            .order_by(Attempt.number)).scalars():
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    return attempts


def _extra_attempts(user: User, exam_ids: list[int]) -> dict[int, int]:
    return {a.exam_id: a.extra_attempts for a in db.session.execute(
        sa.select(Accommodation).where(Accommodation.user_id == user.id,
                                       Accommodation.exam_id.in_(exam_ids))).scalars()}


def _listing(exam: Exam, mine: list[Attempt], extra: int, now: datetime) -> ExamListing:
    """The exam with the person's attempts; an expired running one is finalised first."""
    for attempt in mine:
        finalise_if_expired(attempt, now)
    running = next((a for a in mine if a.state == AttemptState.IN_PROGRESS), None)
    return ExamListing(exam, mine, running, exam.attempts_allowed + extra - len(mine) > 0)


def _group(listing: ExamListing, now: datetime) -> str:
    exam = listing.exam
    if now < exam.opens_at:
        return "upcoming"
    if now < exam.closes_at and (listing.running or listing.can_start):
        return "open"
    return "past"


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


def served_question(item: AttemptItem, content: dict, rendered: dict) -> ServedQuestion:
    """One served question as the attempt page shows it (also the trainer's preview)."""
    return _served(item, content, rendered)


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


def remaining_seconds(attempt: Attempt, now: datetime) -> int:
    return seconds_until(attempt.deadline_at, now)


def seconds_until(deadline: datetime, now: datetime) -> int:
    return max(0, int((deadline - now).total_seconds()))


@dataclass
class PairLine:
    """One matching pair in the review: the left item, the learner's choice, the key."""

    left_html: str
    chosen_html: str | None  # None: no answer for this left item
    key_html: str
    right: bool


@dataclass
class ReviewItem:
    position: int
    content: dict
    rendered: dict
    status: str | None
    score: float | None
    points: float
    chosen: list[int] = field(default_factory=list)   # choice questions: original indices
    pairs: list[PairLine] = field(default_factory=list)  # matching
    order_html: list[str] = field(default_factory=list)  # ordering: the learner's order
    answer_text: str | None = None  # a typed answer (escaped by the template)
    marker_comment: str | None = None
    show_guidance: bool = False  # an essay's guidance for markers (see guidance_visible)

    @property
    def answered(self) -> bool:
        return bool(self.chosen or any(p.chosen_html for p in self.pairs) or self.order_html
                    or self.answer_text)


def guidance_visible(exam: Exam, item: AttemptItem, attempts_left: bool) -> bool:
    """Whether a learner may read an essay's guidance for markers (docs/decisions.md).

    Never before the answer is marked (docs/question-bank-format.md); after marking only
    when the review policy shows the right answers and the person cannot sit the exam
    again: with an attempt left they would hold the marking criteria for it.
    """
    return exam.review_answers and item.status == "marked" and not attempts_left


def review_items(attempt: Attempt, items: Sequence[AttemptItem],
                 attempts_left: bool = True) -> list[ReviewItem]:
    """Each served question with the learner's answer, for the review page."""
    versions = {v.id: v for v in db.session.execute(sa.select(QuestionVersion).where(
        QuestionVersion.id.in_([i.question_version_id for i in items]))).scalars()}
    review = []
    for item in items:
        version = versions[item.question_version_id]
        entry = ReviewItem(item.position, version.content, version.rendered, item.status,
                           item.score, item.points, marker_comment=item.marker_comment,
                           show_guidance=guidance_visible(attempt.exam, item, attempts_left))
        _fill_answer(entry, version.content, version.rendered, item.response)
        review.append(entry)
    return review


def _fill_answer(entry: ReviewItem, content: dict, rendered: dict, response) -> None:
    """The learner's answer in the review's terms; a malformed one shows as no answer."""
    kind = content["type"]
    try:
        if kind in ("single", "truefalse", "multiple"):
            picked = [response] if isinstance(response, int) else response
            if isinstance(picked, list):
                size = len(rendered["choices"])
                entry.chosen = [i for i in picked if isinstance(i, int) and 0 <= i < size]
        elif kind == "ordering":
            if isinstance(response, list):
                entry.order_html = [rendered["sequence"][i] for i in response]
        elif kind == "matching":
            entry.pairs = _pair_lines(content, rendered, response)
        elif isinstance(response, str | int | float) and not isinstance(response, bool):
            entry.answer_text = str(response)
    except (IndexError, KeyError, ValueError, TypeError):
        entry.chosen, entry.pairs, entry.order_html = [], [], []


def _pair_lines(content: dict, rendered: dict, response: object) -> list[PairLine]:
    """Each asked left item with the learner's choice (distractors match nothing)."""
    answers = response if isinstance(response, dict) else {}
    pairs = rendered["pairs"]
    texts = [pair.get("right") for pair in content["pairs"]]
    lines = []
    for index, pair in enumerate(content["pairs"]):
        if not pair.get("left"):
            continue
        right = answers.get(str(index))
        if isinstance(right, int) and 0 <= right < len(pairs):
            # As the grader: right when the chosen right-hand text is this item's own.
            chosen, correct = pairs[right][1], texts[right] == texts[index]
        else:
            chosen, correct = None, False
        lines.append(PairLine(pairs[index][0], chosen, pairs[index][1], correct))
    return lines
