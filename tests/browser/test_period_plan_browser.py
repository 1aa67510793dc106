"""The manager corrects an open period's plan in Chromium: a bad weight is refused beside
the field with what was typed kept, a weight changed with a reason shows on the period page
and in the audit log; once a record is published the form is gone and the record's change
request is offered instead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import sqlalchemy as sa
from playwright.sync_api import expect

from app.assessments import services as svc
from app.assessments.models import AssessmentPeriod
from app.audit.models import AuditEntry
from app.database import utcnow
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import user


def _open_period(manager, person) -> int:
    today = utcnow().date()
    period = svc.create_period(svc.Plan(name="2026 Q4", cadence="quarterly",
                                        starts_on=today - timedelta(days=30),
                                        ends_on=today + timedelta(days=30)), user(manager))
    period.state = "open"
    svc.enter_performance(period, user(person), D(80), D(90), "", user(manager))
    db.session.commit()
    return period.id


def _publish(period_id: int, person, manager) -> None:
    record = svc.record_for(db.session.get(AssessmentPeriod, period_id), user(person))
    svc.save_feedback(record, "Clear demos.", "")
    svc.publish(record, user(manager), reason="Joined late")
    db.session.commit()


def test_the_manager_corrects_the_plan_until_a_record_is_published(app, page, make_user):
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        person = make_user("learner", manager=manager, name="Li Wei")
        period_id = _open_period(manager, person)
    sign_in(page, manager)
    page.goto(f"/assessments/periods/{period_id}")
    page.get_by_role("link", name="Correct the plan").click()
    page.wait_for_url(f"**/assessments/periods/{period_id}/plan/correct")

    page.get_by_label("Professional knowledge", exact=True).fill("40")
    page.get_by_label("Reason for the correction").fill("The demo day was cancelled")
    page.get_by_role("button", name="Correct the plan").click()
    expect(page.get_by_text("The four weights must total 100 (they total 110).")).to_be_visible()
    expect(page.get_by_label("Professional knowledge", exact=True)).to_have_value("40")
    expect(page.get_by_label("Reason for the correction")).to_have_value(
        "The demo day was cancelled")

    page.get_by_label("Business capability", exact=True).fill("20")
    page.get_by_role("button", name="Correct the plan").click()
    page.wait_for_url(f"**/assessments/periods/{period_id}")
    expect(page.get_by_text("Plan corrected.")).to_be_visible()
    plan = page.locator("section.card").filter(has=page.get_by_role("heading", name="Plan"))
    expect(plan.locator("td").first).to_have_text("40 %")
    expect(plan.get_by_text("The demo day was cancelled")).to_be_visible()
    expect(plan.get_by_text("Professional knowledge: 30 → 40")).to_be_visible()
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "assessment.period.correct")).scalar_one()
        assert entry.reason == "The demo day was cancelled"
        assert entry.after == {"weights": {"knowledge": "40", "capability": "20",
                                           "performance": "25", "professionalism": "15"}}
        _publish(period_id, person, manager)

    page.reload()
    expect(page.get_by_role("link", name="Correct the plan")).to_have_count(0)
    expect(page.get_by_text("The plan is fixed")).to_be_visible()
    page.goto(f"/assessments/periods/{period_id}/plan/correct")
    expect(page.get_by_label("Professional knowledge", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Request a change to Li Wei's record").click()
    page.wait_for_url(f"**/assessments/periods/{period_id}/people/{person.id}#changes")
    page.get_by_text("Request a change", exact=True).click()
    expect(page.get_by_label("Reason for the change")).to_be_visible()
    assert page.console_errors == []
