"""What a new attempt is served: its questions by the exam's rules, and their option orders.

Drawing only reads, so the start view draws before it takes the write lock; the rows a rule
draws from are kept per process until an import changes the banks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from app.banks.models import Question, QuestionBank, QuestionVersion
from app.exams.models import Exam, ExamRule
from app.extensions import db

# Shown in a random order, but never in the key's order: the order is the answer.
KEYED_ORDER_TYPES = frozenset({"ordering", "matching"})


class DrawnItem(TypedDict):
    """A row of exam_attempt_items, without its attempt_id."""

    position: int
    question_version_id: int
    points: float
    option_order: list[int]


@dataclass(frozen=True)
class Draw:
    """What a new attempt will be served, decided before anything is written."""

    seed: int
    items: list[DrawnItem]
    max_score: float


@dataclass(frozen=True)
class Served:
    version_id: int
    question_pk: int
    content: dict[str, Any]
    points: float


def prepare_draw(exam: Exam) -> Draw:
    """Draw an attempt's questions and option orders (reads only; see ``start_attempt``)."""
    seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)  # noqa: S311 - order, not secrecy
    items = [DrawnItem(position=position, question_version_id=served.version_id,
                       points=served.points, option_order=_option_order(exam, served, rng))
             for position, served in enumerate(draw_questions(exam, rng), start=1)]
    return Draw(seed, items, round(sum(item["points"] for item in items), 2))


def _option_order(exam: Exam, served: Served, rng: random.Random) -> list[int]:
    content = served.content
    size = len(content.get("choices") or content.get("pairs") or content.get("sequence")
               or [])
    order = list(range(size))
    if content["type"] in KEYED_ORDER_TYPES:
        _shuffle_away_from_identity(order, rng)  # the shown order must not be the key
    elif exam.shuffle_options:
        rng.shuffle(order)
    return order


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


def _current(*conditions: sa.ColumnElement[bool],
             order_by: InstrumentedAttribute[int] | None = None) -> list[Served]:
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
_RULE_ROWS: dict[tuple[object, ...], list[Served]] = {}
_RULE_ROWS_LIMIT = 256


def banks_stamp() -> tuple[object, ...]:
    """Changes whenever an import adds, changes, retires or brings back a question: the
    banks' revisions only grow, and so does the newest version id."""
    return tuple(db.session.execute(sa.select(
        sa.select(sa.func.sum(QuestionBank.revision)).scalar_subquery(),
        sa.select(sa.func.count(QuestionBank.id)).scalar_subquery(),
        sa.select(sa.func.max(QuestionVersion.id)).scalar_subquery())).one())


def _rule_rows(rule: ExamRule) -> list[Served]:
    """The current versions a rule draws from: in the rule's order (fixed) or by question."""
    shape = ((rule.kind, tuple(rule.question_ids)) if rule.kind == "fixed" else
             (rule.kind, rule.bank_pk, rule.difficulty, rule.question_type, tuple(rule.tags)))
    key = (banks_stamp(), *shape)
    rows = _RULE_ROWS.get(key)
    if rows is None:
        rows = _read_rule_rows(rule)
        if len(_RULE_ROWS) >= _RULE_ROWS_LIMIT:
            _RULE_ROWS.clear()
        _RULE_ROWS[key] = rows
    return rows


def _read_rule_rows(rule: ExamRule) -> list[Served]:
    if rule.kind != "fixed":
        return _current(*rule_filters(rule), order_by=Question.id)
    order = {qid: i for i, qid in enumerate(rule.question_ids)}
    return sorted(_current(Question.question_id.in_(rule.question_ids)),
                  key=lambda row: order[row.content["id"]])


def rule_filters(rule: ExamRule) -> list[sa.ColumnElement[bool]]:
    """SQL conditions of a random rule (also used by the builder to count candidates)."""
    filters = [Question.bank_pk == rule.bank_pk, Question.retired_at.is_(None)]
    if rule.difficulty:
        filters.append(Question.difficulty == rule.difficulty)
    if rule.question_type:
        filters.append(Question.type == rule.question_type)
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
