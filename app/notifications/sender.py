"""The outbox's sender (``flask notifications send``): claim, send through SMTP, record.

Several senders may run at once (cron on two hosts, a ``--loop`` service and a cron run):
each row is claimed with one conditional UPDATE that only one of them can win, and the
claim is committed before anything is sent. On PostgreSQL the UPDATE waits for a rival's
row lock and then re-reads the row (whose claim it no longer matches); on SQLite writers
take turns (``BEGIN IMMEDIATE``). A claim lasts ``LEASE``: a sender killed mid-send leaves
the row to another sender once it has run out.

A message that fails (the server is down, refuses, times out) is tried again later, after
1, 2, 4, 8 … minutes (at most ``MAX_BACKOFF``), and is recorded as failed after
``NOTIFICATIONS_MAX_ATTEMPTS`` tries, with the last error kept on the row. Nothing here
touches a request: the app works the same whether mail goes out or not.

This module is a transaction boundary of its own, like a CLI command: it commits the claim
before sending and the outcome after.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import Flask

from app.database import utcnow
from app.database.concurrency import write_intent
from app.extensions import db
from app.notifications.mail import NothingToSend, compose
from app.notifications.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
ERROR_LIMIT = 1000  # characters of an error kept on the row


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def lease(app: Flask) -> timedelta:
    """How long a claim holds: well beyond one SMTP conversation's timeouts."""
    return timedelta(seconds=max(300.0, 4 * float(app.config["MAIL_TIMEOUT"]) + 60))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, capped."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def send_due(app: Flask, limit: int = 100, *, now: datetime | None = None) -> SendReport:
    """Send up to ``limit`` queued messages that are due; commit after each step.

    Call inside an app context. ``now`` is for tests (a later moment shows the back-off).
    """
    report = SendReport()
    if not app.config.get("MAIL_SERVER"):
        return report
    for message_id in _due_ids(limit, now or utcnow()):
        moment = now or utcnow()
        token = _claim(message_id, moment, lease(app))
        if token is None:
            continue  # another sender has it
        _deliver(app, message_id, token, moment, report)
    return report


def _due_ids(limit: int, now: datetime) -> list[int]:
    with write_intent(False):
        ids = list(db.session.execute(
            sa.select(OutboxMessage.id).where(_claimable(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).scalars())
        db.session.rollback()  # end the read: each claim is a transaction of its own
    return ids


def _claimable(now: datetime):
    return sa.and_(OutboxMessage.state == OutboxState.QUEUED,
                   OutboxMessage.next_attempt_at <= now,
                   sa.or_(OutboxMessage.claimed_until.is_(None),
                          OutboxMessage.claimed_until < now))


def _claim(message_id: int, now: datetime, hold: timedelta) -> str | None:
    """Take the row if nobody holds it; the committed claim, or None if another won."""
    token = secrets.token_hex(16)
    with write_intent(True):
        result = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _claimable(now))
            .values(claim=token, claimed_until=now + hold)
            .execution_options(synchronize_session=False))
        won = result.rowcount == 1  # type: ignore[attr-defined]  # a CursorResult
        db.session.commit()
    return token if won else None


def _deliver(app: Flask, message_id: int, token: str, now: datetime,
             report: SendReport) -> None:
    # Composing only reads: on SQLite it must not hold the writers' turn, and no
    # transaction stays open while the SMTP server is talking.
    with write_intent(False):
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.claim != token:
            db.session.rollback()
            return
        attempts = message.attempts
        try:
            mail = compose(app, message)
        except NothingToSend as reason:
            mail, problem, final = None, f"not sent: {reason}", True
        except Exception as exc:  # a bug in a kind's text must not stop the other messages
            log.exception("could not compose outbox message %s", message_id)
            mail, problem, final = None, f"could not compose: {exc!r}", False
        db.session.rollback()
    if mail is None:
        if final:
            _finish(message_id, token, state=OutboxState.FAILED, attempts=attempts,
                    error=problem)
            report.failed += 1
            report.errors.append(f"message {message_id}: {problem}")
        else:
            _failed_attempt(app, message_id, attempts, token, now, problem, report)
        return
    try:
        _smtp_send(app, mail)
    except (OSError, smtplib.SMTPException) as exc:  # refused, down, timed out, TLS
        log.warning("outbox message %s not sent: %r", message_id, exc)
        _failed_attempt(app, message_id, attempts, token, now, _describe_error(exc), report)
        return
    _finish(message_id, token, state=OutboxState.SENT, attempts=attempts + 1,
            sent_at=utcnow())
    report.sent += 1


def _failed_attempt(app: Flask, message_id: int, attempts_before: int, token: str,
                    now: datetime, error: str, report: SendReport) -> None:
    attempts = attempts_before + 1
    report.errors.append(f"message {message_id}: {error}")
    if attempts >= app.config["NOTIFICATIONS_MAX_ATTEMPTS"]:
        _finish(message_id, token, state=OutboxState.FAILED, attempts=attempts, error=error)
        report.failed += 1
    else:
        _finish(message_id, token, state=OutboxState.QUEUED, attempts=attempts, error=error,
                next_attempt_at=now + backoff(attempts))
        report.retrying += 1


def _finish(message_id: int, token: str, *, state: OutboxState, attempts: int,
            error: str | None = None, sent_at: datetime | None = None,
            next_attempt_at: datetime | None = None) -> None:
    """Record the outcome and release the claim (only while the claim is still ours)."""
    values: dict = {"state": state, "attempts": attempts, "claim": None,
                    "claimed_until": None}
    if error is not None:
        values["last_error"] = error[:ERROR_LIMIT]
    if sent_at is not None:
        values["sent_at"] = sent_at
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    with write_intent(True):
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claim == token)
            .values(**values).execution_options(synchronize_session=False))
        db.session.commit()


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {code} {_text(reply)}"
                         for who, (code, reply) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _smtp_send(app: Flask, mail: EmailMessage) -> None:
    """One SMTP conversation: connect (TLS, STARTTLS or plain), sign in if asked, send."""
    config = app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    security = str(config.get("MAIL_SECURITY", "starttls")).lower()
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    elif security in ("starttls", "none"):
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    else:
        raise smtplib.SMTPException(f"MAIL_SECURITY must be starttls, tls or none, "
                                    f"not {security!r}")
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(mail)
