"""The supervision group's pages (§4.1: it reads everything): the audit log, the
supervision dashboard and everyone's archives (§4.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.assessments.models import AssessmentPeriod
from app.audit import checkpoints
from app.audit.models import AuditEntry
from app.auth.permissions import Permission, require
from app.database import utcnow
from app.database.concurrency import reads_first
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.evaluations import services as evaluations
from app.extensions import db
from app.oversight import audit_log as audit
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


@bp.route("/audit")
@require(Permission.READ_AUDIT)
def audit_log():
    """§4.1: the audit log in words, filtered, 50 entries a page."""
    return render_template("oversight/audit.html", **_audit_page())


@bp.route("/audit/verify", methods=["POST"])
@require(Permission.READ_AUDIT)
@reads_first
def audit_verify():
    """The whole chain walked and held against the checkpoints, as `flask audit verify`
    (a POST: it may take a while on a long log; CSRFProtect checks the form's token)."""
    return render_template("oversight/audit.html", check=audit.verify(), **_audit_page())


@bp.route("/audit.csv")
@require(Permission.READ_AUDIT)
def audit_csv():
    """The filtered view as a CSV file (every matching entry, not only one page)."""
    form = audit.filter_form(request.args)
    if not form.validate():  # the page says what is wrong with the filters
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("oversight.audit_log", **args))
    return attachment(audit.csv_file(audit.filtered(form), current_user), "audit-log.csv",
                      CSV_TYPE)


def _audit_page() -> dict:
    form = audit.filter_form(request.args)
    valid = form.validate()
    stmt = audit.filtered(form) if valid else sa.select(AuditEntry).where(sa.false())
    size = current_app.config["AUDIT_PAGE_SIZE"]  # 50
    choice = audit.page_number(request.args.get("page"), audit.count(stmt), size)
    page = db.paginate(stmt, page=choice.number, per_page=size, error_out=False)
    return {"form": form, "valid": valid, "page": page, "page_message": choice.message,
            "rows": audit.readable(list(page.items), current_user),
            "audit_sentence": audit.sentence_of, "verify_form": FlaskForm(),
            "checkpoints": _checkpoints()}


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
