"""The evaluation workflow: schedule, score, submit, moderate, release, amend.

Every function checks the state it needs and raises :class:`EvaluationRefused`
with a message for the person when the step is not possible; views check *who*
may act (app.auth.permissions) before calling. Functions flush; the caller commits.

State: open (reviewers scoring) → when every current review is submitted, ready,
or moderation when the totals differ by more than the evaluation's spread limit;
moderation → ready (accepted) or open (a reviewer re-scores: their submitted
review is superseded, kept, and a new round starts from a copy of it); ready →
released. After release only a coordinator amends, with a reason, and the audit
log keeps the values before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.audit import log as audit
from app.auth.models import User
from app.auth.permissions import Authority, evaluation_authority
from app.content.markdown import render_markdown
from app.database import utcnow
from app.evaluations import scoring
from app.evaluations.models import (
    CriterionScore,
    Delegation,
    Evaluation,
    EvaluationState,
    Moderation,
    Review,
    ReviewState,
)
from app.extensions import db
from app.rubrics.models import RubricVersion

DEFAULT_SPREAD_LIMIT = Decimal(20)
MAX_COMMENT = 5_000


class EvaluationRefused(Exception):
    """The step is not possible now; the message says why."""


class NoAuthority(EvaluationRefused):
    """The coordinator holds no authority over the person for this kind (a field error)."""


# -- scheduling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    subject: User
    rubric_version: RubricVersion
    scenario: str
    scheduled_at: datetime
    place: str
    due_at: datetime
    reviewers: list[User]
    evidence_links: list[str]
    show_reviewer_names: bool = False
    spread_limit: Decimal | None = None


def default_spread_limit() -> Decimal:
    return Decimal(str(current_app.config.get("EVALUATION_SPREAD_LIMIT", DEFAULT_SPREAD_LIMIT)))


# -- authority over the person (§1.3.1): decided in app.auth.permissions --------------------


def _day(moment: datetime) -> date:
    """The calendar day an evaluation belongs to, as the assessment periods count days."""
    return moment.astimezone(UTC).date()


def delegators(delegate: User, person: User, kind: str, on: date) -> frozenset[int]:
    """Who delegated the rating of ``person`` to ``delegate`` for the day ``on``."""
    if kind != "professionalism":
        return frozenset()
    rows = db.session.execute(sa.select(Delegation.manager_id).where(
        Delegation.person_id == person.id, Delegation.delegate_id == delegate.id,
        Delegation.kind == kind, Delegation.revoked_at.is_(None),
        Delegation.starts_on <= on, Delegation.ends_on >= on)).scalars()
    return frozenset(rows)


def authority_for(user: User, person: User, kind: str, at: datetime) -> Authority | None:
    """The basis on which ``user`` may coordinate a ``kind`` evaluation of ``person`` at ``at``."""
    return evaluation_authority(user, person, kind,
                                delegated_by=delegators(user, person, kind, _day(at)))


def authority_of(evaluation: Evaluation) -> Authority | None:
    """Whether the evaluation's coordinator holds that authority now: the fold's check."""
    return authority_for(evaluation.coordinator, evaluation.subject, evaluation.kind,
                         evaluation.scheduled_at)


def delegations_of(person: User, starts_on: date, ends_on: date) -> list[Delegation]:
    """Delegations of the person's rating that overlap these days, newest first."""
    return list(db.session.execute(sa.select(Delegation).where(
        Delegation.person_id == person.id, Delegation.starts_on <= ends_on,
        Delegation.ends_on >= starts_on).order_by(Delegation.id.desc())).scalars())


def delegated_people(delegate: User) -> set[int]:
    """Ids of the people whose rating is delegated to ``delegate`` and not over yet."""
    return set(db.session.execute(sa.select(Delegation.person_id).where(
        Delegation.delegate_id == delegate.id, Delegation.revoked_at.is_(None),
        Delegation.ends_on >= _day(utcnow()))).scalars())


