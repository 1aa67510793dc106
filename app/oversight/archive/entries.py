"""Each person's archive (§4.3): everything the app holds about their training and
assessment, in time order and grouped by assessment period.

Only what the person may see themselves is listed: completed courses, training
sessions they attended and certificates kept for them, graded attempts, released
evaluations, published records, their own course feedback and the complaints
they filed under their name (anonymous suggestions are nobody's).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

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
from app.rubrics.models import Rubric, RubricVersion
from app.training.models import Attendance, Certificate, ItemStatus, PlanItem


@dataclass(frozen=True)
class Entry:
    when: datetime
    kind: str    # course, session, certificate, attempt, evaluation, record, interview, plan,
    #              feedback, complaint, suggestion
    title: str
    detail: str  # a figure or a short text, shown as it is
    link: tuple[str, dict] | None = None  # endpoint and its values
    status: str = ""  # a state or band key, see labels.py


People = Collection[int] | sa.Select  # ids, or a query of user ids (no limit on how many)


def _zone() -> ZoneInfo:
    """The display time zone: the archive's days are the days people live in."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _moment(day: date) -> datetime:
    """The first moment of a local day."""
    return datetime.combine(day, time.min, tzinfo=_zone()).astimezone(UTC)


@dataclass(frozen=True)
class _Window:
    """Days from ``start`` to ``end`` inclusive (local dates, as :func:`by_period` reads them);
    either end may be open."""

    start: date | None = None
    end: date | None = None

    def moments(self, column) -> sa.ColumnElement[bool]:
        """A timestamp column on one of the days."""
        return sa.and_(sa.true(),
                       *([column >= _moment(self.start)] if self.start else []),
                       *([column < _moment(self.end + timedelta(days=1))] if self.end else []))

    def days(self, column) -> sa.ColumnElement[bool]:
        """A date column on one of the days."""
        return sa.and_(sa.true(), *([column >= self.start] if self.start else []),
                       *([column <= self.end] if self.end else []))


def entries(person: User) -> list[Entry]:
    """Every item of the archive, newest first."""
    return entries_for([person.id]).get(person.id, [])


def entries_for(people: People, start: date | None = None,
                end: date | None = None) -> dict[int, list[Entry]]:
    """Each person's archive items dated from ``start`` to ``end``, newest first.

    One query per kind of item however many people are asked for: a thousand people's
    archives cost ten queries, not ten thousand.
    """
    if not isinstance(people, sa.Select):
        people = list(people)
    window = _Window(start, end)
    found: dict[int, list[Entry]] = {}
    for source in _SOURCES:
        for person_id, entry in source(people, window):
            found.setdefault(person_id, []).append(entry)
    return {person_id: sorted(items, key=lambda e: e.when, reverse=True)
            for person_id, items in found.items()}


# Each source selects plain columns: loading the models would bring their eager
# relationships (people and their roles, period members) for every row.

def _courses(people: People, window: _Window):
    for row in db.session.execute(
            sa.select(CourseProgress.user_id, CourseProgress.completed_at, Course.title,
                      Course.slug)
            .join(Course, Course.id == CourseProgress.course_id)
            .where(CourseProgress.user_id.in_(people), CourseProgress.completed_at.is_not(None),
                   window.moments(CourseProgress.completed_at))
            .order_by(CourseProgress.id)):
        yield row.user_id, Entry(row.completed_at, "course", row.title, "",
                                 ("courses.course", {"slug": row.slug}))


def _attempts(people: People, window: _Window):
    for row in db.session.execute(
            sa.select(Attempt.id, Attempt.user_id, Attempt.number, Attempt.state,
                      Attempt.score, Attempt.max_score, Attempt.finished_at, Exam.title)
            .join(Exam, Exam.id == Attempt.exam_id)
            .where(Attempt.user_id.in_(people), Attempt.finished_at.is_not(None),
                   window.moments(Attempt.finished_at))
            .order_by(Attempt.id)):
        score = ("" if row.state != AttemptState.GRADED or row.score is None
                 else f"{row.score:g} / {row.max_score:g}")
        yield row.user_id, Entry(row.finished_at, "attempt", f"{row.title} #{row.number}",
                                 score, ("exams.result", {"attempt_id": row.id}),
                                 "" if score else row.state)


def _evaluations(people: People, window: _Window):
    for row in db.session.execute(
            sa.select(Evaluation.id, Evaluation.subject_id, Evaluation.scheduled_at,
                      Evaluation.result, Rubric.title)
            .join(RubricVersion, RubricVersion.id == Evaluation.rubric_version_id)
            .join(Rubric, Rubric.id == RubricVersion.rubric_pk)
            .where(Evaluation.subject_id.in_(people),
                   Evaluation.state == EvaluationState.RELEASED,
                   window.moments(Evaluation.scheduled_at))
            .order_by(Evaluation.id)):
        yield row.subject_id, Entry(row.scheduled_at, "evaluation", row.title,
                                    f"{row.result} / 100",
                                    ("evaluations.show", {"evaluation_id": row.id}))


def _shown_records(people: People) -> sa.Select:
    """The people's records they may see themselves: published ones, with their period."""
    return (sa.select(AssessmentRecord.id, AssessmentRecord.person_id,
                      AssessmentRecord.period_id, AssessmentPeriod.name.label("period_name"))
            .join(AssessmentPeriod, AssessmentPeriod.id == AssessmentRecord.period_id)
            .where(AssessmentRecord.person_id.in_(people),
                   AssessmentRecord.state != RecordState.DRAFT))


