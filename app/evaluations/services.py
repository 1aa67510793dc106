"""The evaluation workflow: schedule, score, submit, moderate, release, amend.

Every function checks the state it needs and raises :class:`EvaluationRefused`
with a message for the person when the step is not possible; views check *who*
may act (app.auth.permissions) before calling. Functions flush; the request commits.

State: open (reviewers scoring) → when every current review is submitted, ready,
or moderation when the totals differ by more than the evaluation's spread limit;
moderation → ready (accepted) or open (a reviewer re-scores: their submitted
review is superseded, kept, and a new round starts from a copy of it); ready →
released. After release only a coordinator amends, with a reason, and the audit
log keeps the values before and after. The transition tables are in
:mod:`app.evaluations.states` and every change of state goes through ``move_to``;
the reviewer's own steps are in :mod:`app.evaluations.scorecards`, who holds authority
over whom is read in :mod:`app.evaluations.authority`, what the pages list in
:mod:`app.evaluations.queries`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.audit import log as audit
from app.auth.models import User
from app.auth.permissions import Authority, evaluation_authority
from app.content.markdown import render_markdown
from app.database import utcnow
from app.evaluations import scoring

# ``as`` names: re-exported for the features that reach them through the workflow module.
from app.evaluations.authority import authority_for, delegations_of
from app.evaluations.authority import authority_of as authority_of
from app.evaluations.models import CriterionScore, Delegation, Evaluation, Moderation, Review
from app.evaluations.queries import queue as queue
from app.evaluations.queries import reviewer_consistency as reviewer_consistency
from app.evaluations.refusals import EvaluationRefused, NoAuthority
from app.evaluations.scorecards import current_review_of as current_review_of
from app.evaluations.scorecards import current_reviews, lock, totals, write_card
from app.evaluations.scorecards import save_scores as save_scores
from app.evaluations.states import EvaluationState, ModerationOutcome, ReviewState
from app.extensions import db
from app.notifications.services import notify
from app.rubrics.models import RubricVersion

DEFAULT_SPREAD_LIMIT = Decimal(20)


# -- delegating the professionalism rating (§3.1.4) ------------------------------------------


def delegate(person: User, manager: User, to: User, starts_on: date, ends_on: date) -> Delegation:
    """The line manager hands the professionalism rating for these days to ``to``."""
    _check_delegation(person, manager, to)
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


def _check_delegation(person: User, manager: User, to: User) -> None:
    if evaluation_authority(manager, person, "professionalism") != Authority.LINE_MANAGER:
        raise EvaluationRefused(_l("Only %(name)s's manager can delegate the rating.",
                                   name=person.display_name))
    if to.id in (person.id, manager.id) or not to.active:
        raise EvaluationRefused(_l("Choose somebody else: not the person rated, not "
                                   "yourself, and an active account."))


def revoke(delegation: Delegation, actor: User) -> None:
    """Withdraw a delegation (again is nothing); the audit log says whose and to whom."""
    if delegation.revoked_at is not None:
        return
    delegation.revoked_at = utcnow()
    db.session.flush()
    audit.record("evaluation.delegation_revoke", delegation, actor=actor, before={
        "person": delegation.person.email, "delegate": delegation.delegate.email})


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


def schedule(plan: Schedule, coordinator: User) -> Evaluation:
    """Open an evaluation of the plan's subject, with a pending review per reviewer."""
    reviewers = _reviewers_of(plan)
    kind = plan.rubric_version.rubric.kind
    _check_authority(plan, coordinator, kind)
    evaluation = _new_evaluation(plan, coordinator, kind)
    evaluation.reviews = [_pending_review(r) for r in reviewers]
    db.session.add(evaluation)
    db.session.flush()
    audit.record("evaluation.schedule", evaluation, actor=coordinator, after={
        "subject": plan.subject.email, "kind": kind,
        "rubric": f"{plan.rubric_version.rubric.rubric_id} v{plan.rubric_version.version}",
        "reviewers": [r.email for r in reviewers],
        "due_at": plan.due_at.isoformat()})
    _tell_scheduled(evaluation, reviewers, coordinator)
    return evaluation


def _tell_scheduled(evaluation: Evaluation, reviewers: list[User], coordinator: User) -> None:
    """Each reviewer learns of their scorecard; the person only of an interview still to
    come (when and where), never of the scoring. Nobody is told of their own step."""
    notify([r for r in reviewers if r.id != coordinator.id], "evaluation.assigned",
           evaluation, params={"round": 1})
    if evaluation.kind == "interview" and evaluation.scheduled_at > utcnow():
        notify([evaluation.subject], "evaluation.interview_scheduled", evaluation)


