"""Notices of assessment records: each kind reaches the right people and nobody else."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from flask import current_app

from app.assessments import changes, follow_up
from app.assessments import services as svc
from app.assessments.models import PeriodState
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications.kinds import KINDS
from app.notifications.kinds import assessments as kinds
from app.notifications.models import Notification
from app.notifications.words import Described, describe
from tests.evaluations.builders import user


def notices(kind: str) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(Notification.kind == kind)
                                   .order_by(Notification.id)).scalars())


def told(kind: str) -> list[int]:
    return [n.user_id for n in notices(kind)]


def read(notice: Notification, reader: User) -> Described:
    """The notice in words for ``reader``, as the centre shows it (links need a request)."""
    with current_app.test_request_context():
        return describe(notice, reader)


@pytest.fixture
def team(app, make_user):
    """A manager, two people of their team, another manager and an admin; a period being
    scored with the person's record ready to publish (feedback written)."""
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        people = {"manager": manager, "other_manager": make_user("manager"),
                  "admin": make_user("admin"),
                  "person": make_user("learner", manager=manager, name="Li Wei"),
                  "colleague": make_user("learner", manager=manager)}
        today = utcnow().date()
        period = svc.create_period(svc.Plan(name="2026 Q4", cadence="quarterly",
                                            starts_on=today - timedelta(days=30),
                                            ends_on=today + timedelta(days=30)), user(manager))
        period.state = PeriodState.SCORING
        record = svc.record_for(period, user(people["person"]))
        svc.enter_performance(period, user(people["person"]), D(80), D(90), "", user(manager))
        svc.save_feedback(record, "Clear demos.", "Late documents.")
        db.session.commit()
        people["record"] = record
        yield people


def _publish(team) -> None:
    svc.publish(team["record"], user(team["manager"]), reason="Exams still to come")
    db.session.commit()


def test_published_tells_the_person_only_and_again_after_an_approved_change(team):
    assert told("assessment.published") == []  # a draft tells nobody
    _publish(team)
    assert told("assessment.published") == [team["person"].id]
    words = read(notices("assessment.published")[0], user(team["person"]))
    record = team["record"]
    assert "2026 Q4" in words.text and "acknowledge" in words.text
    assert "85" not in words.text  # the performance indicator stays on the page
    assert words.link == f"/assessments/periods/{record.period_id}/people/{record.person_id}"
    assert read(notices("assessment.published")[0], user(team["colleague"])).link is None

    change = changes.request_change(record, user(team["manager"]), "Wrong success rate.",
                                    indicators={"performance": D(82)})
    changes.approve(change, user(team["other_manager"]))
    db.session.commit()
    assert told("assessment.published") == [team["person"].id, team["person"].id]
    again = read(notices("assessment.published")[1], user(team["person"]))
    assert "approved request" in again.text


def test_disputed_tells_the_persons_manager_and_nobody_else(team):
    _publish(team)
    svc.respond(team["record"], user(team["person"]), agree=True)
    db.session.commit()
    assert told("assessment.disputed") == []  # an acknowledgement tells nobody
    svc.respond(team["record"], user(team["person"]), agree=False,
                comment="My demos were not counted.")
    db.session.commit()
    assert told("assessment.disputed") == [team["manager"].id]
    words = read(notices("assessment.disputed")[0], user(team["manager"]))
    assert "Li Wei" in words.text and "2026 Q4" in words.text
    assert "demos" not in words.text  # the comment stays on the record page
    assert words.link is not None and words.link.endswith(f"/people/{team['person'].id}")
    assert read(notices("assessment.disputed")[0], user(team["colleague"])).link is None


def test_a_plan_item_due_within_7_days_is_told_to_the_person_once(team):
    _publish(team)
    record, manager = team["record"], user(team["manager"])
    today = utcnow().date()
    soon = follow_up.add_item(record, "Rehearse the demo", "", today + timedelta(days=3), [],
                              manager)
    follow_up.add_item(record, "Write the case study", "", today + timedelta(days=30), [],
                       manager)
    done = follow_up.add_item(record, "Read the guide", "", today + timedelta(days=2), [],
                              manager)
    follow_up.mark_done(done, user(team["person"]))
    follow_up.add_item(record, "Missed already", "", today - timedelta(days=1), [], manager)
    db.session.commit()
    now = utcnow()
    assert kinds.due(now) == 1
    assert kinds.due(now) == 0
    db.session.commit()
    [notice] = notices("assessment.plan_item_due")
    assert notice.user_id == team["person"].id and notice.object_id == str(soon.id)
    words = read(notice, user(team["person"]))
    assert "Rehearse the demo" in words.text
    assert words.link is not None and words.link.endswith(f"/people/{team['person'].id}")
    assert read(notice, user(team["colleague"])).link is None


def test_a_performance_interview_still_to_come_is_told_to_the_person(team):
    _publish(team)
    record, manager = team["record"], user(team["manager"])
    today = utcnow().date()
    follow_up.record_interview(record, today - timedelta(days=2), "We met on Monday.", manager)
    db.session.commit()
    assert told("assessment.interview") == []  # held already: nothing to announce
    follow_up.record_interview(record, today + timedelta(days=3), "Moved to next week.",
                               manager)
    follow_up.record_interview(record, today + timedelta(days=3), "Bring the demo notes.",
                               manager)  # same day, new notes: told once
    db.session.commit()
    assert told("assessment.interview") == [team["person"].id]
    words = read(notices("assessment.interview")[0], user(team["person"]))
    assert "2026 Q4" in words.text and "notes" not in words.text
    assert words.link is not None and words.link.endswith(f"/people/{team['person'].id}")
    assert read(notices("assessment.interview")[0], user(team["colleague"])).link is None


def test_a_notice_of_a_record_that_no_longer_exists_reads_without_a_link(team):
    reader = user(team["person"])
    for key in ("assessment.published", "assessment.disputed", "assessment.plan_item_due",
                "assessment.interview"):
        gone = Notification(user_id=reader.id, kind=key, object_type="assessment_records",
                            object_id="999999", params={})
        words = read(gone, reader)
        assert "no longer exists" in words.text and words.link is None
        assert KINDS[key].label()
