"""A learner complains about an exam result; a supervisor responds; the learner reads it."""

from __future__ import annotations

from playwright.sync_api import expect

from app.database import utcnow
from app.exams import attempts
from app.exams.models import Exam
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import user
from tests.exams.builders import make_exam


def test_a_complaint_about_an_exam_result_is_answered(app, page, chromium, live_server,
                                                      make_user):
    exam_id = make_exam(app, review_when="after_submit")
    with app.app_context():
        learner, supervisor = make_user("learner"), make_user("supervisor", name="Liu Yang")
        attempt = attempts.start_attempt(db.session.get(Exam, exam_id), user(learner),
                                         utcnow())
        attempts.submit_attempt(attempt, utcnow())
        db.session.commit()

    sign_in(page, learner)
    page.goto("/complaints/new")
    page.get_by_label("A complaint").check()
    page.get_by_label("One of your results (optional)").select_option(
        label="Quarterly product exam #1")
    page.get_by_label("Title").fill("Question 2 marked wrong")
    page.get_by_label("What happened, and what you would like").fill(
        "SAML and OIDC are both supported; please re-check.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Received. You will see its progress here.")).to_be_visible()
    complaint_url = page.url

    context = chromium.new_context(base_url=live_server, locale="en-US")
    try:
        other = context.new_page()
        sign_in(other, supervisor)
        other.goto("/complaints/all")
        other.get_by_role("link", name="Question 2 marked wrong").click()
        other.get_by_label("State").select_option(label="Resolved")
        other.get_by_label("Response to the author").fill(
            "You are right: the key was corrected and your attempt regraded.")
        other.get_by_role("button", name="Save").click()
        expect(other.get_by_text("Saved.")).to_be_visible()
    finally:
        context.close()

    page.goto(complaint_url)
    expect(page.get_by_text("the key was corrected and your attempt regraded")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Resolved")
    assert page.console_errors == []
