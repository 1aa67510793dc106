"""``flask rubrics lint|import``: rubric files into the app."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.rubrics.format import check_rubrics, errors_only
from app.rubrics.services import ImportRefused, import_rubrics

rubrics_cli = AppGroup("rubrics", help="Lint and import evaluation rubrics.")


def rubric_files(paths) -> list[Path]:
    """The files named, and the ``*.md`` files of the folders named (recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.md") if p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise click.ClickException(f"{raw}: no such file or folder")
    return found


def _check(paths):
    files = rubric_files(paths)
    if not files:
        raise click.ClickException("no rubric files found (looked for .md files)")
    rubrics, issues = check_rubrics(files)
    for issue in issues:
        click.echo(str(issue), err=issue.severity == "error")
    return rubrics, issues


@rubrics_cli.command("lint")
@click.argument("paths", nargs=-1, required=True)
def lint(paths):
    """Report every problem in every file as path:line: [key] message."""
    rubrics, issues = _check(paths)
    errors = errors_only(issues)
    criteria = sum(len(rubric.criteria) for rubric in rubrics)
    click.echo(f"{len(rubrics)} rubric(s), {criteria} criteria: {len(errors)} error(s).")
    if errors:
        sys.exit(1)


@rubrics_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
def import_(paths):
    """Lint, then import all files in one transaction: any error, and nothing changes."""
    rubrics, issues = _check(paths)
    errors = errors_only(issues)
    if errors:
        raise click.ClickException(f"{len(errors)} error(s); nothing was imported.")
    try:
        report = import_rubrics(rubrics, actor_label="cli")
    except ImportRefused as refused:
        db.session.rollback()
        for message in refused.messages:
            click.echo(message, err=True)
        raise click.ClickException("nothing was imported.") from None
    db.session.commit()
    for change in report.changes:
        click.echo(str(change))
    click.echo(f"Rubrics: {report}")
