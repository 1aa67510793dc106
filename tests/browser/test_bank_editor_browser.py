"""A trainer edits a question in real Chromium: check at the line, preview, save; the
version history shows it and the next attempt serves it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam

NEW_STEM = "Where do DataHub **edge agents** run?"


def test_edit_preview_save_and_the_next_attempt_serves_it(app, chromium, live_server, page,
                                                         make_user):
    exam_id = make_exam(app)
    sign_in(page, make_user("trainer"))
    page.goto("/banks/questions/TK-1")
    page.get_by_role("link", name="Edit").click()
    editor = page.get_by_label("The question in the bank's Markdown format")
    source = editor.input_value()
    assert source.startswith("## TK-1\ntype: single\n")

    # A mistake, typed: lint as you type shows it at its line before any button is pressed.
    broken = source.replace("type: single", "type: singel")
    editor.fill(broken)
    issues = page.locator("[data-issues]")
    expect(issues).to_contain_text("Line 2:", timeout=10_000)
    expect(issues).to_contain_text("singel")
    # "Check" (the server) says the same, and keeps what was typed.
    page.get_by_role("button", name="Check").click()
    expect(issues).to_contain_text("Line 2:")
    expect(editor).to_have_value(broken)

    fixed = source.replace("Where do DataHub agents run?", NEW_STEM)
    editor.fill(fixed)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("no-errors")).to_be_visible()
    preview = page.get_by_test_id("preview")
    expect(preview.locator("strong", has_text="edge agents").first).to_be_visible()
    expect(preview).to_contain_text("✓ right")

    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url("**/banks/questions/TK-1")
    expect(page.locator(".flash-success")).to_contain_text("TK-1 saved as version 2.")
    history = page.locator("table.data tbody tr")
    expect(history.first).to_contain_text("question text")
    expect(history.first.locator("td").first).to_have_text("2")
    assert page.console_errors == []

    learner = chromium.new_context(base_url=live_server, locale="en-US").new_page()
    sign_in(learner, make_user())
    learner.goto(f"/exams/{exam_id}/")
    learner.get_by_role("button", name="Start the exam").click()
    learner.wait_for_url("**/exams/attempts/*")
    expect(learner.locator("strong", has_text="edge agents").first).to_be_visible()
    learner.context.close()


def test_a_new_bank_its_first_question_from_a_template_and_the_download(page, make_user):
    sign_in(page, make_user("trainer"))
    page.goto("/banks/")
    page.get_by_role("link", name="New bank").click()
    page.get_by_label("Bank ID").fill("pitch-skills")
    page.get_by_label("Title").fill("Pitch skills")
    page.get_by_label("Policy area").select_option("communication")
    page.get_by_role("button", name="Create the bank").click()
    expect(page.locator(".flash-success")).to_contain_text("pitch-skills was created")
    page.get_by_label("Question type").select_option("ordering")
    page.get_by_role("button", name="Start from this template").click()
    editor = page.get_by_label("The question in the bank's Markdown format")
    expect(editor).to_have_value(re.compile(r"^## PS-001\ntype: ordering\n"))
    expect(page.get_by_test_id("preview")).to_contain_text("First step")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url("**/banks/questions/PS-001")
    page.goto("/banks/")
    with page.expect_download() as download:
        page.locator("tr", has_text="pitch-skills").get_by_role(
            "link", name="Markdown", exact=True).click()
    assert download.value.suggested_filename == "pitch-skills.md"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("---\nid: pitch-skills\n") and "## PS-001\ntype: ordering" in text
    assert page.console_errors == []
