"""E-mail against a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, in which
language, with which link; failures retried with back-off, then recorded; the digest."""

from __future__ import annotations

import ssl
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications import kinds, services
from app.notifications.digest import queue_digests
from app.notifications.models import Delivery, Notification, OutboxMessage
from app.notifications.sender import backoff, send_due
from tests.helpers import login, skip_or_fail
from tests.notifications.smtp_server import (
    SmtpServer,
    accept_login,
    free_port,
    self_signed_certificate,
)

KIND = "test.email"
FOOTER = "Presales Academy — training and assessment for presales teams."


def _text(n: Notification) -> str:
    # Words the catalogue already translates, so the language of the mail shows.
    return f"{_('Sign in')} #{n.params['code']}"


def _link(n: Notification, reader: User) -> str | None:
    if n.params.get("hidden"):
        return None  # as a kind does when the reader may not open the page now
    return url_for("notifications.index", page=n.params["code"])


@pytest.fixture
def test_kind():
    """A registered kind for these tests, removed again afterwards."""
    kinds.register(kinds.Kind(key=KIND, audience="learner", label=lambda: "Test notice",
                              text=_text, link=_link, email=Delivery.IMMEDIATE))
    yield KIND
    kinds.KINDS.pop(KIND, None)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp, test_kind):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SECURITY="none",
                      MAIL_USERNAME="", MAIL_FROM="academy@example.com", MAIL_TIMEOUT=5,
                      PUBLIC_URL="https://academy.example.com", NOTIFICATIONS_MAX_ATTEMPTS=3)
    return app


def tell(app, person, code: int, **params) -> int:
    """Notify ``person`` with the test kind; the notice's id (committed)."""
    with app.app_context():
        user = db.session.get(User, person.id)
        made = services.notify([user], KIND, user, params={"code": code, **params})
        db.session.commit()
        return made[0].id


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id))
                    .scalars())
        db.session.expunge_all()
        return rows


def send(app, **kwargs):
    with app.app_context():
        return send_due(app, 100, **kwargs)


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_the_message_arrives_in_english_with_the_absolute_link(mail_app, smtp, make_user):
    mail_app.config["MAIL_FROM"] = "Presales Academy <academy@example.com>"
    person = make_user(locale="en", name="Ada Lovelace")
    tell(mail_app, person, 7)
    assert send(mail_app).sent == 1

    [(to, message)] = smtp.received
    assert to == [person.email]
    assert "Ada Lovelace" in message["To"]
    assert message["From"] == "Presales Academy <academy@example.com>"
    assert message["Message-ID"].endswith("@example.com>")
    assert message["Subject"] == "Presales Academy: Sign in #7"
    assert message["Content-Language"] == "en"
    text, html = parts(message)
    link = "https://academy.example.com/notifications/?page=7"
    assert "Hello Ada Lovelace," in text and "Sign in #7" in text and link in text
    assert f'href="{link}"' in html and "Sign in #7" in html
    assert "https://academy.example.com/notifications/settings" in text
    assert FOOTER in text
    [row] = outbox(mail_app)
    assert (row.state, row.attempts, row.claim) == ("sent", 1, None) and row.sent_at


def test_a_chinese_reader_gets_it_in_chinese(mail_app, smtp, make_user):
    person = make_user(locale="zh_CN")
    tell(mail_app, person, 8)
    assert send(mail_app).sent == 1

    [message] = smtp.messages
    with mail_app.test_request_context(), force_locale("zh_CN"):
        sign_in, footer = _("Sign in"), _(FOOTER)
    assert sign_in != "Sign in" and footer != FOOTER  # the catalogue translates them
    text, html = parts(message)
    assert f"{sign_in} #8" in text and footer in text and f"{sign_in} #8" in html
    assert "Sign in" not in text and FOOTER not in text
    assert message["Content-Language"] == "zh-CN" and 'lang="zh-CN"' in html
    assert f"{sign_in} #8" in message["Subject"]
    assert "https://academy.example.com/notifications/?page=8" in text


def test_links_keep_the_public_urls_path_and_a_page_the_reader_may_not_open_has_none(
        mail_app, smtp, make_user):
    mail_app.config["PUBLIC_URL"] = "https://intranet.example.com/academy"
    person = make_user()
    tell(mail_app, person, 3)
    tell(mail_app, person, 4, hidden=True)
    assert send(mail_app).sent == 2

    first, second = (parts(m)[0] for m in smtp.messages)
    assert "https://intranet.example.com/academy/notifications/?page=3" in first
    assert "Sign in #4" in second and "page=4" not in second
    assert "https://intranet.example.com/academy/notifications/" in second  # the centre


