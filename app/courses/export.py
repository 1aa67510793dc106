"""A course's files as stored (course.md, lessons, assets): a folder or a zip again.

The same layout as ``courses/<slug>/``, so a course changed in the browser can go back
into git, and a single lesson can be replaced by checking the whole course again.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.courses.models import Course, CourseAsset, Lesson, LessonVersion
from app.extensions import db


class SourcesMissing(LookupError):
    """The course was loaded before its files were kept (migration 0015)."""


def lesson_filename(lesson: Lesson) -> str:
    return f"{lesson.position:02d}-{lesson.slug}.md"


def course_files(course: Course) -> dict[str, bytes]:
    """Every file of the course's live version, by path inside its folder."""
    rows = db.session.execute(
        sa.select(Lesson, LessonVersion.source)
        .join(LessonVersion, sa.and_(LessonVersion.lesson_id == Lesson.id,
                                     LessonVersion.version == Lesson.version))
        .where(Lesson.course_id == course.id, Lesson.retired_at.is_(None))
        .order_by(Lesson.position)).all()
    missing = [lesson_filename(lesson) for lesson, source in rows if not source]
    if not course.source or missing:
        raise SourcesMissing(_l("%(slug)s was loaded before the app kept course files: load "
                                "it once more with `flask courses sync` or a zip upload, "
                                "then download it.", slug=course.slug))
    files = {"course.md": course.source.encode("utf-8")}
    files.update({lesson_filename(lesson): source.encode("utf-8") for lesson, source in rows})
    for path, data in db.session.execute(sa.select(CourseAsset.path, CourseAsset.data).where(
            CourseAsset.course_id == course.id).order_by(CourseAsset.path)).all():
        files[path] = data
    return files


def write_folder(files: dict[str, bytes], folder: Path) -> None:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def course_zip(course: Course) -> bytes:
    """The course as ``<slug>/...`` in a zip, ready to unzip into ``courses/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in course_files(course).items():
            archive.writestr(f"{course.slug}/{path}", data)
    return buffer.getvalue()
