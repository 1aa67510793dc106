"""``flask notifications``: time-based notices (``due``), from cron."""

from __future__ import annotations

import click
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
