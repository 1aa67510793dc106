"""The annual training plan, training needs, attendance and certificates (/training)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

import app.uploads as uploads
from app.assessments.forms import ActionForm
from app.auth.models import Team, User
from app.auth.permissions import Permission, can, require
from app.courses.forms import AREA_LABELS
from app.courses.models import Course
from app.extensions import db
from app.i18n import local_today
from app.main.actions import carry_out
from app.main.labels import label_lookups
from app.templating import display_date
from app.training import execution as plan_execution
from app.training import services as svc
from app.training.forms import (
    ATTENDANCE_LABELS,
    DELIVERY_LABELS,
    DELIVERY_SHORT_LABELS,
    NEED_STATE_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    AnswerNeedForm,
    CertificateForm,
    ItemForm,
    NeedForm,
    StatusForm,
)
from app.training.models import (
    Attendance,
    Certificate,
    ItemStatus,
    NeedState,
    PlanItem,
    TrainingNeed,
)
from app.training.states import next_statuses

bp = Blueprint("training", __name__, url_prefix="/training")


bp.app_context_processor(label_lookups(
    delivery_label=DELIVERY_LABELS, delivery_short_label=DELIVERY_SHORT_LABELS,
    plan_status_label=STATUS_LABELS, need_state_label=NEED_STATE_LABELS,
    need_reason_label=REASON_LABELS, urgency_label=URGENCY_LABELS,
    attendance_label=ATTENDANCE_LABELS))


@bp.app_context_processor
def _area_label() -> dict:
    return {"need_area_label": need_area_label}


def _year() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else local_today().year


@bp.route("/")
def plan():
    """The year's plan for everyone to read; what is for the person is marked."""
    year = _year()
    items = svc.plan_of(year)
    for_me = svc.meant_for(items, current_user)
    return render_template("training/plan.html", year=year, years=svc.years(), items=items,
                           for_me=for_me, needs=svc.mine(current_user))


# -- needs ------------------------------------------------------------------------------


@bp.route("/needs/new", methods=["GET", "POST"])
def new_need():
    form = NeedForm()
    this_year = local_today().year
    form.year.choices = [SelectChoice(this_year, str(this_year)),
                         SelectChoice(this_year + 1, str(this_year + 1))]
    if not svc.has_reports(current_user):
        del form.for_team
    if form.validate_on_submit():
        try:
            need = svc.submit_need(current_user, form.values())
        except svc.TrainingRefused as refused:
            _flash_refusal(form, refused)
        else:
            flash(_("Thank you: the trainers will answer it in the training plan."), "success")
            return redirect(url_for("training.need", need_id=need.id))
    return render_template("training/new_need.html", form=form)


def _need(need_id: int) -> TrainingNeed:
    need = db.session.get(TrainingNeed, need_id)
    if need is None or not can(current_user, Permission.VIEW_NEED, need):
        abort(404)
    return need


def _answer_form(need: TrainingNeed) -> AnswerNeedForm:
    form = AnswerNeedForm()
    form.item.choices = [SelectChoice(0, "—")] + [
        SelectChoice(i.id, f"{display_date(i.starts_on)} · {i.title}")
        for i in svc.plan_of(need.year) if i.status != ItemStatus.CANCELLED]
    if request.method == "GET":
        form.item.data = need.plan_item_id or 0
    return form


@bp.route("/needs/<int:need_id>")
def need(need_id: int):
    need = _need(need_id)
    answering = can(current_user, Permission.MANAGE_TRAINING_PLAN)
    return render_template("training/need.html", need=need, answering=answering,
                           form=_answer_form(need) if answering else None)


@bp.route("/needs/<int:need_id>/answer", methods=["POST"])
@require(Permission.MANAGE_TRAINING_PLAN)
def answer_need(need_id: int):
    need = _need(need_id)
    form = _answer_form(need)
    if form.validate_on_submit():
        item = db.session.get(PlanItem, form.item.data) if form.item.data else None
        if item is not None and item.year != need.year:
            item = None
        carry_out(lambda: svc.answer_need(need, current_user, action=form.action.data,
                                          item=item, response=form.response.data),
                  svc.TrainingRefused, _("Saved."))
    else:
        flash(_("Choose an answer from the list."), "error")
    return redirect(url_for("training.need", need_id=need.id))


