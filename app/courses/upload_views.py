"""Trainers' course pages: upload a zip or one lesson, dry run, confirm; retire, restore,
download. The same checker and sync as ``flask courses sync``."""

from __future__ import annotations

from pathlib import Path, PurePath

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from app.auth.permissions import Permission, require
from app.courses import staging
from app.courses.admin_forms import (
    ConfirmCourseForm,
    CourseStateForm,
    CourseZipForm,
    LessonFileForm,
)
from app.courses.archive import ArchiveRefused, Limits
from app.courses.export import SourcesMissing, course_zip, lesson_filename
from app.courses.models import Course, Lesson
from app.courses.publish import (
    CheckResult,
    CourseRefused,
    apply_zip,
    check_zip,
    lesson_replaced_zip,
    restore_course,
    retire_course,
)
from app.courses.sync import CourseChange
from app.downloads import attachment
from app.extensions import db
from app.main.actions import carry_out

bp = Blueprint("course_admin", __name__, url_prefix="/course-admin")


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _instance() -> Path:
    return Path(current_app.instance_path)


def _course_or_404(slug: str) -> Course:
    return db.one_or_404(sa.select(Course).where(Course.slug == slug))


def _read_limited(upload: FileStorage) -> bytes | None:
    """The file's bytes, or None when it is over the zip limit (read no further)."""
    limit = _limits().max_bytes
    data = upload.read(limit + 1)
    return None if len(data) > limit else data


