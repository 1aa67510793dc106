"""The assessments blueprint and what its views share: finding a period or a person's
record the viewer may see (404 otherwise, so IDs reveal nothing), and the way back.

The routes are in :mod:`app.assessments.views` (periods, the record, scoring) and
:mod:`app.assessments.follow_up_views` (after publication).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.assessments import indicators as ind
from app.assessments import presenter as pages
from app.assessments import services as svc
from app.assessments.labels import (
    BAND_LABELS,
    CHANGE_STATE_LABELS,
    INDICATOR_LABELS,
    PART_LABELS,
    PAY_LABELS,
    PERIOD_STATE_LABELS,
    RECORD_STATE_LABELS,
)
from app.assessments.models import AssessmentPeriod, AssessmentRecord, PeriodState, RecordState
from app.auth.models import User
from app.auth.permissions import Permission, can, ensure
from app.extensions import db
from app.main.actions import carry_out

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


@bp.app_context_processor
def _labels() -> dict:
    return {"indicator_label": lambda k: INDICATOR_LABELS.get(k, k),
            "band_label": lambda b: BAND_LABELS.get(b, b) if b else "—",
            "part_label": lambda p: PART_LABELS.get(p, p),
            "pay_label": lambda p: PAY_LABELS.get(p, p),
            "period_state_label": lambda s: PERIOD_STATE_LABELS.get(s, s),
            "record_state_label": lambda s: RECORD_STATE_LABELS.get(s, s),
            "change_state_label": lambda s: CHANGE_STATE_LABELS.get(s, s),
            "indicator_keys": ind.INDICATORS}


@bp.context_processor
def _states() -> dict:
    """The assessment pages compare states with the enum members, never with strings."""
    return {"PeriodState": PeriodState, "RecordState": RecordState}


def period_or_404(period_id: int) -> AssessmentPeriod:
    period = db.session.get(AssessmentPeriod, period_id)
    if period is None:
        abort(404)
    visible = pages.sees_every_period(current_user) or (
        period.state != PeriodState.PLANNING and svc.covers(period, current_user))
    if not visible:
        abort(404)
    return period


def person_record_or_404(period: AssessmentPeriod, person_id: int,
                         permission: Permission = Permission.VIEW_RECORD,
                         ) -> tuple[User, AssessmentRecord]:
    """The person of the period and their record (unsaved while there is none), when the
    viewer may see it; ``permission`` on it is then required (403 without)."""
    person = db.session.get(User, person_id)
    if person is None or not svc.covers(period, person):
        abort(404)
    record = svc.find_record(period, person) or svc.unsaved_record(period, person)
    if not can(current_user, Permission.VIEW_RECORD, record):
        abort(404)
    ensure(permission, record)
    return person, record


def to_period(period: AssessmentPeriod) -> Response:
    return redirect(url_for("assessments.period", period_id=period.id))


def back_to_record(period: AssessmentPeriod, person: User) -> Response:
    return redirect(url_for("assessments.record", period_id=period.id, person_id=person.id))


def refusable(step: Callable[[], object], period: AssessmentPeriod, person: User,
              success: str) -> Response:
    """Run a service step (see app.main.actions.carry_out), then back to the record."""
    carry_out(step, svc.AssessmentRefused, success)
    return back_to_record(period, person)


def form_step(form: FlaskForm, invalid: str, step: Callable[[], object],
              period: AssessmentPeriod, person: User, success: str) -> Response:
    """Run ``step`` when ``form`` is valid, else say ``invalid``; back to the record."""
    if not form.validate_on_submit():
        flash(invalid, "error")
        return back_to_record(period, person)
    return refusable(step, period, person, success)
