"""``flask courses check|sync``: trainers' course folders into the app."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

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
def sync(folder: str | None):
    """Load the course folder into the database; nothing changes if any file is bad."""
    report = sync_courses(_folder(folder))
    if not report.ok:
        db.session.rollback()
        _report_problems(report.problems)
    db.session.commit()
    for change in report.courses:
        click.echo(str(change))
    click.echo(f"{len(report.courses)} course(s) synchronised.")
