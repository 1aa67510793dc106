"""``flask exams close-expired``: finalise abandoned attempts (run it from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.database import utcnow
from app.exams.attempts import close_expired
from app.extensions import db

exams_cli = AppGroup("exams", help="Exam maintenance.")


@exams_cli.command("close-expired")
def close_expired_command():
    """Submit, as they stand, all attempts whose deadline (plus grace) has passed."""
    count = close_expired(utcnow())
    db.session.commit()
    click.echo(f"{count} expired attempt(s) finalised.")
