"""Training needs and the annual plan (§2.1, §2.2, §2.4): the rules and their transitions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.audience import AudienceChoice
from app.courses.models import Course, CourseProgress
from app.courses.sync import sync_courses
from app.database import utcnow
from app.extensions import db
from app.oversight.archive import entries as archive
from app.training import execution
from app.training import services as svc
from app.training.models import NeedState
from tests.courses.builders import write_course
from tests.evaluations.builders import user
from tests.training.builders import PDF, item, need, today


@pytest.fixture
def people(app, make_user):
    manager = make_user("manager")
    return {"trainer": make_user("trainer"), "manager": manager,
            "learner": make_user("learner", manager=manager, team="East", name="李伟"),
            "colleague": make_user("learner", manager=manager, team="East"),
            "west": make_user("learner", team="West")}


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == action).order_by(AuditEntry.id)).scalars())


def test_a_need_names_a_topic_an_area_a_reason_and_this_or_next_year(app, people):
    with app.app_context():
        learner = user(people["learner"])
        good = svc.NeedInput(year=today().year, area="product", topic="新产品 X 的演示",
                             reason="business", urgency="high", details="客户常问")
        for change, field in (({"topic": "  "}, "topic"), ({"area": "cooking"}, "area"),
                              ({"reason": "boredom"}, "reason"), ({"urgency": "now"}, "urgency"),
                              ({"year": today().year - 1}, "year"),
                              ({"year": today().year + 2}, "year"),
                              ({"for_team": True}, "for_team")):
            with pytest.raises(svc.TrainingRefused) as refused:
                svc.submit_need(learner, svc.NeedInput(**{**good.__dict__, **change}))
            assert refused.value.field == field
        row = svc.submit_need(learner, good)
        assert (row.state, row.topic, row.author_id) == ("submitted", "新产品 X 的演示", learner.id)
        # A manager may speak for the team; next year's plan is open too.
        team_need = svc.submit_need(user(people["manager"]), svc.NeedInput(
            **{**good.__dict__, "for_team": True, "year": today().year + 1}))
        assert team_need.for_team and team_need.year == today().year + 1


def test_needs_are_planned_declined_with_reasons_or_reopened_and_each_step_is_audited(
        app, people):
    with app.app_context():
        trainer = user(people["trainer"])
        asked = need(people["learner"])
        workshop = item(people["trainer"])
        with pytest.raises(svc.TrainingRefused):
            svc.answer_need(asked, trainer, action="plan", item=None)
        svc.answer_need(asked, trainer, action="plan", item=workshop)
        assert (asked.state, asked.plan_item_id) == (NeedState.PLANNED, workshop.id)
        with pytest.raises(svc.TrainingRefused) as refused:
            svc.answer_need(asked, trainer, action="decline", response=" ")
        assert refused.value.field == "response"
        svc.answer_need(asked, trainer, action="decline", response="Covered by the Q1 course.")
        assert (asked.state, asked.plan_item_id) == (NeedState.DECLINED, None)
        svc.answer_need(asked, trainer, action="reopen")
        assert asked.state == NeedState.SUBMITTED and asked.response == ""
        cancelled = item(people["trainer"], title="Dropped")
        svc.set_status(cancelled, "cancelled", trainer, "Trainer left")
        with pytest.raises(svc.TrainingRefused):
            svc.answer_need(asked, trainer, action="plan", item=cancelled)
        assert [(e.before["state"], e.after["state"]) for e in
                _audit("need.plan") + _audit("need.decline") + _audit("need.reopen")] == [
            ("submitted", "planned"), ("planned", "declined"), ("declined", "submitted")]


def test_an_item_created_from_needs_answers_them(app, people):
    with app.app_context():
        asked = [need(people["learner"]), need(people["colleague"], reason="technology")]
        declined = need(people["colleague"], topic="Golf")
        svc.answer_need(declined, user(people["trainer"]), action="decline", response="No.")
        workshop = item(people["trainer"], needs=[*asked, declined])
        assert [n.state for n in asked] == ["planned", "planned"]
        assert declined.state == "declined"  # a trainer's decision is not overridden
        assert {n.id for n in svc.needs_of_item(workshop)} == {n.id for n in asked}
        groups = svc.grouped(svc.needs_of_year(today().year))
        assert [(g.area, g.total, g.open, g.counts["customer"], g.counts["technology"])
                for g in groups] == [("communication", 3, 0, 2, 1)]


def test_an_item_is_checked_before_anything_is_written(app, people):
    with app.app_context():
        trainer = user(people["trainer"])
        start = today()
        base = svc.ItemInput(title="Seminar", area="industry", delivery="external",
                             starts_on=start, ends_on=start)
        cases = (({"title": " "}, "title"), ({"area": "x"}, "area"),
                 ({"delivery": "telepathy"}, "delivery"),
                 ({"ends_on": start - timedelta(days=1)}, "ends_on"),
                 ({"ends_on": start.replace(year=start.year + 1)}, "ends_on"),
                 ({"delivery": "online"}, "course_id"))
        for change, field in cases:
            with pytest.raises(svc.TrainingRefused) as refused:
                svc.create_item(svc.ItemInput(**{**base.__dict__, **change}), AudienceChoice(),
                                trainer)
            assert refused.value.field == field, change
        with pytest.raises(svc.TrainingRefused) as refused:
            svc.create_item(base, AudienceChoice("people", (), ("nobody@example.com",)),
                            trainer)
        assert refused.value.field == "people" and "nobody@example.com" in str(refused.value)
        db.session.rollback()
        assert svc.plan_of(start.year) == []


def test_status_moves_planned_to_delivered_or_cancelled_and_back(app, people):
    with app.app_context():
        trainer = user(people["trainer"])
        later = item(people["trainer"], starts_in=2)
        if later.starts_on > today():
            with pytest.raises(svc.TrainingRefused):  # not delivered before it starts
                svc.set_status(later, "delivered", trainer)
        running = item(people["trainer"])
        with pytest.raises(svc.TrainingRefused) as refused:
            svc.set_status(running, "cancelled", trainer, "")
        assert refused.value.field == "note"
        svc.set_status(running, "cancelled", trainer, "Nobody could come")
        with pytest.raises(svc.TrainingRefused):
            svc.set_status(running, "delivered", trainer)
        svc.set_status(running, "planned", trainer)
        svc.set_status(running, "delivered", trainer)
        assert running.status == "delivered"
        assert [e.after["status"] for e in _audit("plan_item.status")] == [
            "cancelled", "planned", "delivered"]


def test_attendance_is_taken_for_the_audience_of_a_begun_session(app, people):
    with app.app_context():
        trainer = user(people["trainer"])
        east = db.session.get(type(trainer), people["learner"].id).team_id
        session = item(people["trainer"], choice=AudienceChoice("teams", (east,)))
        learner, colleague, west = (people[k].id for k in ("learner", "colleague", "west"))
        assert {u.id for u in svc.members(session)} == {learner, colleague}
        with pytest.raises(svc.TrainingRefused):
            svc.record_attendance(session, {west: "attended"}, trainer)
        with pytest.raises(svc.TrainingRefused):
            svc.record_attendance(session, {learner: "late"}, trainer)
        assert svc.record_attendance(session, {learner: "attended", colleague: "excused"},
                                     trainer, {colleague: "Customer emergency"}) == 2
        assert svc.record_attendance(session, {learner: "attended", colleague: "excused"},
                                     trainer, {colleague: "Customer emergency"}) == 0
        assert svc.record_attendance(session, {colleague: "absent"}, trainer) == 1
        assert svc.record_attendance(session, {colleague: ""}, trainer) == 1
        marks = svc.recorded_attendance(session)
        assert {uid: m.status for uid, m in marks.items()} == {learner: "attended"}
        changes = [(e.before["status"], e.after["status"])
                   for e in _audit("plan_item.attendance") if e.after["person"] == colleague]
        assert changes == [(None, "excused"), ("excused", "absent"), ("absent", None)]
        future = item(people["trainer"], title="Later", starts_in=3)
        if future.starts_on > today():
            with pytest.raises(svc.TrainingRefused):
                svc.record_attendance(future, {learner: "attended"}, trainer)
        svc.set_status(session, "cancelled", trainer, "Cancelled after all")
        with pytest.raises(svc.TrainingRefused):
            svc.record_attendance(session, {colleague: "attended"}, trainer)


def test_certificates_belong_to_attendees_of_external_items_and_are_checked(app, people):
    with app.app_context():
        trainer, learner = user(people["trainer"]), user(people["learner"])
        seminar = item(people["trainer"], title="Cloud summit", delivery="external")
        with pytest.raises(svc.TrainingRefused):  # not marked attended yet
            svc.attach_certificate(seminar, learner, "cert.pdf", PDF, learner)
        svc.record_attendance(seminar, {learner.id: "attended"}, trainer)
        with pytest.raises(svc.TrainingRefused) as refused:
            svc.attach_certificate(seminar, learner, "cert.pdf", b"<html>hi</html>", learner)
        assert "cert.pdf" in str(refused.value)
        stored = svc.attach_certificate(seminar, learner, "证书.pdf", PDF, learner)
        assert (stored.filename, stored.size) == ("证书.pdf", len(PDF))
        internal = item(people["trainer"], title="In-house")
        svc.record_attendance(internal, {learner.id: "attended"}, trainer)
        with pytest.raises(svc.TrainingRefused):
            svc.attach_certificate(internal, learner, "cert.pdf", PDF, trainer)


def test_execution_counts_planned_delivered_attendance_and_online_completion(
        app, people, tmp_path):
    write_course(tmp_path, "objections", meta={"title": "Handling objections"})
    with app.app_context():
        sync_courses(tmp_path)
        course = db.session.execute(sa.select(Course)).scalar_one()
        trainer = user(people["trainer"])
        east = user(people["learner"]).team_id
        learner, colleague, west = (people[k].id for k in ("learner", "colleague", "west"))
        session = item(people["trainer"], choice=AudienceChoice("teams", (east,)))
        svc.record_attendance(session, {learner: "attended", colleague: "absent"}, trainer)
        svc.set_status(session, "delivered", trainer)
        seminar = item(people["trainer"], delivery="external",
                       choice=AudienceChoice("people", (), (people["west"].email,)))
        svc.record_attendance(seminar, {west: "excused"}, trainer)
        online = item(people["trainer"], delivery="online", course_id=course.id,
                      choice=AudienceChoice("teams", (east,)))
        dropped = item(people["trainer"], delivery="practice")
        svc.set_status(dropped, "cancelled", trainer, "Project ended")
        # One completion inside the audience, one outside it (does not count).
        db.session.add_all([CourseProgress(user_id=learner, course_id=course.id,
                                           completed_at=utcnow()),
                            CourseProgress(user_id=west, course_id=course.id,
                                           completed_at=utcnow())])
        db.session.flush()
        figures = execution.execution(svc.plan_of(today().year), today().year)
        by = {d.delivery: (d.planned, d.delivered, d.cancelled) for d in figures.by_delivery}
        assert by == {"internal": (1, 1, 0), "external": (1, 0, 0), "online": (1, 0, 0),
                      "practice": (0, 0, 1)}
        assert (figures.planned, figures.delivered) == (3, 1)
        assert figures.attendance_rate == 50.0  # 1 attended of 2 expected; excused not expected
        rows = {f.item.id: f for f in figures.items}
        assert rows[seminar.id].attendance_rate is None
        assert (rows[online.id].audience, rows[online.id].completed) == (2, 1)
        assert figures.completion_rate == 50.0
        chart = execution.chart(figures.by_delivery)
        internal_bars = chart["groups"][0]["bars"]
        assert [b["value"] for b in internal_bars] == [1, 1]
        assert chart["groups"][3]["bars"][0]["h"] == 0  # the cancelled practice item


def test_cancelling_an_item_reopens_its_needs_and_drops_its_attendance_from_the_rates(
        app, people):
    with app.app_context():
        trainer = user(people["trainer"])
        asked = need(people["learner"])
        workshop = item(people["trainer"], title="Rainy workshop", needs=[asked])
        held = item(people["trainer"], title="Held workshop")
        svc.record_attendance(workshop, {people["learner"].id: "attended",
                                         people["colleague"].id: "absent"}, trainer)
        svc.record_attendance(held, {people["learner"].id: "attended"}, trainer)
        svc.set_status(workshop, "cancelled", trainer, "Typhoon warning")
        assert (asked.state, asked.plan_item_id) == ("submitted", None)
        assert "Rainy workshop" in asked.response and "Typhoon warning" in asked.response
        figures = execution.execution(svc.plan_of(today().year), today().year)
        assert figures.attendance_rate == 100.0  # the cancelled item's absence is not counted
        attended = {e.title for e in archive.entries(user(people["learner"]))
                    if e.kind == "session"}
        assert attended == {"Held workshop"}


def test_an_item_answering_needs_cannot_move_to_another_years_plan(app, people):
    with app.app_context():
        asked = need(people["learner"])
        workshop = item(people["trainer"], needs=[asked])
        later = date(workshop.year + 1, 1, 15)
        with pytest.raises(svc.TrainingRefused) as refused:
            svc.update_item(workshop, svc.ItemInput(
                title=workshop.title, area=workshop.area, delivery=workshop.delivery,
                starts_on=later, ends_on=later), AudienceChoice(), user(people["trainer"]))
        assert refused.value.field == "starts_on"
