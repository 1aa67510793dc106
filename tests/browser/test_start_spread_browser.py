"""A spread start in real Chromium: the start page counts down on the device, keeps the
button disabled until the person's own start opens, then lets them start; in Chinese too."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.database import utcnow
from app.exams import attempts as svc
from app.exams.models import Exam
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam


def _exam_opening_now(app, spread: int) -> int:
    exam_id = make_exam(app, start_spread_seconds=spread)
    with app.app_context():
        db.session.get(Exam, exam_id).opens_at = utcnow()
        db.session.commit()
    return exam_id


def _waiting_person(app, make_user, exam_id, low: float, high: float, **kwargs):
    for _ in range(100):
        person = make_user("learner", **kwargs)
        with app.app_context():
            user = db.session.execute(
                sa.select(User).where(User.email == person.email)).scalar_one()
            delay = svc.start_delay(db.session.get(Exam, exam_id), user)
        if timedelta(seconds=low) <= delay <= timedelta(seconds=high):
            return person
    raise AssertionError("nobody with such a delay")


def test_the_button_opens_by_itself_at_the_persons_own_start(app, page, make_user):
    exam_id = _exam_opening_now(app, spread=12)
    person = _waiting_person(app, make_user, exam_id, 7, 11)
    sign_in(page, person)
    requests = []
    page.goto(f"/exams/{exam_id}/")
    page.on("request", lambda request: "/static/" not in request.url
            and requests.append(request.url))
    button = page.get_by_role("button", name="Start the exam")
    expect(button).to_be_disabled()
    expect(page.locator("[data-start-countdown]")).to_contain_text("You can start in 0:0")
    expect(page.locator("[data-start-countdown]")).to_have_text("You can start now.",
                                                                 timeout=15_000)
    assert requests == []  # waiting cost the server nothing
    expect(button).to_be_enabled()
    button.click()
    page.wait_for_url("**/exams/attempts/*")
    assert page.console_errors == []


def test_in_chinese_the_wait_is_explained_and_counted_down(app, page, make_user):
    exam_id = _exam_opening_now(app, spread=60)
    person = _waiting_person(app, make_user, exam_id, 20, 59, locale="zh_CN")
    sign_in(page, person)
    page.goto(f"/exams/{exam_id}/")
    expect(page.locator("[data-start-countdown]")).to_contain_text("后可以开始")
    expect(page.get_by_text("开始时间分散在考试开放后的 60 秒内")).to_be_visible()
    expect(page.get_by_role("button", name="开始考试")).to_be_disabled()
