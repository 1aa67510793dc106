"""Assessment pages: periods and plans, a manager's team table, the record, responses.

Who may see or change what is decided in app.auth.permissions; a record a person
may not see answers 404, so IDs reveal nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

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
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from app.assessments import changes, charts, follow_up
from app.assessments import indicators as ind
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
    ChangeState,
    ImprovementItem,
    PeriodState,
    RecordState,
)
from app.assessments.performance_csv import parse_performance_csv
from app.auth.models import Team, User
from app.auth.permissions import Permission, can, ensure, require
from app.courses.models import Course
from app.database import utcnow
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.evaluations import services as evaluation_services
from app.exams import exports
from app.exams.models import Exam
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
    return render_template("assessments/index.html", periods=periods, mine=mine, staff=staff,
                           waiting=waiting_changes(current_user) if staff else [])


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
    return _edit_period(None)


@bp.route("/periods/<int:period_id>/plan", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def edit_period(period_id: int):
    """The plan can change while the period is being planned."""
    period = _period(period_id)
    if period.state != PeriodState.PLANNING:
        flash(_("The plan is fixed once the period opens."), "error")
        return redirect(url_for("assessments.period", period_id=period.id))
    return _edit_period(period)


def _edit_period(period: AssessmentPeriod | None):
    form = _period_form()
    if request.method == "GET" and period is not None:
        _fill(form, period)
    if form.validate_on_submit():
        user_ids, unknown = _user_ids(form.emails())
        if unknown:
            form.people.errors = [*form.people.errors,
                                  _("No account with these emails: %(list)s",
                                    list=", ".join(unknown))]
        else:
            try:
                if period is None:
                    saved = svc.create_period(form.plan(user_ids), current_user)
                else:
                    saved = period
                    svc.update_plan(period, form.plan(user_ids), current_user)
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
            else:
                flash(_("Plan saved. Open the period when the plan is final: people then "
                        "see it."), "success")
                return redirect(url_for("assessments.period", period_id=saved.id))
    return render_template("assessments/new_period.html", form=form, period=period)


def _fill(form: PeriodForm, period: AssessmentPeriod) -> None:
    form.name.data, form.cadence.data = period.name, period.cadence
    form.starts_on.data, form.ends_on.data = period.starts_on, period.ends_on
    form.audience.data = period.audience
    form.teams.data = [m.team_id for m in period.members if m.team_id is not None]
    people = [m.user_id for m in period.members if m.user_id is not None]
    form.people.data = "\n".join(db.session.execute(
        sa.select(User.email).where(User.id.in_(people or [-1]))).scalars())
    for key in ind.INDICATORS:
        form[f"weight_{key}"].data = Decimal(period.weights[key])
    for key in ("excellent", "good", "qualified"):
        form[f"band_{key}"].data = Decimal(period.bands[key])
    for key in ind.PERFORMANCE_PARTS:
        form[f"part_{key}"].data = Decimal(period.performance_formula.get(key, "0"))
    form.exams.data, form.exam_combine.data = period.exam_ids, period.exam_combine
    form.capability_kinds.data = period.capability_kinds
    form.description.data = period.description


SORTABLE = {"name", "total", "status", *ind.INDICATORS}


def _rows(period: AssessmentPeriod) -> list[dict]:
    """One row per person the viewer may see: published values, or live ones for drafts."""
    if not (_reads_all(current_user) or _manages_people(current_user)):
        return []
    manager = None if _reads_all(current_user) else current_user
    rows = []
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
        rows.append({"person": person, "record": record, "values": values, "total": total,
                     "band": band, "status": status})
    return rows


@bp.route("/periods/<int:period_id>")
def period(period_id: int):
    period = _period(period_id)
    rows = _rows(period)
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTABLE else "name"
    descending = request.args.get("dir") == "desc"
    rows.sort(key=lambda r: _sort_key(r, sort), reverse=descending)
    totals = [r["total"] for r in rows if r["total"] is not None]
    averages = {k: ind.rounded(sum(vals, Decimal(0)) / len(vals)) if vals else None
                for k in ind.INDICATORS
                for vals in [[r["values"][k] for r in rows if r["values"][k] is not None]]}
    band_counts = {b: sum(1 for r in rows if r["band"] == b) for b in ind.BANDS}
    return render_template("assessments/period.html", period=period, rows=rows, sort=sort,
                           descending=descending, action_form=ActionForm(),
                           import_form=PerformanceImportForm(),
                           exams=db.session.execute(sa.select(Exam).where(
                               Exam.id.in_(period.exam_ids or [-1]))).scalars().all(),
                           bands=period.bands, weights=period.weights,
                           distribution=charts.distribution(totals, period.bands)
                           if rows else None, averages=averages, band_counts=band_counts)


@bp.route("/periods/<int:period_id>/records.csv", defaults={"kind": "csv"})
@bp.route("/periods/<int:period_id>/records.xlsx", defaults={"kind": "xlsx"})
def export(period_id: int, kind: str):
    """The records the viewer may see, as CSV or Excel."""
    period = _period(period_id)
    rows = _rows(period)
    if not rows and not (_reads_all(current_user) or _manages_people(current_user)):
        abort(403)
    headers = [_("Name"), _("Email"), _("Team"), *[str(INDICATOR_LABELS[k])
                                                   for k in ind.INDICATORS],
               _("Total"), _("Grade"), _("Status"), _("What went well"), _("Problems found")]
    status_labels = {"complete": _("Complete"), "incomplete": _("Incomplete"),
                     **{k: str(v) for k, v in RECORD_STATE_LABELS.items()}}
    table = [[r["person"].display_name, r["person"].email,
              r["person"].team.name if r["person"].team else "",
              *[float(r["values"][k]) if r["values"][k] is not None else None
                for k in ind.INDICATORS],
              float(r["total"]) if r["total"] is not None else None,
              str(BAND_LABELS[r["band"]]) if r["band"] else "", status_labels[r["status"]],
              r["record"].went_well if r["record"] else "",
              r["record"].problems if r["record"] else ""] for r in rows]
    if kind == "csv":
        data, mimetype = exports.table_csv(headers, table), CSV_TYPE
    else:
        data, mimetype = exports.table_xlsx(period.name, headers, table), XLSX_TYPE
    return attachment(data, f"assessment-{period.id}-records.{kind}", mimetype)


def _values(snapshot: dict) -> dict[str, Decimal | None]:
    return {k: _decimal(v["value"]) for k, v in snapshot["indicators"].items()}


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
    carry_out(lambda: svc.advance(period, current_user), svc.AssessmentRefused,
              lambda state: _("The period is now: %(state)s.",
                              state=PERIOD_STATE_LABELS[state]))
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
    follow = frozen and can(current_user, Permission.FOLLOW_UP_RECORD, record)
    staff = follow or (frozen and person.id != current_user.id)
    items = follow_up.plan_items(record) if frozen else []
    proposal = follow_up.proposal(record) if staff else None
    suggested = follow_up.suggested_courses(proposal) if proposal else []
    decision_form = DecisionForm()
    decision_form.courses.choices = _course_choices(suggested)
    item_form = ImprovementItemForm()
    item_form.courses.choices = _course_choices(suggested)
    pending = changes.pending(record) if frozen else None
    view = record.snapshot if frozen else svc.snapshot(live)
    previous = svc.previous_record(period, person)
    history = svc.published_history(person)
    points = [(r.period.name, r.total) for r in history]
    if not frozen:
        points.append((period.name, _decimal(view["total"])))
    return render_template(
        "assessments/record.html", period=period, person=person, record=record,
        view=view, frozen=frozen, previous=previous,
        indicator_chart=charts.indicator_bars(_values(view), _values(previous.snapshot)
                                              if previous else None),
        trend_chart=charts.trend(points) if len(points) > 1 else None,
        follow=follow, staff=staff, interview=follow_up.interview_of(record) if frozen else None,
        items=items, linked=follow_up.linked_courses(person, items), proposal=proposal,
        suggested=suggested, decision=follow_up.decision_of(record) if staff else None,
        pending=pending, history=changes.history(record) if staff else [],
        may_decide=pending is not None and can(current_user, Permission.DECIDE_CHANGE, pending),
        interview_form=InterviewForm(), item_form=item_form, decision_form=decision_form,
        change_form=ChangeRequestForm(), change_decision_form=ChangeDecisionForm(),
        action_form=ActionForm(), courses_by_id={c.id: c for c in db.session.execute(
            sa.select(Course)).scalars()} if staff else {},
        scoring=can(current_user, Permission.SCORE_RECORD, record) and not frozen
        and period.state in (PeriodState.OPEN, PeriodState.SCORING),
        responding=record.person_id == current_user.id
        and record.state == RecordState.PUBLISHED,
        performance_form=performance_form, feedback_form=feedback_form,
        publish_form=PublishForm(), response_form=ResponseForm(), entry=entry,
        **_delegation_view(period, person, record))


def _delegation_view(period: AssessmentPeriod, person: User, record: AssessmentRecord) -> dict:
    """The professionalism delegation of this period, for the person's manager to see."""
    if not can(current_user, Permission.SCORE_RECORD, record):
        return {"delegations": [], "delegation_form": None}
    form = DelegationForm()
    form.delegate.choices = _delegation_choices(person)
    return {"delegations": evaluation_services.delegations_of(
        person, period.starts_on, period.ends_on), "delegation_form": form}


