"""Evaluations: scheduling, the reviewer's queue and scorecard, moderation, release.

Who may see or do what is decided in app.auth.permissions; an evaluation a person
may not see answers 404, so IDs reveal nothing.
"""

from __future__ import annotations

from datetime import datetime

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
from flask.typing import ResponseReturnValue
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

import app.uploads as uploads
from app.auth.models import User
from app.auth.permissions import Permission, can, ensure, require
from app.database import utcnow
from app.evaluations import evidence, presenter, queries, scorecards
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
from app.evaluations.models import Evaluation, EvidenceFile, Review
from app.evaluations.refusals import EvaluationRefused, NoAuthority
from app.evaluations.states import EvaluationState, ReviewState
from app.extensions import db
from app.main.actions import carry_out
from app.rubrics.models import RubricVersion
from app.rubrics.services import KIND_LABELS

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {"zone_name": str(get_timezone()),
            "kind_label": lambda k: KIND_LABELS.get(k, k),
            "evaluation_state_label": lambda s: STATE_LABELS.get(s, s),
            "review_state_label": lambda s: REVIEW_STATE_LABELS.get(s, s),
            "EvaluationState": EvaluationState, "ReviewState": ReviewState}


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
    coordinated = (queries.coordinated_by(current_user)
                   if can(current_user, Permission.SCHEDULE_EVALUATIONS) else [])
    return render_template("evaluations/index.html", queue=queries.queue(current_user),
                           reviewed=queries.reviewed_by(current_user, limit=10),
                           about=queries.about(current_user), coordinated=coordinated,
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
    return render_template("evaluations/consistency.html", rows=queries.reviewer_consistency())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.SCHEDULE_EVALUATIONS)
def new():
    candidates = presenter.people()
    subjects = presenter.subjects_for(current_user, candidates)
    form = presenter.schedule_form(subjects)
    if request.method == "GET":
        presenter.suggest_times(form, subjects, request.args.get("subject", type=int))
    if form.validate_on_submit():
        evaluation = _schedule(form, {p.id: p for p in candidates})
        if evaluation is not None:
            flash(_("Evaluation scheduled. Reviewers find it in their queue."), "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/new.html", form=form)


def _schedule(form: ScheduleForm, by_id: dict[int, User]) -> Evaluation | None:
    """The new evaluation, or None with the refusal shown on the field it concerns."""
    try:
        return svc.schedule(_plan(form, by_id), current_user)
    except NoAuthority as refused:
        db.session.rollback()
        form.subject.errors = [*form.subject.errors, str(refused)]
    except EvaluationRefused as refused:
        db.session.rollback()
        form.reviewers.errors = [*form.reviewers.errors, str(refused)]
    return None


def _plan(form: ScheduleForm, by_id: dict[int, User]) -> svc.Schedule:
    version = db.session.get(RubricVersion, form.rubric.data)
    if version is None:  # the form offered only existing versions
        abort(400)
    return svc.Schedule(
        subject=by_id[form.subject.data], rubric_version=version,
        scenario=form.scenario.data, scheduled_at=form.scheduled_at.data,
        place=form.place.data or "", due_at=form.due_at.data,
        reviewers=[by_id[i] for i in form.reviewers.data if i in by_id],
        evidence_links=evidence_links(form.links.data),
        show_reviewer_names=form.show_reviewer_names.data,
        spread_limit=form.spread_limit.data)


@bp.route("/<int:evaluation_id>")
def show(evaluation_id: int):
    evaluation = _evaluation(evaluation_id)
    return render_template("evaluations/show.html",
                           **presenter.evaluation_page(evaluation, current_user))


@bp.route("/<int:evaluation_id>/review", methods=["GET", "POST"])
def review(evaluation_id: int):
    """The signed-in reviewer's own scorecard: draft, submit, then read-only."""
    evaluation = _evaluation(evaluation_id)
    mine = scorecards.current_review_of(evaluation, current_user)
    if mine is None:
        abort(404)
    form = ScorecardForm()
    if request.method == "POST":
        ensure(Permission.SCORE_REVIEW, mine)
        levels, comments = scorecard_input(request.form, evaluation.rubric_version.criteria)
        if form.validate_on_submit():
            return _save_scorecard(mine, levels, comments, form.overall.data or "")
    elif mine.overall_comment:
        form.overall.data = mine.overall_comment
    return render_template("evaluations/review.html", evaluation=evaluation,
                           version=evaluation.rubric_version, review=mine, form=form,
                           levels=scorecards.scorecard(mine), comments=presenter.comments_of(mine),
                           editable=can(current_user, Permission.SCORE_REVIEW, mine))


