"""A reviewer scores a demonstration with the keyboard alone; the person sees the result."""

from __future__ import annotations

from playwright.sync_api import expect

from app.evaluations import services as svc
from app.evaluations.models import Evaluation, ReviewState
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import schedule, user


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_reviewer_scores_with_the_keyboard_and_the_person_sees_the_released_result(
        app, page, chromium, live_server, make_user):
    with app.app_context():
        subject, reviewer, coordinator = (make_user("learner", name="Li Wei"),
                                          make_user("reviewer", name="Wang Fang"),
                                          make_user("manager"))
        evaluation_id = schedule(subject, [reviewer], coordinator).id
        db.session.commit()

    sign_in(page, reviewer)
    page.goto("/evaluations/")
    _tab_to(page, f'a[href="/evaluations/{evaluation_id}/review"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/evaluations/{evaluation_id}/review")

    # Talking: level 2 (Space selects the first level, ArrowDown moves to the next).
    _tab_to(page, 'input[name="level-talk"]')
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Clear, but read from the slides at the start.")
    # Showing: level 2.
    _tab_to(page, 'input[name="level-show"]')
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    _tab_to(page, 'textarea[name="overall"]')
    page.keyboard.type("讲解清楚，演示顺利。")
    expect(page.locator('input[name="level-talk"][value="2"]')).to_be_checked()
    expect(page.locator('input[name="level-show"][value="2"]')).to_be_checked()

    page.once("dialog", lambda dialog: dialog.accept())  # "Submit your scores?"
    _tab_to(page, 'button[value="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/evaluations/{evaluation_id}")
    expect(page.get_by_text("Your scores are submitted and locked.")).to_be_visible()

    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        review = evaluation.reviews[0]
        assert review.state == ReviewState.SUBMITTED and str(review.total) == "70.00"
        assert review.overall_comment == "讲解清楚，演示顺利。"
        svc.release(evaluation, user(coordinator))
        db.session.commit()

    context = chromium.new_context(base_url=live_server, locale="en-US")
    try:
        person = context.new_page()
        sign_in(person, subject)
        person.goto(f"/evaluations/{evaluation_id}")
        expect(person.locator(".big-number")).to_contain_text("70.00")
        expect(person.get_by_text("Clear, but read from the slides at the start.")).to_be_visible()
        expect(person.get_by_text("讲解清楚，演示顺利。")).to_be_visible()
        expect(person.get_by_text("Wang Fang")).to_have_count(0)  # names hidden by default
    finally:
        context.close()
    assert page.console_errors == []
