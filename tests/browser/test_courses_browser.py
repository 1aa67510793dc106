"""Courses in real Chromium: hostile lesson content runs no script; a learner's journey."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.courses.loader import link_targets, local_target
from app.courses.sync import sync_courses
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.courses.builders import SVG, write_course
from tests.helpers import skip_or_fail

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "xss"


def _hostile_payloads() -> list[str]:
    if not CORPUS.is_dir():
        skip_or_fail(f"the hostile-input corpus is missing at {CORPUS}")
    payloads = [json.loads(line)["payload"]
                for line in (CORPUS / "markdown" / "markdown_vectors.jsonl").read_text(
                    encoding="utf-8").splitlines() if line.strip()]
    for name in ("RSNAKE_XSS.txt", "XSS_Polyglots.txt", "xss_payloads_quick.txt"):
        text = (CORPUS / "payloadsallthethings" / name).read_text(encoding="utf-8",
                                                                  errors="replace")
        payloads += [line for line in text.splitlines() if line.strip()]
    # Payloads that set a global instead of opening a dialog, to catch silent execution.
    payloads += ['<img src=x onerror="window.__pwned=1">',
                 '<svg onload="window.__pwned=2">',
                 "[click](javascript:window.__pwned=3)",
                 '<a href="javascript:window.__pwned=4">x</a>']
    # Markdown links to in-course files that do not exist never get this far:
    # `flask courses check` refuses the lesson (tested in tests/courses).
    return [p for p in payloads
            if not any(local_target(target) for _, _, target in link_targets(p))]


def _sync(app, root):
    with app.app_context():
        report = sync_courses(root)
        assert report.ok, report.problems
        db.session.commit()


@pytest.mark.parametrize("chunk", range(4))
def test_a_lesson_built_from_hostile_payloads_runs_no_script(app, page, make_user, tmp_path,
                                                             chunk):
    payloads = _hostile_payloads()
    part = payloads[chunk::4]
    body = "\n\n".join(part)
    write_course(tmp_path, "hostile", lessons={"01-payloads.md": f"# Payloads\n\n{body}\n"})
    _sync(app, tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, make_user())
    page.goto("/courses/hostile/lessons/payloads")
    expect(page.get_by_role("heading", name="Payloads", exact=True)).to_be_visible()
    # Give timers, image errors and animations a moment to fire.
    page.wait_for_timeout(1500)
    for link in page.locator(".markdown a").all()[:60]:
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith(("javascript:", "vbscript:", "data:"))
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    dangerous = page.evaluate("""() => {
        const root = document.querySelector('.markdown');
        const bad = [];
        for (const el of root.querySelectorAll('*')) {
            if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'svg', 'math', 'STYLE']
                    .includes(el.tagName)) bad.push(el.tagName);
            for (const attr of el.attributes) {
                if (attr.name.startsWith('on') || attr.name === 'style') bad.push(attr.name);
            }
        }
        return bad;
    }""")
    assert dangerous == []


def test_a_learner_reads_completes_and_rates_a_course_and_the_trainer_sees_it(
        app, page, make_user, tmp_path, chromium, live_server):
    write_course(tmp_path, "datahub-basics", meta={"title": "DataHub basics"}, lessons={
        "01-welcome.md": "# Welcome\n\n## Architecture\n\n![Three tiers](tiers.svg)\n",
        "02-config.md": "# Configuration\n\n```yaml\npipeline:\n  source: oracle\n```\n",
    }, assets={"tiers.svg": SVG})
    _sync(app, tmp_path)
    sign_in(page, make_user("learner"))
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Learning").click()  # the header group holding it
    nav.get_by_role("link", name="Courses").click()
    page.get_by_role("link", name="DataHub basics").click()
    page.get_by_role("link", name="Start the course").click()
    image = page.get_by_role("img", name="Three tiers")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0  # the asset really loaded
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("heading", name="Configuration")).to_be_visible()
    expect(page.locator(".highlight .nt").first).to_be_visible()  # highlighted YAML key
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("You completed “DataHub basics”")).to_be_visible()
    page.get_by_label("4 — good").check()
    page.get_by_label("Comment (optional)").fill("Clear diagrams. 图很清楚。")
    page.get_by_role("button", name="Save feedback").click()
    expect(page.get_by_text("Thank you: your feedback is saved.")).to_be_visible()

    trainer = chromium.new_context(base_url=live_server, locale="zh-CN").new_page()
    sign_in_zh(trainer, make_user("trainer", locale="zh_CN"))
    trainer_nav = trainer.get_by_role("navigation", name="主导航")
    trainer_nav.locator("summary", has_text="教学管理").click()
    trainer_nav.get_by_role("link", name="课程统计").click()
    trainer.get_by_role("link", name="DataHub basics").click()
    expect(trainer.get_by_test_id("completed")).to_have_text("1")
    expect(trainer.get_by_test_id("rating")).to_have_text("4.0")
    expect(trainer.get_by_text("Clear diagrams. 图很清楚。")).to_be_visible()
    trainer.context.close()


def sign_in_zh(page, person) -> None:
    page.goto("/login")
    page.get_by_label("邮箱").fill(person.email)
    page.get_by_label("密码").fill(person.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