def test_an_smtp_refusal_is_retried_with_back_off_then_recorded_as_failed(
        mail_app, smtp, make_user, client):
    person = make_user()
    tell(mail_app, person, 1)
    smtp.refuse_with = "451 4.3.0 Try again later"
    start = utcnow()

    report = send(mail_app, now=start)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [row] = outbox(mail_app)
    assert (row.state, row.attempts, row.claim) == ("queued", 1, None)
    assert "451" in row.last_error and "Try again later" in row.last_error
    assert row.next_attempt_at == start + timedelta(minutes=1)

    assert send(mail_app, now=start + timedelta(seconds=59)).handled == 0  # not yet due
    assert smtp.attempts == 1

    second = start + timedelta(minutes=1)
    assert send(mail_app, now=second).retrying == 1
    [row] = outbox(mail_app)
    assert row.attempts == 2 and row.next_attempt_at == second + timedelta(minutes=2)

    assert send(mail_app, now=second + timedelta(minutes=2)).failed == 1  # the 3rd of 3
    [row] = outbox(mail_app)
    assert (row.state, row.attempts) == ("failed", 3) and "451" in row.last_error
    assert smtp.attempts == 3 and smtp.received == []

    smtp.refuse_with = None  # a failed message is not tried again
    assert send(mail_app, now=start + timedelta(days=1)).handled == 0
    login(client, person)  # and the app works all along
    assert client.get("/notifications/").status_code == 200


def test_a_stopped_server_is_an_attempt_that_failed_and_the_app_keeps_working(
        mail_app, smtp, make_user, client):
    mail_app.config["MAIL_PORT"] = free_port()  # nothing listens there
    person = make_user()
    tell(mail_app, person, 1)
    assert send(mail_app).retrying == 1
    [row] = outbox(mail_app)
    assert row.state == "queued" and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    login(client, person)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "Sign in #1" in page.get_data(as_text=True)

    mail_app.config["MAIL_PORT"] = smtp.port  # the server is back: the retry goes out
    assert send(mail_app, now=utcnow() + timedelta(minutes=1)).sent == 1
    assert len(smtp.messages) == 1


def test_back_off_doubles_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 32, 60]
    assert backoff(30) == timedelta(hours=1)


def test_a_message_whose_account_was_deactivated_is_not_sent(mail_app, smtp, make_user):
    from app.auth import services as accounts

    person = make_user()
    tell(mail_app, person, 1)
    with mail_app.app_context():
        accounts.update_user(db.session.get(User, person.id),
                             accounts.AccountChanges(active=False), actor_label="test")
        db.session.commit()
    assert send(mail_app).failed == 1
    [row] = outbox(mail_app)
    assert row.state == "failed" and "deactivated" in row.last_error
    assert smtp.attempts == 0


def test_a_claimed_message_waits_for_its_claim_to_run_out(mail_app, smtp, make_user):
    person = make_user()
    tell(mail_app, person, 1)
    with mail_app.app_context():
        row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        row.claim, row.claimed_until = "another-sender", utcnow() + timedelta(minutes=5)
        db.session.commit()
    assert send(mail_app).handled == 0 and smtp.attempts == 0
    # That sender died mid-send: once its claim has run out the message goes out.
    assert send(mail_app, now=utcnow() + timedelta(minutes=6)).sent == 1
    assert len(smtp.messages) == 1


# --- The daily digest ------------------------------------------------------------------

def prefer_digest(app, person) -> None:
    with app.app_context():
        services.set_preferences(db.session.get(User, person.id), {KIND: Delivery.DIGEST})
        db.session.commit()


def test_the_digest_gathers_a_persons_notices_once(mail_app, smtp, make_user):
    reader, other = make_user(), make_user()
    prefer_digest(mail_app, reader)
    first, second = tell(mail_app, reader, 1), tell(mail_app, reader, 2)
    tell(mail_app, other, 3)  # immediate: not in any digest
    assert [r.user_id for r in outbox(mail_app)] == [other.id]

    with mail_app.app_context():
        assert queue_digests(utcnow()) == 1
        db.session.commit()
        assert queue_digests(utcnow()) == 0  # idempotent
        db.session.commit()
        assert not db.session.execute(sa.select(Notification).where(
            Notification.digest_pending.is_(True))).first()
    digest = [r for r in outbox(mail_app) if r.digest]
    assert len(digest) == 1 and digest[0].user_id == reader.id
    assert digest[0].notification_ids == [first, second]

    assert send(mail_app).sent == 2
    [message] = [m for to, m in smtp.received if to == [reader.email]]
    assert "2 notices" in message["Subject"]
    text, html = parts(message)
    for code in (1, 2):
        assert f"Sign in #{code}" in text
        assert f"https://academy.example.com/notifications/?page={code}" in html


