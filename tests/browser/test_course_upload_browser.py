"""A trainer uploads a course zip in Chromium: an error at its line, fixed, dry run,
confirm; a learner then reads the new lesson."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.courses.zips import COURSE_MD, course_zip

BROKEN = {"course.md": COURSE_MD,
          "01-start.md": "# Start\n\nHello.\n",
          "02-pricing.md": "# Pricing\n\nSee [the table](03-table.md).\n"}
FIXED = {**BROKEN, "02-pricing.md": "# Pricing\n\nPrice by the **seat**, yearly.\n"}


def _upload(page, path: Path) -> None:
    page.get_by_label("Course zip").set_input_files(str(path))
    page.get_by_role("button", name="Check the course").click()


def test_upload_fix_dry_run_confirm_then_a_learner_reads_it(app, page, make_user, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    broken, fixed = tmp_path / "pricing-course.zip", tmp_path / "fixed.zip"
    broken.write_bytes(course_zip(BROKEN, folder="pricing-course"))
    fixed.write_bytes(course_zip(FIXED, folder="pricing-course"))
    trainer, learner = make_user("trainer"), make_user("learner")

    sign_in(page, trainer)
    page.goto("/courses/")
    page.get_by_role("link", name="Manage courses").click()
    _upload(page, broken)
    problems = page.get_by_test_id("problems")
    expect(problems).to_contain_text("courses/pricing-course/02-pricing.md:3: link "
                                     "'03-table.md' points to no lesson or file")
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)

    _upload(page, fixed)
    expect(page.get_by_test_id("summary")).to_have_text(
        "0 lessons changed, 2 added, 0 retired, 0 unchanged; progress kept")
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator(".flash")).to_contain_text("pricing-course is loaded")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, learner)
    page.goto("/courses/")
    page.get_by_role("link", name="Zipped course").click()
    page.get_by_role("link", name="Pricing").click()
    expect(page.locator(".markdown")).to_contain_text("Price by the seat, yearly.")
    expect(page.locator(".markdown strong")).to_have_text("seat")