def _delegation_choices(person: User) -> list[SelectChoice]:
    people = db.session.execute(sa.select(User).where(
        User.active.is_(True), User.id.not_in([person.id, current_user.id]))
        .order_by(User.display_name)).scalars()
    return [SelectChoice("", _("Choose a person"))] + [
        SelectChoice(p.id, f"{p.display_name} <{p.email}>") for p in people]


@bp.route("/periods/<int:period_id>/people/<int:person_id>/delegation", methods=["POST"])
def delegate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the line manager hands this period's professionalism rating to someone."""
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    form = DelegationForm()
    form.delegate.choices = _delegation_choices(person)
    if not form.validate_on_submit():
        flash(_("Choose the person to delegate the rating to."), "error")
        return _back(period, person)
    carry_out(lambda: evaluation_services.delegate(
        person, current_user, db.session.get(User, form.delegate.data), period.starts_on,
        period.ends_on), evaluation_services.EvaluationRefused,
        lambda d: _("%(name)s may now rate %(person)s's professionalism for this period.",
                    name=d.delegate.display_name, person=person.display_name))
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

    def revoke_all():
        for delegation in live:
            evaluation_services.revoke(delegation, current_user)

    carry_out(revoke_all, evaluation_services.EvaluationRefused,
              _("Delegation withdrawn: only you rate professionalism now."))
    return _back(period, person)


