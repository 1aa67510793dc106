"""Courses changed from the browser: a zip or one lesson checked, rehearsed, applied;
a course retired or restored. The same checker and sync as ``flask courses sync``.

Services flush and never commit; refusals raise :class:`CourseRefused`.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.log import record
from app.courses.archive import ArchiveRefused, Limits, unpack_course
from app.courses.audit import audit_sync
from app.courses.export import course_files
from app.courses.loader import Problem
from app.courses.models import Course, Lesson
from app.courses.sync import CourseChange, SyncReport, retire_course_and_lessons, sync_courses
from app.database import utcnow
from app.database.session import rehearse
from app.extensions import db


class CourseRefused(ValueError):
    """Nothing was changed; the message says why."""


@dataclass
class CheckResult:
    """What checking an upload found: its course, every problem, what loading would do."""

    slug: str
    problems: list[Problem] = field(default_factory=list)
    change: CourseChange | None = None


def _with_unpacked(data: bytes, slug_hint: str, limits: Limits,
                   step: Callable[[Path], SyncReport]) -> tuple[str, SyncReport]:
    """Unpack the zip into a scratch ``courses/`` folder and run ``step`` on it."""
    with tempfile.TemporaryDirectory(prefix="course-upload-") as scratch:
        root = Path(scratch) / "courses"
        root.mkdir()
        slug = unpack_course(data, root, slug_hint, limits)
        return slug, step(root)


def check_zip(data: bytes, slug_hint: str, limits: Limits) -> CheckResult:
    """The checker's problems, or the dry run's change; nothing kept. Raises ArchiveRefused."""
    slug, report = _with_unpacked(
        data, slug_hint, limits, lambda root: rehearse(lambda: sync_courses(root, prune=False)))
    return CheckResult(slug, report.problems, report.courses[0] if report.courses else None)


def apply_zip(data: bytes, slug_hint: str, limits: Limits, actor: Any) -> CourseChange:
    """Load the checked zip exactly as sync does (versioned, audited), or change nothing."""
    try:
        _, report = _with_unpacked(data, slug_hint, limits,
                                   lambda root: sync_courses(root, prune=False))
    except ArchiveRefused as refused:
        raise CourseRefused(str(refused)) from None
    if not report.ok or not report.courses:
        raise CourseRefused(_l("The course has problems now: upload it again to see them."))
    audit_sync(report, actor=actor, how="browser")
    return report.courses[0]


def lesson_replaced_zip(course: Course, filename: str, data: bytes) -> bytes:
    """The course's stored files as a zip, with one lesson file replaced by ``data``.

    Raises SourcesMissing when the course's files were never kept.
    """
    files = course_files(course)
    if filename not in files or filename == "course.md" or not filename.endswith(".md"):
        raise CourseRefused(_l("%(name)s is not a lesson of this course: choose one of its "
                               "lessons, or upload the whole course as a zip to add one.",
                               name=filename))
    files[filename] = data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(f"{course.slug}/{path}", content)
    return buffer.getvalue()


def retire_course(course: Course, actor: Any) -> int:
    """Retire a live course and its lessons (progress kept); returns the lessons retired."""
    if course.retired_at is not None:
        raise CourseRefused(_l("This course is already retired."))
    change = retire_course_and_lessons(course)
    db.session.flush()
    record("course.retired", course, actor=actor,
           after={"slug": course.slug, "lessons": dict(change.lessons), "from": "browser"})
    return change.lessons["retired"]


def restore_course(course: Course, actor: Any) -> int:
    """Bring back a retired course with the lessons retired with it; returns their number."""
    if course.retired_at is None:
        raise CourseRefused(_l("This course is not retired."))
    lessons = db.session.execute(sa.select(Lesson).where(
        Lesson.course_id == course.id, Lesson.retired_at == course.retired_at)).scalars().all()
    for lesson in lessons:
        lesson.retired_at = None
    course.retired_at, course.updated_at = None, utcnow()
    db.session.flush()
    record("course.restored", course, actor=actor,
           after={"slug": course.slug, "lessons": {"restored": len(lessons)},
                  "from": "browser"})
    return len(lessons)