@bp.route("/needs")
@require(Permission.READ_TRAINING)
def needs():
    """Every need of a year, grouped by area and counted by reason (§2.1)."""
    year = _year()
    state = request.args.get("state", "")
    state = state if state in NEED_STATE_LABELS else ""
    all_needs = svc.needs_of_year(year)
    shown = [n for n in all_needs if not state or n.state == state]
    return render_template("training/needs.html", year=year, years=svc.years(), state=state,
                           groups=svc.grouped(all_needs), needs=shown,
                           reasons=list(REASON_LABELS))


# -- plan items -------------------------------------------------------------------------


def _item_form(item: PlanItem | None) -> ItemForm:
    form = ItemForm(obj=item) if item is not None and request.method == "GET" else ItemForm()
    courses = db.session.execute(sa.select(Course).where(Course.retired_at.is_(None))
                                 .order_by(Course.title)).scalars().all()
    form.course_id.choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.title)
                                                        for c in courses]
    form.teams.choices = [SelectChoice(t.id, t.name) for t in db.session.execute(
        sa.select(Team).order_by(Team.name)).scalars()]
    if item is None:
        _offer_needs(form)
    else:
        del form.needs
        if request.method == "GET":
            _show_audience(form, item)
    return form


def _offer_needs(form: ItemForm) -> None:
    """A new item may answer the year's waiting needs; ``?need=`` ticks one."""
    year = (form.starts_on.data.year if form.starts_on.data else _year())
    form.needs.choices = [SelectChoice(n.id, f"{need_area_label(n.area)} · {n.topic}")
                          for n in svc.needs_of_year(year, NeedState.SUBMITTED)]
    asked = request.args.get("need", type=int)
    if request.method == "GET" and asked:
        form.needs.data = [asked]


def _show_audience(form: ItemForm, item: PlanItem) -> None:
    resolved = svc.audience_of(item)
    form.course_id.data = item.course_id or 0
    form.teams.data = [t.id for t in resolved.teams]
    form.people.data = "\n".join(u.email for u in resolved.people)


def need_area_label(area: str) -> str:
    return str(AREA_LABELS.get(area, _("Other")))


def _flash_refusal(form, refused: svc.TrainingRefused) -> None:
    """Undo the step; show why, at the top and beside the field to blame."""
    db.session.rollback()
    if refused.field and refused.field in form:
        form[refused.field].errors = [*form[refused.field].errors, str(refused)]
    flash(str(refused), "error")


@bp.route("/items/new", methods=["GET", "POST"])
@require(Permission.MANAGE_TRAINING_PLAN)
def new_item():
    form = _item_form(None)
    if form.validate_on_submit():
        chosen = [db.session.get(TrainingNeed, i) for i in form.needs.data or []]
        try:
            item = svc.create_item(form.values(), form.audience_choice(), current_user,
                                   [n for n in chosen if n is not None])
        except svc.TrainingRefused as refused:
            _flash_refusal(form, refused)
        else:
            flash(_("Added to the %(year)d plan.", year=item.year), "success")
            return redirect(url_for("training.item", item_id=item.id))
    return render_template("training/item_form.html", form=form, item=None)


def _item(item_id: int) -> PlanItem:
    item = db.session.get(PlanItem, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_TRAINING_PLAN)
def edit_item(item_id: int):
    item = _item(item_id)
    form = _item_form(item)
    if form.validate_on_submit():
        try:
            svc.update_item(item, form.values(), form.audience_choice(), current_user)
        except svc.TrainingRefused as refused:
            _flash_refusal(form, refused)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("training.item", item_id=item.id))
    return render_template("training/item_form.html", form=form, item=item)


@bp.route("/items/<int:item_id>")
def item(item_id: int):
    """An item: what, when, for whom; attendance or completion; certificates."""
    item = _item(item_id)
    managing = can(current_user, Permission.MANAGE_TRAINING_PLAN)
    reading = can(current_user, Permission.READ_TRAINING)
    marks = svc.recorded_attendance(item)
    return render_template(
        "training/item.html", item=item, marks=marks,
        figures=plan_execution.execution([item], item.year).items[0],
        people=_listed_people(item, marks) if reading else [],
        audience=svc.audience_of(item), for_me=svc.is_for(item, current_user),
        my_mark=marks.get(current_user.id), needs=svc.needs_of_item(item),
        certificates=svc.certificates(item, None if reading else current_user),
        managing=managing, reading=reading,
        status_form=_status_form(item) if managing else None,
        certificate_form=_certificate_form(item, marks, managing), action_form=ActionForm(),
        today=local_today())