def _too_large() -> str:
    return _("The file is larger than %(limit)d KB, the limit for a course: leave large "
             "videos out and link to them instead.", limit=_limits().max_bytes // 1024)


@bp.route("/")
@require(Permission.MANAGE_COURSES)
def index():
    courses = db.session.execute(sa.select(Course).order_by(Course.title)).scalars().all()
    return render_template("courses/admin_index.html", courses=courses, form=CourseZipForm(),
                           result=None)


@bp.route("/upload", methods=["POST"])
@require(Permission.MANAGE_COURSES)
def upload():
    """Step 1: unpack within the limits, check, rehearse; keep the zip for confirm."""
    form = CourseZipForm()
    courses = db.session.execute(sa.select(Course).order_by(Course.title)).scalars().all()
    page = {"courses": courses, "form": form, "result": None}
    if not form.validate_on_submit():
        return render_template("courses/admin_index.html", **page)
    data = _read_limited(form.file.data)
    hint = form.slug.data or PurePath(form.file.data.filename or "").stem.lower()
    if data is None:
        form.file.errors.append(_too_large())
        return render_template("courses/admin_index.html", **page)
    result = _checked(data, hint, form.file.errors)
    page.update(_confirm_step(result, data, hint))
    return render_template("courses/admin_index.html", **page)


def _checked(data: bytes, hint: str, errors: list) -> CheckResult | None:
    try:
        return check_zip(data, hint, _limits())
    except ArchiveRefused as refused:
        errors.append(str(refused))
        return None


def _confirm_step(result: CheckResult | None, data: bytes, hint: str) -> dict:
    """The result to show, and the confirm form when there is something to apply."""
    if (result is None or result.problems or result.change is None
            or result.change.status == "unchanged"):
        return {"result": result}
    token = staging.stage(_instance(), current_user.id, data, hint)
    return {"result": result, "confirm": ConfirmCourseForm(formdata=None, token=token)}


@bp.route("/confirm", methods=["POST"])
@require(Permission.MANAGE_COURSES)
def confirm():
    """Step 2: apply the very zip the dry run checked, as sync does."""
    form = ConfirmCourseForm()
    if not form.validate_on_submit():
        abort(400)
    kept = staging.staged(_instance(), current_user.id, form.token.data)
    if kept is None:
        flash(_("That check is no longer kept: upload the course again."), "error")
        return redirect(url_for("course_admin.index"))
    applied: list[CourseChange] = []

    def step() -> CourseChange:
        applied.append(apply_zip(kept.data, kept.slug_hint, _limits(), current_user))
        return applied[0]

    done = carry_out(step, CourseRefused, _applied)
    staging.discard(_instance(), current_user.id, form.token.data)
    if not done:
        return redirect(url_for("course_admin.index"))
    return redirect(url_for("course_admin.manage", slug=applied[0].slug))


def _applied(change: object) -> str:
    assert isinstance(change, CourseChange)
    return _("%(slug)s is loaded: %(summary)s", slug=change.slug, summary=summary(change))


def summary(change: CourseChange) -> str:
    """What a load does to the lessons, e.g. 3 lessons changed, 1 added, 1 retired."""
    counts = change.lessons
    return ngettext("%(num)d lesson changed, %(added)d added, %(retired)d retired, "
                    "%(unchanged)d unchanged; progress kept",
                    "%(num)d lessons changed, %(added)d added, %(retired)d retired, "
                    "%(unchanged)d unchanged; progress kept", counts["changed"],
                    added=counts["added"], retired=counts["retired"],
                    unchanged=counts["unchanged"])


@bp.route("/<slug>/")
@require(Permission.MANAGE_COURSES)
def manage(slug: str):
    course = _course_or_404(slug)
    return render_template("courses/admin_course.html", **_manage_page(course))


def _manage_page(course: Course, form: LessonFileForm | None = None) -> dict:
    lessons = db.session.execute(sa.select(Lesson).where(
        Lesson.course_id == course.id, Lesson.retired_at.is_(None))
        .order_by(Lesson.position)).scalars().all()
    form = form or LessonFileForm()
    form.lesson.choices = [(lesson_filename(lesson), f"{lesson_filename(lesson)} · "
                            f"{lesson.title}") for lesson in lessons]
    return {"course": course, "lessons": lessons, "form": form, "result": None,
            "state_form": CourseStateForm()}


@bp.route("/<slug>/lesson", methods=["POST"])
@require(Permission.MANAGE_COURSES)
def replace_lesson(slug: str):
    """One lesson's new file: the whole course checked and rehearsed with it in place."""
    course = _course_or_404(slug)
    page = _manage_page(course, LessonFileForm())
    form = page["form"]
    if not form.validate_on_submit():
        return render_template("courses/admin_course.html", **page)
    if course.retired_at is not None:
        form.file.errors.append(_("Restore the course to change its lessons."))
        return render_template("courses/admin_course.html", **page)
    data = _read_limited(form.file.data)
    if data is None:
        form.file.errors.append(_too_large())
        return render_template("courses/admin_course.html", **page)
    try:
        archive = lesson_replaced_zip(course, form.lesson.data, data)
    except (CourseRefused, SourcesMissing) as refused:
        form.file.errors.append(str(refused))
        return render_template("courses/admin_course.html", **page)
    page.update(_confirm_step(_checked(archive, course.slug, form.file.errors), archive,
                              course.slug))
    return render_template("courses/admin_course.html", **page)


@bp.route("/<slug>/retire", methods=["POST"])
@require(Permission.MANAGE_COURSES)
def retire(slug: str):
    course = _course_or_404(slug)
    if not CourseStateForm().validate_on_submit():
        abort(400)
    carry_out(lambda: retire_course(course, current_user), CourseRefused,
              _("The course is retired: learners no longer see it; their progress is kept."))
    return redirect(url_for("course_admin.manage", slug=slug))


@bp.route("/<slug>/restore", methods=["POST"])
@require(Permission.MANAGE_COURSES)
def restore(slug: str):
    course = _course_or_404(slug)
    if not CourseStateForm().validate_on_submit():
        abort(400)
    carry_out(lambda: restore_course(course, current_user), CourseRefused,
              _("The course is back in the catalogue, with its learners' progress."))
    return redirect(url_for("course_admin.manage", slug=slug))


@bp.route("/<slug>/download")
@require(Permission.MANAGE_COURSES)
def download(slug: str):
    """The course's files as a zip (<slug>/course.md, lessons, assets), ready for git."""
    course = _course_or_404(slug)
    try:
        data = course_zip(course)
    except SourcesMissing as missing:
        flash(str(missing), "error")
        return redirect(url_for("course_admin.manage", slug=slug))
    return attachment(data, f"{course.slug}.zip", "application/zip")


@bp.app_context_processor
def _summary() -> dict:
    return {"course_change_summary": summary}
