"""Learners' progress through courses, course feedback, and trainers' statistics (§2.5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from flask_babel import gettext as _

from app.courses.loader import FAMILIES
from app.courses.models import (
    Course,
    CourseFeedback,
    CourseProgress,
    Lesson,
    LessonProgress,
    LessonVersion,
)
from app.database import utcnow
from app.database.session import insert_ignoring_duplicates
from app.extensions import db


class CourseError(ValueError):
    """A rule about courses was broken; the message is shown to the person."""


def live_course(slug: str) -> Course | None:
    return db.session.execute(
        sa.select(Course).where(Course.slug == slug, Course.retired_at.is_(None))
    ).scalar_one_or_none()


def current_lessons(course_id: int) -> list[Lesson]:
    return list(db.session.execute(
        sa.select(Lesson).where(Lesson.course_id == course_id, Lesson.retired_at.is_(None))
        .order_by(Lesson.position)).scalars())


def lesson_content(lesson: Lesson) -> LessonVersion:
    return db.session.execute(sa.select(LessonVersion).where(
        LessonVersion.lesson_id == lesson.id, LessonVersion.version == lesson.version)
    ).scalar_one()


def completed_lesson_ids(user_id: int, course_id: int) -> set[int]:
    return set(db.session.execute(
        sa.select(LessonProgress.lesson_id).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user_id, Lesson.course_id == course_id,
               LessonProgress.completed_at.is_not(None))).scalars())


def course_progress(user_id: int, course_id: int) -> CourseProgress | None:
    return db.session.execute(sa.select(CourseProgress).where(
        CourseProgress.user_id == user_id, CourseProgress.course_id == course_id)
    ).scalar_one_or_none()


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def record_visit(user_id: int, lesson: Lesson) -> None:
    """The learner opened a lesson: remember it (first visit, where they left off)."""
    now = utcnow()
    insert_ignoring_duplicates(LessonProgress, user_id=user_id, lesson_id=lesson.id,
                               first_visit_at=now)
    insert_ignoring_duplicates(CourseProgress, user_id=user_id, course_id=lesson.course_id,
                               started_at=now, last_visit_at=now, last_lesson_id=lesson.id)
    db.session.execute(sa.update(CourseProgress).where(
        CourseProgress.user_id == user_id, CourseProgress.course_id == lesson.course_id
    ).values(last_lesson_id=lesson.id, last_visit_at=now))


def complete_lesson(user_id: int, lesson: Lesson) -> bool:
    """Mark a lesson complete; returns True when that completes the course."""
    record_visit(user_id, lesson)
    now = utcnow()
    db.session.execute(sa.update(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id,
        LessonProgress.completed_at.is_(None)).values(completed_at=now,
                                                      completed_version=lesson.version))
    remaining = {lesson.id for lesson in current_lessons(lesson.course_id)}
    remaining -= completed_lesson_ids(user_id, lesson.course_id)
    if remaining:
        return False
    finished = db.session.execute(sa.update(CourseProgress).where(
        CourseProgress.user_id == user_id, CourseProgress.course_id == lesson.course_id,
        CourseProgress.completed_at.is_(None)).values(completed_at=now))
    return _rows_changed(finished) == 1


def complete_finished_learners(course_id: int) -> int:
    """Record completion for learners who have now done every current lesson.

    After a sync retires the one lesson a learner had not done, their course is
    complete; nothing else would ever record it.
    """
    current = sa.select(Lesson.id).where(Lesson.course_id == course_id,
                                         Lesson.retired_at.is_(None))
    total = db.session.execute(sa.select(sa.func.count()).select_from(
        current.subquery())).scalar()
    if not total:
        return 0
    done = (sa.select(LessonProgress.user_id).where(
        LessonProgress.lesson_id.in_(current), LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.user_id).having(sa.func.count() == total))
    result = db.session.execute(sa.update(CourseProgress).where(
        CourseProgress.course_id == course_id, CourseProgress.completed_at.is_(None),
        CourseProgress.user_id.in_(done)).values(completed_at=utcnow())
        .execution_options(synchronize_session=False))
    return _rows_changed(result)


def _rows_changed(result: sa.Result) -> int:
    """How many rows an UPDATE changed (an UPDATE's result is always a cursor result)."""
    return cast(sa.CursorResult, result).rowcount


@dataclass
class CatalogueEntry:
    course: Course
    lessons: int
    done: int
    progress: CourseProgress | None

    @property
    def percent(self) -> int:
        return percent(self.done, self.lessons)


def catalogue(user_id: int, *, area: str = "", language: str = "", text: str = ""
              ) -> dict[str, list[CatalogueEntry]]:
    """Live courses grouped by §2.3 family, filtered, with this learner's progress."""
    stmt = sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.title)
    if area:
        stmt = stmt.where(Course.area == area)
    if language:
        stmt = stmt.where(Course.language == language)
    if text:
        like = f"%{text.strip()}%"
        stmt = stmt.where(sa.or_(Course.title.ilike(like), Course.summary.ilike(like)))
    courses = list(db.session.execute(stmt).scalars())
    ids = [c.id for c in courses]
    lesson_counts = _counts(sa.select(Lesson.course_id, sa.func.count()).where(
        Lesson.course_id.in_(ids), Lesson.retired_at.is_(None)).group_by(Lesson.course_id))
    done_counts = _counts(sa.select(Lesson.course_id, sa.func.count())
                          .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                          .where(Lesson.course_id.in_(ids), Lesson.retired_at.is_(None),
                                 LessonProgress.user_id == user_id,
                                 LessonProgress.completed_at.is_not(None))
                          .group_by(Lesson.course_id))
    progress = {p.course_id: p for p in db.session.execute(sa.select(CourseProgress).where(
        CourseProgress.user_id == user_id, CourseProgress.course_id.in_(ids))).scalars()}
    groups: dict[str, list[CatalogueEntry]] = {family: [] for family in FAMILIES}
    for course in courses:
        groups[course.family].append(CatalogueEntry(
            course, lesson_counts.get(course.id, 0), done_counts.get(course.id, 0),
            progress.get(course.id)))
    return groups


