"""Assessment pages: periods and plans, a manager's team table, the record, responses.

Who may see or change what is decided in app.auth.permissions; a record a person
may not see answers 404, so IDs reveal nothing. What a page shows is gathered in
:mod:`app.assessments.presenter`; the steps are services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from app.assessments import changes, follow_up
from app.assessments import indicators as ind
from app.assessments import presenter as pages
from app.assessments import services as svc
from app.assessments.forms import (
    ActionForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    DecisionForm,
    DelegationForm,
    FeedbackForm,
    ImprovementItemForm,
    InterviewForm,
    PerformanceForm,
    PerformanceImportForm,
    PeriodForm,
    PublishForm,
    ResponseForm,
)
from app.assessments.labels import (
    BAND_LABELS,
    INDICATOR_LABELS,
    PART_LABELS,
    PAY_LABELS,
    PERIOD_STATE_LABELS,
    RECORD_STATE_LABELS,
)
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    ChangeRequest,
    ImprovementItem,
    PeriodState,
    RecordState,
)
from app.assessments.sources import professionalism_rubric
from app.auth.models import User
from app.auth.permissions import Permission, can, ensure, require
from app.database import utcnow
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.evaluations import services as evaluation_services
from app.exams import exports
from app.extensions import db
from app.main.actions import carry_out, is_unique_violation

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

MAX_CSV_BYTES = 1_000_000


@bp.app_context_processor
def _labels() -> dict:
    return {"indicator_label": lambda k: INDICATOR_LABELS.get(k, k),
            "band_label": lambda b: BAND_LABELS.get(b, b) if b else "—",
            "part_label": lambda p: PART_LABELS.get(p, p),
            "pay_label": lambda p: PAY_LABELS.get(p, p),
            "period_state_label": lambda s: PERIOD_STATE_LABELS.get(s, s),
            "record_state_label": lambda s: RECORD_STATE_LABELS.get(s, s),
            "indicator_keys": ind.INDICATORS}


@bp.context_processor
def _states() -> dict:
    """The assessment pages compare states with the enum members, never with strings."""
    return {"PeriodState": PeriodState, "RecordState": RecordState}


@bp.route("/")
def index():
    return render_template("assessments/index.html", **pages.index_page(current_user))


def _period(period_id: int) -> AssessmentPeriod:
    period = db.session.get(AssessmentPeriod, period_id)
    if period is None:
        abort(404)
    visible = pages.sees_every_period(current_user) or (
        period.state != PeriodState.PLANNING and svc.covers(period, current_user))
    if not visible:
        abort(404)
    return period


# -- periods and plans -------------------------------------------------------------------------


@bp.route("/periods/new", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def new_period():
    return _edit_period(None)


@bp.route("/periods/<int:period_id>/plan", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def edit_period(period_id: int):
    """The plan can change while the period is being planned."""
    period = _period(period_id)
    if period.state != PeriodState.PLANNING:
        flash(_("The plan is fixed once the period opens."), "error")
        return _to_period(period)
    return _edit_period(period)


def _edit_period(period: AssessmentPeriod | None):
    form = pages.period_form()
    if request.method == "GET" and period is not None:
        form.fill(period, pages.member_emails(period))
    if form.validate_on_submit() and (saved := _save_plan(form, period)) is not None:
        flash(_("Plan saved. Open the period when the plan is final: people then "
                "see it."), "success")
        return _to_period(saved)
    return render_template("assessments/new_period.html", form=form, period=period)


def _user_ids(emails: Iterable[str]) -> tuple[list[int], list[str]]:
    """The accounts of these emails, and the emails that have none."""
    emails = list(emails)
    found = {u.email: u.id for u in db.session.execute(
        sa.select(User).where(User.email.in_([e.lower() for e in emails]))).scalars()}
    return list(found.values()), [e for e in emails if e.lower() not in found]


def _save_plan(form: PeriodForm, period: AssessmentPeriod | None) -> AssessmentPeriod | None:
    """The period saved with the form's plan, or None with the problems shown on the form."""
    user_ids, unknown = _user_ids(form.emails())
    if unknown:
        form.people.errors = [*form.people.errors, _(
            "No account with these emails: %(list)s", list=", ".join(unknown))]
        return None
    try:
        if period is None:
            return svc.create_period(form.plan(user_ids), current_user)
        svc.update_plan(period, form.plan(user_ids), current_user)
        return period
    except svc.AssessmentRefused as refused:
        db.session.rollback()
        if refused.field and refused.field in form:
            form[refused.field].errors = [*form[refused.field].errors, str(refused)]
        else:
            flash(str(refused), "error")
    except IntegrityError as error:  # the same name saved at the same moment
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        form.name.errors = [*form.name.errors, svc.name_taken_message(form.name.data)]
    return None


