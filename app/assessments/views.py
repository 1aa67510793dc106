"""Assessment pages: periods and plans, a manager's team table, the record, responses.

Who may see or change what is decided in app.auth.permissions; a record a person
may not see answers 404, so IDs reveal nothing.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.assessments import indicators as ind
from app.assessments import services as svc
from app.assessments.forms import (
    BAND_LABELS,
    INDICATOR_LABELS,
    PART_LABELS,
    PERIOD_STATE_LABELS,
    RECORD_STATE_LABELS,
    ActionForm,
    FeedbackForm,
    PerformanceForm,
    PerformanceImportForm,
    PeriodForm,
    PublishForm,
    ResponseForm,
)
from app.assessments.models import AssessmentPeriod, AssessmentRecord, PeriodState, RecordState
from app.assessments.performance_csv import parse_performance_csv
from app.auth.models import Team, User
from app.auth.permissions import Permission, can, ensure, require
from app.exams.models import Exam
from app.extensions import db

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

MAX_CSV_BYTES = 1_000_000


@bp.app_context_processor
def _labels() -> dict:
    return {"indicator_label": lambda k: INDICATOR_LABELS.get(k, k),
            "band_label": lambda b: BAND_LABELS.get(b, b) if b else "—",
            "part_label": lambda p: PART_LABELS.get(p, p),
            "period_state_label": lambda s: PERIOD_STATE_LABELS.get(s, s),
            "record_state_label": lambda s: RECORD_STATE_LABELS.get(s, s),
            "indicator_keys": ind.INDICATORS}


def _manages_people(user: User) -> bool:
    return db.session.execute(sa.select(sa.exists().where(User.manager_id == user.id))).scalar()


def _reads_all(user: User) -> bool:
    """Supervisors and admins read every record; a manager only their own team's."""
    return can(user, Permission.READ_ALL_RECORDS)


def _staff(user: User) -> bool:
    """Sees every period, in planning too."""
    return (_reads_all(user) or can(user, Permission.MANAGE_PERIODS)
            or _manages_people(user))


