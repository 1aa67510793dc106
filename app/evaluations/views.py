"""Evaluations: scheduling, the reviewer's queue and scorecard, moderation, release.

Who may see or do what is decided in app.auth.permissions; an evaluation a person
may not see answers 404, so IDs reveal nothing.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

import app.uploads as uploads
from app.audit.models import AuditEntry
from app.auth.models import Role, User, UserRole
from app.auth.permissions import Permission, can, ensure, may_evaluate_someone_of, require
from app.database import utcnow
from app.evaluations import evidence, scoring
from app.evaluations import services as svc
from app.evaluations.forms import (
    REVIEW_STATE_LABELS,
    STATE_LABELS,
    ActionForm,
    AmendForm,
    EvidenceForm,
    ModerationForm,
    ReviewerForm,
    ScheduleForm,
    ScorecardForm,
    evidence_links,
    scorecard_input,
)
from app.evaluations.models import (
    Evaluation,
    EvaluationState,
    EvidenceFile,
    Moderation,
    Review,
)
from app.extensions import db
from app.main.actions import carry_out
from app.rubrics.format import KINDS
from app.rubrics.models import RubricVersion
from app.rubrics.services import KIND_LABELS, rubric_choices

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")

# Who can be asked to review: people whose work includes judging others.
REVIEWER_ROLES = (Role.REVIEWER, Role.TRAINER, Role.MANAGER)


@bp.app_context_processor
def _labels() -> dict:
    return {"zone_name": str(get_timezone()),
            "kind_label": lambda k: KIND_LABELS.get(k, k),
            "evaluation_state_label": lambda s: STATE_LABELS.get(s, s),
            "review_state_label": lambda s: REVIEW_STATE_LABELS.get(s, s)}


def _evaluation(evaluation_id: int, permission: Permission = Permission.VIEW_EVALUATION
                ) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or not can(current_user, Permission.VIEW_EVALUATION, evaluation):
        abort(404)
    ensure(permission, evaluation)
    return evaluation


@bp.route("/")
def index():
    """What I owe, what is about me, what I coordinate."""
    coordinated = (svc.coordinated_by(current_user)
                   if can(current_user, Permission.SCHEDULE_EVALUATIONS) else [])
    return render_template("evaluations/index.html", queue=svc.queue(current_user),
                           reviewed=svc.reviewed_by(current_user, limit=10),
                           about=svc.about(current_user), coordinated=coordinated,
                           now=utcnow())


@bp.route("/all")
@require(Permission.READ_EVALUATIONS)
def all_evaluations():
    state = request.args.get("state", "")
    stmt = sa.select(Evaluation).order_by(Evaluation.scheduled_at.desc()).limit(500)
    if state in STATE_LABELS:
        stmt = stmt.where(Evaluation.state == state)
    return render_template("evaluations/all.html", evaluations=db.session.execute(stmt)
                           .scalars().all(), state=state, states=STATE_LABELS, now=utcnow())


@bp.route("/consistency")
@require(Permission.READ_EVALUATIONS)
def consistency():
    return render_template("evaluations/consistency.html", rows=svc.reviewer_consistency())


def _people(roles=None) -> list[User]:
    stmt = sa.select(User).where(User.active.is_(True)).order_by(User.display_name)
    if roles:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(
            UserRole.role.in_([r.value for r in roles]))))
    return list(db.session.execute(stmt).scalars())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.SCHEDULE_EVALUATIONS)
def new():
    form = ScheduleForm()
    people = _people()
    # Only the people the scheduler may evaluate (of some kind, or by delegation), and
    # no default: the choice is the scheduler's, never the list's first name.
    delegated = svc.delegated_people(current_user)
    subjects = [p for p in people if p.id in delegated
                or may_evaluate_someone_of(current_user, p, KINDS)]
    form.subject.choices = [SelectChoice("", _("Choose a person"))] + [
        SelectChoice(p.id, f"{p.display_name} <{p.email}>") for p in subjects]
    form.rubric.choices = [SelectChoice(pk, label) for pk, label in rubric_choices()]
    form.reviewers.choices = [SelectChoice(p.id, p.display_name)
                              for p in _people(REVIEWER_ROLES)]
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
        form.scheduled_at.data, form.due_at.data = start, start + timedelta(days=3)
        wanted = request.args.get("subject", type=int)
        form.subject.data = wanted if any(p.id == wanted for p in subjects) else None
    if form.validate_on_submit():
        by_id = {p.id: p for p in people}
        version = db.session.get(RubricVersion, form.rubric.data)
        plan = svc.Schedule(
            subject=by_id[form.subject.data], rubric_version=version,
            scenario=form.scenario.data, scheduled_at=form.scheduled_at.data,
            place=form.place.data or "", due_at=form.due_at.data,
            reviewers=[by_id[i] for i in form.reviewers.data if i in by_id],
            evidence_links=evidence_links(form.links.data),
            show_reviewer_names=form.show_reviewer_names.data,
            spread_limit=form.spread_limit.data)
        try:
            evaluation = svc.schedule(plan, current_user)
        except svc.NoAuthority as refused:
            db.session.rollback()
            form.subject.errors = [*form.subject.errors, str(refused)]
        except svc.EvaluationRefused as refused:
            db.session.rollback()
            form.reviewers.errors = [*form.reviewers.errors, str(refused)]
        else:
            flash(_("Evaluation scheduled. Reviewers find it in their queue."), "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/new.html", form=form)


def _visible_reviews(evaluation: Evaluation) -> list[Review]:
    return [r for r in evaluation.reviews if can(current_user, Permission.SEE_REVIEW, r)]


def _result_view(evaluation: Evaluation) -> dict | None:
    if not can(current_user, Permission.SEE_EVALUATION_RESULT, evaluation):
        return None
    submitted = [r for r in svc.current_reviews(evaluation) if r.submitted]
    if not submitted:
        return None
    version = evaluation.rubric_version
    cards = [svc.scorecard(r) for r in submitted]
    return {
        "totals": [r.total for r in submitted],
        "spread": scoring.spread([r.total for r in submitted]),
        "criteria": scoring.criterion_summaries(version.criteria, cards),
        "reviews": submitted,
    }


@bp.route("/<int:evaluation_id>")
def show(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    coordinating = can(current_user, Permission.COORDINATE_EVALUATION, evaluation)
    mine = svc.current_review_of(evaluation, current_user)
    is_subject = evaluation.subject_id == current_user.id
    moderations = db.session.execute(
        sa.select(Moderation).where(Moderation.evaluation_id == evaluation.id)
        .order_by(Moderation.id)).scalars().all()
    amendments = []
    if coordinating or can(current_user, Permission.READ_EVALUATIONS):
        amendments = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.object_type == "evaluations",
                                        AuditEntry.object_id == str(evaluation.id),
                                        AuditEntry.action == "evaluation.amend")
            .order_by(AuditEntry.id)).scalars().all()
    moderation_form = ModerationForm()
    moderation_form.rescore.choices = [SelectChoice(r.reviewer_id, r.reviewer.display_name)
                                       for r in svc.current_reviews(evaluation)]
    reviewer_form = ReviewerForm()
    taken = {r.reviewer_id for r in evaluation.reviews} | {evaluation.subject_id}
    reviewer_form.reviewer.choices = [SelectChoice(p.id, p.display_name)
                                      for p in _people(REVIEWER_ROLES) if p.id not in taken]
    return render_template(
        "evaluations/show.html", evaluation=evaluation, version=evaluation.rubric_version,
        coordinating=coordinating, mine=mine, is_subject=is_subject,
        reviews=_visible_reviews(evaluation), all_reviews=evaluation.reviews,
        result=_result_view(evaluation), moderations=moderations, amendments=amendments,
        files=evidence.files_of(evaluation), moderation_form=moderation_form,
        reviewer_form=reviewer_form, evidence_form=EvidenceForm(), action_form=ActionForm(),
        scorecard=svc.scorecard, now=utcnow())


@bp.route("/<int:evaluation_id>/review", methods=["GET", "POST"])
def review(evaluation_id: int):
    """The signed-in reviewer's own scorecard: draft, submit, then read-only."""
    evaluation = _evaluation(evaluation_id)
    mine = svc.current_review_of(evaluation, current_user)
    if mine is None:
        abort(404)
    form = ScorecardForm()
    criteria = evaluation.rubric_version.criteria
    if request.method == "POST":
        ensure(Permission.SCORE_REVIEW, mine)
        levels, comments = scorecard_input(request.form, criteria)
        if form.validate_on_submit():
            submit = request.form.get("action") == "submit"
            try:
                svc.save_scores(mine, levels, comments, form.overall.data or "", submit=submit)
            except svc.EvaluationRefused as refused:  # the draft is kept: the request commits
                flash(str(refused), "error")
                return redirect(url_for("evaluations.review", evaluation_id=evaluation.id))
            if submit:
                flash(_("Your scores are submitted and locked. You can now see the other "
                        "reviewers' submitted scores."), "success")
                return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
            flash(_("Draft saved. Only you can see it."), "success")
            return redirect(url_for("evaluations.review", evaluation_id=evaluation.id))
    elif mine.overall_comment:
        form.overall.data = mine.overall_comment
    return render_template("evaluations/review.html", evaluation=evaluation,
                           version=evaluation.rubric_version, review=mine, form=form,
                           levels=svc.scorecard(mine),
                           comments={s.criterion_key: s.comment for s in mine.scores},
                           editable=can(current_user, Permission.SCORE_REVIEW, mine))


