"""A reviewer's scorecard: save a draft, submit it, and what follows when the last is in.

Each reviewer scores on their own (§1.3.1): a draft is theirs alone, a submitted card is
locked, and once every current card is in the evaluation is ready, or waits for
moderation when the totals disagree by more than its spread limit. Functions flush; the
request commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.database import utcnow
from app.evaluations import scoring
from app.evaluations.models import CriterionScore, Evaluation, Review
from app.evaluations.refusals import EvaluationRefused
from app.evaluations.states import OWED_REVIEW_STATES, EvaluationState, ReviewState
from app.extensions import db
from app.notifications.services import notify

MAX_COMMENT = 5_000

Criteria = list[dict[str, Any]]  # RubricVersion.criteria: key, title, weight, levels


def current_reviews(evaluation: Evaluation) -> list[Review]:
    """Every reviewer's card of the latest round (a re-scored one is history)."""
    return [r for r in evaluation.reviews if r.is_current]


def current_review_of(evaluation: Evaluation, user: User) -> Review | None:
    return next((r for r in current_reviews(evaluation) if r.reviewer_id == user.id), None)


def scorecard(review: Review) -> dict[str, int | None]:
    """The level chosen per criterion key."""
    return {s.criterion_key: s.level for s in review.scores}


def totals(evaluation: Evaluation) -> list[Decimal]:
    """The totals of the current submitted reviews (a submitted review has its total)."""
    return [r.total for r in current_reviews(evaluation)
            if r.submitted and r.total is not None]


def lock(evaluation: Evaluation) -> None:
    """Serialise the steps of one evaluation (PostgreSQL; SQLite serialises writers)."""
    db.session.execute(sa.select(Evaluation.id).where(Evaluation.id == evaluation.id)
                       .with_for_update())


def save_scores(review: Review, levels: Mapping[str, int | None],
                comments: Mapping[str, str], overall: str, *, submit: bool,
                now: datetime | None = None) -> None:
    """Save a draft, or submit (every criterion needs a level); a submitted card is locked."""
    lock(review.evaluation)
    db.session.refresh(review)
    if review.state not in OWED_REVIEW_STATES:
        raise EvaluationRefused(_l("This scorecard is submitted and locked."))
    if review.evaluation.state != EvaluationState.OPEN:
        raise EvaluationRefused(_l("This evaluation is not open for scoring."))
    criteria = review.evaluation.rubric_version.criteria
    moment = now or utcnow()
    _save_draft(review, criteria, levels, comments, overall, moment)
    if submit:
        _submit(review, criteria, levels, moment)
    db.session.flush()
    if submit:
        _after_submit(review.evaluation, review.reviewer)


def write_card(review: Review, levels: Mapping[str, int | None],
               comments: Mapping[str, str], overall: str) -> None:
    """Set each criterion's level and comment (adding its row the first time) and the
    overall comment, every comment trimmed to :data:`MAX_COMMENT`."""
    for key, level in levels.items():
        score = next((s for s in review.scores if s.criterion_key == key), None)
        if score is None:
            score = CriterionScore(criterion_key=key)
            review.scores.append(score)
        score.level = level
        score.comment = _comment(comments.get(key))
    review.overall_comment = _comment(overall)


def _comment(text: str | None) -> str:
    return (text or "").strip()[:MAX_COMMENT]


def _save_draft(review: Review, criteria: Criteria, levels: Mapping[str, int | None],
                comments: Mapping[str, str], overall: str, now: datetime) -> None:
    """Keep what the reviewer chose; a level the rubric does not offer is left empty."""
    kept: dict[str, int | None] = {}
    for criterion in criteria:
        level = levels.get(criterion["key"])
        offered = {int(choice["value"]) for choice in criterion["levels"]}
        kept[criterion["key"]] = level if level in offered else None
    write_card(review, kept, comments, overall)
    review.updated_at = now
    review.move_to(ReviewState.DRAFT)


def _submit(review: Review, criteria: Criteria, levels: Mapping[str, int | None],
            now: datetime) -> None:
    """Lock the scorecard with its total, or refuse (keeping the draft) for a missing level."""
    chosen = {c["key"]: levels.get(c["key"]) for c in criteria}
    if missing := scoring.missing_criteria(criteria, chosen):
        titles = [c["title"] for c in criteria if c["key"] in missing]
        db.session.flush()  # the draft is kept
        raise EvaluationRefused(_l("Choose a level for every criterion before submitting "
                                   "(missing: %(missing)s). Your draft is saved.",
                                   missing=", ".join(titles)))
    review.total = scoring.review_total(criteria, chosen)
    review.submitted_at = now
    review.move_to(ReviewState.SUBMITTED)


def _after_submit(evaluation: Evaluation, submitter: User) -> None:
    """With every current review in: ready, or moderation when the totals disagree; the
    coordinator is told (unless they submitted the last card themselves)."""
    if not all(r.submitted for r in current_reviews(evaluation)):
        return
    submitted = totals(evaluation)
    evaluation.result = scoring.mean(submitted)
    disagree = scoring.disagree(submitted, evaluation.spread_limit)
    evaluation.move_to(EvaluationState.MODERATION if disagree else EvaluationState.READY)
    db.session.flush()
    if evaluation.coordinator_id != submitter.id:
        notify([evaluation.coordinator],
               "evaluation.moderation" if disagree else "evaluation.ready", evaluation)
