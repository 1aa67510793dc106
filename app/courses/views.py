"""Catalogue, course and lesson pages, progress, feedback, trainers' statistics."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import Permission, require
from app.content.markdown import pygments_css
from app.courses import services
from app.courses.forms import (
    AREA_LABELS,
    COURSE_LANGUAGES,
    FAMILY_LABELS,
    CatalogueFilterForm,
    CompleteLessonForm,
    FeedbackForm,
)
from app.courses.models import Course, CourseAsset, Lesson
from app.database.concurrency import writes_on_get
from app.downloads import stored_file
from app.extensions import db

bp = Blueprint("courses", __name__)

# SVG can carry script; served with this policy it cannot run any, even opened directly.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _course_or_404(slug: str) -> Course:
    course = services.live_course(slug)
    if course is None:
        abort(404)
    return course


def _lesson_or_404(course: Course, lessons: list[Lesson], slug: str) -> int:
    for index, lesson in enumerate(lessons):
        if lesson.slug == slug:
            return index
    abort(404)


@bp.route("/courses/")
def catalogue():
    form = CatalogueFilterForm(request.args)
    form.validate()
    groups = services.catalogue(current_user.id, area=form.area.data or "",
                                language=form.language.data or "", text=form.q.data or "")
    return render_template("courses/catalogue.html", form=form, groups=groups,
                           total=sum(len(entries) for entries in groups.values()))


@bp.route("/courses/<slug>/")
def course(slug: str):
    course = _course_or_404(slug)
    lessons = services.current_lessons(course.id)
    done = services.completed_lesson_ids(current_user.id, course.id)
    progress = services.course_progress(current_user.id, course.id)
    return render_template(
        "courses/course.html", course=course, lessons=lessons, done=done, progress=progress,
        percent=services.percent(len(done & {lesson.id for lesson in lessons}), len(lessons)),
        resume=services.resume_lesson(lessons, done, progress),
        feedback=services.feedback_of(current_user.id, course.id))


@bp.route("/courses/<slug>/lessons/<lesson_slug>")
@writes_on_get
def lesson(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lessons = services.current_lessons(course.id)
    index = _lesson_or_404(course, lessons, lesson_slug)
    lesson = lessons[index]
    done = services.completed_lesson_ids(current_user.id, course.id)
    page = render_template(
        "courses/lesson.html", course=course, lesson=lesson, lessons=lessons,
        content=services.lesson_content(lesson), done=done, form=CompleteLessonForm(),
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        percent=services.percent(len(done & {item.id for item in lessons}), len(lessons)))
    services.record_visit(current_user.id, lesson)
    return page


@bp.route("/courses/<slug>/lessons/<lesson_slug>/complete", methods=["POST"])
def complete_lesson(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    lessons = services.current_lessons(course.id)
    index = _lesson_or_404(course, lessons, lesson_slug)
    if not CompleteLessonForm().validate_on_submit():
        abort(400)
    finished = services.complete_lesson(current_user.id, lessons[index])
    if finished:
        flash(_("You completed “%(title)s”. Tell the trainers what you thought of it.",
                title=course.title), "success")
        return redirect(url_for("courses.feedback", slug=slug))
    if index + 1 < len(lessons):
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=lessons[index + 1].slug))
    return redirect(url_for("courses.course", slug=slug))


@bp.route("/courses/<slug>/assets/<path:asset_path>")
def asset(slug: str, asset_path: str):
    """A course's image or document, only from inside that course."""
    course = _course_or_404(slug)
    stored = db.session.execute(sa.select(CourseAsset).where(
        CourseAsset.course_id == course.id, CourseAsset.path == asset_path)).scalar_one_or_none()
    if stored is None:
        abort(404)
    return stored_file(stored.data, stored.content_type, stored.sha256, max_age=3600,
                       policy=SVG_POLICY if stored.content_type == "image/svg+xml" else None)


@bp.route("/courses/<slug>/feedback", methods=["GET", "POST"])
def feedback(slug: str):
    course = _course_or_404(slug)
    progress = services.course_progress(current_user.id, course.id)
    if progress is None or progress.completed_at is None:
        flash(_("Complete the course before rating it."), "info")
        return redirect(url_for("courses.course", slug=slug))
    existing = services.feedback_of(current_user.id, course.id)
    form = FeedbackForm(obj=existing)
    if form.validate_on_submit():
        services.save_feedback(current_user.id, course, form.rating.data, form.comment.data or "")
        flash(_("Thank you: your feedback is saved. You can change it at any time."), "success")
        return redirect(url_for("courses.course", slug=slug))
    return render_template("courses/feedback.html", course=course, form=form,
                           existing=existing)


@bp.route("/learning")
def my_learning():
    in_progress, completed = services.my_learning(current_user.id)
    return render_template("courses/learning.html", in_progress=in_progress,
                           completed=completed)


@bp.route("/courses/stats")
@require(Permission.VIEW_COURSE_STATS)
def stats_index():
    return render_template("courses/stats_index.html", stats=services.all_course_stats())


@bp.route("/courses/<slug>/stats")
@require(Permission.VIEW_COURSE_STATS)
def stats(slug: str):
    course = db.session.execute(sa.select(Course).where(Course.slug == slug)).scalar_one_or_none()
    if course is None:
        abort(404)
    return render_template("courses/stats.html", stats=services.course_stats(course))


@bp.route("/courses/highlight.css")
def highlight_css():
    """The colours of highlighted code in lessons (served by the app: no CDN)."""
    response = Response(pygments_css(), mimetype="text/css")
    response.cache_control.max_age = 86400
    return response


@bp.app_context_processor
def _course_labels() -> dict:
    return {
        "area_label": lambda area: AREA_LABELS.get(area, area),
        "family_label": lambda family: FAMILY_LABELS.get(family, family),
        "course_language": lambda code: COURSE_LANGUAGES.get(code, code),
    }
