"""Assessment pages after publication: the interview, the improvement plan, the decision
on the use of the result, and changes to a published record (§3.3.5, §3.4, §1.3)."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.assessments import changes, follow_up
from app.assessments import indicators as ind
from app.assessments import presenter as pages
from app.assessments.blueprint import (
    back_to_record,
    bp,
    form_step,
    period_or_404,
    person_record_or_404,
    refusable,
)
from app.assessments.forms import (
    ActionForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    DecisionForm,
    ImprovementItemForm,
    InterviewForm,
)
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    ChangeRequest,
    ImprovementItem,
)
from app.assessments.services import AssessmentRefused
from app.auth.models import User
from app.auth.permissions import Permission, can, ensure
from app.extensions import db


def _follow_up(period_id: int, person_id: int
               ) -> tuple[AssessmentPeriod, User, AssessmentRecord]:
    period = period_or_404(period_id)
    person, record = person_record_or_404(period, person_id, Permission.FOLLOW_UP_RECORD)
    return period, person, record


@bp.route("/periods/<int:period_id>/people/<int:person_id>/interview", methods=["POST"])
def interview(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = InterviewForm()
    return form_step(form, _("Give the date and the notes of the interview."),
                     lambda: follow_up.record_interview(record, form.held_on.data,
                                                        form.notes.data, current_user),
                     period, person, _("Interview recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/plan", methods=["POST"])
def add_plan_item(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = ImprovementItemForm()
    form.courses.choices = pages.course_choices()
    return form_step(form, _("Give the item a goal and a due date."),
                     lambda: follow_up.add_item(record, form.goal.data, form.action.data or "",
                                                form.due_on.data, form.courses.data or [],
                                                current_user),
                     period, person, _("Item added to the improvement plan."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/plan/<int:item_id>",
          methods=["POST"])
def toggle_plan_item(period_id: int, person_id: int, item_id: int):
    """The person or their manager marks an item done (or not done)."""
    period = period_or_404(period_id)
    person, record = person_record_or_404(period, person_id)
    item = db.session.get(ImprovementItem, item_id)
    if item is None or item.record_id != record.id or not ActionForm().validate_on_submit():
        abort(404)
    if current_user.id != person.id and not can(current_user, Permission.FOLLOW_UP_RECORD,
                                                record):
        abort(403)
    return refusable(lambda: follow_up.mark_done(item, current_user, item.done_at is None),
                     period, person, _("Improvement plan updated."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/decision", methods=["POST"])
def decision(period_id: int, person_id: int):
    period, person, record = _follow_up(period_id, person_id)
    form = DecisionForm()
    form.courses.choices = pages.course_choices()
    if not form.validate_on_submit():
        abort(400)
    return refusable(lambda: follow_up.decide(
        record, current_user, pay=form.pay.data, promotion_priority=form.promotion_priority.data,
        course_ids=form.courses.data or [], position_review=form.position_review.data,
        comment=form.comment.data or ""), period, person, _("Decision recorded."))


@bp.route("/periods/<int:period_id>/people/<int:person_id>/changes", methods=["POST"])
def request_change(period_id: int, person_id: int):
    """A refused request is shown again with what was typed and each problem at its field."""
    period, person, record = _follow_up(period_id, person_id)
    form = ChangeRequestForm()
    if form.validate_on_submit() and _requested(form, record):
        flash(_("Change requested: it takes effect once an admin or another manager "
                "approves it."), "success")
        return back_to_record(period, person)
    return render_template("assessments/change_request.html", period=period, person=person,
                           record=record, form=form)


def _requested(form: ChangeRequestForm, record: AssessmentRecord) -> bool:
    try:
        changes.request_change(record, current_user, form.reason.data,
                               indicators={k: form[k].data for k in ind.INDICATORS},
                               went_well=form.went_well.data, problems=form.problems.data)
    except AssessmentRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    return True


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
        return back_to_record(record.period, record.person)
    decide = changes.approve if form.decision.data == "approve" else changes.reject
    return refusable(lambda: decide(change, current_user, form.note.data or ""),
                     record.period, record.person, _("Decision on the change recorded."))
