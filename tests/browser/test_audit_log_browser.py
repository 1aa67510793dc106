"""A supervisor reads the audit log in Chromium: filters it by action and person, reads the
rows as sentences, goes to page 2, downloads the view as CSV and verifies the chain; bad
filters give messages; in Chinese the sentences are Chinese."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.audit import log as audit
from app.auth.models import User
from app.exams.models import Exam
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam


def _history(app, make_user) -> dict:
    """Li Wei publishes an exam 60 times and regrades a question; someone else acts too."""
    exam_id = make_exam(app)
    trainer, other = make_user("trainer", name="Li Wei"), make_user("trainer", name="Wang Fang")
    with app.app_context():
        exam, li = db.session.get(Exam, exam_id), db.session.get(User, trainer.id)
        for _ in range(60):
            audit.record("exam.publish", exam, actor=li, before={"published": False},
                         after={"published": True})
        audit.record("exam.publish", exam, actor=db.session.get(User, other.id))
        audit.record("exam.regrade_question", object_type="questions", object_id="TK-1",
                     actor=li, after={"version": 2}, reason="Key was wrong")
        db.session.commit()
        return {"trainer": trainer, "exam": exam.title}


def test_a_supervisor_filters_pages_exports_and_verifies(app, page, make_user, tmp_path):
    cast = _history(app, make_user)
    sign_in(page, make_user("supervisor"))
    page.get_by_role("link", name="Audit log").first.click()
    page.wait_for_url("**/oversight/audit")
    expect(page.get_by_text("Li Wei regraded question TK-1 in")).to_be_visible()

    filters = page.locator("#audit-filters")
    filters.get_by_label("Person").select_option(str(cast["trainer"].id))
    filters.get_by_label("Action").select_option("exam.publish")
    filters.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("60 entries")).to_be_visible()
    rows = page.locator("tr.audit-entry")
    expect(rows).to_have_count(50)
    first = rows.first
    expect(first.locator("td.what")).to_contain_text(f"Li Wei published the exam {cast['exam']}")
    expect(first.get_by_role("link", name="Li Wei")).to_be_visible()  # to the archive
    expect(first.get_by_role("link", name=cast["exam"])).to_have_count(0)  # trainers' page
    expect(first.locator("table.changes")).to_contain_text("published")
    expect(page.locator("table.audit").get_by_text("Wang Fang")).to_have_count(0)

    page.locator("nav.pager").get_by_role("link", name="2", exact=True).click()
    expect(page.locator("strong[aria-current=page]")).to_have_text("2")
    expect(rows).to_have_count(10)
    assert "action=exam.publish" in page.url and f"person={cast['trainer'].id}" in page.url

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this view as CSV").click()
    target = tmp_path / "audit.csv"
    download_info.value.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 61 and all("exam.publish" in line for line in lines[1:])

    page.get_by_role("button", name="Verify the chain").click()
    check = page.locator("#chain-check")
    expect(check).to_contain_text("The audit log is intact")
    with app.app_context():
        head = audit.verify_chain().head
    expect(check.locator("code.chain-head")).to_have_text(head)
    expect(rows).to_have_count(10)  # still the filtered page 2
    assert page.console_errors == []


def test_bad_filters_give_messages_not_errors(app, page, make_user):
    _history(app, make_user)
    sign_in(page, make_user("supervisor"))
    page.goto("/oversight/audit?since=2026-02-30&person=987654&page=99999999999999999999")
    expect(page.get_by_text("Not a valid date value.")).to_be_visible()
    expect(page.get_by_text(re.compile("No person has the ID “987654”"))).to_be_visible()
    expect(page.get_by_text("The filters above need correcting")).to_be_visible()
    page.goto("/oversight/audit?page=99999999999999999999")
    expect(page.locator("#page-message")).to_contain_text("There is no page 99999999999999999999")
    expect(page.locator("strong[aria-current=page]")).to_have_text("2")  # the last page


def test_the_log_reads_in_chinese(app, page, make_user):
    _history(app, make_user)
    sign_in(page, make_user("supervisor", locale="zh_CN"))
    page.goto("/oversight/audit")
    expect(page.locator("h1")).to_have_text("审计日志")
    expect(page.locator("td.what", has_text="TK-1")).to_contain_text(
        "Li Wei 对试题 Taking bank 中的 TK-1 重新评分")
    page.get_by_role("button", name="验证哈希链").click()
    expect(page.locator("#chain-check")).to_contain_text("审计日志完整")
