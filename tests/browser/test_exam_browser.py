"""Taking an exam in real Chromium: autosave and reload, deadline, offline, a stale tab."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.database import utcnow
from app.exams.models import Attempt, AttemptItem
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam


def _open_attempt(page, exam_id):
    page.goto(f"/exams/{exam_id}/")
    page.get_by_role("button", name="Start the exam").click()
    page.wait_for_url("**/exams/attempts/*")
    return int(page.url.rsplit("/", 1)[1])


def _saved(page):
    expect(page.locator("[data-status]")).to_have_text("All answers saved.", timeout=10_000)


def _stored(app, attempt_id, position):
    with app.app_context():
        return db.session.execute(sa.select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).scalar()


def test_answers_autosave_and_survive_a_reload(app, page, make_user):
    exam_id = make_exam(app)
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    page.get_by_label("In the customer network").check()
    page.locator("#a-3").fill("MLPS 2.0")
    page.locator("#a-6").fill("Lineage answers the regulator's first question.")
    page.locator('[data-question="1"] [data-flag]').check()
    _saved(page)
    assert _stored(app, attempt_id, 3) == "MLPS 2.0"
    page.reload()
    expect(page.get_by_label("In the customer network")).to_be_checked()
    expect(page.locator("#a-3")).to_have_value("MLPS 2.0")
    expect(page.locator('[data-nav="1"]')).to_have_class("answered flagged")
    assert page.console_errors == []


def test_the_page_submits_itself_at_the_servers_deadline(app, page, make_user):
    exam_id = make_exam(app, review_when="after_submit")
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    page.get_by_label("In the customer network").check()
    _saved(page)
    with app.app_context():  # the server's clock says six seconds are left
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() + timedelta(seconds=6)
        db.session.commit()
    page.reload()
    countdown = page.locator("[data-countdown]").inner_text()
    assert countdown in {"0:06", "0:05", "0:04"}
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result", timeout=20_000)
    expect(page.get_by_test_id("score")).to_contain_text("1 / 10")
    # The learner is told time ran out, and the attempt is recorded as ended by the deadline.
    expect(page.get_by_test_id("time-ran-out")).to_contain_text("Time ran out")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).expired is True


def test_offline_answers_are_kept_and_saved_when_the_network_returns(app, page, make_user):
    exam_id = make_exam(app)
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    page.context.set_offline(True)
    page.locator("#a-3").fill("MLPS 2.0 offline")
    expect(page.locator("[data-offline]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-status]")).to_contain_text("kept on this device")
    assert _stored(app, attempt_id, 3) is None
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _saved(page)
    assert _stored(app, attempt_id, 3) == "MLPS 2.0 offline"
    expect(page.locator("[data-offline]")).to_be_hidden()


def test_an_older_tab_is_told_its_save_was_refused(app, page, make_user, chromium,
                                                   live_server):
    exam_id = make_exam(app)
    person = make_user()
    sign_in(page, person)
    attempt_id = _open_attempt(page, exam_id)
    newer = page.context.new_page()  # the same browser session, a second tab
    newer.goto(f"{live_server}/exams/attempts/{attempt_id}")
    newer.locator("#a-3").fill("from the newer tab")
    expect(newer.locator("[data-status]")).to_have_text("All answers saved.", timeout=10_000)
    page.locator("#a-3").fill("from the older tab")
    expect(page.locator("[data-stale-banner]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-stale-banner]")).to_contain_text("A newer answer was saved")
    assert _stored(app, attempt_id, 3) == "from the newer tab"
