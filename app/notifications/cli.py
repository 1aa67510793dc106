"""``flask notifications``: time-based notices (``due``), the e-mail sender (``send``) and
the daily digest (``digest``), from cron or, for ``send``, as a small service (``--loop``)."""

from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.database import utcnow
from app.extensions import db
from app.notifications import kinds

notifications_cli = AppGroup("notifications", help="Notifications: time-based notices, e-mail.")


@notifications_cli.command("due")
def due_command() -> None:
    """Create the time-based notices that are due now (closes within 24 h, due soon,
    overdue, open too long). Idempotent: running it again tells nobody twice."""
    made = kinds.run_due(utcnow())
    db.session.commit()
    for name, count in sorted(made.items()):
        click.echo(f"{name}: {count} notice(s)")
    click.echo(f"{sum(made.values())} notice(s) in all")


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (a small service).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="With --loop: seconds to wait when nothing was due.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Messages to handle per round.")
def send_command(loop: bool, interval: float, limit: int) -> None:
    """Send the queued e-mails that are due, with retries and back-off. Several senders
    may run at once (on one host or several): each message goes out once."""
    from app.notifications.sender import send_due

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("MAIL_SERVER"):
        click.echo("E-mail is off (MAIL_SERVER is not set): nothing to send.")
        return
    stop = _StopSignal() if loop else None
    while True:
        report = send_due(app, limit)
        for error in report.errors:
            click.echo(error, err=True)
        if report.handled or not loop:
            click.echo(f"sent {report.sent}, to retry {report.retrying}, "
                       f"failed {report.failed}")
        if stop is None:
            return
        if report.handled < limit:  # a full round means more may be waiting now
            stop.wait(interval)
        if stop.requested:
            click.echo("stopped")
            return


class _StopSignal:
    """SIGTERM or SIGINT ends the loop between messages, never in the middle of one
    (a message cut off mid-send would wait for its claim to run out)."""

    def __init__(self) -> None:
        self.requested = False
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._request)

    def _request(self, _signum, _frame) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))


@notifications_cli.command("digest")
def digest_command() -> None:
    """Queue each person's daily digest of the notices they chose to get that way.
    Idempotent: a notice goes into one digest only. Run it once a day."""
    from app.notifications.digest import queue_digests

    queued = queue_digests(utcnow())
    db.session.commit()
    click.echo(f"{queued} digest(s) queued")


@notifications_cli.command("failures")
@click.option("--retry", is_flag=True,
              help="Queue the failed messages again (after fixing the cause).")
def failures_command(retry: bool) -> None:
    """List the e-mails given up on (recipient, tries, last error); --retry queues them
    again with a fresh count of tries."""
    import sqlalchemy as sa

    from app.notifications.models import OutboxMessage, OutboxState

    failed = list(db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.state == OutboxState.FAILED)
        .order_by(OutboxMessage.id)).scalars())
    for message in failed:
        click.echo(f"{message.id}\t{message.user.email}\t{message.attempts} tries\t"
                   f"{message.last_error or ''}")
    if retry and failed:
        now = utcnow()
        for message in failed:
            message.state, message.attempts, message.next_attempt_at = \
                OutboxState.QUEUED, 0, now
            message.claim = message.claimed_until = None
        db.session.commit()
        click.echo(f"{len(failed)} message(s) queued again")
    else:
        click.echo(f"{len(failed)} failed message(s)")
