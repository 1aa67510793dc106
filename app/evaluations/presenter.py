"""What the evaluation pages show: the evaluation page's parts and the scheduling form's
choices. Views parse the request and call the workflow; the building happens here.

Who may see what is still decided by :mod:`app.auth.permissions`: every part that
depends on the viewer takes them as ``viewer``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms import SelectChoice

from app.audit.models import AuditEntry
from app.auth.models import Role, User, UserRole
from app.auth.permissions import Permission, can, may_evaluate_someone_of
from app.database import utcnow
from app.evaluations import evidence, scorecards, scoring
from app.evaluations.authority import delegated_people
from app.evaluations.forms import (
    ActionForm,
    EvidenceForm,
    ModerationForm,
    ReviewerForm,
    ScheduleForm,
)
from app.evaluations.models import Evaluation, Moderation, Review
from app.extensions import db
from app.rubrics.format import KINDS
from app.rubrics.services import rubric_choices

# Who can be asked to review: people whose work includes judging others.
REVIEWER_ROLES = (Role.REVIEWER, Role.TRAINER, Role.MANAGER)


def people(roles: Iterable[Role] = ()) -> list[User]:
    """Active people by name; with ``roles``, only those holding one of them."""
    stmt = sa.select(User).where(User.active.is_(True)).order_by(User.display_name)
    if roles:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(
            UserRole.role.in_([r.value for r in roles]))))
    return list(db.session.execute(stmt).scalars())


# -- scheduling --------------------------------------------------------------------------------


def subjects_for(scheduler: User, candidates: list[User]) -> list[User]:
    """Only the people the scheduler may evaluate (of some kind, or by delegation)."""
    delegated = delegated_people(scheduler)
    return [p for p in candidates if p.id in delegated
            or may_evaluate_someone_of(scheduler, p, KINDS)]


def schedule_form(subjects: list[User]) -> ScheduleForm:
    """No default person: the choice is the scheduler's, never the list's first name."""
    form = ScheduleForm()
    form.subject.choices = [SelectChoice("", _("Choose a person"))] + [
        SelectChoice(p.id, f"{p.display_name} <{p.email}>") for p in subjects]
    form.rubric.choices = [SelectChoice(pk, label) for pk, label in rubric_choices()]
    form.reviewers.choices = [SelectChoice(p.id, p.display_name)
                              for p in people(REVIEWER_ROLES)]
    return form


def suggest_times(form: ScheduleForm, subjects: list[User], wanted: int | None) -> None:
    """A week from now on the hour, reviews due three days later; ``wanted`` if allowed."""
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    form.scheduled_at.data, form.due_at.data = start, start + timedelta(days=3)
    form.subject.data = wanted if any(p.id == wanted for p in subjects) else None


# -- the evaluation page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResultView:
    """The result block of the evaluation page: totals, spread, per-criterion summaries."""

    totals: list[Decimal]
    spread: Decimal
    criteria: list[scoring.CriterionSummary]
    reviews: list[Review]


def evaluation_page(evaluation: Evaluation, viewer: User) -> dict[str, Any]:
    """The template variables of ``evaluations/show.html`` for ``viewer``."""
    coordinating = can(viewer, Permission.COORDINATE_EVALUATION, evaluation)
    return {
        "evaluation": evaluation, "version": evaluation.rubric_version,
        "coordinating": coordinating, "mine": scorecards.current_review_of(evaluation, viewer),
        "is_subject": evaluation.subject_id == viewer.id,
        "reviews": [r for r in evaluation.reviews if can(viewer, Permission.SEE_REVIEW, r)],
        "all_reviews": evaluation.reviews, "result": result_view(evaluation, viewer),
        "moderations": moderations(evaluation),
        "amendments": amendments(evaluation, viewer, coordinating),
        "files": evidence.files_of(evaluation), "moderation_form": moderation_form(evaluation),
        "reviewer_form": reviewer_form(evaluation), "evidence_form": EvidenceForm(),
        "action_form": ActionForm(), "scorecard": scorecards.scorecard, "now": utcnow()}


def result_view(evaluation: Evaluation, viewer: User) -> ResultView | None:
    """The result so far, for whoever may see it, once a scorecard is in."""
    if not can(viewer, Permission.SEE_EVALUATION_RESULT, evaluation):
        return None
    submitted = [r for r in scorecards.current_reviews(evaluation) if r.submitted]
    if not submitted:
        return None
    totals = scorecards.totals(evaluation)
    cards = [scorecards.scorecard(r) for r in submitted]
    return ResultView(totals=totals, spread=scoring.spread(totals), reviews=submitted,
                      criteria=scoring.criterion_summaries(evaluation.rubric_version.criteria,
                                                           cards))


def moderations(evaluation: Evaluation) -> list[Moderation]:
    return list(db.session.execute(
        sa.select(Moderation).where(Moderation.evaluation_id == evaluation.id)
        .order_by(Moderation.id)).scalars())


def amendments(evaluation: Evaluation, viewer: User, coordinating: bool) -> list[AuditEntry]:
    """The audit log's amendments, for the coordinator and the supervision group."""
    if not (coordinating or can(viewer, Permission.READ_EVALUATIONS)):
        return []
    return list(db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.object_type == "evaluations",
                                    AuditEntry.object_id == str(evaluation.id),
                                    AuditEntry.action == "evaluation.amend")
        .order_by(AuditEntry.id)).scalars())


def moderation_form(evaluation: Evaluation) -> ModerationForm:
    """Whom the coordinator may ask to score again: the current reviewers."""
    form = ModerationForm()
    form.rescore.choices = [SelectChoice(r.reviewer_id, r.reviewer.display_name)
                            for r in scorecards.current_reviews(evaluation)]
    return form


def reviewer_form(evaluation: Evaluation) -> ReviewerForm:
    """Who may still be added: neither a reviewer already nor the person evaluated."""
    form = ReviewerForm()
    taken = {r.reviewer_id for r in evaluation.reviews} | {evaluation.subject_id}
    form.reviewer.choices = [SelectChoice(p.id, p.display_name)
                             for p in people(REVIEWER_ROLES) if p.id not in taken]
    return form


def comments_of(review: Review) -> dict[str, str]:
    """The comment per criterion key."""
    return {s.criterion_key: s.comment for s in review.scores}