def _counts(stmt) -> dict[int, int]:
    return dict(db.session.execute(stmt).all())


def my_learning(user_id: int) -> tuple[list[CatalogueEntry], list[CatalogueEntry]]:
    """Courses in progress (most recent first) and completed courses (with dates)."""
    rows = db.session.execute(sa.select(CourseProgress, Course).join(
        Course, Course.id == CourseProgress.course_id).where(
        CourseProgress.user_id == user_id)).all()
    ids = [course.id for _, course in rows]
    totals = _counts(sa.select(Lesson.course_id, sa.func.count()).where(
        Lesson.course_id.in_(ids), Lesson.retired_at.is_(None)).group_by(Lesson.course_id))
    done = _counts(sa.select(Lesson.course_id, sa.func.count())
                   .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                   .where(Lesson.course_id.in_(ids), Lesson.retired_at.is_(None),
                          LessonProgress.user_id == user_id,
                          LessonProgress.completed_at.is_not(None))
                   .group_by(Lesson.course_id))
    # Retired courses stay here: a learner's completed record never disappears.
    started = [(CatalogueEntry(course, totals.get(course.id, 0), done.get(course.id, 0),
                               progress), progress) for progress, course in rows]
    in_progress = sorted(((e, p.last_visit_at) for e, p in started if p.completed_at is None),
                         key=lambda pair: pair[1], reverse=True)
    completed = sorted(((e, p.completed_at) for e, p in started if p.completed_at is not None),
                       key=lambda pair: pair[1], reverse=True)
    return [e for e, _ in in_progress], [e for e, _ in completed]


def feedback_of(user_id: int, course_id: int) -> CourseFeedback | None:
    return db.session.execute(sa.select(CourseFeedback).where(
        CourseFeedback.user_id == user_id, CourseFeedback.course_id == course_id)
    ).scalar_one_or_none()