def _back(period: AssessmentPeriod, person: User):
    return redirect(url_for("assessments.record", period_id=period.id, person_id=person.id))


def _refusable(step, period, person, success: str):
    carry_out(step, svc.AssessmentRefused, success)
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
        flash(_("Figures imported for %(n)d people.", n=len(rows)), "success")
    return redirect(url_for("assessments.period", period_id=period.id))


# -- after publication: interview, plan, decision, changes -------------------------------------


def _follow_up(period_id: int, person_id: int):
    period = _period(period_id)
    person, record = _person_record(period, person_id, Permission.FOLLOW_UP_RECORD)
    return period, person, record


def _course_choices(preferred=()) -> list[SelectChoice]:
    courses = db.session.execute(sa.select(Course).where(Course.retired_at.is_(None))
                                 .order_by(Course.title)).scalars().all()
    first = {c.id for c in preferred}
    return ([SelectChoice(c.id, c.title) for c in preferred]
            + [SelectChoice(c.id, c.title) for c in courses if c.id not in first])


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
    form.courses.choices = _course_choices()
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
    form.courses.choices = _course_choices()
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
    if form.decision.data == "approve":
        step = lambda: changes.approve(change, current_user, form.note.data or "")  # noqa: E731
    else:
        step = lambda: changes.reject(change, current_user, form.note.data or "")  # noqa: E731
    return _refusable(step, record.period, record.person, _("Decision on the change recorded."))


def waiting_changes(user: User) -> list[ChangeRequest]:
    """Pending changes this person may decide (and may see)."""
    pending = db.session.execute(sa.select(ChangeRequest).where(
        ChangeRequest.state == ChangeState.PENDING).order_by(ChangeRequest.id)).scalars()
    return [c for c in pending if can(user, Permission.DECIDE_CHANGE, c)
            and can(user, Permission.VIEW_RECORD, c.record)]


@bp.route("/periods/<int:period_id>/people/<int:person_id>/professionalism",
          methods=["POST"])
def rate_professionalism(period_id: int, person_id: int):
    """§3.1.4: the manager rates professionalism with the professionalism rubric.

    It is an evaluation like any other (kind "professionalism") with the manager as
    the reviewer: scored on its scorecard, counted once released.
    """
    period = _period(period_id)
    person, _record = _person_record(period, person_id, Permission.SCORE_RECORD)
    if not ActionForm().validate_on_submit():
        abort(400)
    # The rubric in the language of the person rated: it is their record.
    version = svc.professionalism_rubric(person.locale)
    if version is None:
        flash(_("No professionalism rubric is loaded: import one first."), "error")
        return _back(period, person)
    now = utcnow()
    evaluation = evaluation_services.schedule(evaluation_services.Schedule(
        subject=person, rubric_version=version,
        scenario=_("Professionalism in %(period)s: ethics, teamwork, responsibility.",
                   period=period.name),
        scheduled_at=now, place="", due_at=now + timedelta(days=7), reviewers=[current_user],
        evidence_links=[]), current_user)
    flash(_("Score the rubric, submit, then release the result: it counts once released."),
          "info")
    return redirect(url_for("evaluations.review", evaluation_id=evaluation.id))
