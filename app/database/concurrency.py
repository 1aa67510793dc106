"""SQLite concurrency: the connection settings, write intent and the writers' turns.

SQLite is the embedded default. It runs in WAL mode with foreign keys on and a
busy timeout; a transaction that may write starts with ``BEGIN IMMEDIATE`` so
that concurrent writers queue on the busy timeout instead of failing with
"database is locked" when a read transaction tries to upgrade. Views declare how
they write (:func:`writes_on_get`, :func:`reads_first` and the write phases); other
databases lock rows, so there the declarations change little or nothing.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from contextvars import ContextVar

try:
    import fcntl
except ImportError:  # Windows: writers wait in SQLite's busy handler instead
    fcntl = None  # type: ignore[assignment]

import sqlalchemy as sa

from app.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000

# Whether the next SQLite transaction on this thread/task should take the
# write lock up front. Requests with unsafe methods and CLI commands write.
_begin_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=True)


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
    _install_pragmas(engine)
    turns = WriterTurns.for_url(engine.url)
    _install_begin(engine, turns)
    _install_turn_bookkeeping(engine, turns)
    _install_end(engine, turns)


def _install_pragmas(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: a commit returns only once the WAL is fsynced, so an acknowledged answer
        # survives a power cut or an OS crash, not only a process crash (decision 173).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def _install_begin(engine: sa.Engine, turns: WriterTurns) -> None:
    """A writing transaction waits for its turn, then takes the write lock up front."""
    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _begin_immediate.get():
            connection.exec_driver_sql("BEGIN")
            return
        turns.take(connection.connection.info)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(connection.connection.info)
            raise


def _install_turn_bookkeeping(engine: sa.Engine, turns: WriterTurns) -> None:
    @sa.event.listens_for(engine, "connect")
    def _open_turns(_dbapi_connection, record):
        turns.open(record.info)

    @sa.event.listens_for(engine, "close")
    def _close_turns(_dbapi_connection, record):
        turns.close(record.info)

    @sa.event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record):
        turns.give_back(record.info)


def _install_end(engine: sa.Engine, turns: WriterTurns) -> None:
    """The writer's turn ends when its COMMIT or ROLLBACK has run.

    SQLAlchemy's events come before the driver call, so the listener ends the
    transaction itself (the driver's own call that follows finds no transaction and
    does nothing).
    """
    @sa.event.listens_for(engine, "commit")
    def _on_commit(connection):
        try:
            connection.connection.dbapi_connection.commit()
        finally:
            turns.give_back(connection.connection.info)

    @sa.event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        try:
            connection.connection.dbapi_connection.rollback()
        finally:
            turns.give_back(connection.connection.info)


class WriterTurns:
    """SQLite writers of one database file take turns through a lock file.

    SQLite admits one writer at a time; the others wait in its busy handler, which
    sleeps 1, 2, 5, 10 … up to 100 ms between tries, so under load (exam day) workers
    sleep while the lock is already free. Holding an ``flock`` on ``<db>-writers.lock``
    from ``BEGIN IMMEDIATE`` to ``COMMIT``/``ROLLBACK`` lets the next writer in within
    a fraction of a millisecond. Waiting is bounded by the busy timeout; after that
    the writer goes ahead and SQLite's own timeout decides, as before. Readers never
    take a turn. In-memory databases and systems without ``fcntl`` skip all this.
    """

    KEY = "sqlite_writer_turn"

    def __init__(self, path: str | None):
        self.path = path

    @classmethod
    def for_url(cls, url: sa.URL) -> WriterTurns:
        database = url.database or ""
        usable = fcntl is not None and database not in ("", ":memory:") \
            and not database.startswith("file:")
        return cls(database + "-writers.lock" if usable else None)

    def open(self, info: dict) -> None:
        if self.path is not None:
            info[self.KEY] = [os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), False]

    def close(self, info: dict) -> None:
        turn = info.pop(self.KEY, None)
        if turn is not None:
            os.close(turn[0])  # closing the file also ends a turn still held

    def take(self, info: dict) -> None:
        turn = info.get(self.KEY)
        if turn is None or turn[1]:
            return
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        delay = 0.0001
        while True:
            try:
                fcntl.flock(turn[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # let SQLite's busy timeout decide
                time.sleep(delay)
                delay = min(delay * 2, 0.001)
            else:
                turn[1] = True
                return

    def give_back(self, info: dict) -> None:
        turn = info.get(self.KEY)
        if turn is not None and turn[1]:
            fcntl.flock(turn[0], fcntl.LOCK_UN)
            turn[1] = False


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
    if db.session.get_bind().dialect.name == "sqlite":
        # Other databases lock rows, not the database: the read transaction simply
        # goes on into the write (one round trip fewer).
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
    session = db.session()
    if session.in_transaction():
        expire, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
