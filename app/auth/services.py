"""Account actions: checking a password, creating and changing users, the HR-list import.

Services flush but never commit; the request or CLI command commits once. Login
sessions (:mod:`app.auth.login_sessions`) and the new-password check
(:mod:`app.auth.password_policy`) have their own modules; their names are exported here
too, for callers that import the account services.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import log as audit
from app.auth.errors import AccountError
from app.auth.login_sessions import (
    end_login_session,
    end_other_sessions,
    start_login_session,
    user_for_token,
)
from app.auth.models import Role, Team, User, UserRole
from app.auth.password_policy import MIN_PASSWORD_LENGTH, PasswordRefused, check_new_password
from app.auth.user_csv import ParsedList, PersonRow, RowError
from app.extensions import db

__all__ = [
    "MIN_PASSWORD_LENGTH", "SUPPORTED_LOCALES", "AccountChanges", "AccountError",
    "ImportOutcome", "PasswordRefused", "authenticate", "check_new_password", "create_user",
    "end_login_session", "end_other_sessions", "hash_password", "import_people",
    "normalise_email", "set_locale", "set_password", "snapshot", "start_login_session",
    "team_named", "update_user", "user_by_email", "user_for_token", "valid_email",
]

SUPPORTED_LOCALES = ("en", "zh_CN")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def valid_email(email: str) -> str:
    """The normalised address, or AccountError saying what is wrong with it."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(_("%(email)s is not a valid email address (%(why)s).",
                             email=email.strip(), why=str(exc)), "email") from None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


_DUMMY_HASH: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    A missing account costs the same hashing work as a wrong password, so the
    answer time does not reveal which emails exist.
    """
    user = db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    if user is None or not user.password_hash:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("x", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def team_named(name: str | None) -> Team | None:
    """The team with this name, created on first use; None for a blank name."""
    name = (name or "").strip()
    if not name:
        return None
    team = db.session.execute(sa.select(Team).where(Team.name == name)).scalar_one_or_none()
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def snapshot(user: User) -> dict:
    """The audited view of an account (never the password hash)."""
    return {
        "email": user.email,
        "display_name": user.display_name,
        "team": user.team.name if user.team else None,
        "manager": user.manager.email if user.manager else None,
        "roles": sorted(r.value for r in user.roles),
        "locale": user.locale,
        "active": user.active,
    }


@dataclass
class AccountChanges:
    """What an admin (or an import) sets on an account; None leaves it as is."""

    display_name: str | None = None
    team: str | None = None
    manager_email: str | None = None
    roles: Iterable[Role | str] | None = None
    locale: str | None = None
    active: bool | None = None
    email: str | None = None


def _apply(user: User, changes: AccountChanges) -> None:
    if changes.email is not None:
        _set_email(user, changes.email)
    if changes.display_name is not None:
        if not changes.display_name.strip():
            raise AccountError(_("The display name cannot be empty."), "display_name")
        user.display_name = changes.display_name.strip()
    if changes.team is not None:
        user.team = team_named(changes.team)
    if changes.manager_email is not None:
        _set_manager(user, changes.manager_email)
    if changes.roles is not None:
        user.set_roles(changes.roles)
    if changes.locale is not None:
        user.locale = _supported_locale(changes.locale)
    if changes.active is not None:
        user.active = changes.active


def _set_email(user: User, address: str) -> None:
    email = valid_email(address)
    other = user_by_email(email)
    if other is not None and other is not user:
        raise AccountError(_("Another account already uses %(email)s.", email=email), "email")
    user.email = email


def _supported_locale(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        raise AccountError(_("Unknown language %(code)s; use en or zh_CN.", code=locale))
    return locale


def _set_manager(user: User, manager_email: str) -> None:
    if not manager_email.strip():
        user.manager = None
        return
    manager = user_by_email(manager_email)
    if manager is None:
        raise AccountError(
            _("No account has the manager's email %(email)s.", email=manager_email.strip()),
            "manager_email")
    if manager is user:
        raise AccountError(_("A person cannot be their own manager."), "manager_email")
    seen: set[int] = {user.id}
    boss: User | None = manager
    while boss is not None:  # refuse loops in the reporting line
        if boss.id in seen:
            raise AccountError(_("That manager would make a loop in the reporting line."),
                               "manager_email")
        seen.add(boss.id)
        boss = boss.manager
    user.manager = manager


def create_user(email: str, display_name: str, *,
                roles: Iterable[Role | str] = (Role.LEARNER,), password: str | None = None,
                team: str | None = None, manager_email: str | None = None, locale: str = "en",
                actor: User | None = None, actor_label: str | None = None) -> User:
    """Create an account; without a password it cannot sign in until one is set."""
    user = _new_account(email, display_name, password)
    db.session.add(user)
    _apply(user, AccountChanges(display_name=display_name, team=team or "",
                                manager_email=manager_email or "", roles=roles, locale=locale))
    db.session.flush()
    audit.record("user.create", user, actor=actor, actor_label=actor_label,
                 after=snapshot(user))
    return user


def _new_account(address: str, display_name: str, password: str | None) -> User:
    """An account for an address nobody has, with its password when one is given."""
    email = valid_email(address)
    if user_by_email(email) is not None:
        raise AccountError(_("An account with the email %(email)s already exists.", email=email),
                           "email")
    user = User(email=email, display_name=display_name.strip(), locale="en", active=True)
    if password is not None:
        check_new_password(password, email=email, name=display_name)
        user.password_hash = hash_password(password)
    return user


def update_user(user: User, changes: AccountChanges, *, actor: User | None = None,
                actor_label: str | None = None) -> bool:
    """Change an account; returns whether anything changed (and was audited)."""
    before = snapshot(user)
    _apply(user, changes)
    db.session.flush()
    after = snapshot(user)
    if after == before:
        return False
    _keep_an_administrator(user, before, actor)
    if before["active"] and not after["active"]:
        end_other_sessions(user)
    audit.record("user.update", user, actor=actor, actor_label=actor_label,
                 before=_changed(before, after), after=_changed(after, before))
    return True


def _keep_an_administrator(user: User, before: dict, actor: User | None) -> None:
    """Nobody demotes or deactivates themselves as admin, and one active admin remains."""
    was_admin = before["active"] and Role.ADMIN.value in before["roles"]
    if not was_admin or (user.active and user.has_role(Role.ADMIN)):
        return
    if actor is not None and actor.id == user.id:
        raise AccountError(_("You cannot remove your own administrator role or deactivate "
                             "yourself."))
    others = db.session.execute(
        sa.select(sa.func.count()).select_from(User).join(UserRole)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    ).scalar()
    if not others:
        raise AccountError(_("At least one active administrator must remain."))


def _changed(mine: dict, theirs: dict) -> dict:
    return {k: v for k, v in mine.items() if theirs.get(k) != v}


def set_password(user: User, password: str, *, actor: User | None = None,
                 actor_label: str | None = None, keep_token: str | None = None) -> None:
    """Set a new password and end the person's other sessions."""
    check_new_password(password, email=user.email, name=user.display_name)
    user.password_hash = hash_password(password)
    end_other_sessions(user, keep_token=keep_token)
    action = "user.password_change" if actor is user else "user.password_reset"
    audit.record(action, user, actor=actor, actor_label=actor_label)


