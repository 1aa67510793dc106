"""SQLite writers take turns through a lock file: held from BEGIN IMMEDIATE to the end
of the transaction, never by readers, and bounded by the busy timeout."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
import sqlalchemy as sa

from app.database import concurrency
from app.database.concurrency import configure_engine, write_intent


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    configure_engine(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    yield engine
    engine.dispose()


def _turn_is_free(engine) -> bool:
    fd = os.open(f"{engine.url.database}-writers.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_writer_holds_its_turn_until_its_transaction_ends(engine, end):
    conn = engine.connect()
    conn.exec_driver_sql("UPDATE counter SET n = n + 1")
    assert not _turn_is_free(engine)
    getattr(conn, end)()
    assert _turn_is_free(engine)
    assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == (1 if end == "commit"
                                                                      else 0)
    conn.close()


def test_readers_do_not_take_a_turn(engine):
    with write_intent(False), engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 0
        assert _turn_is_free(engine)


def test_a_connection_returned_to_the_pool_gives_its_turn_back(engine):
    conn = engine.connect()
    conn.exec_driver_sql("UPDATE counter SET n = n + 1")
    conn.close()  # the pool rolls back
    assert _turn_is_free(engine)


def test_concurrent_writers_take_turns_and_lose_nothing(engine):
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(50):
                with engine.begin() as conn:
                    n = conn.exec_driver_sql("SELECT n FROM counter").scalar()
                    conn.exec_driver_sql("UPDATE counter SET n = ?", (n + 1,))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM counter").scalar() == 400


def test_a_turn_held_too_long_ends_in_sqlites_own_busy_error(tmp_path, monkeypatch):
    monkeypatch.setattr(concurrency, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'stuck.db'}")
    configure_engine(engine)
    holder = engine.connect()
    holder.exec_driver_sql("CREATE TABLE t (x INTEGER)")  # holds the turn and the lock
    with pytest.raises(sa.exc.OperationalError, match="database is locked"), \
            engine.connect() as other:
        other.exec_driver_sql("INSERT INTO t VALUES (1)")
    holder.rollback()
    holder.close()
    engine.dispose()
