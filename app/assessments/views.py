"""Assessment pages: periods and plans, a manager's team table, the record, scoring and responses.

Who may see or change what is decided in app.auth.permissions; a record a person
may not see answers 404, so IDs reveal nothing (app.assessments.blueprint). What a
page shows is gathered in :mod:`app.assessments.presenter`; the steps are services.
The pages after publication are in :mod:`app.assessments.follow_up_views`.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.assessments import (
    follow_up_views,  # noqa: F401 - its routes join the blueprint
    plan_change_views,  # noqa: F401 - its routes join the blueprint
)
from app.assessments import presenter as pages
from app.assessments import services as svc
from app.assessments.blueprint import (
    back_to_record,
    bp,
    form_step,
    period_or_404,
    person_record_or_404,
    refusable,
    to_period,
)
from app.assessments.forms import (
    PLAN_PART_FIELDS,
    ActionForm,
    DelegationForm,
    FeedbackForm,
    PerformanceForm,
    PerformanceImportForm,
    PeriodForm,
    PublishForm,
    ResponseForm,
)
from app.assessments.labels import PERIOD_STATE_LABELS
from app.assessments.models import AssessmentPeriod, PeriodState
from app.assessments.sources import professionalism_rubric
from app.auth.models import User
from app.auth.permissions import Permission, require
from app.content.csv_upload import RowError
from app.database import utcnow
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.evaluations import services as evaluation_services
from app.exams import exports
from app.extensions import db
from app.main.actions import carry_out, is_unique_violation

__all__ = ["bp"]

MAX_CSV_BYTES = 1_000_000


@bp.route("/")
def index():
    return render_template("assessments/index.html", **pages.index_page(current_user))


# -- periods and plans -------------------------------------------------------------------------


@bp.route("/periods/new", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def new_period():
    return _edit_period(None)


@bp.route("/periods/<int:period_id>/plan", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def edit_period(period_id: int):
    """The plan can change while the period is being planned; afterwards it is corrected
    with a reason (app.assessments.plan_change_views)."""
    period = period_or_404(period_id)
    if period.state != PeriodState.PLANNING:
        flash(_("The plan is fixed once the period opens. While no record is published, "
                "use Correct the plan: each correction needs a reason."), "error")
        return to_period(period)
    return _edit_period(period)


def _edit_period(period: AssessmentPeriod | None):
    form = pages.period_form()
    if request.method == "GET" and period is not None:
        form.fill(period, pages.member_emails(period))
    if form.validate_on_submit() and (saved := _save_plan(form, period)) is not None:
        flash(_("Plan saved. Open the period when the plan is final: people then "
                "see it."), "success")
        return to_period(saved)
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
        return _store_plan(form.plan(user_ids), period)
    except svc.AssessmentRefused as refused:
        db.session.rollback()
        _show_refusal(form, refused)
    except IntegrityError as error:  # the same name saved at the same moment
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        form.name.errors = [*form.name.errors, svc.name_taken_message(form.name.data)]
    return None


def _store_plan(plan: svc.Plan, period: AssessmentPeriod | None) -> AssessmentPeriod:
    if period is None:
        return svc.create_period(plan, current_user)
    svc.update_plan(period, plan, current_user)
    return period


def _show_refusal(form: PeriodForm, refused: svc.AssessmentRefused) -> None:
    """Beside the field it concerns, or as a message when it concerns the whole plan."""
    name = PLAN_PART_FIELDS.get(refused.field or "", refused.field)
    if name and name in form:
        form[name].errors = [*form[name].errors, str(refused)]
    else:
        flash(str(refused), "error")


@bp.route("/periods/<int:period_id>")
def period(period_id: int):
    page = pages.period_page(period_or_404(period_id), current_user, request.args.get("sort"),
                             request.args.get("dir"))
    return render_template("assessments/period.html", **page)


@bp.route("/periods/<int:period_id>/records.csv", defaults={"kind": "csv"})
@bp.route("/periods/<int:period_id>/records.xlsx", defaults={"kind": "xlsx"})
def export(period_id: int, kind: str):
    """The records the viewer may see, as CSV or Excel."""
    period = period_or_404(period_id)
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
    period = period_or_404(period_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(lambda: svc.advance(period, current_user), svc.AssessmentRefused,
              lambda state: _("The period is now: %(state)s.",
                              state=PERIOD_STATE_LABELS[PeriodState(str(state))]))
    return to_period(period)


def _report_rows(errors: list[RowError]) -> None:
    for error in errors[:50]:
        flash(str(error), "error")
    flash(_("Nothing was imported: correct the rows above and upload the file again."),
          "error")


@bp.route("/periods/<int:period_id>/performance/import", methods=["POST"])
def import_performance(period_id: int):
    """A manager's CSV of figures for their team: every bad row reported, nothing imported."""
    period = period_or_404(period_id)
    if not svc.manages_people(current_user):
        abort(403)
    form = PerformanceImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file."), "error")
        return to_period(period)
    data = form.file.data.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        flash(_("The file is larger than 1 MB; nothing was imported."), "error")
        return to_period(period)
    upload = svc.read_figures(period, data, form.file.data.filename or "", current_user)
    if upload.errors:
        _report_rows(upload.errors)
        return to_period(period)
    carry_out(lambda: svc.import_figures(period, upload, current_user), svc.AssessmentRefused,
              lambda n: _("Figures imported for %(n)d people.", n=n))
    return to_period(period)


