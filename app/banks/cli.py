"""``flask banks lint|import|export``: question banks from files into the app and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.banks import exports, readers
from app.banks.questions import AREAS
from app.banks.services import ImportRefused, bank_by_id, bank_model, import_banks
from app.content.authoring import LANGUAGES, errors_only
from app.extensions import db

banks_cli = AppGroup("banks", help="Lint, import and export question banks.")

FORMATS = click.Choice(list(readers.FORMATS))
KEEP_GOOD = click.option(
    "--keep-good", is_flag=True, help="Moodle files: import the questions without errors and "
    "list the refused ones (default: any error refuses the whole file).")


def _files(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in readers.SUFFIXES
                            and p.is_file() and "rubrics" not in p.relative_to(path).parts)
        elif path.is_file():
            found.append(path)
        else:
            raise click.ClickException(f"{raw}: no such file or folder")
    return found


def _read(paths, fmt, bank_id, meta=None, keep_good=False) -> readers.Reading:
    files = [(str(p), p.read_bytes()) for p in _files(paths)]
    if not files:
        raise click.ClickException("no bank files found (looked for .md, .gift, .txt and .xml)")
    return readers.read_for_import(files, fmt=fmt, bank_id=bank_id, meta=meta,
                                   keep_good=keep_good)


def _print_issues(issues) -> None:
    for issue in issues:
        click.echo(str(issue), err=issue.severity == "error")


@banks_cli.command("lint")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="Read every file in this format (default: by file ending).")
@KEEP_GOOD
def lint(paths, fmt, keep_good):
    """Report every problem in every file as path:line: [ID] message."""
    reading = _read(paths, fmt, None, keep_good=keep_good)
    _print_issues(reading.issues)
    errors = errors_only(reading.issues)
    click.echo(f"{len(reading.banks)} bank(s), {reading.questions} question(s): "
               f"{len(errors)} error(s), {len(reading.issues) - len(errors)} warning(s).")
    if reading.refused:
        click.echo(f"{len(reading.refused)} error(s) refuse only their questions (--keep-good).")
    if reading.blocking:
        sys.exit(1)


@banks_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="Read every file in this format (default: by file ending).")
@click.option("--bank-id", default=None, help="Bank ID for a GIFT or Aiken file "
              "(default: from the file name).")
@click.option("--title", default=None, help="GIFT/Aiken: the bank's title (default: its ID).")
@click.option("--area", type=click.Choice(AREAS), default=None,
              help="GIFT/Aiken: the policy area (default: product).")
@click.option("--language", type=click.Choice(LANGUAGES), default=None,
              help="GIFT/Aiken: the bank's language (default: en).")
@KEEP_GOOD
def import_(paths, fmt, bank_id, title, area, language, keep_good):
    """Import all files in one transaction: any error, and nothing changes (unless
    --keep-good, which leaves out only the Moodle questions with errors)."""
    reading = _read(paths, fmt, bank_id, {"title": title, "area": area, "language": language},
                    keep_good)
    _print_issues(reading.issues)
    if reading.blocking:
        raise click.ClickException(f"{len(reading.blocking)} error(s); nothing was imported.")
    try:
        changes = import_banks(reading.banks, source_format=fmt, actor_label="cli",
                               refused=reading.refused)
    except ImportRefused as refused:
        db.session.rollback()
        _print_issues(refused.issues)
        raise click.ClickException("nothing was imported.") from None
    db.session.commit()
    for change in changes:
        click.echo(str(change))
    if reading.refused:
        click.echo(f"left out: the questions with {len(reading.refused)} error(s) listed above.")


@banks_cli.command("export")
@click.argument("bank_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(list(exports.FORMATS)), default="markdown",
              help="markdown (default), moodle-xml (back to Moodle) or gift.")
def export(bank_id, output, fmt):
    """Write a bank's current questions back as Markdown, Moodle XML or GIFT."""
    row = bank_by_id(bank_id)
    if row is None:
        raise click.ClickException(f"no bank has the ID {bank_id!r}")
    exported = exports.export(bank_model(row), fmt)
    for question_id in exported.skipped:
        click.echo(f"{question_id}: not written ({fmt} cannot hold this question's type)",
                   err=True)
    if output:
        output.write_bytes(exported.data)
        click.echo(f"{bank_id}: written to {output}")
    else:
        click.echo(exported.data.decode("utf-8"), nl=False)

