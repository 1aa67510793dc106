"""Complaints and suggestions: file one, follow it, and (supervision group) handle it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.permissions import Permission, can, ensure, require
from app.complaints import services as svc
from app.complaints.forms import STATE_LABELS, TOPIC_LABELS, FileForm, HandleForm
from app.complaints.links import may_open
from app.complaints.models import Complaint
from app.complaints.states import OPEN_STATES, choices_from
from app.extensions import db
from app.main.actions import carry_out
from app.main.labels import label_lookups

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


bp.app_context_processor(label_lookups(complaint_state_label=STATE_LABELS,
                                      complaint_topic_label=TOPIC_LABELS))


@bp.app_context_processor
def _matter_helpers() -> dict:
    return {"days_open": svc.days_open, "may_open": lambda path: may_open(current_user, path)}


@bp.route("/")
def index():
    return render_template("complaints/index.html", mine=svc.mine(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = FileForm()
    form.subject.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(f"{s.type}:{s.id}", s.label) for s in svc.subjects_of(current_user)]
    if request.method == "GET" and request.args.get("subject"):
        form.subject.data = request.args["subject"]
    if form.validate_on_submit():
        try:
            complaint = svc.file(current_user, kind=form.kind.data, topic=form.topic.data,
                                 title=form.title.data, body=form.body.data,
                                 anonymous=form.anonymous.data, subject=_subject(form))
        except svc.ComplaintRefused as refused:
            db.session.rollback()
            flash(str(refused), "error")
        else:
            return _filed(complaint)
    return render_template("complaints/new.html", form=form)


def _subject(form: FileForm) -> tuple[str, int] | None:
    """The result chosen as ``type:id``, or None."""
    kind, _sep, ident = (form.subject.data or "").partition(":")
    return (kind, int(ident)) if ident.isdigit() else None


def _filed(complaint: Complaint) -> ResponseReturnValue:
    """Thank the author; an anonymous suggestion has no page they could follow."""
    if complaint.anonymous:
        flash(_("Thank you: your anonymous suggestion has reached the supervision "
                "group."), "success")
        return redirect(url_for("complaints.index"))
    flash(_("Received. You will see its progress here."), "success")
    return redirect(url_for("complaints.show", reference=complaint.reference))


def _complaint(reference: str) -> Complaint:
    """By its random reference: the row id counts up, so it never appears in a URL."""
    complaint = svc.by_reference(reference)
    if complaint is None or not can(current_user, Permission.VIEW_COMPLAINT, complaint):
        abort(404)
    return complaint


@bp.route("/<reference>")
def show(reference: str):
    complaint = _complaint(reference)
    form = _handle_form(complaint)
    return render_template("complaints/show.html", complaint=complaint, form=form,
                           handling=can(current_user, Permission.HANDLE_COMPLAINTS))


def _handle_form(complaint: Complaint) -> HandleForm:
    form = HandleForm(obj=complaint) if request.method == "GET" else HandleForm()
    form.state.choices = [SelectChoice(s, STATE_LABELS[s]) for s in choices_from(complaint.state)]
    form.owner.choices = [SelectChoice(0, _("Nobody yet"))] + [
        SelectChoice(u.id, u.display_name) for u in svc.supervisors()]
    if request.method == "GET":
        form.owner.data = complaint.owner_id or 0
    return form


@bp.route("/<reference>/handle", methods=["POST"])
@require(Permission.HANDLE_COMPLAINTS)
def handle(reference: str):
    complaint = _complaint(reference)
    ensure(Permission.HANDLE_COMPLAINTS)
    form = _handle_form(complaint)
    if not form.validate_on_submit():
        flash(_("Choose a state from the list."), "error")
        return redirect(url_for("complaints.show", reference=complaint.reference))
    owner = next((u for u in svc.supervisors() if u.id == form.owner.data), None)
    carry_out(lambda: svc.handle(complaint, current_user, state=form.state.data, owner=owner,
                                 response=form.response.data,
                                 action_taken=form.action_taken.data,
                                 linked_path=form.linked_path.data),
              svc.ComplaintRefused, _("Saved."))
    return redirect(url_for("complaints.show", reference=complaint.reference))


@bp.route("/all")
@require(Permission.HANDLE_COMPLAINTS)
def queue():
    """The supervision group's queue: open ones first, oldest first, with time open.

    Within a day, by reference (random), not by id: filing order would place an
    anonymous suggestion between signed complaints whose times the audit log shows.
    """
    complaints = db.session.execute(sa.select(Complaint).order_by(
        sa.case((Complaint.state.in_(sorted(OPEN_STATES)), 0), else_=1),
        Complaint.received_on, Complaint.reference)).scalars().all()
    return render_template("complaints/queue.html", complaints=complaints)
