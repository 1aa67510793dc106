"""What the evaluation pages list: a reviewer's queue and history, the evaluations about
a person or coordinated by someone, and every reviewer's consistency (§4.1).

Reads only; the workflow's steps are in :mod:`app.evaluations.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.evaluations import scoring
from app.evaluations.models import Evaluation, Review
from app.evaluations.states import OWED_REVIEW_STATES, EvaluationState, ReviewState
from app.extensions import db


def queue(reviewer: User) -> list[Review]:
    """What a reviewer owes, earliest due first."""
    return list(db.session.execute(
        sa.select(Review).join(Evaluation, Evaluation.id == Review.evaluation_id)
        .where(Review.reviewer_id == reviewer.id,
               Review.state.in_(sorted(OWED_REVIEW_STATES)),
               Evaluation.state == EvaluationState.OPEN)
        .order_by(Evaluation.due_at, Evaluation.id)).scalars())


def reviewed_by(reviewer: User, limit: int = 50) -> list[Review]:
    """The reviewer's submitted scorecards, latest first."""
    return list(db.session.execute(
        sa.select(Review).where(Review.reviewer_id == reviewer.id,
                                Review.state == ReviewState.SUBMITTED)
        .order_by(Review.submitted_at.desc()).limit(limit)).scalars())


def about(person: User) -> list[Evaluation]:
    """The evaluations of ``person``, latest first."""
    return list(db.session.execute(
        sa.select(Evaluation).where(Evaluation.subject_id == person.id)
        .order_by(Evaluation.scheduled_at.desc())).scalars())


def coordinated_by(user: User | None, limit: int = 200) -> list[Evaluation]:
    """Evaluations someone coordinates (or all of them, for ``None``), newest first."""
    stmt = sa.select(Evaluation).order_by(Evaluation.scheduled_at.desc()).limit(limit)
    if user is not None:
        stmt = stmt.where(Evaluation.coordinator_id == user.id)
    return list(db.session.execute(stmt).scalars())


def reviewer_consistency() -> list[tuple[User, scoring.Consistency]]:
    """Each reviewer's consistency figures, by name."""
    rows = db.session.execute(
        sa.select(Review.evaluation_id, Review.reviewer_id, Review.total)
        .where(Review.state == ReviewState.SUBMITTED)).all()
    figures = scoring.consistency(_scored(rows))
    people = {u.id: u for u in db.session.execute(sa.select(User).where(
        User.id.in_([f.reviewer_id for f in figures]))).scalars()}
    return sorted(((people[f.reviewer_id], f) for f in figures),
                  key=lambda pair: pair[0].display_name.casefold())


def _scored(rows: Iterable[tuple[int, int, Decimal | None]]) -> list[tuple[int, int, Decimal]]:
    """(evaluation, reviewer, total) of the rows with a total: a submitted card has one."""
    return [(evaluation_id, reviewer_id, total)
            for evaluation_id, reviewer_id, total in rows if total is not None]