@bp.route("/<int:evaluation_id>/moderate", methods=["POST"])
def moderate(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = ModerationForm()
    form.rescore.choices = [SelectChoice(r.reviewer_id, "") for r in
                            svc.current_reviews(evaluation)]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    carry_out(lambda: svc.moderate(evaluation, current_user, form.note.data,
                                   accept=form.decision.data == "accept",
                                   rescore=form.rescore.data or []),
              svc.EvaluationRefused, _("Moderation recorded."))
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/release", methods=["POST"])
def release(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(lambda: svc.release(evaluation, current_user), svc.EvaluationRefused,
              _("Result released: %(name)s can now see it.",
                name=evaluation.subject.display_name))
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/reviewers", methods=["POST"])
def add_reviewer(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = ReviewerForm()
    form.reviewer.choices = [SelectChoice(p.id, "") for p in _people(REVIEWER_ROLES)]
    if form.validate_on_submit():
        carry_out(lambda: svc.add_reviewer(evaluation, db.session.get(User, form.reviewer.data),
                                           current_user),
                  svc.EvaluationRefused, _("Reviewer added."))
    else:
        flash(_("Choose a reviewer from the list."), "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/reviews/<int:review_id>/amend", methods=["GET", "POST"])
def amend(evaluation_id: int, review_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    target = db.session.get(Review, review_id)
    if target is None or target.evaluation_id != evaluation.id or not target.submitted:
        abort(404)
    form = AmendForm()
    criteria = evaluation.rubric_version.criteria
    levels = svc.scorecard(target)
    comments = {s.criterion_key: s.comment for s in target.scores}
    if request.method == "GET":
        form.overall.data = target.overall_comment
    elif form.validate_on_submit():
        levels, comments = scorecard_input(request.form, criteria)
        try:
            svc.amend(evaluation, current_user, target, levels, comments,
                      form.overall.data or "", form.reason.data)
        except svc.EvaluationRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            flash(_("Amended; the previous values are kept in the audit log."), "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/amend.html", evaluation=evaluation,
                           version=evaluation.rubric_version, review=target, form=form,
                           levels=levels, comments=comments)


@bp.route("/<int:evaluation_id>/files", methods=["POST"])
def attach(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = EvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(uploads.MAX_BYTES + 1)
        carry_out(lambda: evidence.attach(evaluation, upload.filename or "", data,
                                          current_user),
                  svc.EvaluationRefused, _("File attached."))
    else:
        flash(_("Choose a file to attach."), "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/files/<int:file_id>")
def download(evaluation_id: int, file_id: int):
    evaluation = _evaluation(evaluation_id)
    stored = db.session.get(EvidenceFile, file_id)
    if stored is None or stored.evaluation_id != evaluation.id:
        abort(404)
    return uploads.download(stored.data, stored.filename, stored.media_type)


@bp.app_template_global()
def evaluation_is_late(evaluation: Evaluation, now) -> bool:
    return evaluation.state == EvaluationState.OPEN and now > evaluation.due_at
