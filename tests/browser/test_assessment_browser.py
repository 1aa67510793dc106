"""The person opens their published record in Chromium, sees the chart and the feedback,
and acknowledges it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import sqlalchemy as sa
from playwright.sync_api import expect

from app.assessments import services as svc
from app.assessments.models import AssessmentRecord
from app.database import utcnow
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import user


def test_the_person_reads_the_chart_and_feedback_and_acknowledges(app, page, make_user):
    with app.app_context():
        manager = make_user("manager")
        person = make_user("learner", manager=manager, name="Li Wei")
        today = utcnow().date()
        period = svc.create_period(svc.Plan(name="2026 Q4", cadence="quarterly",
                                            starts_on=today - timedelta(days=30),
                                            ends_on=today + timedelta(days=30)), user(manager))
        period.state = "scoring"
        record = svc.record_for(period, user(person))
        svc.enter_performance(period, user(person), D(80), D(90), "", user(manager))
        svc.save_feedback(record, "讲解清楚，客户反馈很好。", "Project documents were late.")
        svc.publish(record, user(manager), reason="Exams are in week 12")
        db.session.commit()
        path = f"/assessments/periods/{period.id}/people/{person.id}"

    sign_in(page, person)
    page.goto("/assessments/")
    page.get_by_role("link", name="2026 Q4").first.click()
    page.wait_for_url(f"**{path}")
    chart = page.get_by_test_id("indicator-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(1)  # only work performance has a value
    expect(page.get_by_text("讲解清楚，客户反馈很好。")).to_be_visible()
    expect(page.get_by_text("Project documents were late.")).to_be_visible()
    page.get_by_label("I have read the record and acknowledge it").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your response is recorded.")).to_be_visible()
    with app.app_context():
        assert db.session.execute(sa.select(AssessmentRecord.state)).scalar_one() == \
            "acknowledged"
    assert page.console_errors == []