def _to_period(period: AssessmentPeriod) -> Response:
    return redirect(url_for("assessments.period", period_id=period.id))


@bp.route("/periods/<int:period_id>")
def period(period_id: int):
    page = pages.period_page(_period(period_id), current_user, request.args.get("sort"),
                             request.args.get("dir"))
    return render_template("assessments/period.html", **page)


@bp.route("/periods/<int:period_id>/records.csv", defaults={"kind": "csv"})
@bp.route("/periods/<int:period_id>/records.xlsx", defaults={"kind": "xlsx"})
def export(period_id: int, kind: str):
    """The records the viewer may see, as CSV or Excel."""
    period = _period(period_id)
    rows = pages.team_rows(period, current_user)
    if not rows and not pages.sees_team_table(current_user):
        abort(403)
    headers, table = pages.export_table(rows)
    if kind == "csv":
        data, mimetype = exports.table_csv(headers, table), CSV_TYPE
    else:
        data, mimetype = exports.table_xlsx(period.name, headers, table), XLSX_TYPE
    return attachment(data, f"assessment-{period.id}-records.{kind}", mimetype)


@bp.route("/periods/<int:period_id>/advance", methods=["POST"])
@require(Permission.MANAGE_PERIODS)
def advance(period_id: int):
    period = _period(period_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(lambda: svc.advance(period, current_user), svc.AssessmentRefused,
              lambda state: _("The period is now: %(state)s.",
                              state=PERIOD_STATE_LABELS[str(state)]))
    return _to_period(period)


@bp.route("/periods/<int:period_id>/performance/import", methods=["POST"])
def import_performance(period_id: int):
    """A manager's CSV of figures for their team: every bad row reported, nothing imported."""
    period = _period(period_id)
    if not svc.manages_people(current_user):
        abort(403)
    form = PerformanceImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file."), "error")
        return _to_period(period)
    data = form.file.data.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        flash(_("The file is larger than 1 MB; nothing was imported."), "error")
        return _to_period(period)
    upload = svc.read_figures(period, data, form.file.data.filename or "", current_user)
    if upload.errors:
        for error in upload.errors[:50]:
            flash(str(error), "error")
        flash(_("Nothing was imported: correct the rows above and upload the file again."),
              "error")
        return _to_period(period)
    carry_out(lambda: svc.import_figures(period, upload, current_user), svc.AssessmentRefused,
              lambda n: _("Figures imported for %(n)d people.", n=n))
    return _to_period(period)


# -- the record --------------------------------------------------------------------------------


def _person_record(period: AssessmentPeriod, person_id: int,
                   permission: Permission = Permission.VIEW_RECORD,
                   ) -> tuple[User, AssessmentRecord]:
    person = db.session.get(User, person_id)
    if person is None or not svc.covers(period, person):
        abort(404)
    record = svc.find_record(period, person) or svc.unsaved_record(period, person)
    if not can(current_user, Permission.VIEW_RECORD, record):
        abort(404)
    ensure(permission, record)
    return person, record


@bp.route("/periods/<int:period_id>/people/<int:person_id>")
def record(period_id: int, person_id: int):
    period = _period(period_id)
    person, record = _person_record(period, person_id)
    return render_template("assessments/record.html",
                           **pages.record_page(period, person, record, current_user))


def _back(period: AssessmentPeriod, person: User) -> Response:
    return redirect(url_for("assessments.record", period_id=period.id, person_id=person.id))


def _refusable(step: Callable[[], object], period: AssessmentPeriod, person: User,
               success: str) -> Response:
    carry_out(step, svc.AssessmentRefused, success)
    return _back(period, person)


@bp.route("/periods/<int:period_id>/people/<int:person_id>/delegation", methods=["POST"])
def delegate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the line manager hands this period's professionalism rating to someone."""
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    form = DelegationForm()
    form.delegate.choices = pages.delegation_choices(person, current_user)
    delegate = db.session.get(User, form.delegate.data) if form.validate_on_submit() else None
    if delegate is None:
        flash(_("Choose the person to delegate the rating to."), "error")
        return _back(period, person)
    carry_out(lambda: evaluation_services.delegate(
        person, current_user, delegate, period.starts_on, period.ends_on),
        evaluation_services.EvaluationRefused,
        _("%(name)s may now rate %(person)s's professionalism for this period.",
          name=delegate.display_name, person=person.display_name))
    return _back(period, person)


@bp.route("/periods/<int:period_id>/people/<int:person_id>/delegation/revoke",
          methods=["POST"])
def revoke_delegation(period_id: int, person_id: int):
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    if not ActionForm().validate_on_submit():
        abort(400)
    live = [d for d in evaluation_services.delegations_of(person, period.starts_on,
                                                          period.ends_on)
            if d.revoked_at is None]

    def revoke_all() -> None:
        for delegation in live:
            evaluation_services.revoke(delegation, current_user)

    carry_out(revoke_all, evaluation_services.EvaluationRefused,
              _("Delegation withdrawn: only you rate professionalism now."))
    return _back(period, person)


@bp.route("/periods/<int:period_id>/people/<int:person_id>/performance", methods=["POST"])
def performance(period_id: int, person_id: int):
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    form = PerformanceForm()
    if not form.validate_on_submit():
        flash(_("Figures are percentages between 0 and 100."), "error")
        return _back(period, person)
    return _refusable(lambda: svc.enter_performance(
        period, person, form.success_rate.data, form.satisfaction.data, form.note.data or "",
        current_user), period, person, _("Figures saved."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/feedback", methods=["POST"])
def feedback(period_id: int, person_id: int):
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    form = FeedbackForm()
    if not form.validate_on_submit():
        abort(400)
    return _refusable(lambda: svc.save_feedback(svc.record_for(period, person),
                                                form.went_well.data or "",
                                                form.problems.data or ""),
                      period, person, _("Feedback saved."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/publish", methods=["POST"])
def publish(period_id: int, person_id: int):
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return _refusable(lambda: svc.publish(svc.record_for(period, person), current_user,
                                          form.reason.data or ""),
                      period, person, _("Published: %(name)s can now read the record.",
                                        name=person.display_name))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/respond", methods=["POST"])
def respond(period_id: int, person_id: int):
    period = _period(period_id)
    person, record = _person_record(period, person_id)
    form = ResponseForm()
    if not form.validate_on_submit():
        flash(_("Choose whether you acknowledge the record or disagree."), "error")
        return _back(period, person)
    return _refusable(lambda: svc.respond(record, current_user,
                                          agree=form.response.data == "agree",
                                          comment=form.comment.data or ""),
                      period, person, _("Your response is recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/professionalism",
          methods=["POST"])
def rate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the manager rates professionalism with the professionalism rubric, as an
    evaluation with the manager as the reviewer (see svc.schedule_professionalism)."""
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    if not ActionForm().validate_on_submit():
        abort(400)
    # The rubric in the language of the person rated: it is their record.
    version = professionalism_rubric(person.locale)
    if version is None:
        flash(_("No professionalism rubric is loaded: import one first."), "error")
        return _back(period, person)
    evaluation = svc.schedule_professionalism(period, person, current_user, version, utcnow())
    flash(_("Score the rubric, submit, then release the result: it counts once released."),
          "info")
    return redirect(url_for("evaluations.review", evaluation_id=evaluation.id))


# -- after publication: interview, plan, decision, changes -------------------------------------


def _follow_up(period_id: int, person_id: int
               ) -> tuple[AssessmentPeriod, User, AssessmentRecord]:
    period = _period(period_id)
    person, record = _person_record(period, person_id, Permission.FOLLOW_UP_RECORD)
    return period, person, record


@bp.route("/periods/<int:period_id>/people/<int:person_id>/interview", methods=["POST"])
def interview(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = InterviewForm()
    if not form.validate_on_submit():
        flash(_("Give the date and the notes of the interview."), "error")
        return _back(period, person)
    return _refusable(lambda: follow_up.record_interview(record, form.held_on.data,
                                                         form.notes.data, current_user),
                      period, person, _("Interview recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/plan", methods=["POST"])
def add_plan_item(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = ImprovementItemForm()
    form.courses.choices = pages.course_choices()
    if not form.validate_on_submit():
        flash(_("Give the item a goal and a due date."), "error")
        return _back(period, person)
    return _refusable(lambda: follow_up.add_item(record, form.goal.data, form.action.data or "",
                                                 form.due_on.data, form.courses.data or [],
                                                 current_user),
                      period, person, _("Item added to the improvement plan."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/plan/<int:item_id>",
          methods=["POST"])
def toggle_plan_item(period_id: int, person_id: int, item_id: int):
    """The person or their manager marks an item done (or not done)."""
    period = _period(period_id)
    person, record = _person_record(period, person_id)
    item = db.session.get(ImprovementItem, item_id)
    if item is None or item.record_id != record.id or not ActionForm().validate_on_submit():
        abort(404)
    if current_user.id != person.id and not can(current_user, Permission.FOLLOW_UP_RECORD,
                                                record):
        abort(403)
    return _refusable(lambda: follow_up.mark_done(item, current_user, item.done_at is None),
                      period, person, _("Improvement plan updated."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/decision", methods=["POST"])
def decision(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = DecisionForm()
    form.courses.choices = pages.course_choices()
    if not form.validate_on_submit():
        abort(400)
    return _refusable(lambda: follow_up.decide(
        record, current_user, pay=form.pay.data, promotion_priority=form.promotion_priority.data,
        course_ids=form.courses.data or [], position_review=form.position_review.data,
        comment=form.comment.data or ""), period, person, _("Decision recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/changes", methods=["POST"])
def request_change(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = ChangeRequestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back(period, person)
    return _refusable(lambda: changes.request_change(
        record, current_user, form.reason.data,
        indicators={k: form[k].data for k in ind.INDICATORS},
        went_well=form.went_well.data, problems=form.problems.data),
        period, person, _("Change requested: it takes effect once an admin or another "
                          "manager approves it."))


@bp.route("/changes/<int:change_id>", methods=["POST"])
def decide_change(change_id: int):
    change = db.session.get(ChangeRequest, change_id)
    if change is None or not can(current_user, Permission.VIEW_RECORD, change.record):
        abort(404)
    ensure(Permission.DECIDE_CHANGE, change)
    form = ChangeDecisionForm()
    record = change.record
    if not form.validate_on_submit():
        flash(_("Choose to approve or reject."), "error")
        return _back(record.period, record.person)
    decide = changes.approve if form.decision.data == "approve" else changes.reject
    return _refusable(lambda: decide(change, current_user, form.note.data or ""),
                      record.period, record.person, _("Decision on the change recorded."))
