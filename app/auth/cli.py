"""``flask users ...``: accounts from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.auth.user_csv import parse_people
from app.content.csv_upload import UnreadableFile, decode
from app.extensions import db

users_cli = AppGroup("users", help="Create accounts, import HR lists, set passwords.")

CLI_ACTOR = "cli"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    raise click.ClickException(message)


@users_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--roles", default="learner", show_default=True,
              help="Comma-separated: learner, trainer, reviewer, manager, supervisor, admin.")
@click.option("--team", default="", help="Team name (created when new).")
@click.option("--manager", "manager_email", default="", help="The manager's email.")
@click.option("--language", default="en", type=click.Choice(services.SUPPORTED_LOCALES))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_user(email, name, roles, team, manager_email, language, password_stdin):
    """Create the account EMAIL."""
    role_list = [r.strip() for r in roles.split(",") if r.strip()]
    try:
        parsed_roles = [Role(r) for r in role_list]
    except ValueError as exc:
        _fail(f"{exc}; roles are: {', '.join(r.value for r in Role)}")
    password = _read_password(password_stdin)
    try:
        user = services.create_user(email, name, roles=parsed_roles, password=password,
                                    team=team, manager_email=manager_email, locale=language,
                                    actor_label=CLI_ACTOR)
    except services.AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles))}).")


@users_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_users(csv_file: Path):
    """Create or update accounts from an HR list; nothing changes if any row is bad."""
    try:
        parsed = parse_people(decode(csv_file.read_bytes(), csv_file.name))
    except UnreadableFile as unreadable:
        _fail(f"{csv_file}:{unreadable.error.line}: {unreadable.error.message}")
    outcome = services.import_people(parsed, actor_label=CLI_ACTOR)
    if not outcome.ok:
        for error in outcome.errors:
            click.echo(f"{csv_file}:{error.line}: {error.message}", err=True)
        _fail(f"{len(outcome.errors)} problem(s); nothing was imported.")
    db.session.commit()
    click.echo(f"{csv_file}: {outcome.created} created, {outcome.updated} updated, "
               f"{outcome.unchanged} unchanged.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email, password_stdin):
    """Set the password of EMAIL and end that person's sessions."""
    user = services.user_by_email(email)
    if user is None:
        _fail(f"No account has the email {email}.")
    try:
        services.set_password(user, _read_password(password_stdin), actor_label=CLI_ACTOR)
    except services.AccountError as exc:
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Password set for {user.email}; their sessions have ended.")