def _listed_people(item: PlanItem, marks: dict[int, Attendance]) -> list[User]:
    """Whom attendance is taken for; people marked but no longer in the audience stay."""
    people = svc.members(item) if item.sessions else []
    listed = {p.id for p in people}
    return people + [person for uid in marks if uid not in listed
                     if (person := db.session.get(User, uid)) is not None]


def _status_form(item: PlanItem) -> StatusForm:
    form = StatusForm()
    form.status.choices = [SelectChoice(s, STATUS_LABELS[s]) for s in next_statuses(item.status)]
    return form


def _certificate_form(item: PlanItem, marks: dict[int, Attendance],
                      managing: bool) -> CertificateForm | None:
    """Trainers attach for any attendee; an attendee for themselves."""
    if item.delivery != "external":
        return None
    attended = [uid for uid, mark in marks.items() if mark.status == "attended"]
    if not managing:
        attended = [uid for uid in attended if uid == current_user.id]
    if not attended:
        return None
    form = CertificateForm()
    people = db.session.execute(sa.select(User).where(User.id.in_(attended))
                                .order_by(User.display_name)).scalars()
    form.person.choices = [SelectChoice(p.id, p.display_name) for p in people]
    return form


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@require(Permission.MANAGE_TRAINING_PLAN)
def set_status(item_id: int):
    item = _item(item_id)
    form = StatusForm()
    form.status.choices = [SelectChoice(s, STATUS_LABELS[s]) for s in STATUS_LABELS]
    if form.validate_on_submit():
        carry_out(lambda: svc.set_status(item, form.status.data, current_user, form.note.data),
                  svc.TrainingRefused, _("Saved."))
    else:
        flash(_("Choose a status from the list."), "error")
    return redirect(url_for("training.item", item_id=item.id))


@bp.route("/items/<int:item_id>/attendance", methods=["POST"])
@require(Permission.MANAGE_TRAINING_PLAN)
def attendance(item_id: int):
    """One form for the whole list: a mark (or none) and a note per person."""
    item = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    marks, notes = {}, {}
    for key, value in request.form.items():
        prefix, _sep, ident = key.partition("-")
        if ident.isdigit() and prefix == "mark":
            marks[int(ident)] = value
        elif ident.isdigit() and prefix == "note":
            notes[int(ident)] = value
    carry_out(lambda: svc.record_attendance(item, marks, current_user, notes),
              svc.TrainingRefused,
              lambda changed: _("Attendance saved (%(num)d changed).", num=changed))
    return redirect(url_for("training.item", item_id=item.id) + "#attendance")


@bp.route("/items/<int:item_id>/certificates", methods=["POST"])
def attach_certificate(item_id: int):
    item = _item(item_id)
    form = _certificate_form(item, svc.recorded_attendance(item),
                             can(current_user, Permission.MANAGE_TRAINING_PLAN))
    if form is None:
        abort(403)
    if form.validate_on_submit():
        person = db.get_or_404(User, form.person.data)  # one of the attendees offered
        upload = form.file.data
        data = upload.read(uploads.MAX_BYTES + 1)
        carry_out(lambda: svc.attach_certificate(item, person, upload.filename or "", data,
                                                 current_user),
                  svc.TrainingRefused, _("Certificate attached."))
    else:
        flash(_("Choose the attendee and the file."), "error")
    return redirect(url_for("training.item", item_id=item.id) + "#certificates")


@bp.route("/certificates/<int:certificate_id>")
def certificate(certificate_id: int):
    stored = db.session.get(Certificate, certificate_id)
    if stored is None or not can(current_user, Permission.VIEW_CERTIFICATE, stored):
        abort(404)
    return uploads.download(stored.data, stored.filename, stored.media_type)


# -- execution --------------------------------------------------------------------------


@bp.route("/execution")
@require(Permission.READ_TRAINING)
def execution():
    """§2.2, §4.1: planned against delivered, attendance and completion, for a year."""
    year = _year()
    figures = plan_execution.execution(svc.plan_of(year), year)
    return render_template("training/execution.html", year=year, years=svc.years(),
                           figures=figures, chart=plan_execution.chart(figures.by_delivery))