def save_feedback(user_id: int, course: Course, rating: int, comment: str) -> CourseFeedback:
    """§2.5: one rating (1–5) and comment per learner per completed course; editable."""
    progress = course_progress(user_id, course.id)
    if progress is None or progress.completed_at is None:
        raise CourseError(_("Complete the course before rating it."))
    if not 1 <= rating <= 5:
        raise CourseError(_("Choose a rating from 1 to 5."))
    now = utcnow()
    # Two tabs saving a first rating at once must not collide on the unique key.
    insert_ignoring_duplicates(CourseFeedback, user_id=user_id, course_id=course.id,
                               rating=rating, comment=comment.strip(), created_at=now,
                               updated_at=now)
    db.session.execute(sa.update(CourseFeedback).where(
        CourseFeedback.user_id == user_id, CourseFeedback.course_id == course.id
    ).values(rating=rating, comment=comment.strip(), updated_at=now)
        .execution_options(synchronize_session=False))
    saved = feedback_of(user_id, course.id)
    assert saved is not None  # inserted or updated just above
    return saved


@dataclass
class LessonReach:
    lesson: Lesson
    reached: int
    completed: int


@dataclass
class CourseStats:
    course: Course
    started: int
    completed: int
    average_rating: float | None
    ratings: int
    comments: list[tuple[int, str, datetime]] = field(default_factory=list)
    lessons: list[LessonReach] = field(default_factory=list)

    @property
    def completion_rate(self) -> int:
        return percent(self.completed, self.started)


def course_stats(course: Course) -> CourseStats:
    """§2.5 effectiveness: started, completed, ratings, comments, drop-off per lesson."""
    started, completed = db.session.execute(sa.select(
        sa.func.count(), sa.func.count(CourseProgress.completed_at)
    ).where(CourseProgress.course_id == course.id)).one()
    average, ratings = db.session.execute(sa.select(
        sa.func.avg(CourseFeedback.rating), sa.func.count()
    ).where(CourseFeedback.course_id == course.id)).one()
    comments = db.session.execute(sa.select(
        CourseFeedback.rating, CourseFeedback.comment, CourseFeedback.updated_at
    ).where(CourseFeedback.course_id == course.id, CourseFeedback.comment != "")
        .order_by(CourseFeedback.updated_at.desc())).all()
    reach = {row.lesson_id: row for row in db.session.execute(sa.select(
        LessonProgress.lesson_id, sa.func.count().label("reached"),
        sa.func.count(LessonProgress.completed_at).label("completed"),
    ).join(Lesson, Lesson.id == LessonProgress.lesson_id).where(
        Lesson.course_id == course.id).group_by(LessonProgress.lesson_id))}
    lessons = [LessonReach(lesson, getattr(reach.get(lesson.id), "reached", 0),
                           getattr(reach.get(lesson.id), "completed", 0))
               for lesson in current_lessons(course.id)]
    return CourseStats(course, started, completed,
                       float(average) if average is not None else None, ratings,
                       [(c.rating, c.comment, c.updated_at) for c in comments], lessons)


def all_course_stats() -> list[CourseStats]:
    courses = db.session.execute(sa.select(Course).where(Course.retired_at.is_(None))
                                 .order_by(Course.title)).scalars()
    return [course_stats(course) for course in courses]


def resume_lesson(lessons: list[Lesson], done: set[int],
                  progress: CourseProgress | None) -> Lesson | None:
    """Where "continue" leads: the last lesson visited unless finished, else the next open one."""
    if not lessons:
        return None
    by_id = {lesson.id: index for index, lesson in enumerate(lessons)}
    last = progress.last_lesson_id if progress else None
    start = by_id.get(last, 0) if last is not None else 0
    if lessons[start].id not in done:
        return lessons[start]
    for lesson in lessons[start + 1:] + lessons[:start]:
        if lesson.id not in done:
            return lesson
    return lessons[start]
