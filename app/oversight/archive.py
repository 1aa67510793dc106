"""Each person's archive (§4.3): everything the app holds about their training and
assessment, in time order and grouped by assessment period.

Only what the person may see themselves is listed: graded attempts, released
evaluations, published records, their own course feedback and the complaints
they filed under their name (anonymous suggestions are nobody's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    ImprovementItem,
    Interview,
    RecordState,
)
from app.auth.models import User
from app.complaints.models import Complaint
from app.courses.models import Course, CourseFeedback, CourseProgress
from app.evaluations.models import Evaluation, EvaluationState
from app.exams.models import Attempt, AttemptState, Exam
from app.extensions import db


@dataclass(frozen=True)
class Entry:
    when: datetime
    kind: str    # course, attempt, evaluation, record, interview, plan, feedback, complaint
    title: str
    detail: str  # a figure or a short text, shown as it is
    link: tuple[str, dict] | None = None  # endpoint and its values
    status: str = ""  # a state or band key, translated by the page


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def entries(person: User) -> list[Entry]:
    """Every item of the archive, newest first."""
    items: list[Entry] = []
    for progress, course in db.session.execute(
            sa.select(CourseProgress, Course).join(Course, Course.id == CourseProgress.course_id)
            .where(CourseProgress.user_id == person.id,
                   CourseProgress.completed_at.is_not(None))):
        items.append(Entry(progress.completed_at, "course", course.title, "",
                           ("courses.course", {"slug": course.slug})))
    for attempt, exam in db.session.execute(
            sa.select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
            .where(Attempt.user_id == person.id, Attempt.finished_at.is_not(None))):
        score = ("" if attempt.state != AttemptState.GRADED or attempt.score is None
                 else f"{attempt.score:g} / {attempt.max_score:g}")
        items.append(Entry(attempt.finished_at, "attempt", f"{exam.title} #{attempt.number}",
                           score, ("exams.result", {"attempt_id": attempt.id}),
                           "" if score else attempt.state))
    for evaluation in db.session.execute(sa.select(Evaluation).where(
            Evaluation.subject_id == person.id,
            Evaluation.state == EvaluationState.RELEASED)).scalars():
        items.append(Entry(evaluation.scheduled_at, "evaluation",
                           evaluation.rubric_version.rubric.title, f"{evaluation.result} / 100",
                           ("evaluations.show", {"evaluation_id": evaluation.id})))
    records = db.session.execute(sa.select(AssessmentRecord).where(
        AssessmentRecord.person_id == person.id,
        AssessmentRecord.state != RecordState.DRAFT)).scalars().all()
    by_id = {r.id: r for r in records}
    for record in records:
        items.append(Entry(record.published_at, "record", record.period.name,
                           "" if record.total is None else str(record.total),
                           ("assessments.record", {"period_id": record.period_id,
                                                   "person_id": person.id}),
                           record.band or "incomplete"))
    for interview in db.session.execute(sa.select(Interview).where(
            Interview.record_id.in_(list(by_id) or [-1]))).scalars():
        items.append(Entry(_moment(interview.held_on), "interview",
                           by_id[interview.record_id].period.name, interview.notes[:120]))
    for item in db.session.execute(sa.select(ImprovementItem).where(
            ImprovementItem.record_id.in_(list(by_id) or [-1]))).scalars():
        items.append(Entry(item.done_at or _moment(item.due_on), "plan", item.goal,
                           "" if item.done_at else item.due_on.isoformat(), None,
                           "done" if item.done_at else "due"))
    for feedback, course in db.session.execute(
            sa.select(CourseFeedback, Course).join(Course, Course.id == CourseFeedback.course_id)
            .where(CourseFeedback.user_id == person.id)):
        items.append(Entry(feedback.updated_at, "feedback", course.title,
                           "★" * feedback.rating))
    for complaint in db.session.execute(sa.select(Complaint).where(
            Complaint.author_id == person.id)).scalars():
        items.append(Entry(_moment(complaint.received_on), complaint.kind, complaint.title,
                           "", ("complaints.show", {"complaint_id": complaint.id}),
                           complaint.state))
    return sorted(items, key=lambda e: e.when, reverse=True)


def by_period(items: list[Entry]) -> list[tuple[AssessmentPeriod | None, list[Entry]]]:
    """The entries grouped by the assessment period whose dates hold them (newest first)."""
    periods = db.session.execute(sa.select(AssessmentPeriod)
                                 .order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    groups: dict[int | None, list[Entry]] = {}
    for entry in items:
        day = entry.when.date()
        period = next((p for p in periods if p.starts_on <= day <= p.ends_on), None)
        groups.setdefault(period.id if period else None, []).append(entry)
    found = {p.id: p for p in periods}
    return [(found.get(key), values) for key, values in groups.items()]