def delegate(person: User, manager: User, to: User, starts_on: date, ends_on: date) -> Delegation:
    """The line manager hands the professionalism rating for these days to ``to``."""
    if evaluation_authority(manager, person, "professionalism") != Authority.LINE_MANAGER:
        raise EvaluationRefused(_l("Only %(name)s's manager can delegate the rating.",
                                   name=person.display_name))
    if to.id in (person.id, manager.id) or not to.active:
        raise EvaluationRefused(_l("Choose somebody else: not the person rated, not "
                                   "yourself, and an active account."))
    for earlier in delegations_of(person, starts_on, ends_on):
        if earlier.revoked_at is None:
            revoke(earlier, manager)
    delegation = Delegation(person_id=person.id, manager_id=manager.id, delegate_id=to.id,
                            kind="professionalism", starts_on=starts_on, ends_on=ends_on)
    db.session.add(delegation)
    db.session.flush()
    audit.record("evaluation.delegate", delegation, actor=manager, after={
        "person": person.email, "delegate": to.email, "kind": "professionalism",
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return delegation


def revoke(delegation: Delegation, actor: User) -> None:
    if delegation.revoked_at is not None:
        return
    delegation.revoked_at = utcnow()
    db.session.flush()
    audit.record("evaluation.delegation_revoke", delegation, actor=actor, before={
        "person": delegation.person.email, "delegate": delegation.delegate.email})


def schedule(plan: Schedule, coordinator: User) -> Evaluation:
    reviewers = list({r.id: r for r in plan.reviewers}.values())
    if not reviewers:
        raise EvaluationRefused(_l("Choose at least one reviewer."))
    if any(r.id == plan.subject.id for r in reviewers):
        raise EvaluationRefused(_l("Nobody reviews themselves: remove %(name)s from the "
                                   "reviewers.", name=plan.subject.display_name))
    kind = plan.rubric_version.rubric.kind
    if authority_for(coordinator, plan.subject, kind, plan.scheduled_at) is None:
        raise NoAuthority(_l(
            "You may not coordinate this kind of evaluation of %(name)s: demonstrations "
            "and interviews are scheduled by a trainer or the person's managers, project "
            "reviews by the person's managers, professionalism by the person's own manager "
            "(or whom they delegate).", name=plan.subject.display_name))
    evaluation = Evaluation(
        subject_id=plan.subject.id, coordinator_id=coordinator.id, kind=kind,
        rubric_version_id=plan.rubric_version.id, scenario=plan.scenario,
        scenario_html=render_markdown(plan.scenario).html, scheduled_at=plan.scheduled_at,
        place=plan.place, due_at=plan.due_at, evidence_links=plan.evidence_links,
        show_reviewer_names=plan.show_reviewer_names,
        spread_limit=plan.spread_limit if plan.spread_limit is not None
        else default_spread_limit(),
        state=EvaluationState.OPEN)
    evaluation.reviews = [Review(reviewer_id=r.id, round=1, state=ReviewState.PENDING)
                          for r in reviewers]
    db.session.add(evaluation)
    db.session.flush()
    audit.record("evaluation.schedule", evaluation, actor=coordinator, after={
        "subject": plan.subject.email, "kind": kind,
        "rubric": f"{plan.rubric_version.rubric.rubric_id} v{plan.rubric_version.version}",
        "reviewers": [r.email for r in reviewers],
        "due_at": plan.due_at.isoformat()})
    return evaluation


def add_reviewer(evaluation: Evaluation, reviewer: User, actor: User) -> Review:
    if evaluation.state == EvaluationState.RELEASED:
        raise EvaluationRefused(_l("The result is released: reviewers can no longer be added."))
    if reviewer.id == evaluation.subject_id:
        raise EvaluationRefused(_l("Nobody reviews themselves."))
    if any(r.reviewer_id == reviewer.id for r in evaluation.reviews):
        raise EvaluationRefused(_l("%(name)s already reviews this evaluation.",
                                   name=reviewer.display_name))
    review = Review(reviewer_id=reviewer.id, round=1, state=ReviewState.PENDING)
    evaluation.reviews.append(review)
    evaluation.state, evaluation.result = EvaluationState.OPEN, None
    db.session.flush()
    audit.record("evaluation.add_reviewer", evaluation, actor=actor,
                 after={"reviewer": reviewer.email})
    return review


# -- scoring -----------------------------------------------------------------------------------


def current_reviews(evaluation: Evaluation) -> list[Review]:
    return [r for r in evaluation.reviews if r.is_current]


def current_review_of(evaluation: Evaluation, user: User) -> Review | None:
    return next((r for r in current_reviews(evaluation) if r.reviewer_id == user.id), None)


def scorecard(review: Review) -> dict[str, int | None]:
    return {s.criterion_key: s.level for s in review.scores}


def save_scores(review: Review, levels: Mapping[str, int | None],
                comments: Mapping[str, str], overall: str, *, submit: bool,
                now: datetime | None = None) -> None:
    """Save a draft, or submit (every criterion needs a level); a submitted card is locked."""
    _lock(review.evaluation)
    db.session.refresh(review)
    if review.state not in (ReviewState.PENDING, ReviewState.DRAFT):
        raise EvaluationRefused(_l("This scorecard is submitted and locked."))
    if review.evaluation.state != EvaluationState.OPEN:
        raise EvaluationRefused(_l("This evaluation is not open for scoring."))
    criteria = review.evaluation.rubric_version.criteria
    valid = {c["key"]: {int(level["value"]) for level in c["levels"]} for c in criteria}
    existing = {s.criterion_key: s for s in review.scores}
    for key, allowed in valid.items():
        level = levels.get(key)
        score = existing.get(key)
        if score is None:
            score = CriterionScore(criterion_key=key)
            review.scores.append(score)
        score.level = level if level in allowed else None
        score.comment = (comments.get(key) or "").strip()[:MAX_COMMENT]
    review.overall_comment = (overall or "").strip()[:MAX_COMMENT]
    review.updated_at = now or utcnow()
    review.state = ReviewState.DRAFT
    if submit:
        chosen = {key: levels.get(key) for key in valid}
        if missing := scoring.missing_criteria(criteria, chosen):
            titles = [c["title"] for c in criteria if c["key"] in missing]
            db.session.flush()  # the draft is kept
            raise EvaluationRefused(_l("Choose a level for every criterion before submitting "
                                       "(missing: %(missing)s). Your draft is saved.",
                                       missing=", ".join(titles)))
        review.total = scoring.review_total(criteria, chosen)
        review.state, review.submitted_at = ReviewState.SUBMITTED, now or utcnow()
    db.session.flush()
    if submit:
        _after_submit(review.evaluation)


def _lock(evaluation: Evaluation) -> None:
    """Serialise the steps of one evaluation (PostgreSQL; SQLite serialises writers)."""
    db.session.execute(sa.select(Evaluation.id).where(Evaluation.id == evaluation.id)
                       .with_for_update())


def _after_submit(evaluation: Evaluation) -> None:
    reviews = current_reviews(evaluation)
    if not all(r.submitted for r in reviews):
        return
    totals = [r.total for r in reviews]
    evaluation.result = scoring.mean(totals)
    evaluation.state = (EvaluationState.MODERATION
                        if scoring.disagree(totals, evaluation.spread_limit)
                        else EvaluationState.READY)
    db.session.flush()


def totals(evaluation: Evaluation) -> list[Decimal]:
    return [r.total for r in current_reviews(evaluation) if r.submitted]


# -- moderation, release, amendment ----------------------------------------------------------


def moderate(evaluation: Evaluation, author: User, note: str, *, accept: bool,
             rescore: Iterable[int] = ()) -> Moderation:
    """Record the coordinator's note; accept the totals or ask reviewers to re-score."""
    _lock(evaluation)
    note = (note or "").strip()
    if not note:
        raise EvaluationRefused(_l("Write a moderation note: what you looked at and why you "
                                   "decided."))
    if evaluation.state not in (EvaluationState.MODERATION, EvaluationState.READY):
        raise EvaluationRefused(_l("Moderation is possible once every review is in, before "
                                   "release."))
    reviews = {r.reviewer_id: r for r in current_reviews(evaluation)}
    rescore = [reviews[i] for i in rescore if i in reviews]
    if not accept and not rescore:
        raise EvaluationRefused(_l("Choose the reviewer who should score again."))
    spread = scoring.spread(totals(evaluation))
    record = None
    if accept:
        record = Moderation(evaluation_id=evaluation.id, author_id=author.id,
                            outcome="accepted", spread=spread, note=note)
        db.session.add(record)
        evaluation.state = EvaluationState.READY
    for old in rescore:
        record = Moderation(evaluation_id=evaluation.id, author_id=author.id, outcome="rescore",
                            rescore_reviewer_id=old.reviewer_id, spread=spread, note=note)
        db.session.add(record)
        old.state = ReviewState.SUPERSEDED
        new = Review(reviewer_id=old.reviewer_id, round=old.round + 1, state=ReviewState.DRAFT,
                     overall_comment=old.overall_comment, updated_at=utcnow())
        new.scores = [CriterionScore(criterion_key=s.criterion_key, level=s.level,
                                     comment=s.comment) for s in old.scores]
        evaluation.reviews.append(new)
    if rescore:
        evaluation.state, evaluation.result = EvaluationState.OPEN, None
    db.session.flush()
    audit.record("evaluation.moderate", evaluation, actor=author, reason=note, after={
        "outcome": "accepted" if accept else "rescore", "spread": str(spread),
        "rescore": [r.reviewer.email for r in rescore]})
    return record


def release(evaluation: Evaluation, actor: User, now: datetime | None = None) -> None:
    _lock(evaluation)
    if evaluation.state == EvaluationState.MODERATION:
        raise EvaluationRefused(_l("The reviewers disagree by more than %(limit)s points: "
                                   "record a moderation decision first.",
                                   limit=evaluation.spread_limit))
    if evaluation.state != EvaluationState.READY:
        raise EvaluationRefused(_l("The result can be released once every review is in."))
    evaluation.state = EvaluationState.RELEASED
    evaluation.released_at, evaluation.released_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("evaluation.release", evaluation, actor=actor,
                 after={"result": str(evaluation.result)})


def amend(evaluation: Evaluation, actor: User, review: Review,
          levels: Mapping[str, int | None], comments: Mapping[str, str], overall: str,
          reason: str) -> None:
    """Change a released review's levels or comments; before and after go to the audit log."""
    _lock(evaluation)
    reason = (reason or "").strip()
    if evaluation.state != EvaluationState.RELEASED:
        raise EvaluationRefused(_l("Only a released result is amended; before release, use "
                                   "moderation."))
    if not reason:
        raise EvaluationRefused(_l("Give the reason for the amendment."))
    if review.evaluation_id != evaluation.id or not review.submitted:
        raise EvaluationRefused(_l("Choose a submitted review of this evaluation."))
    criteria = evaluation.rubric_version.criteria
    chosen = {c["key"]: levels.get(c["key"]) for c in criteria}
    if scoring.missing_criteria(criteria, chosen):
        raise EvaluationRefused(_l("Choose a level for every criterion."))
    before = _snapshot(evaluation, review)
    existing = {s.criterion_key: s for s in review.scores}
    for criterion in criteria:
        key = criterion["key"]
        score = existing.get(key) or CriterionScore(criterion_key=key)
        if key not in existing:
            review.scores.append(score)
        score.level = chosen[key]
        score.comment = (comments.get(key) or "").strip()[:MAX_COMMENT]
    review.overall_comment = (overall or "").strip()[:MAX_COMMENT]
    review.total = scoring.review_total(criteria, chosen)
    evaluation.result = scoring.mean(totals(evaluation))
    db.session.flush()
    after = _snapshot(evaluation, review)
    if before == after:
        raise EvaluationRefused(_l("Nothing was changed."))
    audit.record("evaluation.amend", evaluation, actor=actor, reason=reason,
                 before=before, after=after)


def _snapshot(evaluation: Evaluation, review: Review) -> dict:
    return {"reviewer": review.reviewer.email, "review_total": str(review.total),
            "result": str(evaluation.result),
            "levels": {s.criterion_key: s.level for s in review.scores},
            "comments": {s.criterion_key: s.comment for s in review.scores},
            "overall_comment": review.overall_comment}


# -- what pages show ---------------------------------------------------------------------------


def queue(reviewer: User) -> list[Review]:
    """What a reviewer owes, earliest due first."""
    return list(db.session.execute(
        sa.select(Review).join(Evaluation, Evaluation.id == Review.evaluation_id)
        .where(Review.reviewer_id == reviewer.id,
               Review.state.in_([ReviewState.PENDING, ReviewState.DRAFT]),
               Evaluation.state == EvaluationState.OPEN)
        .order_by(Evaluation.due_at, Evaluation.id)).scalars())


def reviewed_by(reviewer: User, limit: int = 50) -> list[Review]:
    return list(db.session.execute(
        sa.select(Review).where(Review.reviewer_id == reviewer.id,
                                Review.state == ReviewState.SUBMITTED)
        .order_by(Review.submitted_at.desc()).limit(limit)).scalars())


def about(person: User) -> list[Evaluation]:
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
    rows = db.session.execute(
        sa.select(Review.evaluation_id, Review.reviewer_id, Review.total)
        .where(Review.state == ReviewState.SUBMITTED)).all()
    figures = scoring.consistency(rows)
    people = {u.id: u for u in db.session.execute(sa.select(User).where(
        User.id.in_([f.reviewer_id for f in figures]))).scalars()}
    return sorted(((people[f.reviewer_id], f) for f in figures),
                  key=lambda pair: pair[0].display_name.casefold())