# -- the record --------------------------------------------------------------------------------


@bp.route("/periods/<int:period_id>/people/<int:person_id>")
def record(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, record = person_record_or_404(period, person_id)
    return render_template("assessments/record.html",
                           **pages.record_page(period, person, record, current_user))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/delegation", methods=["POST"])
def delegate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the line manager hands this period's professionalism rating to someone."""
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
    form = DelegationForm()
    form.delegate.choices = pages.delegation_choices(person, current_user)
    delegate = db.session.get(User, form.delegate.data) if form.validate_on_submit() else None
    if delegate is None:
        flash(_("Choose the person to delegate the rating to."), "error")
        return back_to_record(period, person)
    carry_out(lambda: evaluation_services.delegate(
        person, current_user, delegate, period.starts_on, period.ends_on),
        evaluation_services.EvaluationRefused,
        _("%(name)s may now rate %(person)s's professionalism for this period.",
          name=delegate.display_name, person=person.display_name))
    return back_to_record(period, person)


@bp.route("/periods/<int:period_id>/people/<int:person_id>/delegation/revoke",
          methods=["POST"])
def revoke_delegation(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
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
    return back_to_record(period, person)


@bp.route("/periods/<int:period_id>/people/<int:person_id>/performance", methods=["POST"])
def performance(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
    form = PerformanceForm()
    return form_step(form, _("Figures are percentages between 0 and 100."),
                     lambda: svc.enter_performance(
                         period, person, form.success_rate.data, form.satisfaction.data,
                         form.note.data or "", current_user),
                     period, person, _("Figures saved."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/feedback", methods=["POST"])
def feedback(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
    form = FeedbackForm()
    if not form.validate_on_submit():
        abort(400)
    return refusable(lambda: svc.save_feedback(svc.record_for(period, person),
                                               form.went_well.data or "",
                                               form.problems.data or ""),
                     period, person, _("Feedback saved."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/publish", methods=["POST"])
def publish(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return refusable(lambda: svc.publish(svc.record_for(period, person), current_user,
                                         form.reason.data or ""),
                     period, person, _("Published: %(name)s can now read the record.",
                                       name=person.display_name))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/respond", methods=["POST"])
def respond(period_id: int, person_id: int):
    period = period_or_404(period_id)
    person, record = person_record_or_404(period, person_id)
    form = ResponseForm()
    return form_step(form, _("Choose whether you acknowledge the record or disagree."),
                     lambda: svc.respond(record, current_user,
                                         agree=form.response.data == "agree",
                                         comment=form.comment.data or ""),
                     period, person, _("Your response is recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/professionalism",
          methods=["POST"])
def rate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the manager rates professionalism with the professionalism rubric, as an
    evaluation with the manager as the reviewer (see svc.schedule_professionalism)."""
    period = period_or_404(period_id)
    person, _record = person_record_or_404(period, person_id, Permission.SCORE_RECORD)
    if not ActionForm().validate_on_submit():
        abort(400)
    # The rubric in the language of the person rated: it is their record.
    version = professionalism_rubric(person.locale)
    if version is None:
        flash(_("No professionalism rubric is loaded: import one first."), "error")
        return back_to_record(period, person)
    evaluation = svc.schedule_professionalism(period, person, current_user, version, utcnow())
    flash(_("Score the rubric, submit, then release the result: it counts once released."),
          "info")
    return redirect(url_for("evaluations.review", evaluation_id=evaluation.id))
