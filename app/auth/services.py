"""Account actions: authentication, login sessions, creating and changing users.

Services flush but never commit; the request or CLI command commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import log as audit
from app.auth.models import LoginSession, Role, Team, User, UserRole
from app.auth.passwords import MIN_LENGTH, Weakness, password_weakness
from app.auth.user_csv import ParsedList, PersonRow, RowError
from app.database import utcnow
from app.extensions import db

MIN_PASSWORD_LENGTH = MIN_LENGTH
SUPPORTED_LOCALES = ("en", "zh_CN")


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the person.

    ``field`` names the form field it belongs beside, when there is one.
    """

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.field = field


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


class PasswordRefused(AccountError):
    """The new password is too easy to guess; the message belongs at the password field."""

    def __init__(self, message: object, field: str | None = "password"):
        super().__init__(message, field)


def _refusal_message(weakness: Weakness) -> str:
    instead = _("Write three or four unrelated words instead, such as a phrase only you "
                "would think of.")
    if weakness is Weakness.TOO_SHORT:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if weakness is Weakness.PERSONAL:
        return _("This password is built from the person's name or email address, or from "
                 "this site's name. %(instead)s", instead=instead)
    if weakness is Weakness.COMMON:
        return _("This is one of the most common passwords, or is built from one "
                 "(like password, 123456 or qwerty). %(instead)s", instead=instead)
    if weakness is Weakness.PATTERN:
        return _("This password repeats characters or follows a sequence, a keyboard row "
                 "or a date (like aaaa, abcd or 1234). %(instead)s", instead=instead)
    return _("This password is too easy to guess. %(instead)s", instead=instead)


def check_new_password(password: str, *, email: str | None, name: str | None) -> None:
    """The one check for every new password (ASVS 6.2.4, 6.2.11): PasswordRefused if weak.

    ``email`` and ``name`` are the account's, so a password built from them is refused.
    """
    weakness = password_weakness(password, email=email, name=name)
    if weakness is not None:
        raise PasswordRefused(_refusal_message(weakness))


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(user: User) -> str:
    """Open a server-side login session and return its secret token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime: timedelta = current_app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.add(LoginSession(
        token_hash=_token_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime
    ))
    user.last_login_at = now
    user.login_token = token
    db.session.flush()
    return token


@cache
def _login_query() -> sa.Select:
    # One statement per request, built once: the session, its person, team and roles.
    return (sa.select(LoginSession)
            .where(LoginSession.token_hash == sa.bindparam("token_hash"))
            .options(joinedload(LoginSession.user).joinedload(User.role_rows)))


def user_for_token(token: str) -> User | None:
    """The user of a live (unrevoked, unexpired) login session."""
    login = db.session.execute(
        _login_query(), {"token_hash": _token_hash(token)}).unique().scalar_one_or_none()
    if login is None or login.revoked_at is not None or login.expires_at <= utcnow():
        return None
    if not login.user.active:
        return None
    login.user.login_token = token
    return login.user


def end_login_session(token: str) -> None:
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_other_sessions(user: User, keep_token: str | None = None) -> None:
    """Revoke every login session of ``user`` except the one with ``keep_token``."""
    stmt = sa.update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != _token_hash(keep_token))
    db.session.execute(stmt.values(revoked_at=utcnow()))


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
        email = valid_email(changes.email)
        other = user_by_email(email)
        if other is not None and other is not user:
            raise AccountError(_("Another account already uses %(email)s.", email=email),
                               "email")
        user.email = email
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
        if changes.locale not in SUPPORTED_LOCALES:
            raise AccountError(
                _("Unknown language %(code)s; use en or zh_CN.", code=changes.locale)
            )
        user.locale = changes.locale
    if changes.active is not None:
        user.active = changes.active


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
    seen, boss = {user.id}, manager
    while boss is not None:  # refuse loops in the reporting line
        if boss.id in seen:
            raise AccountError(_("That manager would make a loop in the reporting line."),
                               "manager_email")
        seen.add(boss.id)
        boss = boss.manager
    user.manager = manager


def create_user(
    email: str,
    display_name: str,
    *,
    roles: Iterable[Role | str] = (Role.LEARNER,),
    password: str | None = None,
    team: str | None = None,
    manager_email: str | None = None,
    locale: str = "en",
    actor: User | None = None,
    actor_label: str | None = None,
) -> User:
    """Create an account; without a password it cannot sign in until one is set."""
    email = valid_email(email)
    if user_by_email(email) is not None:
        raise AccountError(_("An account with the email %(email)s already exists.", email=email),
                           "email")
    user = User(email=email, display_name=display_name.strip(), locale="en", active=True)
    if password is not None:
        check_new_password(password, email=email, name=display_name)
        user.password_hash = hash_password(password)
    db.session.add(user)
    _apply(user, AccountChanges(display_name=display_name, team=team or "",
                                manager_email=manager_email or "", roles=roles, locale=locale))
    db.session.flush()
    audit.record("user.create", user, actor=actor, actor_label=actor_label,
                 after=snapshot(user))
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
    if locale not in SUPPORTED_LOCALES:
        raise AccountError(_("Unknown language %(code)s; use en or zh_CN.", code=locale))
    user.locale = locale


@dataclass
class ImportOutcome:
    """What an HR-list import did, or every reason it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def import_people(parsed: ParsedList, *, actor: User | None = None,
                  actor_label: str | None = None) -> ImportOutcome:
    """Create or update everyone on the list, or nobody when any row is bad.

    Managers may be people earlier or later in the same file, or existing
    accounts. Existing accounts (same email) get the list's name, team,
    manager, roles and language.

    Every problem of the file is reported, each with its line: those of reading it, and
    those the accounts' rules find when the good rows are tried (in a savepoint that is
    then rolled back).
    """
    errors = list(parsed.errors) + [
        RowError(line, f"manager_email {manager} is neither on this list nor "
                       "an existing account: add that person first")
        for line, manager in sorted(parsed.managers.items())
        if manager not in parsed.listed_emails and user_by_email(manager) is None
    ]
    good = {row.email for row in parsed.rows}
    status: dict[str, str] = {}
    savepoint = db.session.begin_nested()
    for with_manager in (False, True):
        for row in parsed.rows:
            if with_manager and row.manager_email and row.manager_email not in good \
                    and user_by_email(row.manager_email) is None:
                continue  # the manager's own row is bad, or exists nowhere: reported above
            try:
                _import_row(row, status, actor, actor_label, with_manager=with_manager)
            except AccountError as exc:
                errors.append(RowError(row.line, str(exc)))
    if errors:
        savepoint.rollback()
        unique = list(dict.fromkeys(errors))  # a row refused in both passes is listed once
        return ImportOutcome(errors=sorted(unique, key=lambda e: e.line))
    savepoint.commit()
    counts = list(status.values())
    return ImportOutcome(created=counts.count("created"), updated=counts.count("updated"),
                         unchanged=counts.count("unchanged"), errors=[])


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