def _records(people: People, window: _Window):
    shown = _shown_records(people).add_columns(
        AssessmentRecord.published_at, AssessmentRecord.total, AssessmentRecord.band)
    for row in db.session.execute(shown.where(window.moments(AssessmentRecord.published_at))
                                  .order_by(AssessmentRecord.id)):
        yield row.person_id, Entry(
            row.published_at, "record", row.period_name,
            "" if row.total is None else str(row.total),
            ("assessments.record", {"period_id": row.period_id, "person_id": row.person_id}),
            row.band or "incomplete")


def _interviews(people: People, window: _Window):
    shown = _shown_records(people).subquery()
    for row in db.session.execute(
            sa.select(Interview.held_on, Interview.notes, shown.c.person_id,
                      shown.c.period_name)
            .join(shown, shown.c.id == Interview.record_id)
            .where(window.days(Interview.held_on))
            .order_by(Interview.id)):
        yield row.person_id, Entry(_moment(row.held_on), "interview", row.period_name,
                                   row.notes[:120])


def _plan_items(people: People, window: _Window):
    shown = _shown_records(people).subquery()
    done_at, due_on = ImprovementItem.done_at, ImprovementItem.due_on
    for row in db.session.execute(
            sa.select(ImprovementItem.goal, done_at, due_on, shown.c.person_id)
            .join(shown, shown.c.id == ImprovementItem.record_id)
            .where(sa.or_(sa.and_(done_at.is_not(None), window.moments(done_at)),
                          sa.and_(done_at.is_(None), window.days(due_on))))
            .order_by(ImprovementItem.id)):
        # An open item is dated by its due day, so "Due" needs no date of its own
        yield row.person_id, Entry(row.done_at or _moment(row.due_on), "plan", row.goal,
                                   "", None, "done" if row.done_at else "due")


def _feedback(people: People, window: _Window):
    for row in db.session.execute(
            sa.select(CourseFeedback.user_id, CourseFeedback.updated_at, CourseFeedback.rating,
                      Course.title)
            .join(Course, Course.id == CourseFeedback.course_id)
            .where(CourseFeedback.user_id.in_(people), window.moments(CourseFeedback.updated_at))
            .order_by(CourseFeedback.id)):
        yield row.user_id, Entry(row.updated_at, "feedback", row.title, "★" * row.rating)


def _complaints(people: People, window: _Window):
    for row in db.session.execute(
            sa.select(Complaint.reference, Complaint.author_id, Complaint.received_on,
                      Complaint.kind, Complaint.title, Complaint.state)
            .where(Complaint.author_id.in_(people), window.days(Complaint.received_on))
            .order_by(Complaint.id)):
        yield row.author_id, Entry(_moment(row.received_on), row.kind, row.title, "",
                                   ("complaints.show", {"reference": row.reference}), row.state)


def _sessions(people: People, window: _Window):
    """Training-plan sessions the person attended (§2.4), dated by their last day."""
    for row in db.session.execute(
            sa.select(Attendance.user_id, PlanItem.id, PlanItem.title, PlanItem.delivery,
                      PlanItem.ends_on, PlanItem.provider)
            .join(PlanItem, PlanItem.id == Attendance.item_id)
            .where(Attendance.user_id.in_(people), Attendance.status == "attended",
                   PlanItem.status != ItemStatus.CANCELLED, window.days(PlanItem.ends_on))
            .order_by(Attendance.id)):
        yield row.user_id, Entry(_moment(row.ends_on), "session", row.title, row.provider,
                                 ("training.item", {"item_id": row.id}), row.delivery)


def _certificates(people: People, window: _Window):
    """Certificates and reports of external courses, dated when they were filed."""
    for row in db.session.execute(
            sa.select(Certificate.id, Certificate.user_id, Certificate.filename,
                      Certificate.uploaded_at, PlanItem.title)
            .join(PlanItem, PlanItem.id == Certificate.item_id)
            .where(Certificate.user_id.in_(people), window.moments(Certificate.uploaded_at))
            .order_by(Certificate.id)):
        yield row.user_id, Entry(row.uploaded_at, "certificate", row.title, row.filename,
                                 ("training.certificate", {"certificate_id": row.id}))


# In the order the kinds were listed before sorting by date (ties keep it).
_SOURCES = (_courses, _sessions, _certificates, _attempts, _evaluations, _records, _interviews,
            _plan_items, _feedback, _complaints)


def by_period(items: list[Entry]) -> list[tuple[AssessmentPeriod | None, list[Entry]]]:
    """The entries grouped by the assessment period whose dates hold them (newest first)."""
    known, zone = periods(), _zone()
    groups: dict[int | None, list[Entry]] = {}
    for entry in items:
        day = entry.when.astimezone(zone).date()
        period = next((p for p in known if p.starts_on <= day <= p.ends_on), None)
        groups.setdefault(period.id if period else None, []).append(entry)
    found: dict[int | None, AssessmentPeriod] = {p.id: p for p in known}
    return [(found.get(key), values) for key, values in groups.items()]


def active_people() -> list[User]:
    """Everyone whose account is active, by name: whose archives the supervision group files."""
    return list(db.session.execute(sa.select(User).where(User.active)
                                   .order_by(User.display_name, User.id)).scalars())


def periods() -> list[AssessmentPeriod]:
    """Every assessment period, newest first."""
    return list(db.session.execute(sa.select(AssessmentPeriod)
                                   .order_by(AssessmentPeriod.starts_on.desc())).scalars())
