"""Signing in and out, session lifetime and revocation, throttling, redirects."""

from __future__ import annotations

import os

import pytest

from tests.helpers import PASSWORD, csrf_token, login, make_app, post_form, skip_or_fail

GENERIC_ERROR = "The email or password is wrong, or the account is disabled."


def test_signing_in_lands_on_the_home_page(client, make_user):
    person = make_user("learner", name="Li Wei 李伟")
    response = login(client, person)
    assert response.status_code == 302 and response.location == "/"
    assert "Li Wei 李伟" in client.get("/").get_data(as_text=True)


def test_email_is_case_and_space_insensitive(client, make_user):
    person = make_user(email="mixed@example.com")
    assert login(client, "  MIXED@Example.com ", person.password).status_code == 302


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated"])
def test_every_failed_sign_in_gets_the_same_message(client, make_user, case):
    person = make_user(active=case != "deactivated")
    email = "nobody@example.com" if case == "unknown email" else person.email
    password = "not-the-password" if case == "wrong password" else person.password
    response = login(client, email, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_an_account_without_password_cannot_sign_in(app, client, make_user):
    from sqlalchemy import func, select

    from app.auth.models import LoginSession
    from app.extensions import db

    person = make_user(password=None)
    for password in ("", "anything-at-all"):
        response = login(client, person.email, password)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        if password:  # an empty password is stopped by the form, at the field
            assert GENERIC_ERROR in html
        # still signed out: a private page sends the visitor to the sign-in page
        private = client.get("/account")
        assert private.status_code == 302 and private.location.startswith("/login")
        with client.session_transaction() as cookie:
            assert "_user_id" not in cookie
    with app.app_context():  # and no login session was ever started for them
        assert db.session.execute(select(func.count()).select_from(LoginSession)
                                  .where(LoginSession.user_id == person.id)).scalar() == 0


def test_sign_in_form_requires_a_csrf_token(client, make_user):
    person = make_user()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("target,expected", [
    ("/account", "/account"),
    ("/admin/users?q=li", "/admin/users?q=li"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com/", "/"),
    ("/\\evil.example.com", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_within_this_site(client, make_user, target, expected):
    person = make_user()
    response = login(client, person, next_url=target)
    assert response.location == expected


def test_the_login_page_remembers_where_the_visitor_was_going(client):
    response = client.get("/account")
    assert response.location == "/login?next=/account"
    page = client.get(response.location).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account"' in page


def test_signing_out_ends_the_session_and_a_copied_cookie_stops_working(app, make_user):
    person = make_user()
    browser = app.test_client()
    login(browser, person)
    cookie = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/account").status_code == 200  # the copy works while signed in

    response = post_form(browser, "/logout", token_from="/")
    assert response.status_code == 302
    assert browser.get("/account").status_code == 302

    replay = thief.get("/account")
    assert replay.status_code == 302 and replay.location.startswith("/login")


def test_changing_the_password_ends_the_other_sessions_only(app, make_user):
    person = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, person)
    login(phone, person)
    response = post_form(laptop, "/account", {
        "current_password": PASSWORD, "new_password": "a-brand-new-secret",
        "confirm": "a-brand-new-secret"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert login(app.test_client(), person.email, "a-brand-new-secret").status_code == 302
    assert login(app.test_client(), person.email, PASSWORD).status_code == 200


def test_a_wrong_current_password_changes_nothing(client, signed_in):
    signed_in()
    response = post_form(client, "/account", {
        "current_password": "wrong-one-here", "new_password": "a-brand-new-secret",
        "confirm": "a-brand-new-secret"})
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    response = login(client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # bounded lifetime, not a forever cookie


def test_an_expired_login_session_no_longer_signs_in(app, client, make_user):
    from datetime import timedelta

    import sqlalchemy as sa

    from app.auth.models import LoginSession
    from app.database import utcnow
    from app.extensions import db

    login(client, make_user())
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(expires_at=utcnow() - timedelta(1)))
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_failed_attempts_per_account_are_throttled(client, make_user):
    person = make_user()
    for _ in range(10):
        assert login(client, person.email, "wrong-password!").status_code == 200
    response = login(client, person.email, person.password)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # Another account from the same address is not locked out by that.
    assert login(client, make_user()).status_code == 302


def test_failed_attempts_per_address_are_throttled(migrated_database, make_user):
    app = make_app(migrated_database, LOGIN_LIMIT_PER_ADDRESS="3 per minute")
    client = app.test_client()
    people = [make_user() for _ in range(4)]
    for person in people[:3]:
        assert login(client, person.email, "wrong-password!").status_code == 200
    assert login(client, people[3]).status_code == 429


def test_successful_sign_ins_do_not_count_against_the_limit(client, make_user):
    person = make_user()
    for _ in range(12):
        assert login(client, person).status_code == 302
        post_form(client, "/logout", token_from="/")


def test_json_posts_need_the_csrf_token_too(client, signed_in):
    signed_in()
    response = client.post("/logout", json={})
    assert response.status_code == 400
    token = csrf_token(client, "/")
    response = client.post("/logout", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_throttled(migrated_database, make_user):
    app = make_app(migrated_database, LOGIN_LIMIT_PER_ADDRESS="2 per minute",
                   TRUSTED_PROXY_HOPS=1)
    people = [make_user() for _ in range(3)]
    office_a, office_b = app.test_client(), app.test_client()
    for person in people[:2]:
        office_a.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        assert login(office_a, person.email, "wrong-password!").status_code == 200
    assert login(office_a, people[2]).status_code == 429
    office_b.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    assert login(office_b, people[2]).status_code == 302


REDIS_WORKER = """
import sys
from tests.helpers import login, make_app
app = make_app(sys.argv[1], RATELIMIT_STORAGE_URI=sys.argv[2],
               LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
codes = [login(app.test_client(), sys.argv[3], "wrong-password!").status_code
         for _ in range(int(sys.argv[4]))]
print(" ".join(map(str, codes)))
"""


def _worker(database, storage, email, attempts):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", REDIS_WORKER, database, storage, email,
                             str(attempts)], cwd=root, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return [int(code) for code in result.stdout.split()]


def test_several_processes_share_login_counters_through_redis(migrated_database, make_user):
    """Two worker processes count failures against one limit when Redis stores them."""
    try:
        import redis
    except ImportError:
        skip_or_fail("the 'redis' package is not installed: DEV_EXTRAS=redis python3 dev.py test")

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        skip_or_fail(f"Redis is not reachable at {url}")
    person = make_user()
    assert _worker(migrated_database, url, person.email, 2) == [200, 200]
    assert _worker(migrated_database, url, person.email, 2) == [200, 429]
    # With per-process memory storage the second worker would start from zero:
    other = make_user()
    assert _worker(migrated_database, "memory://", other.email, 2) == [200, 200]
    assert _worker(migrated_database, "memory://", other.email, 2) == [200, 200]
    redis.Redis.from_url(url).flushdb()


def test_parallel_guesses_cannot_slip_past_the_account_limit(migrated_database, make_user):
    """Attempts are counted before the password check, so a burst is held to the limit."""
    import threading

    app = make_app(migrated_database, LOGIN_LIMIT_PER_ACCOUNT="5 per minute")
    person = make_user()
    codes: list[int] = []
    barrier = threading.Barrier(12)

    def guess():
        client = app.test_client()
        token = csrf_token(client, "/login")
        barrier.wait()
        codes.append(client.post("/login", data={"email": person.email, "csrf_token": token,
                                                 "password": "wrong-guess!"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(200) == 5 and codes.count(429) == 7


def test_an_unknown_email_costs_the_same_hashing_as_a_wrong_password(app, make_user,
                                                                    monkeypatch):
    """No extra work for unknown emails: the answer time reveals nothing."""
    import werkzeug.security

    from app.auth import services

    person = make_user()
    calls = {"generate": 0, "check": 0}
    real_generate, real_check = services.generate_password_hash, services.check_password_hash
    monkeypatch.setattr(services, "generate_password_hash",
                        lambda *a, **k: calls.__setitem__("generate", calls["generate"] + 1)
                        or real_generate(*a, **k))
    monkeypatch.setattr(services, "check_password_hash",
                        lambda *a, **k: calls.__setitem__("check", calls["check"] + 1)
                        or real_check(*a, **k))
    with app.app_context():
        services.authenticate("nobody@example.com", "x")  # may build the dummy hash once
        calls.update(generate=0, check=0)
        for email in ("nobody@example.com", "other@example.com", person.email):
            services.authenticate(email, "wrong-password")
    assert calls == {"generate": 0, "check": 3}
    assert werkzeug.security.check_password_hash is real_check


def test_with_redis_down_sign_in_still_works_and_is_still_throttled(migrated_database,
                                                                     make_user, caplog):
    """The shared throttle's store not answering is no reason to lock everyone out."""
    import logging
    import socket

    try:
        import redis  # noqa: F401 - the redis:// storage needs it
    except ImportError:
        skip_or_fail("the 'redis' package is not installed: DEV_EXTRAS=redis python3 dev.py test")
    with socket.socket() as s:  # a port nobody listens on: connections are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(migrated_database, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0",
                   LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    person, other = make_user(), make_user()
    caplog.set_level(logging.WARNING)
    assert login(app.test_client(), person).status_code == 302  # signed in
    codes = [login(app.test_client(), other, "wrong-password!").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # counted in memory meanwhile
    warnings = [r for r in caplog.records if "throttle storage unavailable" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a request
