"""Coming from Moodle in real Chromium: a trainer uploads a Moodle XML export and a GIFT
export, reads the dry run's notices, imports both, builds an exam from their questions and
downloads a bank back as Moodle XML; in Chinese, keeps the good questions of a file with one
broken question."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from app.banks.models import Question
from app.banks.moodle_xml import read_moodle_xml
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.test_courses_browser import sign_in_zh
from tests.browser.test_phone_layout_browser import OVERFLOW

# What Moodle's "Export > Moodle XML format" writes, cut down to two questions (our own file).
MOODLE_XML = Path(__file__).with_name("files") / "datahub-moodle.xml"

# What Moodle's GIFT export writes: the two questions share a name (Moodle allows that).
MOODLE_GIFT = """// question: 1  name: Port
::Port::[html]Which port do the agents use?{#443}

// question: 2  name: Port
::Port::[html]Which port does the console use?{#8443}
"""

BROKEN_GIFT = """::Edge::Which tier runs in the customer's network? {=Edge ~Catalogue}

::Broken::This block is never closed {=yes ~no
"""


def _upload(page, path, fmt: str, bank_id: str, title: str) -> None:
    page.goto("/banks/upload")
    page.get_by_label("Bank file").set_input_files(str(path))
    page.get_by_label("Format").select_option(fmt)
    page.get_by_label("Bank ID (Moodle files)").fill(bank_id)
    page.get_by_label("Bank title (Moodle files)").fill(title)
    page.get_by_role("button", name="Check the file").click()


def test_a_trainer_moves_two_moodle_banks_in_builds_an_exam_and_sends_one_back(
        app, page, make_user, tmp_path):
    xml_file, gift_file = MOODLE_XML, tmp_path / "ports.txt"
    gift_file.write_text(MOODLE_GIFT, encoding="utf-8")
    sign_in(page, make_user("trainer"))

    _upload(page, xml_file, "moodle-xml", "datahub-moodle", "DataHub from Moodle")
    dry_run = page.get_by_test_id("dry-run")
    expect(dry_run).to_contain_text("2 questions read.")
    expect(dry_run.locator(".issues li.warning").first).to_be_visible()  # e.g. penalties
    expect(dry_run).to_contain_text("2 added")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash-success")).to_contain_text("datahub-moodle: 2 added")

    _upload(page, gift_file, "gift", "ports-moodle", "Ports from Moodle")
    dry_run = page.get_by_test_id("dry-run")
    expect(dry_run).to_contain_text("2 questions read.")
    expect(dry_run.locator(".issues li.warning", has_text="ports-moodle-port-2")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash-success")).to_contain_text("ports-moodle: 2 added")
    with app.app_context():
        ids = set(db.session.execute(sa.select(Question.question_id)).scalars())
    assert ids == {"MX-1", "MX-2", "ports-moodle-port", "ports-moodle-port-2"}

    # An exam from the imported questions, picked as a trainer who knows no IDs.
    page.goto("/exam-admin/new")
    page.get_by_label("Title").fill("From Moodle")
    page.get_by_label("Opens").fill("2099-06-01T09:00")
    page.get_by_label("Closes").fill("2099-06-01T12:00")
    page.locator("#settings").get_by_role("button", name="Create the exam").click()
    page.wait_for_url(re.compile(r"/exam-admin/\d+#sections"))
    page.get_by_role("link", name="Pick questions from the banks").click()
    page.get_by_label("Bank").select_option(label="DataHub from Moodle")
    page.get_by_role("button", name="Search").click()
    expect(page.locator('input[name="pick"]')).to_have_count(2)
    page.get_by_label("MX-1").check()
    page.get_by_label("MX-2").check()
    page.get_by_role("button", name="Add the ticked questions").click()
    page.wait_for_url(re.compile(r"#sections$"))
    expect(page.locator("#sections")).to_contain_text("MX-1")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".page-head")).to_contain_text("Published")

    # Back to Moodle: the bank as Moodle XML, which reads back to the same questions.
    page.goto("/banks/")
    row = page.locator("tr", has_text="DataHub from Moodle")
    with page.expect_download() as download:
        row.get_by_role("link", name="Moodle XML").click()
    assert download.value.suggested_filename == "datahub-moodle.xml"
    data = (tmp_path / "back.xml")
    download.value.save_as(data)
    bank, issues = read_moodle_xml(data.read_bytes(), "back.xml", "datahub-moodle")
    assert bank is not None, issues
    assert [q.id for q in bank.questions] == ["MX-1", "MX-2"]
    assert page.console_errors == []


def test_in_chinese_a_trainer_keeps_the_good_questions_of_a_file(app, chromium, live_server,
                                                               make_user, tmp_path):
    gift_file = tmp_path / "broken.gift"
    gift_file.write_text(BROKEN_GIFT, encoding="utf-8")
    page = chromium.new_context(base_url=live_server, locale="zh-CN",
                                viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(10_000)
    sign_in_zh(page, make_user("trainer", locale="zh_CN"))
    page.goto("/banks/upload")
    page.locator('input[name="file"]').set_input_files(str(gift_file))
    page.locator('input[name="bank_id"]').fill("broken-gift")
    page.locator('select[name="on_errors"]').select_option("keep-good")
    expect(page.locator("h1")).to_have_text("上传题库")
    page.locator('form[action="/banks/upload"] [type="submit"]').click()
    refused = page.get_by_test_id("refused")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("broken-gift-broken")
    assert "Line" not in refused.inner_text() and "will not be imported" not in page.content()
    fits = page.evaluate(OVERFLOW)  # the dry run's long messages wrap on a phone
    assert fits["scrollWidth"] <= fits["width"], fits["wide"]
    page.locator('form[action="/banks/upload/confirm"] [type="submit"]').click()
    expect(page.locator(".flash-warning")).to_be_visible()
    with app.app_context():
        ids = set(db.session.execute(sa.select(Question.question_id)).scalars())
    assert ids == {"broken-gift-edge"}
    page.context.close()
