"""``flask audit verify`` and ``flask audit checkpoint``: prove the audit log has not
been tampered with, against checkpoints kept outside the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit import checkpoints
from app.audit.log import ChainReport, verify_chain
from app.database import utcnow
from app.database.concurrency import write_intent

audit_cli = AppGroup("audit", help="Check the audit log.")


def _checked(anchor: str | None) -> tuple[ChainReport, str, list[checkpoints.Checkpoint]]:
    """Walk the chain and hold it against every checkpoint; exit 1 on any problem."""
    path = current_app.config["AUDIT_CHECKPOINT_FILE"]
    try:
        recorded = checkpoints.read_all(path)
    except checkpoints.CheckpointFileError as exc:
        raise click.ClickException(f"Audit checkpoints unreadable: {exc}.") from None
    with write_intent(False):  # a long read must not hold SQLite's write lock
        report = verify_chain(anchor=anchor, positions={c.count for c in recorded})
    if not report.ok:
        where = f"at entry {report.broken_at}: " if report.broken_at else ": "
        click.echo(f"Audit log BROKEN {where}{report.problem}. "
                   f"{report.checked} entries before it are intact.", err=True)
        raise SystemExit(1)
    contradicted = checkpoints.against_report(recorded, report)
    if contradicted:
        checkpoint, problem = contradicted
        click.echo(f"Audit log BROKEN: {problem.text}. Checkpoint of "
                   f"{checkpoint.taken_at.isoformat()} (line {checkpoint.line} of {path}): "
                   f"{checkpoint.count} entries, head {checkpoint.head}.", err=True)
        raise SystemExit(1)
    return report, path, recorded


@audit_cli.command("verify")
@click.option("--anchor", metavar="HASH", default=None,
              help="A head hash printed by an earlier run: fail unless it is still in the "
                   "chain (detects a truncated or wholly rewritten log).")
def verify(anchor: str | None):
    """Walk the hash chain and compare it with every checkpoint in AUDIT_CHECKPOINT_FILE.

    Exit 1 naming the first bad row if the chain is broken, or the checkpoint it
    contradicts if it is shorter than, or diverges from, one recorded earlier.
    """
    report, path, recorded = _checked(anchor)
    click.echo(f"Audit log intact: {report.checked} entries checked. "
               f"Head: {report.head or 'none'}")
    if recorded:
        last = recorded[-1]
        click.echo(f"Matches all {len(recorded)} checkpoints in {path} (latest: "
                   f"{last.count} entries at {last.taken_at.isoformat()}).")
    else:
        click.echo(f"No checkpoint in {path} yet: run `flask audit checkpoint` from cron "
                   "so that deleting the newest entries is detected.")


@audit_cli.command("checkpoint")
def checkpoint():
    """Verify the log, then append its entry count and head hash to AUDIT_CHECKPOINT_FILE.

    Meant for cron. A broken log gets no checkpoint (exit 1): that would bless it.
    """
    report, path, _recorded = _checked(None)
    now = utcnow()
    checkpoints.append(path, report.checked, report.head, now)
    click.echo(f"Audit checkpoint recorded in {path}: {report.checked} entries, "
               f"head {report.head or 'none'}, at {now.isoformat()}.")
