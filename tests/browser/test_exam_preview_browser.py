"""A trainer previews an exam as a learner, and marks blind, in real Chromium."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.database import utcnow
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.models import Attempt, AttemptItem, Exam
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam


def _attempt_rows(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.execute(sa.select(sa.func.count(Attempt.id))).scalar_one(),
                db.session.execute(sa.select(sa.func.count(AttemptItem.id))).scalar_one())


def test_a_trainer_previews_an_exam_as_a_learner(app, page, make_user):
    exam_id = make_exam(app, minutes=20)
    sign_in(page, make_user("trainer"))
    page.goto(f"/exam-admin/{exam_id}")
    page.get_by_role("link", name="Preview as a learner").click()
    page.wait_for_url(re.compile(r".*/exam-preview/\d+/[^/]+$"))
    expect(page.get_by_test_id("preview-banner")).to_be_visible()
    # The learner's page: the timer runs from the full time limit.
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_visible()
    assert re.fullmatch(r"(20:00|19:[0-5]\d)", countdown.inner_text())
    page.get_by_label("In the customer network").check()
    page.locator("#a-3").fill("MLPS 2.0")
    expect(page.locator("[data-status]")).to_have_text("All answers saved.", timeout=10_000)
    expect(page.locator('[data-nav="1"]')).to_have_class(re.compile("answered"))
    assert _attempt_rows(app) == (0, 0)
    # Submitting leads to the key of this draw; still nothing recorded.
    page.get_by_role("button", name="Submit the exam").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/key")
    expect(page.get_by_test_id("key-item")).to_have_count(6)
    expect(page.locator(".is-correct").first).to_be_visible()
    assert _attempt_rows(app) == (0, 0)
    page.get_by_role("link", name="Draw again").click()
    page.wait_for_url(re.compile(r".*/exam-preview/\d+/[^/]+$"))
    expect(page.get_by_test_id("preview-banner")).to_be_visible()
    assert page.console_errors == []


def _essay_waiting(app, exam_id: int, person_id: int) -> None:
    with app.app_context():
        now = utcnow()
        attempt = start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person_id),
                                now)
        save_answer(attempt, 6, "Lineage explains the regulator's numbers.", 1, now)
        submit_attempt(attempt, now)
        db.session.commit()


def test_a_trainer_marks_blind(app, page, make_user):
    exam_id = make_exam(app)
    _essay_waiting(app, exam_id, make_user("learner", name="Ada Alpha").id)
    sign_in(page, make_user("trainer"))
    page.goto(f"/exam-results/exams/{exam_id}")
    page.get_by_label(re.compile("Blind marking")).check()
    page.get_by_role("button", name="Save the marking setting").click()
    expect(page.get_by_text("Blind marking is on")).to_be_visible()
    page.goto("/exam-results/marking")
    expect(page.get_by_test_id("candidate")).to_have_text("Candidate 1")
    expect(page.get_by_text("Ada Alpha")).to_have_count(0)
    page.get_by_label("Points").fill("2")
    page.get_by_role("button", name="Save the mark").click()
    expect(page.get_by_text("Mark saved: Ada Alpha")).to_be_visible()
    assert page.console_errors == []