@bp.route("/")
def index():
    periods = db.session.execute(sa.select(AssessmentPeriod)
                                 .order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    staff = _staff(current_user)
    if not staff:  # the plans of periods that cover the person, once open
        periods = [p for p in periods
                   if p.state != PeriodState.PLANNING and svc.covers(p, current_user)]
    mine = db.session.execute(
        sa.select(AssessmentRecord).where(AssessmentRecord.person_id == current_user.id,
                                          AssessmentRecord.state != RecordState.DRAFT)
        .join(AssessmentPeriod).order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    return render_template("assessments/index.html", periods=periods, mine=mine, staff=staff)


def _period(period_id: int) -> AssessmentPeriod:
    period = db.session.get(AssessmentPeriod, period_id)
    if period is None:
        abort(404)
    visible = _staff(current_user) or (period.state != PeriodState.PLANNING
                                       and svc.covers(period, current_user))
    if not visible:
        abort(404)
    return period


def _period_form() -> PeriodForm:
    form = PeriodForm()
    form.teams.choices = [SelectChoice(t.id, t.name) for t in db.session.execute(
        sa.select(Team).order_by(Team.name)).scalars()]
    form.exams.choices = [SelectChoice(e.id, e.title) for e in db.session.execute(
        sa.select(Exam).where(Exam.published_at.is_not(None))
        .order_by(Exam.opens_at.desc())).scalars()]
    return form


def _user_ids(emails) -> tuple[list[int], list[str]]:
    found = {u.email: u.id for u in db.session.execute(
        sa.select(User).where(User.email.in_([e.lower() for e in emails]))).scalars()}
    return list(found.values()), [e for e in emails if e.lower() not in found]


@bp.route("/periods/new", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def new_period():
    form = _period_form()
    if form.validate_on_submit():
        user_ids, unknown = _user_ids(form.emails())
        if unknown:
            form.people.errors = [*form.people.errors,
                                  _("No account with these emails: %(list)s",
                                    list=", ".join(unknown))]
        else:
            try:
                period = svc.create_period(form.plan(user_ids), current_user)
            except svc.AssessmentRefused as refused:
                db.session.rollback()
                flash(str(refused), "error")
            else:
                db.session.commit()
                flash(_("Period created. Open it when the plan is final: people then see "
                        "it."), "success")
                return redirect(url_for("assessments.period", period_id=period.id))
    return render_template("assessments/new_period.html", form=form)


SORTABLE = {"name", "total", "status", *ind.INDICATORS}


@bp.route("/periods/<int:period_id>")
def period(period_id: int):
    period = _period(period_id)
    rows = []
    if _reads_all(current_user) or _manages_people(current_user):
        manager = None if _reads_all(current_user) else current_user
        for person in svc.people_covered(period, manager):
            record = svc.find_record(period, person)
            if record is not None and record.state != RecordState.DRAFT:
                values = {k: _decimal(record.snapshot["indicators"][k]["value"])
                          for k in ind.INDICATORS}
                total, band, status = record.total, record.band, record.state
            else:
                result = svc.compute(period, person)
                values = {k: result.indicators[k].value for k in ind.INDICATORS}
                total, band = result.total, result.band
                status = "complete" if result.complete else "incomplete"
            rows.append({"person": person, "values": values, "total": total, "band": band,
                         "status": status})
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTABLE else "name"
    descending = request.args.get("dir") == "desc"
    rows.sort(key=lambda r: _sort_key(r, sort), reverse=descending)
    return render_template("assessments/period.html", period=period, rows=rows, sort=sort,
                           descending=descending, action_form=ActionForm(),
                           import_form=PerformanceImportForm(),
                           exams=db.session.execute(sa.select(Exam).where(
                               Exam.id.in_(period.exam_ids or [-1]))).scalars().all(),
                           bands=period.bands, weights=period.weights)


def _decimal(value) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _sort_key(row: dict, sort: str):
    if sort == "name":
        return (row["person"].display_name.casefold(),)
    if sort == "status":
        return (row["status"],)
    value = row["total"] if sort == "total" else row["values"][sort]
    return (value is not None, value if value is not None else Decimal(0))


@bp.route("/periods/<int:period_id>/advance", methods=["POST"])
@require(Permission.MANAGE_PERIODS)
def advance(period_id: int):
    period = _period(period_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        state = svc.advance(period, current_user)
    except svc.AssessmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("The period is now: %(state)s.", state=PERIOD_STATE_LABELS[state]), "success")
    return redirect(url_for("assessments.period", period_id=period.id))


def _person_record(period: AssessmentPeriod, person_id: int,
                   permission: Permission = Permission.VIEW_RECORD):
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
    frozen = record.state != RecordState.DRAFT
    live = None if frozen else svc.compute(period, person)
    entry = svc.performance_entry(period, person)
    performance_form = PerformanceForm(obj=entry) if entry else PerformanceForm()
    feedback_form = FeedbackForm(obj=record)
    return render_template(
        "assessments/record.html", period=period, person=person, record=record,
        view=record.snapshot if frozen else svc.snapshot(live), frozen=frozen,
        scoring=can(current_user, Permission.SCORE_RECORD, record) and not frozen
        and period.state in (PeriodState.OPEN, PeriodState.SCORING),
        responding=record.person_id == current_user.id
        and record.state == RecordState.PUBLISHED,
        performance_form=performance_form, feedback_form=feedback_form,
        publish_form=PublishForm(), response_form=ResponseForm(), entry=entry)


def _back(period: AssessmentPeriod, person: User):
    return redirect(url_for("assessments.record", period_id=period.id, person_id=person.id))


def _refusable(step, period, person, success: str):
    try:
        step()
    except svc.AssessmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(success, "success")
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


@bp.route("/periods/<int:period_id>/performance/import", methods=["POST"])
def import_performance(period_id: int):
    """A manager's CSV of figures for their team: every bad row reported, nothing imported."""
    period = _period(period_id)
    if not _manages_people(current_user):
        abort(403)
    form = PerformanceImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file."), "error")
        return redirect(url_for("assessments.period", period_id=period.id))
    upload = form.file.data
    data = upload.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        flash(_("The file is larger than 1 MB; nothing was imported."), "error")
        return redirect(url_for("assessments.period", period_id=period.id))
    rows, errors = parse_performance_csv(data, upload.filename or "")
    team = {p.email: p for p in svc.people_covered(period, current_user)}
    errors += [f"line {row.line}: {row.email} is not in your team for this period"
               for row in rows if row.email not in team]
    if errors:
        for error in errors[:50]:
            flash(str(error), "error")
        flash(_("Nothing was imported: correct the rows above and upload the file again."),
              "error")
        return redirect(url_for("assessments.period", period_id=period.id))
    try:
        for row in rows:  # an empty cell keeps the figure already entered
            person = team[row.email]
            entry = svc.performance_entry(period, person)
            svc.enter_performance(
                period, person,
                row.success_rate if row.success_rate is not None
                else getattr(entry, "success_rate", None),
                row.satisfaction if row.satisfaction is not None
                else getattr(entry, "satisfaction", None),
                row.note or getattr(entry, "note", ""), current_user, source="csv")
    except svc.AssessmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Figures imported for %(n)d people.", n=len(rows)), "success")
    return redirect(url_for("assessments.period", period_id=period.id))