def _reviewers_of(plan: Schedule) -> list[User]:
    """The plan's reviewers once each, in order; at least one, never the subject."""
    reviewers = list({r.id: r for r in plan.reviewers}.values())
    if not reviewers:
        raise EvaluationRefused(_l("Choose at least one reviewer."))
    if any(r.id == plan.subject.id for r in reviewers):
        raise EvaluationRefused(_l("Nobody reviews themselves: remove %(name)s from the "
                                   "reviewers.", name=plan.subject.display_name))
    return reviewers


def _check_authority(plan: Schedule, coordinator: User, kind: str) -> None:
    """§1.3.1: only who holds authority over the person for this kind coordinates it."""
    if authority_for(coordinator, plan.subject, kind, plan.scheduled_at) is None:
        raise NoAuthority(_l(
            "You may not coordinate this kind of evaluation of %(name)s: demonstrations "
            "and interviews are scheduled by a trainer or the person's managers, project "
            "reviews by the person's managers, professionalism by the person's own manager "
            "(or whom they delegate).", name=plan.subject.display_name))


def _new_evaluation(plan: Schedule, coordinator: User, kind: str) -> Evaluation:
    spread_limit = plan.spread_limit
    return Evaluation(
        subject_id=plan.subject.id, coordinator_id=coordinator.id, kind=kind,
        rubric_version_id=plan.rubric_version.id, scenario=plan.scenario,
        scenario_html=render_markdown(plan.scenario).html, scheduled_at=plan.scheduled_at,
        place=plan.place, due_at=plan.due_at, evidence_links=plan.evidence_links,
        show_reviewer_names=plan.show_reviewer_names,
        spread_limit=spread_limit if spread_limit is not None else default_spread_limit(),
        state=EvaluationState.OPEN)


def _pending_review(reviewer: User) -> Review:
    return Review(reviewer_id=reviewer.id, round=1, state=ReviewState.PENDING)


def add_reviewer(evaluation: Evaluation, reviewer: User, actor: User) -> Review:
    """Another reviewer joins: the evaluation (re)opens until their review is in too."""
    if evaluation.state == EvaluationState.RELEASED:
        raise EvaluationRefused(_l("The result is released: reviewers can no longer be added."))
    if reviewer.id == evaluation.subject_id:
        raise EvaluationRefused(_l("Nobody reviews themselves."))
    if any(r.reviewer_id == reviewer.id for r in evaluation.reviews):
        raise EvaluationRefused(_l("%(name)s already reviews this evaluation.",
                                   name=reviewer.display_name))
    review = _pending_review(reviewer)
    evaluation.reviews.append(review)
    _reopen(evaluation)
    db.session.flush()
    audit.record("evaluation.add_reviewer", evaluation, actor=actor,
                 after={"reviewer": reviewer.email})
    if reviewer.id != actor.id:
        notify([reviewer], "evaluation.assigned", evaluation, params={"round": 1})
    return review


def _reopen(evaluation: Evaluation) -> None:
    """Back to scoring: the result waits for the reviews still owed."""
    evaluation.move_to(EvaluationState.OPEN)
    evaluation.result = None


# -- moderation, release, amendment ----------------------------------------------------------


def moderate(evaluation: Evaluation, author: User, note: str, *, accept: bool,
             rescore: Iterable[int] = ()) -> Moderation:
    """Record the coordinator's note; accept the totals or ask reviewers to re-score."""
    lock(evaluation)
    note = (note or "").strip()
    _check_moderation(evaluation, note)
    again = _reviews_to_rescore(evaluation, rescore)
    if not accept and not again:
        raise EvaluationRefused(_l("Choose the reviewer who should score again."))
    decision = _Decision(evaluation, author, note, scoring.spread(totals(evaluation)))
    records = [decision.accept()] if accept else []
    records += [decision.rescore(old) for old in again]
    if again:
        _reopen(evaluation)
    db.session.flush()
    outcome = ModerationOutcome.ACCEPTED if accept else ModerationOutcome.RESCORE
    audit.record("evaluation.moderate", evaluation, actor=author, reason=note, after={
        "outcome": outcome.value, "spread": str(decision.spread),
        "rescore": [r.reviewer.email for r in again]})
    for old in again:
        if old.reviewer_id != author.id:
            notify([old.reviewer], "evaluation.assigned", evaluation,
                   params={"round": old.round + 1})
    return records[-1]


def _check_moderation(evaluation: Evaluation, note: str) -> None:
    if not note:
        raise EvaluationRefused(_l("Write a moderation note: what you looked at and why you "
                                   "decided."))
    if evaluation.state not in (EvaluationState.MODERATION, EvaluationState.READY):
        raise EvaluationRefused(_l("Moderation is possible once every review is in, before "
                                   "release."))


