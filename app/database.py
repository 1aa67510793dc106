"""Database foundations: the declarative base, column types and engine set-up.

SQLite is the embedded default. It runs in WAL mode with foreign keys on and a
busy timeout; a transaction that may write starts with ``BEGIN IMMEDIATE`` so
that concurrent writers queue on the busy timeout instead of failing with
"database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000

# Whether the next SQLite transaction on this thread/task should take the
# write lock up front. Requests with unsafe methods and CLI commands write.
_begin_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=True)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only kind stored)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite has no time zones; PostgreSQL gets ``timestamp with time zone``.
    Naive datetimes are refused so a local time can never slip in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Model(DeclarativeBase):
    """Declarative base with a naming convention Alembic can rely on."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def set_write_intent(writes: bool) -> None:
    """Declare whether transactions started from now on in this context may write."""
    _begin_immediate.set(writes)


@contextmanager
def write_intent(writes: bool = True):
    """Temporarily declare write intent (e.g. a read-only view that must write)."""
    token = _begin_immediate.set(writes)
    try:
        yield
    finally:
        _begin_immediate.reset(token)


def configure_engine(engine: sa.Engine) -> None:
    """Install the per-dialect connection settings on a new engine."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(
            "BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN"
        )


def writes_on_get(view):
    """Mark a GET view that records something (e.g. a lesson visit).

    Its SQLite transaction then starts with BEGIN IMMEDIATE too, before the
    first query, so it never has to upgrade a read lock under contention.
    """
    view.writes_on_get = True
    return view


def reads_first(view):
    """Mark an unsafe-method view that reads a lot, then writes a little.

    Its transaction starts as a plain (deferred) read; the view calls
    :func:`begin_write_phase` before its first write. On SQLite the write lock is
    then held for the writes only, so concurrent requests (a thousand examinees
    starting or saving at once) queue for milliseconds, not for whole requests.
    A view so marked must not write before ``begin_write_phase``.
    """
    view.reads_first = True
    return view


def begin_write_phase() -> None:
    """End the read transaction of a ``@reads_first`` view; later statements may write.

    The read transaction is committed without expiring what it loaded (the signed-in
    person, the objects the view holds), and the next one begins with BEGIN IMMEDIATE.
    Whatever the write depends on must be re-checked inside the write (a conditional
    UPDATE, a unique constraint, a row lock), as another request may have written
    in between.
    """
    _commit_keeping_objects()
    set_write_intent(True)


def end_write_phase() -> None:
    """Commit the writes so far (keeping loaded objects); later statements only read.

    For a view that writes a little and then reads a lot (the attempt page bumps a
    counter, then renders fifty questions): the write lock is released before the
    reading and rendering start.
    """
    _commit_keeping_objects()
    set_write_intent(False)


def _commit_keeping_objects() -> None:
    from app.extensions import db

    session = db.session()
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire


def insert_ignoring_duplicates(model, **values) -> None:
    """INSERT a row unless one with the same unique key exists (SQLite and PostgreSQL)."""
    from app.extensions import db

    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
