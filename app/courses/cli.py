"""``flask courses check|sync``: trainers' course folders into the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.courses.audit import audit_sync
from app.courses.sync import check_folder, sync_courses
from app.extensions import db

courses_cli = AppGroup("courses", help="Check and load Markdown courses.")


def default_courses_dir() -> Path:
    configured = current_app.config.get("COURSES_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "courses"


def _folder(value: str | None) -> Path:
    return Path(value) if value else default_courses_dir()


def _report_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(f"{len(problems)} problem(s) found.")


@courses_cli.command("check")
@click.argument("folder", required=False)
def check(folder: str | None):
    """Report every problem in the course folder (default: courses/) as path:line: message."""
    rendered, problems = check_folder(_folder(folder))
    if problems:
        _report_problems(problems)
    click.echo(f"{len(rendered)} course(s), "
               f"{sum(len(source.lessons) for source, _, _ in rendered)} lesson(s): no problems.")


@courses_cli.command("sync")
@click.argument("folder", required=False)
@click.option("--prune", is_flag=True,
              help="Also retire every live course that is not in FOLDER (progress is kept).")
def sync(folder: str | None, prune: bool):
    """Load the course folder into the database; nothing changes if any file is bad.

    Courses missing from FOLDER are retired only with --prune.
    """
    report = sync_courses(_folder(folder), prune=prune)
    if not report.ok:
        db.session.rollback()
        _report_problems(report.problems)
    audit_sync(report, actor_label="cli")
    db.session.commit()
    for change in report.courses:
        click.echo(str(change))
    click.echo(f"{len(report.courses)} course(s) synchronised.")
    if report.would_retire:
        click.echo(f"Not in {_folder(folder)}, so retired only with --prune: "
                   f"{', '.join(report.would_retire)}")
