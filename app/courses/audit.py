"""Audit entries for course loads, from the command line and from the browser alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.audit.log import record
from app.courses.models import Course
from app.courses.sync import SyncReport
from app.extensions import db


def audit_sync(report: SyncReport, *, actor: Any = None, actor_label: str | None = None,
               how: str = "folder") -> None:
    """One entry per course the load added, changed or retired (unchanged ones: none)."""
    slugs = [change.slug for change in report.courses if change.status != "unchanged"]
    if not slugs:
        return
    ids = dict(db.session.execute(
        sa.select(Course.slug, Course.id).where(Course.slug.in_(slugs))).all())
    for change in report.courses:
        if change.status == "unchanged":
            continue
        record(f"course.{change.status}", object_type="courses", object_id=ids[change.slug],
               actor=actor, actor_label=actor_label,
               after={"slug": change.slug, "lessons": dict(change.lessons), "from": how})
