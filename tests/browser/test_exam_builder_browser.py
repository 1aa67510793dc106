"""Building an exam in real Chromium as a trainer who knows no question IDs: the steps
keep what was typed, the picker finds and adds questions, a random rule offers its
bank's tags and counts live, then the exam is published."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.exams.models import Exam
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.test_builder import BANK
from tests.exams.test_picker import OTHER_BANK, _import


def _settings_in_steps(page) -> None:
    """Type in one step, move through the others, come back: nothing typed is lost."""
    page.goto("/exam-admin/new")
    page.get_by_label("Title").fill("Picked exam")
    page.get_by_role("link", name="3. Review policy").click()
    expect(page.get_by_label("Title")).to_be_hidden()
    page.get_by_label("The right answers").check()
    page.get_by_role("link", name="2. Audience").click()
    expect(page.get_by_label("Who may sit it")).to_be_visible()
    page.get_by_role("link", name="1. Settings").click()
    expect(page.get_by_label("Title")).to_have_value("Picked exam")
    page.get_by_label("Opens").fill("2099-06-01T09:00")
    page.get_by_label("Closes").fill("2099-06-01T12:00")
    page.locator("#settings").get_by_role("button", name="Create the exam").click()
    page.wait_for_url(re.compile(r"/exam-admin/\d+#sections"))


def _pick_questions(page) -> None:
    page.get_by_role("link", name="Pick questions from the banks").click()
    page.get_by_label("Tag").select_option("agents")
    page.get_by_role("button", name="Search").click()
    rows = page.locator('input[name="pick"]')
    expect(rows).to_have_count(3)
    page.locator("summary", has_text="Where do agents run?").click()  # the preview opens
    expect(page.get_by_text("In the customer network")).to_be_visible()
    page.get_by_label("BQ-1").check()
    page.get_by_label("OQ-1").check()
    page.get_by_label("Title of the new section (optional)").fill("Agents")
    page.get_by_role("button", name="Add the ticked questions").click()
    page.wait_for_url(re.compile(r"#sections$"))
    expect(page.locator("#sections")).to_contain_text("BQ-1")
    expect(page.locator("#sections")).to_contain_text("OQ-1")


def _random_rule(page) -> None:
    sections = page.locator("#sections")
    count = sections.get_by_test_id("draw-count")
    expect(count).to_have_text("4 questions to draw from")
    sections.get_by_label("Bank", exact=True).select_option(label="Other bank")
    expect(count).to_have_text("1 question to draw from")
    tags = sections.get_by_label("Tags (questions must carry all of them)")
    expect(tags.locator("option")).to_have_text(["agents", "pricing"])
    tags.select_option("pricing")
    sections.get_by_label("Number of questions").fill("1")
    expect(count).to_have_text("1 question to draw from")
    sections.get_by_role("button", name="Add the section").last.click()
    page.wait_for_url(re.compile(r"#sections$"))
    expect(sections).to_contain_text("1 random question")


def test_a_trainer_builds_and_publishes_an_exam_with_the_picker_only(app, page, make_user):
    _import(app, BANK, OTHER_BANK)
    sign_in(page, make_user("trainer"))
    _settings_in_steps(page)
    _pick_questions(page)
    _random_rule(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".page-head")).to_contain_text("Published")
    with app.app_context():
        exam = db.session.execute(sa.select(Exam)).scalar_one()
        assert exam.published_at is not None and exam.review_answers
        rules = sorted(exam.rules, key=lambda r: r.position)
        assert [r.question_ids for r in rules] == [["BQ-1", "OQ-1"], []]
        assert rules[1].tags == ["pricing"] and rules[1].count == 1
    assert page.console_errors == []


def test_without_javascript_the_steps_show_together_and_the_picker_still_works(
        app, chromium, live_server, make_user):
    _import(app, BANK, OTHER_BANK)
    context = chromium.new_context(base_url=live_server, locale="en-US",
                                   java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, make_user("trainer"))
        page.goto("/exam-admin/new")
        expect(page.get_by_label("Title")).to_be_visible()
        expect(page.get_by_label("The right answers")).to_be_visible()  # no tabs: all shown
        page.get_by_label("Title").fill("Without scripts")
        page.get_by_label("Opens").fill("2099-06-01T09:00")
        page.get_by_label("Closes").fill("2099-06-01T12:00")
        page.locator("#settings").get_by_role("button", name="Create the exam").click()
        page.get_by_role("link", name="Pick questions from the banks").click()
        page.get_by_label("Type").select_option(label="Essay")
        page.get_by_role("button", name="Search").click()
        page.get_by_label("BQ-4").check()
        page.get_by_role("button", name="Add the ticked questions").click()
        expect(page.locator("#sections")).to_contain_text("BQ-4")
        page.locator("#sections").get_by_label("Bank", exact=True).select_option(
            label="Other bank")
        page.get_by_role("button", name="Show this bank's tags").click()
        expect(page.get_by_label("Tags (questions must carry all of them)").locator(
            "option")).to_have_text(["agents", "pricing"])
        expect(page.get_by_test_id("draw-count")).to_have_text("1 question to draw from")
    finally:
        context.close()