def test_the_digest_leaves_out_what_was_read_and_waits_for_what_is_not_visible_yet(
        mail_app, make_user):
    reader = make_user()
    prefer_digest(mail_app, reader)
    read = tell(mail_app, reader, 1)
    later = tell(mail_app, reader, 2)
    with mail_app.app_context():
        db.session.get(Notification, read).read_at = utcnow()
        db.session.get(Notification, later).visible_from = utcnow() + timedelta(hours=1)
        db.session.commit()
        assert queue_digests(utcnow()) == 0  # nothing unread and visible
        db.session.commit()
        assert db.session.get(Notification, read).digest_pending is False
        assert db.session.get(Notification, later).digest_pending is True
        assert queue_digests(utcnow() + timedelta(hours=2)) == 1
        db.session.commit()
    assert [r.notification_ids for r in outbox(mail_app)] == [[later]]


# --- The commands ----------------------------------------------------------------------

def test_send_says_e_mail_is_off_without_a_server(app, runner):
    app.config["MAIL_SERVER"] = ""
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "E-mail is off" in result.output


def test_the_commands_queue_digests_and_send(mail_app, smtp, make_user, runner):
    reader = make_user()
    prefer_digest(mail_app, reader)
    tell(mail_app, reader, 1)
    first = runner.invoke(args=["notifications", "digest"])
    again = runner.invoke(args=["notifications", "digest"])
    assert first.exit_code == 0 and "1 digest(s) queued" in first.output
    assert again.exit_code == 0 and "0 digest(s) queued" in again.output
    sent = runner.invoke(args=["notifications", "send", "--limit", "10"])
    assert sent.exit_code == 0 and "sent 1, to retry 0, failed 0" in sent.output
    assert len(smtp.messages) == 1


# --- STARTTLS, TLS and signing in --------------------------------------------------------

@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that this process trusts (SSL_CERT_FILE)."""
    made = self_signed_certificate(tmp_path)
    if made is None:
        skip_or_fail("openssl is needed to make a test certificate")
    cert, key = made
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _secure_app(app, server, security: str, **config):
    app.config.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                       "MAIL_SECURITY": security, "MAIL_USERNAME": "",
                       "MAIL_FROM": "academy@example.com", "MAIL_TIMEOUT": 5, **config})
    return app


def test_starttls_and_a_login_when_a_username_is_set(app, test_kind, certificate, make_user):
    login_check = accept_login("mailer", "s3cret")
    server = SmtpServer(tls_context=certificate, require_starttls=True,
                        authenticator=login_check).start()
    try:
        _secure_app(app, server, "starttls", MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret")
        tell(app, make_user(), 1)
        assert send(app).sent == 1
        assert len(server.messages) == 1 and login_check.signed_in == ["mailer"]
    finally:
        server.stop()


def test_implicit_tls(app, test_kind, certificate, make_user):
    server = SmtpServer(ssl_context=certificate).start()
    try:
        _secure_app(app, server, "tls")
        tell(app, make_user(), 1)
        assert send(app).sent == 1 and len(server.messages) == 1
    finally:
        server.stop()


def test_starttls_asked_but_not_offered_sends_nothing_in_clear(mail_app, smtp, make_user):
    mail_app.config["MAIL_SECURITY"] = "starttls"  # the test server offers no STARTTLS
    tell(mail_app, make_user(), 1)
    assert send(mail_app).retrying == 1
    [row] = outbox(mail_app)
    assert "STARTTLS" in row.last_error and smtp.attempts == 0


def test_a_wrong_password_is_recorded(app, test_kind, make_user):
    server = SmtpServer(authenticator=accept_login("mailer", "s3cret"),
                        auth_require_tls=False).start()
    try:
        _secure_app(app, server, "none", MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")
        tell(app, make_user(), 1)
        assert send(app).retrying == 1
        [row] = outbox(app)
        assert "SMTPAuthenticationError" in row.last_error and server.attempts == 0
    finally:
        server.stop()


def test_failures_are_listed_and_can_be_queued_again(mail_app, smtp, make_user, runner):
    person = make_user()
    tell(mail_app, person, 1)
    mail_app.config["NOTIFICATIONS_MAX_ATTEMPTS"] = 1
    smtp.refuse_with = "554 5.7.1 Relaying denied"
    assert send(mail_app).failed == 1

    listed = runner.invoke(args=["notifications", "failures"])
    assert listed.exit_code == 0 and person.email in listed.output
    assert "554" in listed.output and "1 failed message(s)" in listed.output

    smtp.refuse_with = None
    again = runner.invoke(args=["notifications", "failures", "--retry"])
    assert "1 message(s) queued again" in again.output
    [row] = outbox(mail_app)
    assert (row.state, row.attempts) == ("queued", 0)
    assert send(mail_app).sent == 1 and len(smtp.messages) == 1
