"""Server-side login sessions: opened at sign-in, found once per request, revoked at
sign-out, on a new password or when the account is disabled.

The browser holds a random token; the database keeps only its SHA-256, so a copy of
the database opens no session. Functions flush or execute; the request commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.auth.models import LoginSession, User
from app.database import utcnow
from app.extensions import db


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
