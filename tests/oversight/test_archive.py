"""Each person's archive (§4.3): every kind of item, and only for those who may see it."""

from __future__ import annotations

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
from tests.courses.builders import write_course
from tests.evaluations.builders import schedule, score, user
from tests.exams.builders import make_exam
from tests.helpers import login as sign_in
from tests.helpers import post_form


def login(client, person):
    if client.get("/login").status_code == 302:
        post_form(client, "/logout", token_from="/")
    return sign_in(client, person)


def test_the_archive_lists_every_kind_of_item_to_those_allowed(app, client, make_user,
                                                               tmp_path):
    exam_id = make_exam(app, review_when="after_submit")
    write_course(tmp_path, "storytelling", meta={"title": "Storytelling for presales"})
    with app.app_context():
        sync_courses(tmp_path)
        db.session.commit()
        manager = make_user("manager")
        person = make_user("learner", manager=manager, name="Li Wei")
        reviewer = make_user("reviewer")
        colleague, supervisor = make_user("learner"), make_user("supervisor")
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
            name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30)), user(manager))
        period.state = "scoring"
        record = assessments.record_for(period, me)
        assessments.enter_performance(period, me, D(80), D(90), "", user(manager))
        assessments.save_feedback(record, "Good.", "")
        assessments.publish(record, user(manager), reason="Exams later")
        follow_up.record_interview(record, today, "Agreed to rehearse.", user(manager))
        follow_up.add_item(record, "Rehearse the demo", "", today, [], user(manager))
        complaints.file(me, kind="complaint", topic="training", title="Lab was down",
                        body="The lab was unavailable.")
        db.session.commit()
    path = f"/people/{person.id}/archive"
    login(client, person)
    html = client.get(path).get_data(as_text=True)
    for text in ("Storytelling for presales", "Course completed", "Quarterly product exam #1",
                 "Test demonstration", "100.00 / 100", "Assessment record", "2026 Q4",
                 "Performance interview", "Agreed to rehearse.", "Rehearse the demo",
                 "Course feedback", "★★★★", "Lab was down"):
        assert text in html, text
    for who, status in ((manager, 200), (supervisor, 200), (colleague, 404)):
        login(client, who)
        assert client.get(path).status_code == status
