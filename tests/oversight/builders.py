"""Build a person with something in every part of their archive (§4.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal as D

from app.assessments import follow_up
from app.assessments import services as assessments
from app.complaints import services as complaints
from app.courses.models import Course, CourseFeedback, CourseProgress
from app.courses.sync import sync_courses
from app.database import utcnow
from app.evaluations import services as evaluations
from app.exams import attempts
from app.exams.models import Exam
from app.extensions import db
from app.training import services as training
from tests.courses.builders import write_course
from tests.evaluations.builders import schedule, score, user
from tests.exams.builders import make_exam
from tests.helpers import Person, switch_to
from tests.training.builders import PDF, item


@dataclass(frozen=True)
class ArchiveCast:
    """The person whose archive is full, the people around them and the period."""

    person: Person
    manager: Person
    colleague: Person
    supervisor: Person
    period_id: int


login = switch_to  # sign ``person`` in, signing out whoever was signed in first


def full_archive(app, make_user, tmp_path, *, name: str = "Li Wei",
                 course_title: str = "Storytelling for presales",
                 complaint_title: str = "Lab was down", period_name: str = "2026 Q4",
                 team: str | None = None) -> ArchiveCast:
    """A person with a completed course and its feedback, a training session attended, an
    external seminar's certificate, a graded attempt, a released evaluation, a published
    record with an interview and a plan item, and a complaint, all dated today, inside a
    period around today."""
    exam_id = make_exam(app, review_when="after_submit")
    write_course(tmp_path, "storytelling", meta={"title": course_title})
    with app.app_context():
        sync_courses(tmp_path)
        db.session.commit()
        manager = make_user("manager")
        person = make_user("learner", manager=manager, name=name, team=team)
        reviewer = make_user("reviewer")
        colleague, supervisor = make_user("learner"), make_user("supervisor")
        trainer = make_user("trainer")
        me = user(person)
        course = db.session.query(Course).one()
        db.session.add(CourseProgress(user_id=me.id, course_id=course.id,
                                      completed_at=utcnow()))
        db.session.add(CourseFeedback(user_id=me.id, course_id=course.id, rating=4,
                                      comment="Useful"))
        attempt = attempts.start_attempt(db.session.get(Exam, exam_id), me, utcnow())
        attempts.submit_attempt(attempt, utcnow())
        evaluation = schedule(person, [reviewer], manager)
        score(evaluation, reviewer, 3, 2)
        evaluations.release(evaluation, user(manager))
        today = utcnow().date()
        period = assessments.create_period(assessments.Plan(
            name=period_name, cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30)), user(manager))
        period.state = "scoring"
        record = assessments.record_for(period, me)
        assessments.enter_performance(period, me, D(80), D(90), "", user(manager))
        assessments.save_feedback(record, "Good.", "")
        assessments.publish(record, user(manager), reason="Exams later")
        follow_up.record_interview(record, today, "Agreed to rehearse.", user(manager))
        follow_up.add_item(record, "Rehearse the demo", "", today, [], user(manager))
        complaints.file(me, kind="complaint", topic="training", title=complaint_title,
                        body="The lab was unavailable.")
        briefing = item(trainer, title="Competitor briefing", starts_in=0)
        seminar = item(trainer, title="Cloud summit", delivery="external", starts_in=0)
        for attended in (briefing, seminar):
            training.record_attendance(attended, {me.id: "attended"}, user(trainer))
        training.attach_certificate(seminar, me, "summit-certificate.pdf", PDF, me)
        db.session.commit()
        return ArchiveCast(person, manager, colleague, supervisor, period.id)
