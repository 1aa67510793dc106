"""``flask audit verify``: prove the audit log has not been tampered with."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.oversight.audit import verify_chain

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
def verify():
    """Walk the hash chain; exit 1 and name the first bad row if it is broken."""
    report = verify_chain()
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} entries checked.")
        return
    click.echo(f"Audit log BROKEN at entry {report.broken_at}: {report.problem}. "
               f"{report.checked} entries before it are intact.", err=True)
    raise SystemExit(1)
