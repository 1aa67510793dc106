"""One way for a view to run a service step that the rules may refuse."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from flask import flash
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.extensions import db

# A unique constraint the service's own checks could not see coming: another request
# saved the same thing between the check and the write.
CONFLICT = _l("Someone else saved the same thing at the same moment, so nothing was "
              "saved. Check the page and save again.")


def is_unique_violation(error: IntegrityError) -> bool:
    """True when a unique (or primary-key) constraint refused the write, on SQLite or
    PostgreSQL; other integrity errors are bugs, not races."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23505":  # psycopg: unique_violation
        return True
    code = getattr(original, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)


def carry_out(step: Callable[[], object], refusals: type[Exception] | tuple,
              success: str | Callable[[object], str]) -> bool:
    """Run ``step`` and say ``success`` (the request commits), or roll back and show why it
    was refused.

    ``refusals`` are the service's own "not possible now" exceptions, whose messages
    are written for the person; anything else is a bug and propagates. ``success``
    may be a function of what the step returned. A unique constraint broken by a
    simultaneous request is explained too (``CONFLICT``), never a server error.
    """
    try:
        result = step()
        db.session.flush()  # a unique constraint broken by a simultaneous save fails here
    except refusals as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        flash(str(CONFLICT), "error")
        return False
    flash(success(result) if callable(success) else success, "success")
    return True
