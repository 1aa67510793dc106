"""The attempt page in real Chromium tells save failures apart: offline, session ended,
refused by the server, server error; a person's own submit never says "Time is up"; and
the review shows answers plainly."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.auth.models import User
from app.database import utcnow
from app.exams.models import Attempt, AttemptItem
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.exams.builders import make_exam
from tests.helpers import make_app


def _open_attempt(page, exam_id):
    page.goto(f"/exams/{exam_id}/")
    page.get_by_role("button", name="Start the exam").click()
    page.wait_for_url("**/exams/attempts/*")
    return int(page.url.rsplit("/", 1)[1])


def _stored(app, attempt_id, position):
    with app.app_context():
        return db.session.execute(sa.select(AttemptItem.response).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).scalar()


def _status(page):
    return page.locator("[data-status]")


def _count_saves(page) -> list[float]:
    """The times at which the page sends a save (filled as requests go out)."""
    sent: list[float] = []
    page.on("request", lambda request: request.url.endswith("/answers")
            and request.method == "POST" and sent.append(time.monotonic()))
    return sent


def _kept_on_device(page, attempt_id) -> dict:
    return json.loads(page.evaluate(
        f"window.localStorage.getItem('presales-attempt-{attempt_id}') || '{{}}'"))


def test_no_network_means_offline_kept_and_retried(app, page, make_user):
    exam_id = make_exam(app)
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    page.route("**/answers", lambda route: route.abort("internetdisconnected"))
    page.locator("#a-3").fill("kept while offline")
    expect(page.locator("[data-offline]")).to_be_visible()
    expect(_status(page)).to_contain_text("kept on this device")
    expect(page.locator("[data-server-error]")).to_be_hidden()
    expect(page.locator("[data-refused]")).to_be_hidden()
    assert _kept_on_device(page, attempt_id)["3"]["response"] == "kept while offline"
    page.unroute("**/answers")  # the network is back: the 5-second retry saves it
    expect(_status(page)).to_have_text("All answers saved.", timeout=10_000)
    expect(page.locator("[data-offline]")).to_be_hidden()
    assert _stored(app, attempt_id, 3) == "kept while offline"


def test_a_revoked_session_asks_to_sign_in_again_and_nothing_is_lost(
        app, page, make_user, chromium, live_server):
    exam_id = make_exam(app)
    person = make_user()
    sign_in(page, person)
    attempt_id = _open_attempt(page, exam_id)
    # The same session signed out elsewhere (a copy of the cookie in another browser).
    other = chromium.new_context(base_url=live_server,
                                 storage_state=page.context.storage_state())
    elsewhere = other.new_page()
    elsewhere.goto("/")
    elsewhere.get_by_test_id("sign-out").click()
    elsewhere.wait_for_load_state()
    other.close()
    page.locator("#a-3").fill("typed after the session ended")
    banner = page.locator("[data-signed-out]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Your session has ended")
    expect(banner.get_by_role("link", name="sign in again")).to_be_visible()
    expect(_status(page)).to_have_text(
        "Not saved: your session has ended. Your answers are kept on this device.")
    expect(page.locator("[data-offline]")).to_be_hidden()
    assert _stored(app, attempt_id, 3) is None
    # Signing in again in another tab: the page's form token is then out of date, so the
    # next save is refused with the server's message and a reload sends the kept answer.
    tab = page.context.new_page()
    sign_in(tab, person)
    refused = page.locator("[data-refused]")
    expect(refused).to_be_visible(timeout=10_000)
    expect(refused).to_contain_text("This form has expired")
    expect(banner).to_be_hidden()
    # The reloaded page says "All answers saved." before it re-sends the kept answer, so
    # wait for that save's reply, not for the text.
    with page.expect_response(lambda r: r.url.endswith("/answers")
                              and r.request.method == "POST", timeout=15_000) as sent:
        page.get_by_role("link", name="Reload the page").click()
    assert sent.value.status == 200
    expect(page.locator("#a-3")).to_have_value("typed after the session ended")
    expect(_status(page)).to_have_text("All answers saved.", timeout=10_000)
    assert _stored(app, attempt_id, 3) == "typed after the session ended"


def test_a_save_after_the_deadline_shows_the_servers_refusal_and_stops(app, page, make_user):
    exam_id = make_exam(app, review_when="after_submit")
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    sent = _count_saves(page)
    with app.app_context():  # the server's deadline (and its grace) passed a while ago
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    page.locator("#a-3").fill("too late")
    refused = page.locator("[data-refused]")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Time is up: this answer was not saved.")
    expect(refused.get_by_role("link", name="See your result")).to_be_visible()
    expect(page.locator("[data-offline]")).to_be_hidden()
    page.wait_for_timeout(6_500)  # longer than any retry interval
    assert len(sent) == 1 and page.url.endswith(f"/exams/attempts/{attempt_id}")
    assert _stored(app, attempt_id, 3) is None
    refused.get_by_role("link", name="See your result").click()
    expect(page.get_by_test_id("time-ran-out")).to_be_visible()


def test_a_server_error_keeps_the_answer_and_retries_less_often(app, page, make_user):
    exam_id = make_exam(app)
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    sent = _count_saves(page)
    page.route("**/answers", lambda route: route.fulfill(
        status=500, content_type="application/json",
        body=json.dumps({"error": 500, "message": "The server could not finish"})))
    page.locator("#a-3").fill("kept through a server error")
    expect(page.locator("[data-server-error]")).to_be_visible()
    expect(_status(page)).to_contain_text("the server had a problem")
    expect(_status(page)).to_contain_text("trying again in 5 seconds")
    expect(page.locator("[data-offline]")).to_be_hidden()
    expect(_status(page)).to_contain_text("trying again in 10 seconds", timeout=10_000)
    assert len(sent) == 2 and 4.5 <= sent[1] - sent[0] <= 7
    assert _kept_on_device(page, attempt_id)["3"]["response"] == "kept through a server error"
    page.unroute("**/answers")
    expect(_status(page)).to_have_text("All answers saved.", timeout=15_000)
    assert sent[2] - sent[1] >= 9.5  # the second wait was twice the first
    expect(page.locator("[data-server-error]")).to_be_hidden()
    assert _stored(app, attempt_id, 3) == "kept through a server error"


def test_submitting_yourself_never_says_time_is_up(app, page, make_user):
    exam_id = make_exam(app, review_when="after_submit")
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    # Every status the page shows is written down where the next page can read it.
    page.evaluate("""() => {
      const el = document.querySelector('[data-status]');
      new MutationObserver(() => {
        const seen = JSON.parse(sessionStorage.getItem('statuses') || '[]');
        seen.push(el.textContent);
        sessionStorage.setItem('statuses', JSON.stringify(seen));
      }).observe(el, {childList: true, characterData: true, subtree: true});
    }""")
    page.get_by_label("In the customer network").check()
    expect(_status(page)).to_have_text("All answers saved.", timeout=10_000)
    page.get_by_role("button", name="Submit the exam").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")
    statuses = json.loads(page.evaluate("sessionStorage.getItem('statuses')"))
    assert "Submitting your answers…" in statuses
    assert not any("Time is up" in status for status in statuses), statuses
    expect(page.get_by_test_id("time-ran-out")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).expired is False


def _check_review_layout(page):
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.pair-lines li')).lineHeight)")
    lines = page.locator(".pair-lines li").all()
    assert len(lines) == 3
    for line in lines:  # each pair on one line: "left → chosen" (and the key when shown)
        assert line.bounding_box()["height"] < 1.6 * line_height, line.inner_text()
    essay = page.get_by_test_id("essay-answer")
    assert essay.inner_text() == "Lineage explains each number.\nIt answers the regulator."
    assert essay.evaluate("el => el.tagName") == "DIV"
    assert page.locator(".review-item textarea, .review-item input, .answer-box").count() == 0
    expect(page.locator("[data-chosen]")).to_have_count(1)


def _screenshot(page, name):
    """EXAM_SCREENSHOTS=/some/dir keeps a picture of the page for a person to look at."""
    folder = os.environ.get("EXAM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_the_review_shows_pairs_on_one_line_and_the_essay_as_text(app, page, make_user):
    exam_id = make_exam(app, review_when="after_submit", review_correctness=True,
                        review_answers=True)
    person = make_user()
    sign_in(page, person)
    attempt_id = _open_attempt(page, exam_id)
    page.get_by_label("In the customer network").check()
    page.locator("#a-4-0").select_option(label="Personal information")
    page.locator("#a-4-2").select_option(label="Classified protection")
    page.locator("#a-6").fill("Lineage explains each number.\nIt answers the regulator.")
    expect(_status(page)).to_have_text("All answers saved.", timeout=10_000)
    page.locator("[data-submit]").click()
    page.locator("[data-confirm-yes]").click()
    page.wait_for_url(f"**/exams/attempts/{attempt_id}/result")
    _check_review_layout(page)
    expect(page.locator(".pair-lines li").first).to_contain_text("PIPL → Personal information")
    expect(page.locator(".pair-lines li").nth(2)).to_contain_text(
        "DSL → Classified protection ✗ wrong (right answer: Data security)")
    expect(page.locator("[data-chosen]")).to_contain_text("In the customer network")
    expect(page.locator("[data-chosen]")).to_contain_text("Your answer")
    _screenshot(page, "exam-review-en.png")
    with app.app_context():  # the same page in Chinese
        user = db.session.get(User, person.id)
        user.locale = "zh_CN"
        db.session.commit()
    page.reload()
    _check_review_layout(page)
    expect(page.locator("[data-chosen]")).to_contain_text("您的答案")
    expect(page.locator(".pair-lines li").nth(2)).to_contain_text("正确答案：")
    _screenshot(page, "exam-review-zh.png")


@pytest.fixture
def server_without_database(database_url, tmp_path):
    """The same app served on another port with its database unreachable (a PostgreSQL
    port nobody listens on, or an SQLite path that is a folder): a database outage."""
    if database_url.startswith("postgresql"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?connect_timeout=3"
    else:
        url = f"sqlite:///{tmp_path}"
    broken = make_app(url)
    server = make_server("127.0.0.1", 0, broken, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_database_outage_shows_the_servers_words_and_saves_once_it_is_back(
        app, page, make_user, live_server, server_without_database):
    exam_id = make_exam(app)
    sign_in(page, make_user())
    attempt_id = _open_attempt(page, exam_id)
    # The saves reach the app while its database is gone (same cookies, same secret).
    page.route("**/answers", lambda route: route.fulfill(response=route.fetch(
        url=route.request.url.replace(live_server, server_without_database))))
    page.locator("#a-3").fill("kept through an outage")
    banner = page.locator("[data-server-error]")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("The database is not answering, so your latest changes are "
                                "not saved yet. They are kept on this device and saving is "
                                "retried automatically.")
    assert _kept_on_device(page, attempt_id)["3"]["response"] == "kept through an outage"
    page.unroute("**/answers")  # the database is back: the retry saves it
    expect(_status(page)).to_have_text("All answers saved.", timeout=15_000)
    expect(banner).to_be_hidden()
    assert _stored(app, attempt_id, 3) == "kept through an outage"
