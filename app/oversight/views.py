"""The supervision group's pages (§4.1: it reads everything): the audit log, the
supervision dashboard and everyone's archives (§4.3)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from app.assessments.models import AssessmentPeriod
from app.audit import checkpoints
from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.permissions import Permission, require
from app.database import utcnow
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.evaluations import services as evaluations
from app.extensions import db
from app.oversight import dashboard
from app.oversight.archive import entries as archive
from app.oversight.archive import exports as archive_exports
from app.oversight.archive import labels as archive_labels
from app.training import execution as plan_execution
from app.training import services as training

bp = Blueprint("oversight", __name__, url_prefix="/oversight")


@bp.app_context_processor
def _labels() -> dict:
    return {"archive_kind_label": archive_labels.kind_label,
            "archive_status_label": archive_labels.status_label}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    person = StringField(_l("Person (email or name)"), validators=[Optional(), Length(max=254)])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=80)])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=80)])
    object_id = StringField(_l("Object ID"), validators=[Optional(), Length(max=80)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


def _filtered_entries(form: AuditFilterForm) -> sa.Select:
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if form.person.data:
        like = f"%{form.person.data.strip()}%"
        people = sa.select(User.id).where(sa.or_(User.email.ilike(like),
                                                 User.display_name.ilike(like)))
        stmt = stmt.where(sa.or_(AuditEntry.actor_id.in_(people),
                                 AuditEntry.actor_label.ilike(like),
                                 sa.and_(AuditEntry.object_type == "users",
                                         AuditEntry.object_id.in_(
                                             people.with_only_columns(
                                                 sa.cast(User.id, sa.String))))))
    if form.action.data:
        stmt = stmt.where(AuditEntry.action.ilike(f"{form.action.data.strip()}%"))
    if form.object_type.data:
        stmt = stmt.where(AuditEntry.object_type == form.object_type.data.strip())
    if form.object_id.data:
        stmt = stmt.where(AuditEntry.object_id == form.object_id.data.strip())
    if form.since.data:
        start = datetime.combine(form.since.data, time(), tzinfo=get_timezone())
        stmt = stmt.where(AuditEntry.created_at >= start)
    if form.until.data:
        end = datetime.combine(form.until.data, time(), tzinfo=get_timezone()) + timedelta(days=1)
        stmt = stmt.where(AuditEntry.created_at < end)
    return stmt


@bp.route("/audit")
@require(Permission.READ_AUDIT)
def audit_log():
    form = AuditFilterForm(request.args)
    valid = form.validate()
    stmt = _filtered_entries(form) if valid else sa.select(AuditEntry).where(sa.false())
    page = db.paginate(stmt, per_page=current_app.config["AUDIT_PAGE_SIZE"], error_out=False)
    return render_template("oversight/audit.html", form=form, page=page,
                           checkpoints=_checkpoints())


def _checkpoints() -> checkpoints.CheckpointPanel:
    return checkpoints.panel(current_app.config["AUDIT_CHECKPOINT_FILE"])


@bp.route("/supervision")
@require(Permission.SUPERVISE)
def supervision():
    """§4.1: assessment progress, results by team and manager, late evaluations,
    reviewer consistency, complaints by age, question flags and the year's training plan
    execution, on one page."""
    now = utcnow()
    progress = dashboard.period_progress()
    latest = next((p.period for p in progress if p.states), None)
    consistency = sorted(evaluations.reviewer_consistency(),
                         key=lambda pair: abs(pair[1].mean_difference or Decimal(0)),
                         reverse=True)[:5]
    return render_template(
        "oversight/supervision.html", progress=progress, latest=latest,
        by_team=dashboard.results_by(latest, "team") if latest else [],
        by_manager=dashboard.results_by(latest, "manager") if latest else [],
        late=dashboard.late_evaluations(now), consistency=consistency,
        complaint_ages=dashboard.complaints_by_age(now.date()), now=now,
        question_flags=dashboard.question_flags(),
        plan=plan_execution.execution(training.plan_of(now.year), now.year),
        checkpoints=_checkpoints())


@bp.route("/archives")
@require(Permission.VIEW_PERSON)
def archives():
    """§4.3: every period's archive as a file, and each active person's archive page."""
    return render_template("oversight/archives.html", periods=archive.periods(),
                           people=archive.active_people())


@bp.route("/archive/<int:period_id>.csv", defaults={"kind": "csv"})
@bp.route("/archive/<int:period_id>.xlsx", defaults={"kind": "xlsx"})
@require(Permission.VIEW_PERSON)
def archive_export(period_id: int, kind: str):
    """§4.3: everyone's archive entries dated within one period, as CSV or Excel."""
    period = db.get_or_404(AssessmentPeriod, period_id)
    if kind == "csv":
        data, mimetype = archive_exports.period_csv(period), CSV_TYPE
    else:
        data, mimetype = archive_exports.period_xlsx(period), XLSX_TYPE
    return attachment(data, f"archive-period-{period.id}.{kind}", mimetype)
