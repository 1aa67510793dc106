"""On a 390 px phone no page is wider than the screen: every sample lesson, and the main
pages. Wide tables and code scroll inside their own box instead."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from app.assessments import services as svc
from app.auth.models import User
from app.courses.models import Course, Lesson
from app.courses.sync import sync_courses
from app.database import utcnow
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import user
from tests.exams.builders import make_exam

SAMPLE_COURSES = Path(__file__).resolve().parents[2] / "courses"
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("LAYOUT_SCREENSHOTS")  # a folder: save what the test saw, to look at

# What overflows, for the failure message: the widest elements reaching past the screen.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 0.5 && box.width > 0) {
            const name = `${el.tagName.toLowerCase()}.${el.className}`;
            wide.push([box.right, `${name}: right ${Math.round(box.right)}`]);
        }
    }
    wide.sort((a, b) => b[0] - a[0]);
    return {scrollWidth: document.documentElement.scrollWidth, width,
            wide: wide.slice(0, 6).map(w => w[1])};
}"""


def _phone(chromium, live_server, locale="en-US"):
    context = chromium.new_context(base_url=live_server, viewport=PHONE, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _fits(page, path: str, shot: str) -> str | None:
    """None when the page at ``path`` is no wider than the phone, else what overflows."""
    response = page.goto(path)
    assert response.status == 200, f"{path}: {response.status}"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{shot}.png"), full_page=True)
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] <= PHONE["width"]:
        return None
    return f"{path}: {found['scrollWidth']} px wide ({'; '.join(found['wide'])})"


def _name(path: str) -> str:
    return path.strip("/").replace("/", "_") or "home"


def _lesson_files() -> list[Path]:
    return sorted(path for path in SAMPLE_COURSES.glob("*/*.md") if path.name != "course.md")


@pytest.fixture
def sample_lessons(app) -> list[str]:
    """Every lesson of the sample courses in ``courses/``, loaded as `flask courses sync`
    loads them; their paths."""
    with app.app_context():
        report = sync_courses(SAMPLE_COURSES)
        assert report.ok, report.problems
        db.session.commit()
        rows = db.session.execute(sa.select(Course.slug, Lesson.slug).join(
            Lesson, Lesson.course_id == Course.id).order_by(Course.slug, Lesson.id)).all()
    return [f"/courses/{course}/lessons/{lesson}" for course, lesson in rows]


def test_every_sample_lesson_fits_a_phone(app, chromium, live_server, make_user,
                                          sample_lessons):
    assert len(sample_lessons) == len(_lesson_files()) > 20  # really every lesson
    page = _phone(chromium, live_server)
    sign_in(page, make_user())
    problems = [problem for path in sample_lessons
                if (problem := _fits(page, path, _name(path)))]
    assert problems == []
    page.context.close()


def test_a_wide_table_and_a_long_command_scroll_inside_their_box(app, chromium, live_server,
                                                                 make_user, sample_lessons):
    page = _phone(chromium, live_server)
    sign_in(page, make_user())
    assert _fits(page, "/courses/integration-architecture/lessons/apis-and-webhooks",
                 "apis-and-webhooks") is None
    # A Markdown table is its own scrolling box (display: block; overflow-x: auto).
    boxes = page.evaluate("""() => [...document.querySelectorAll(
            '.markdown table, .markdown pre')].map(el => ({
        tag: el.tagName, scrolls: el.scrollWidth > el.clientWidth,
        overflow: getComputedStyle(el).overflowX,
        right: el.getBoundingClientRect().right}))""")
    tables = [box for box in boxes if box["tag"] == "TABLE"]
    assert tables and all(box["right"] <= PHONE["width"] for box in boxes)
    assert any(box["scrolls"] for box in tables)  # the API table is wider than the phone
    assert all(box["overflow"] == "auto" for box in boxes)
    assert any(box["scrolls"] for box in boxes if box["tag"] == "PRE")  # the curl command
    # The table inside keeps its natural width: its cells are not squeezed to a column
    # of single characters.
    cell = page.locator(".markdown table td").first
    assert cell.evaluate("td => td.getBoundingClientRect().width") > 80
    page.context.close()


@pytest.fixture
def published_record(app, make_user):
    with app.app_context():
        manager = make_user("manager", "trainer", name="Chen Jie")
        person = make_user("learner", manager=manager, name="Li Wei")
        today = utcnow().date()
        period = svc.create_period(svc.Plan(name="2026 Q4", cadence="quarterly",
                                            starts_on=today - timedelta(days=30),
                                            ends_on=today + timedelta(days=30)), user(manager))
        period.state = "scoring"
        record = svc.record_for(period, user(person))
        svc.enter_performance(period, user(person), D(80), D(90), "", user(manager))
        svc.save_feedback(record, "讲解清楚，客户反馈很好。" * 5,
                          "Project documents were late: " + "x" * 80)
        svc.publish(record, user(manager), reason="Exams are in week 12")
        db.session.commit()
        return {"manager": manager, "person": person,
                "period": f"/assessments/periods/{period.id}",
                "record": f"/assessments/periods/{period.id}/people/{person.id}"}


MAIN_PAGES = ["main.home", "exams.my_exams", "courses.catalogue", "courses.my_learning",
              "training.plan", "evaluations.index", "assessments.index", "complaints.index",
              "auth.account", "notifications.index", "notifications.settings"]


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_main_pages_fit_a_phone(app, chromium, live_server, make_user, published_record,
                                    locale):
    language = "zh_CN" if locale == "zh-CN" else "en"
    exam_id = make_exam(app)
    with app.test_request_context():
        main_pages = [url_for(endpoint) for endpoint in MAIN_PAGES]
    problems = []
    for who, pages in (("person", main_pages + [published_record["record"]]),
                       ("manager", ["/", published_record["period"],
                                    published_record["record"]])):
        page = _phone(chromium, live_server, locale)
        person = published_record[who]
        with app.app_context():  # the person's own language, so the pages are in it
            db.session.get(User, person.id).locale = language
            db.session.commit()
        _sign_in(page, person, language)
        problems += [problem for path in pages
                     if (problem := _fits(page, path, f"{language}-{who}-{_name(path)}"))]
        if who == "person":  # the exam, and the exam itself once started
            problems += [problem for path in (f"/exams/{exam_id}/",)
                         if (problem := _fits(page, path, f"{language}-exam"))]
            page.locator("form[action$='/start'] button[type=submit]").click()
            page.wait_for_url("**/exams/attempts/*")
            path = page.url.removeprefix(live_server)
            problems += [problem for problem in [_fits(page, path, f"{language}-attempt")]
                         if problem]
        page.context.close()
    assert problems == []


def _sign_in(page, person, language):
    if language == "en":
        sign_in(page, person)
        return
    page.goto("/login")
    page.get_by_label("邮箱").fill(person.email)
    page.get_by_label("密码").fill(person.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
