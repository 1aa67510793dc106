"""``flask banks lint|import|export``: question banks from files into the app and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.banks import readers
from app.banks.markdown_format import export_bank
from app.banks.questions import AREAS
from app.banks.services import ImportRefused, bank_by_id, bank_model, import_banks
from app.content.authoring import LANGUAGES, errors_only
from app.extensions import db

banks_cli = AppGroup("banks", help="Lint, import and export question banks.")

FORMATS = click.Choice(["markdown", "gift", "aiken"])


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


def _read(paths, fmt, bank_id, meta=None):
    files = [(str(p), p.read_bytes()) for p in _files(paths)]
    if not files:
        raise click.ClickException("no bank files found (looked for .md, .gift and .txt)")
    return readers.read_files(files, fmt=fmt, bank_id=bank_id, meta=meta)


def _print_issues(issues) -> None:
    for issue in issues:
        click.echo(str(issue), err=issue.severity == "error")


@banks_cli.command("lint")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="Read every file in this format (default: by file ending).")
def lint(paths, fmt):
    """Report every problem in every file as path:line: [ID] message."""
    banks, issues = _read(paths, fmt, None)
    _print_issues(issues)
    errors = errors_only(issues)
    questions = sum(len(bank.questions) for bank in banks)
    click.echo(f"{len(banks)} bank(s), {questions} question(s): {len(errors)} error(s), "
               f"{len(issues) - len(errors)} warning(s).")
    if errors:
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
def import_(paths, fmt, bank_id, title, area, language):
    """Import all files in one transaction: any error, and nothing changes."""
    banks, issues = _read(paths, fmt, bank_id,
                          {"title": title, "area": area, "language": language})
    _print_issues(issues)
    if errors_only(issues):
        raise click.ClickException(f"{len(errors_only(issues))} error(s); nothing was imported.")
    try:
        changes = import_banks(banks, source_format=fmt, actor_label="cli")
    except ImportRefused as refused:
        db.session.rollback()
        _print_issues(refused.issues)
        raise click.ClickException("nothing was imported.") from None
    db.session.commit()
    for change in changes:
        click.echo(str(change))


@banks_cli.command("export")
@click.argument("bank_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def export(bank_id, output):
    """Write a bank's current questions back as Markdown."""
    row = bank_by_id(bank_id)
    if row is None:
        raise click.ClickException(f"no bank has the ID {bank_id!r}")
    text = export_bank(bank_model(row))
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{bank_id}: written to {output}")
    else:
        click.echo(text, nl=False)

