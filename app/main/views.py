"""Home page and the health check."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.assessments.models import AssessmentRecord, RecordState
from app.auth.models import User
from app.auth.permissions import Permission, can, public
from app.complaints.models import Complaint
from app.database import utcnow
from app.evaluations.services import queue
from app.extensions import db
from app.oversight import archive as archive_service

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    """The dashboard: what is waiting for the person, then the areas they may use."""
    records = db.session.execute(sa.select(AssessmentRecord).where(
        AssessmentRecord.person_id == current_user.id,
        AssessmentRecord.state == RecordState.PUBLISHED)).scalars().all()
    answered = db.session.execute(sa.select(Complaint).where(
        Complaint.author_id == current_user.id,
        Complaint.closed_on >= utcnow().date() - timedelta(days=30))).scalars().all()
    return render_template("main/home.html", records_to_read=records,
                           reviews_owed=len(queue(current_user)), answered=answered)


@bp.route("/healthz")
@public
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/people/<int:person_id>/archive")
def archive(person_id: int):
    """§4.3: the person's archive, seen by them, their manager, supervisors and admins."""
    person = db.session.get(User, person_id)
    if person is None or not can(current_user, Permission.VIEW_PERSON, person):
        abort(404)
    items = archive_service.entries(person)
    return render_template("oversight/archive.html", person=person,
                           groups=archive_service.by_period(items),
                           own=person.id == current_user.id)