def _save_scorecard(mine: Review, levels: dict[str, int | None], comments: dict[str, str],
                    overall: str) -> ResponseReturnValue:
    """Save the draft or submit it; back to the scorecard, or to the page once submitted."""
    submit = request.form.get("action") == "submit"
    back = url_for("evaluations.review", evaluation_id=mine.evaluation_id)
    try:
        scorecards.save_scores(mine, levels, comments, overall, submit=submit)
    except EvaluationRefused as refused:  # the draft is kept: the request commits
        flash(str(refused), "error")
        return redirect(back)
    if submit:
        flash(_("Your scores are submitted and locked. You can now see the other "
                "reviewers' submitted scores."), "success")
        return redirect(url_for("evaluations.show", evaluation_id=mine.evaluation_id))
    flash(_("Draft saved. Only you can see it."), "success")
    return redirect(back)


@bp.route("/<int:evaluation_id>/moderate", methods=["POST"])
def moderate(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = ModerationForm()
    form.rescore.choices = [SelectChoice(r.reviewer_id, "") for r in
                            scorecards.current_reviews(evaluation)]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    carry_out(lambda: svc.moderate(evaluation, current_user, form.note.data,
                                   accept=form.decision.data == "accept",
                                   rescore=form.rescore.data or []),
              EvaluationRefused, _("Moderation recorded."))
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/release", methods=["POST"])
def release(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(lambda: svc.release(evaluation, current_user), EvaluationRefused,
              _("Result released: %(name)s can now see it.",
                name=evaluation.subject.display_name))
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/reviewers", methods=["POST"])
def add_reviewer(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = ReviewerForm()
    form.reviewer.choices = [SelectChoice(p.id, "")
                             for p in presenter.people(presenter.REVIEWER_ROLES)]
    reviewer = db.session.get(User, form.reviewer.data) if form.validate_on_submit() else None
    if reviewer is not None:  # the form offered only existing people
        carry_out(lambda: svc.add_reviewer(evaluation, reviewer, current_user),
                  EvaluationRefused, _("Reviewer added."))
    else:
        flash(_("Choose a reviewer from the list."), "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))


@bp.route("/<int:evaluation_id>/reviews/<int:review_id>/amend", methods=["GET", "POST"])
def amend(evaluation_id: int, review_id: int):
    """A coordinator changes a released review, giving the reason (kept in the audit log)."""
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    target = db.session.get(Review, review_id)
    if target is None or target.evaluation_id != evaluation.id or not target.submitted:
        abort(404)
    form = AmendForm()
    levels, comments = scorecards.scorecard(target), presenter.comments_of(target)
    if request.method == "GET":
        form.overall.data = target.overall_comment
    elif form.validate_on_submit():
        levels, comments = scorecard_input(request.form, evaluation.rubric_version.criteria)
        if _amended(evaluation, target, levels, comments, form):
            flash(_("Amended; the previous values are kept in the audit log."), "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/amend.html", evaluation=evaluation,
                           version=evaluation.rubric_version, review=target, form=form,
                           levels=levels, comments=comments)


def _amended(evaluation: Evaluation, target: Review, levels: dict[str, int | None],
             comments: dict[str, str], form: AmendForm) -> bool:
    """True once amended; else the refusal is shown and nothing is kept."""
    try:
        svc.amend(evaluation, current_user, target, levels, comments,
                  form.overall.data or "", form.reason.data)
    except EvaluationRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    return True


@bp.route("/<int:evaluation_id>/files", methods=["POST"])
def attach(evaluation_id: int):
    evaluation = _evaluation(evaluation_id, Permission.COORDINATE_EVALUATION)
    form = EvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(uploads.MAX_BYTES + 1)
        carry_out(lambda: evidence.attach(evaluation, upload.filename or "", data,
                                          current_user),
                  EvaluationRefused, _("File attached."))
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
def evaluation_is_late(evaluation: Evaluation, now: datetime) -> bool:
    return evaluation.state == EvaluationState.OPEN and now > evaluation.due_at
