"""Health checks that notice an unwritable database, and what a database outage looks like
to the people using the app and to the person reading the log."""

from __future__ import annotations

import logging
import socket

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.main.failures import TracebackThrottle
from app.main.models import HealthProbe
from tests.exams.builders import make_exam
from tests.helpers import csrf_token, make_app, post_form

OUTAGE_SAVE_MESSAGE = ("The database is not answering, so your latest changes are not saved "
                       "yet. They are kept on this device and saving is retried automatically.")


@pytest.fixture
def refuse_writes(app):
    """Every new connection of the app's engine refuses writes, as a database does that is
    read-only (SQLite's query_only; PostgreSQL's read-only transactions)."""
    with app.app_context():
        engine = db.engine

    def _read_only(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()

    engine.dispose()
    sa.event.listen(engine, "connect", _read_only)
    yield
    sa.event.remove(engine, "connect", _read_only)
    engine.dispose()


def test_the_write_check_commits_this_hosts_row(app, client):
    reply = client.get("/healthz/write")
    assert reply.status_code == 200
    assert reply.get_json()["database"] == "writable"
    with app.app_context():
        probe = db.session.get(HealthProbe, socket.gethostname())
        assert probe is not None and probe.checked_at is not None


def test_a_database_that_refuses_writes_fails_the_write_check_not_the_read_check(
        app, client, refuse_writes):
    assert client.get("/healthz").status_code == 200  # reads still work
    reply = client.get("/healthz/write")
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["status"] == "unavailable" and body["database"] == "not writable"
    assert body["cause"]  # the driver's own words, for the person on call


def test_both_checks_need_no_sign_in(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz/write").status_code == 200


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_gone(database_url, tmp_path):
    """The same app with its database unreachable: a PostgreSQL server that refuses
    connections, or an SQLite file whose storage is gone (its path is now a folder)."""
    if database_url.startswith("postgresql"):
        url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test?connect_timeout=3"
    else:
        url = f"sqlite:///{tmp_path}"
    broken = make_app(url)
    yield broken
    with broken.app_context():
        db.engine.dispose()


def _signed_in_learner_with_attempt(app, client, signed_in) -> tuple[int, str]:
    signed_in("learner")
    exam_id = make_exam(app)
    started = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    attempt_id = int(started.location.rsplit("/", 1)[1])
    return attempt_id, csrf_token(client, f"/exams/attempts/{attempt_id}")


def _same_browser(client, broken):
    """A client of the broken app carrying the signed-in browser's cookies."""
    other = broken.test_client()
    for cookie in client._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return other


def test_a_save_during_a_database_outage_says_so_in_the_pages_words(
        app, client, signed_in, database_gone, caplog):
    attempt_id, token = _signed_in_learner_with_attempt(app, client, signed_in)
    browser = _same_browser(client, database_gone)
    caplog.set_level(logging.ERROR)
    replies = [browser.post(f"/exams/attempts/{attempt_id}/answers",
                            headers={"X-CSRFToken": token, "Accept": "application/json"},
                            json={"position": 1, "response": 0, "seq": 10**6 + n})
               for n in range(3)]
    for reply in replies:
        assert reply.status_code == 503
        assert reply.headers["Retry-After"] == "5"
        assert reply.get_json() == {"error": "database_unavailable",
                                    "message": OUTAGE_SAVE_MESSAGE}
    # The attempt page shows the server's words for this error (queue.js, page.js).
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-server-error-message" in page


def test_a_page_during_a_database_outage_is_a_503_page_not_a_crash(
        app, client, signed_in, database_gone):
    signed_in("learner")
    browser = _same_browser(client, database_gone)
    reply = browser.get("/exams/")
    assert reply.status_code == 503
    html = reply.get_data(as_text=True)
    assert "The database is not answering" in html
    assert reply.headers["Retry-After"] == "5"


def test_an_outage_logs_one_line_per_request_and_one_traceback(
        app, client, signed_in, database_gone, caplog):
    signed_in("learner")
    browser = _same_browser(client, database_gone)
    caplog.set_level(logging.ERROR)
    for _ in range(5):
        assert browser.get("/").status_code == 503
    lines = [r for r in caplog.records if r.name == database_gone.logger.name]
    assert len(lines) == 5
    assert all(r.getMessage().startswith("503 GET /: OperationalError: ") for r in lines)
    assert [bool(r.exc_info) for r in lines] == [True, False, False, False, False]


def test_a_traceback_comes_back_after_a_minute_with_the_count_of_those_skipped():
    now = [0.0]
    throttle = TracebackThrottle(interval=60, clock=lambda: now[0])
    assert throttle.admit("db down") == (True, 0)
    now[0] = 30
    assert throttle.admit("db down") == (False, 0)
    assert throttle.admit("db down") == (False, 0)
    assert throttle.admit("other") == (True, 0)  # each kind has its own minute
    now[0] = 61
    assert throttle.admit("db down") == (True, 2)
    assert throttle.admit("db down") == (False, 0)


def test_the_outage_reply_speaks_the_browsers_language(app, client, signed_in, database_gone):
    attempt_id, token = _signed_in_learner_with_attempt(app, client, signed_in)
    reply = _same_browser(client, database_gone).post(
        f"/exams/attempts/{attempt_id}/answers", json={"position": 1, "response": 0, "seq": 1},
        headers={"X-CSRFToken": token, "Accept": "application/json",
                 "Accept-Language": "zh-CN,zh;q=0.9"})
    assert reply.status_code == 503
    assert reply.get_json()["message"].startswith("数据库没有响应")
