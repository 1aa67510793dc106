"""``flask audit verify``: prove the audit log has not been tampered with."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.database import write_intent
from app.oversight.audit import verify_chain

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
@click.option("--anchor", metavar="HASH", default=None,
              help="A head hash printed by an earlier run: fail unless it is still in the "
                   "chain (detects a truncated or wholly rewritten log).")
def verify(anchor: str | None):
    """Walk the hash chain; exit 1 and name the first bad row if it is broken.

    Record the printed head hash (e.g. in the cron log) and pass it back with
    --anchor next time.
    """
    with write_intent(False):  # a long read must not hold SQLite's write lock
        report = verify_chain(anchor=anchor)
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} entries checked. "
                   f"Head: {report.head or 'none'}")
        return
    where = f"at entry {report.broken_at}: " if report.broken_at else ": "
    click.echo(f"Audit log BROKEN {where}{report.problem}. "
               f"{report.checked} entries before it are intact.", err=True)
    raise SystemExit(1)
