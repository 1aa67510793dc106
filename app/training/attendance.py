"""Attendance of a plan item's sessions, and certificates of external items (§2.4).

Functions flush; the request commits. Each change to someone's training history is
audited with before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

import app.uploads as uploads
from app.audit import log as audit
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.i18n import local_today
from app.templating import display_date
from app.training.audiences import members
from app.training.errors import TrainingRefused
from app.training.models import ATTENDANCE, Attendance, Certificate, PlanItem
from app.training.states import ItemStatus


@dataclass(frozen=True)
class Mark:
    """One person's mark as the form gives it: ``""`` clears it."""

    user_id: int
    status: str
    note: str


def recorded_attendance(item: PlanItem) -> dict[int, Attendance]:
    return {row.user_id: row for row in db.session.execute(sa.select(Attendance).where(
        Attendance.item_id == item.id)).scalars()}


def _check_attendance_open(item: PlanItem) -> None:
    """TrainingRefused unless the item has sessions that have begun."""
    if not item.sessions:
        raise TrainingRefused(_l("Online items count course completions; there is no "
                                 "attendance to take."))
    if item.status == ItemStatus.CANCELLED:
        raise TrainingRefused(_l("The item is cancelled: nobody attended it."))
    if item.starts_on > local_today():
        raise TrainingRefused(_l("It starts on %(day)s: take attendance once it has begun.",
                                 day=display_date(item.starts_on)))


def record_attendance(item: PlanItem, marks: dict[int, str], actor: User,
                      notes: dict[int, str] | None = None) -> int:
    """Set attended / absent / excused for the people given (``""`` clears a mark), and
    return how many changed. Only people the item is for, or already marked, are marked."""
    notes = notes or {}
    _check_attendance_open(item)
    existing = recorded_attendance(item)
    allowed = {u.id for u in members(item)} | set(existing)
    changed = 0
    for user_id, status in marks.items():
        if status and status not in ATTENDANCE:
            raise TrainingRefused(_l("Mark each person attended, absent or excused."))
        if user_id not in allowed:
            raise TrainingRefused(_l("Only people the item is for can be marked."))
        mark = Mark(user_id, status, (notes.get(user_id) or "").strip()[:300])
        changed += _set_mark(item, existing.get(user_id), mark, actor)
    db.session.flush()
    return changed


def _set_mark(item: PlanItem, row: Attendance | None, mark: Mark, actor: User) -> bool:
    """Add, change or clear one person's mark, audited; False when it already stood."""
    before = (row.status, row.note) if row else ("", "")
    if before == (mark.status, mark.note if mark.status else ""):
        return False
    if row is None:
        db.session.add(Attendance(item_id=item.id, user_id=mark.user_id, status=mark.status,
                                  note=mark.note, recorded_by_id=actor.id))
    elif not mark.status:
        db.session.delete(row)
    else:
        row.status, row.note = mark.status, mark.note
        row.recorded_by_id, row.recorded_at = actor.id, utcnow()
    audit.record("plan_item.attendance", item, actor=actor,
                 before={"person": mark.user_id, "status": before[0] or None},
                 after={"person": mark.user_id, "status": mark.status or None,
                        "note": mark.note})
    return True


def attach_certificate(item: PlanItem, person: User, filename: str, data: bytes,
                       actor: User) -> Certificate:
    """An external item's certificate or report, for someone who attended it."""
    if item.delivery != "external":
        raise TrainingRefused(_l("Certificates are kept for external courses and seminars."))
    mark = recorded_attendance(item).get(person.id)
    if mark is None or mark.status != "attended":
        raise TrainingRefused(_l("Only someone marked as attended can have a certificate "
                                 "for it."))
    try:
        values = uploads.stored(filename, data, actor)
    except uploads.UploadRefused as refused:
        raise TrainingRefused(str(refused), "file") from refused
    stored = Certificate(item_id=item.id, user_id=person.id, **values)
    db.session.add(stored)
    db.session.flush()
    audit.record("plan_item.certificate", item, actor=actor,
                 after={"person": person.id, "file": stored.filename, "sha256": stored.sha256})
    return stored


def certificates(item: PlanItem, person: User | None = None) -> list[Certificate]:
    query = sa.select(Certificate).where(Certificate.item_id == item.id)
    if person is not None:
        query = query.where(Certificate.user_id == person.id)
    return list(db.session.execute(query.order_by(Certificate.id)).scalars())