def set_locale(user: User, locale: str) -> None:
    """The person's own language choice (not audited: it affects nobody else)."""
    user.locale = _supported_locale(locale)


@dataclass
class ImportOutcome:
    """What an HR-list import did, or every reason it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_people(parsed: ParsedList, *, actor: User | None = None,
                  actor_label: str | None = None) -> ImportOutcome:
    """Create or update everyone on the list, or nobody when any row is bad.

    Managers may be people earlier or later in the same file, or existing accounts.
    Existing accounts (same email) get the list's name, team, manager, roles and language.
    """
    status: dict[str, str] = {}
    savepoint = db.session.begin_nested()
    errors = [*parsed.errors, *_unknown_managers(parsed),
              *_import_rows(parsed, status, actor, actor_label)]
    if errors:
        savepoint.rollback()
        unique = list(dict.fromkeys(errors))  # a row refused in both passes is listed once
        return ImportOutcome(errors=sorted(unique, key=lambda e: e.line))
    savepoint.commit()
    counts = list(status.values())
    return ImportOutcome(created=counts.count("created"), updated=counts.count("updated"),
                         unchanged=counts.count("unchanged"))


def _unknown_managers(parsed: ParsedList) -> list[RowError]:
    """Rows whose manager is neither on the list nor an existing account."""
    return [RowError(line, f"manager_email {manager} is neither on this list nor "
                           "an existing account: add that person first")
            for line, manager in sorted(parsed.managers.items())
            if manager not in parsed.listed_emails and user_by_email(manager) is None]


def _import_rows(parsed: ParsedList, status: dict[str, str], actor: User | None,
                 actor_label: str | None) -> list[RowError]:
    """Try every good row, managers in a second pass, and report what the accounts' rules
    refuse: every problem of the file is reported at once, each with its line."""
    good = {row.email for row in parsed.rows}
    errors: list[RowError] = []
    for with_manager in (False, True):
        for row in parsed.rows:
            if with_manager and row.manager_email and row.manager_email not in good \
                    and user_by_email(row.manager_email) is None:
                continue  # the manager's own row is bad, or exists nowhere: reported above
            try:
                _import_row(row, status, actor, actor_label, with_manager=with_manager)
            except AccountError as exc:
                errors.append(RowError(row.line, str(exc)))
    return errors


def _import_row(row: PersonRow, status: dict[str, str], actor: User | None,
                actor_label: str | None, *, with_manager: bool) -> None:
    """First pass: create or update all but the manager; second pass: the manager."""
    user = user_by_email(row.email)
    if user is None:
        create_user(row.email, row.name, roles=row.roles, team=row.team, locale=row.language,
                    actor=actor, actor_label=actor_label)
        status[row.email] = "created"
        return
    if with_manager:
        changes = AccountChanges(manager_email=row.manager_email)
    else:
        changes = AccountChanges(display_name=row.name, team=row.team, roles=row.roles,
                                 locale=row.language)
    changed = update_user(user, changes, actor=actor, actor_label=actor_label)
    if changed and status.get(row.email) != "created":
        status[row.email] = "updated"
    status.setdefault(row.email, "unchanged")
