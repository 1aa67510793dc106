"""After publication: interview, improvement plan, decisions, and change control."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.assessments import changes, follow_up
from app.assessments import services as svc
from app.assessments.models import ChangeState, PeriodState, RecordState
from app.audit.models import AuditEntry
from app.auth.permissions import Permission, can
from app.courses.sync import sync_courses
from app.database import utcnow
from app.extensions import db
from tests.courses.builders import write_course
from tests.evaluations.builders import user


@pytest.fixture
def published(app, make_user, tmp_path):
    """A published, complete record: every indicator entered as a change-free snapshot."""
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        people = {"manager": manager, "second": make_user("manager", name="Second Manager"),
                  "admin": make_user("admin"),
                  "person": make_user("learner", manager=manager, name="Li Wei")}
        today = utcnow().date()
        period = svc.create_period(svc.Plan(name="2026 Q4", cadence="quarterly",
                                            starts_on=today - timedelta(days=30),
                                            ends_on=today + timedelta(days=30)), user(manager))
        period.state = PeriodState.SCORING
        record = svc.record_for(period, user(people["person"]))
        svc.enter_performance(period, user(people["person"]), D(80), D(90), "", user(manager))
        svc.save_feedback(record, "Clear demos.", "Late documents.")
        svc.publish(record, user(manager), reason="Exams and evaluations still to come")
        db.session.commit()
        people["record"] = record
        write_course(tmp_path, "storytelling", meta={"area": "communication"})
        sync_courses(tmp_path)
        db.session.commit()
        yield people


def test_the_interview_and_plan_items_tracked_to_done(published):
    record, manager = published["record"], user(published["manager"])
    with pytest.raises(svc.AssessmentRefused, match="notes"):
        follow_up.record_interview(record, utcnow().date(), " ", manager)
    follow_up.record_interview(record, utcnow().date(), "Agreed to rehearse demos.", manager)
    course_id = db.session.execute(sa.text("SELECT id FROM courses")).scalar()
    item = follow_up.add_item(record, "Tell the customer's story", "Two rehearsals",
                              utcnow().date() + timedelta(days=30), [course_id, 9999], manager)
    assert item.course_ids == [course_id]  # unknown courses are dropped
    linked = follow_up.linked_courses(user(published["person"]), [item])
    assert linked[course_id].percent == 0 and not linked[course_id].completed
    follow_up.mark_done(item, user(published["person"]))
    assert item.done_at is not None
    actions = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
    assert {"assessment.interview", "assessment.plan.add", "assessment.plan.done"} <= set(actions)


def test_the_decision_is_recorded_next_to_the_proposal(published):
    record, manager = published["record"], user(published["manager"])
    proposal = follow_up.proposal(record)
    assert proposal.pay is None  # incomplete: the manager decides
    with pytest.raises(svc.AssessmentRefused, match="differs"):
        follow_up.decide(record, manager, pay="raise", promotion_priority=False,
                         course_ids=[], position_review=False, comment="")
    decision = follow_up.decide(record, manager, pay="keep", promotion_priority=False,
                                course_ids=[], position_review=False,
                                comment="Incomplete quarter: decide at the next review.")
    assert decision.proposed["weakest_indicator"] == "performance"
    assert decision.pay == "keep"


def test_a_change_after_publication_waits_for_a_second_person(published):
    record = published["record"]
    manager, second = user(published["manager"]), user(published["second"])
    assert record.snapshot["indicators"]["performance"]["value"] == "85.00"
    with pytest.raises(svc.AssessmentRefused, match="reason"):
        changes.request_change(record, manager, " ", indicators={"performance": D(82)})
    with pytest.raises(svc.AssessmentRefused, match="Nothing would change"):
        changes.request_change(record, manager, "typo", indicators={"performance": D(85)})
    change = changes.request_change(record, manager, "The success rate was 74 %, not 80 %.",
                                    indicators={"performance": D("82")},
                                    problems="Late documents; one failed proof of concept.")
    db.session.commit()
    assert record.snapshot["indicators"]["performance"]["value"] == "85.00"  # not yet
    assert not can(manager, Permission.DECIDE_CHANGE, change)
    assert not can(user(published["person"]), Permission.DECIDE_CHANGE, change)
    assert can(second, Permission.DECIDE_CHANGE, change)
    with pytest.raises(svc.AssessmentRefused, match="Someone else"):
        changes.approve(change, manager)
    changes.approve(change, second, "Checked against the project report.")
    db.session.commit()
    assert record.snapshot["indicators"]["performance"]["value"] == "82.00"
    assert record.problems.startswith("Late documents; one failed")
    assert record.state == RecordState.PUBLISHED and change.state == ChangeState.APPROVED
    entry = db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == "assessment.change.approve")).scalar_one()
    assert entry.before["indicators"]["performance"] == "85.00"
    assert entry.after["indicators"]["performance"] == "82.00"
    assert entry.after["requested_by"] == published["manager"].email
    assert entry.after["approved_by"] == published["second"].email
    assert entry.reason == "The success rate was 74 %, not 80 %."


def test_a_rejected_change_changes_nothing_and_needs_a_reason(published):
    record, manager = published["record"], user(published["manager"])
    change = changes.request_change(record, manager, "Recount", went_well="Everything.")
    with pytest.raises(svc.AssessmentRefused, match="already waiting"):
        changes.request_change(record, manager, "Again", went_well="More.")
    admin = user(published["admin"])
    with pytest.raises(svc.AssessmentRefused, match="why"):
        changes.reject(change, admin, "")
    changes.reject(change, admin, "No evidence given.")
    assert record.went_well == "Clear demos." and change.state == ChangeState.REJECTED
