"""Home page, the health check and each person's archive."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.assessments.models import AssessmentRecord, RecordState
from app.auth.models import User
from app.auth.permissions import Permission, can, public
from app.complaints.models import Complaint
from app.database import utcnow
from app.database.concurrency import writes_on_get
from app.downloads import PDF_TYPE, attachment
from app.evaluations.services import queue
from app.extensions import db
from app.i18n import local_today
from app.main import health
from app.main.navigation import navigation_context
from app.oversight.archive import entries as archive_service
from app.oversight.archive.pdf import archive_pdf as build_archive_pdf
from app.training import services as training

bp = Blueprint("main", __name__)
bp.app_context_processor(navigation_context)


@bp.route("/")
def home():
    """The dashboard: what is waiting for the person, then the areas they may use."""
    records = db.session.execute(sa.select(AssessmentRecord).where(
        AssessmentRecord.person_id == current_user.id,
        AssessmentRecord.state == RecordState.PUBLISHED)).scalars().all()
    answered = db.session.execute(sa.select(Complaint).where(
        Complaint.author_id == current_user.id,
        Complaint.closed_on >= local_today() - timedelta(days=30))).scalars().all()
    return render_template("main/home.html", records_to_read=records,
                           reviews_owed=len(queue(current_user)), answered=answered,
                           training=training.upcoming_for(current_user))


@bp.route("/healthz")
@public
def healthz():
    """200 when the database answers a read, 503 otherwise (for load balancers)."""
    return health.read_check()


@bp.route("/healthz/write")
@public
@writes_on_get
def healthz_write():
    """200 when the database takes a committed write, 503 otherwise (for monitors)."""
    return health.write_check()


def _viewable_person(person_id: int) -> User:
    """§4.3: the person's archive is seen by them, their manager, supervisors and admins;
    anyone else gets "not found"."""
    person = db.session.get(User, person_id)
    if person is None or not can(current_user, Permission.VIEW_PERSON, person):
        abort(404)
    return person


@bp.route("/people/<int:person_id>/archive")
def archive(person_id: int):
    """§4.3: the person's archive, by assessment period."""
    person = _viewable_person(person_id)
    items = archive_service.entries(person)
    return render_template("oversight/archive.html", person=person,
                           groups=archive_service.by_period(items),
                           own=person.id == current_user.id)


@bp.route("/people/<int:person_id>/archive.pdf")
def archive_pdf(person_id: int):
    """§4.3: the same archive as a PDF to print and file."""
    person = _viewable_person(person_id)
    groups = archive_service.by_period(archive_service.entries(person))
    return attachment(build_archive_pdf(person, groups, utcnow()), f"archive-{person.id}.pdf",
                      PDF_TYPE)
