"""The page correcting an open period's plan (app.assessments.plan_changes): the form
while no record is published, and the way to change a published record once one is."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.assessments import plan_change_pages as pages
from app.assessments import plan_changes
from app.assessments.blueprint import bp, period_or_404, to_period
from app.assessments.forms import PLAN_PART_FIELDS, PlanCorrectionForm
from app.assessments.models import AssessmentPeriod, PeriodState
from app.assessments.services import AssessmentRefused
from app.auth.permissions import Permission, require
from app.extensions import db


@bp.route("/periods/<int:period_id>/plan/correct", methods=["GET", "POST"])
@require(Permission.MANAGE_PERIODS)
def correct_plan(period_id: int):
    """While planning the plan is edited; afterwards corrected with a reason."""
    period = period_or_404(period_id)
    if period.state == PeriodState.PLANNING:
        return redirect(url_for("assessments.edit_period", period_id=period.id))
    form = pages.correction_form()
    if request.method == "GET":
        form.fill_plan(period)
    elif form.validate_on_submit() and _corrected(form, period):
        return to_period(period)
    return render_template("assessments/correct_plan.html", form=form, period=period,
                           **pages.plan_status(period, current_user))


def _corrected(form: PlanCorrectionForm, period: AssessmentPeriod) -> bool:
    """Correct the plan, or show the refusal beside the part it concerns (typed input kept)."""
    try:
        plan_changes.correct_plan(period, form.correction(), form.reason.data or "",
                                  current_user)
    except AssessmentRefused as refused:
        db.session.rollback()
        name = PLAN_PART_FIELDS.get(refused.field or "", refused.field)
        if name and name in form:
            form[name].errors = [*form[name].errors, str(refused)]
        else:
            flash(str(refused), "error")
        return False
    flash(_("Plan corrected. Records not yet published follow the corrected plan."), "success")
    return True