def _reviews_to_rescore(evaluation: Evaluation, reviewer_ids: Iterable[int]) -> list[Review]:
    """The current reviews of the chosen reviewers (ids of non-reviewers are ignored)."""
    reviews = {r.reviewer_id: r for r in current_reviews(evaluation)}
    return [reviews[i] for i in reviewer_ids if i in reviews]


@dataclass(frozen=True)
class _Decision:
    """One moderation decision: each outcome is recorded with the same note and spread."""

    evaluation: Evaluation
    author: User
    note: str
    spread: Decimal

    def _record(self, outcome: ModerationOutcome, reviewer_id: int | None = None) -> Moderation:
        record = Moderation(evaluation_id=self.evaluation.id, author_id=self.author.id,
                            outcome=outcome, rescore_reviewer_id=reviewer_id,
                            spread=self.spread, note=self.note)
        db.session.add(record)
        return record

    def accept(self) -> Moderation:
        """The totals stand: the result waits for release."""
        record = self._record(ModerationOutcome.ACCEPTED)
        self.evaluation.move_to(EvaluationState.READY)
        return record

    def rescore(self, old: Review) -> Moderation:
        """Supersede ``old`` (kept as history) by a new round's draft copied from it."""
        record = self._record(ModerationOutcome.RESCORE, old.reviewer_id)
        old.move_to(ReviewState.SUPERSEDED)
        new = Review(reviewer_id=old.reviewer_id, round=old.round + 1, state=ReviewState.DRAFT,
                     overall_comment=old.overall_comment, updated_at=utcnow())
        new.scores = [CriterionScore(criterion_key=s.criterion_key, level=s.level,
                                     comment=s.comment) for s in old.scores]
        self.evaluation.reviews.append(new)
        return record


def release(evaluation: Evaluation, actor: User, now: datetime | None = None) -> None:
    """Show the result to the person; possible only when ready (after any moderation)."""
    lock(evaluation)
    if evaluation.state == EvaluationState.MODERATION:
        raise EvaluationRefused(_l("The reviewers disagree by more than %(limit)s points: "
                                   "record a moderation decision first.",
                                   limit=evaluation.spread_limit))
    if evaluation.state != EvaluationState.READY:
        raise EvaluationRefused(_l("The result can be released once every review is in."))
    evaluation.move_to(EvaluationState.RELEASED)
    evaluation.released_at, evaluation.released_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("evaluation.release", evaluation, actor=actor,
                 after={"result": str(evaluation.result)})
    notify([evaluation.subject], "evaluation.released", evaluation)


def amend(evaluation: Evaluation, actor: User, review: Review,
          levels: Mapping[str, int | None], comments: Mapping[str, str], overall: str,
          reason: str) -> None:
    """Change a released review's levels or comments; before and after go to the audit log."""
    lock(evaluation)
    reason = (reason or "").strip()
    criteria = evaluation.rubric_version.criteria
    chosen = {c["key"]: levels.get(c["key"]) for c in criteria}
    _check_amendment(evaluation, review, reason, chosen)
    before = _snapshot(evaluation, review)
    write_card(review, chosen, comments, overall)
    review.total = scoring.review_total(criteria, chosen)
    evaluation.result = scoring.mean(totals(evaluation))
    db.session.flush()
    after = _snapshot(evaluation, review)
    if before == after:
        raise EvaluationRefused(_l("Nothing was changed."))
    audit.record("evaluation.amend", evaluation, actor=actor, reason=reason,
                 before=before, after=after)


def _check_amendment(evaluation: Evaluation, review: Review, reason: str,
                     chosen: Mapping[str, int | None]) -> None:
    if evaluation.state != EvaluationState.RELEASED:
        raise EvaluationRefused(_l("Only a released result is amended; before release, use "
                                   "moderation."))
    if not reason:
        raise EvaluationRefused(_l("Give the reason for the amendment."))
    if review.evaluation_id != evaluation.id or not review.submitted:
        raise EvaluationRefused(_l("Choose a submitted review of this evaluation."))
    if scoring.missing_criteria(evaluation.rubric_version.criteria, chosen):
        raise EvaluationRefused(_l("Choose a level for every criterion."))


def _snapshot(evaluation: Evaluation, review: Review) -> dict[str, Any]:
    """What an amendment may change, as the audit log keeps it before and after."""
    return {"reviewer": review.reviewer.email, "review_total": str(review.total),
            "result": str(evaluation.result),
            "levels": {s.criterion_key: s.level for s in review.scores},
            "comments": {s.criterion_key: s.comment for s in review.scores},
            "overall_comment": review.overall_comment}
