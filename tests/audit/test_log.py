"""The audit log: hash-chained, tamper-evident, safe under concurrent writers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit import log as audit
from app.audit.models import GENESIS_HASH, AuditEntry
from app.extensions import db
from tests.helpers import make_app


def _write(app, n, label="test"):
    with app.app_context():
        for i in range(n):
            audit.record("test.action", object_type="thing", object_id=i, actor_label=label,
                         before={"value": i}, after={"value": i + 1, "名字": "测试"},
                         reason="because")
            db.session.commit()


def test_entries_chain_from_the_genesis_hash_and_verify(app, runner):
    _write(app, 5)
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        assert rows[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
        assert rows[0].after == {"value": 1, "名字": "测试"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 5 entries checked" in result.output


def test_an_empty_log_verifies(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "0 entries" in result.output


def tamper(statement) -> None:
    """What someone with full database rights could do: drop the guard, change rows."""
    db.session.remove()  # end the app's own transaction first
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            conn.execute(statement)
            conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
            conn.execute(statement)


def test_the_database_refuses_updates_and_deletes(app):
    _write(app, 1)
    with app.app_context():
        for statement in (sa.update(AuditEntry).values(reason="rewritten"),
                          sa.delete(AuditEntry)):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.execute(sa.select(AuditEntry.reason)).scalar() == "because"


def test_editing_a_row_is_detected_at_that_row(app, runner):
    _write(app, 5)
    with app.app_context():
        third = db.session.execute(sa.select(AuditEntry.id).order_by(AuditEntry.id)
                                   .offset(2).limit(1)).scalar()
        tamper(sa.update(AuditEntry).where(AuditEntry.id == third)
                .values(reason="rewritten history"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {third}" in result.output and "edited" in result.output
    assert "2 entries before it are intact" in result.output


def test_deleting_a_row_is_detected_at_the_next_row(app, runner):
    _write(app, 5)
    with app.app_context():
        ids = db.session.execute(sa.select(AuditEntry.id).order_by(AuditEntry.id)).scalars().all()
        tamper(sa.delete(AuditEntry).where(AuditEntry.id == ids[1]))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {ids[2]}" in result.output and "removed" in result.output


def test_an_anchor_catches_removal_of_the_newest_entries(app, runner):
    _write(app, 3)
    head = runner.invoke(args=["audit", "verify"]).output.split("Head: ")[1].split()[0]
    assert runner.invoke(args=["audit", "verify", "--anchor", head]).exit_code == 0
    with app.app_context():
        newest = db.session.execute(sa.select(sa.func.max(AuditEntry.id))).scalar()
        tamper(sa.delete(AuditEntry).where(AuditEntry.id == newest))
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0  # the remaining chain is consistent in itself...
    anchored = runner.invoke(args=["audit", "verify", "--anchor", head])
    assert anchored.exit_code == 1 and "no longer in the chain" in anchored.output


def test_the_database_refuses_a_fork_of_the_chain(app):
    _write(app, 1)
    with app.app_context():
        first = db.session.execute(sa.select(AuditEntry)).scalar_one()
        fork = AuditEntry(created_at=first.created_at, actor_label="x", action="fork",
                          object_type="thing", object_id="1", prev_hash=first.prev_hash,
                          hash="f" * 64)
        db.session.add(fork)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_concurrent_writers_never_fork_or_break_the_chain(migrated_database, app, runner):
    """Several writers (threads, each with its own connection) append at once."""
    writers, per_writer = 6, 15
    apps = [make_app(migrated_database) for _ in range(writers)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def work(worker_app, label):
        try:
            barrier.wait()
            _write(worker_app, per_writer, label=label)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(a, f"w{i}")) for i, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for worker_app in apps:
        with worker_app.app_context():
            db.engine.dispose()
    assert errors == []
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)
                                  ).scalar() == writers * per_writer
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_digest_covers_every_field():
    base = dict(prev_hash="0" * 64, created_at="2026-01-01T00:00:00+00:00", actor_id=1,
                actor_label="a", action="x", object_type="t", object_id="1",
                before={"a": 1}, after={"a": 2}, reason="r")
    digest = audit.entry_digest(**base)
    for key, other in [("prev_hash", "1" * 64), ("created_at", "2026-01-01T00:00:01+00:00"),
                       ("actor_id", 2), ("actor_label", "b"), ("action", "y"),
                       ("object_type", "u"), ("object_id", "2"), ("before", {"a": 0}),
                       ("after", {"a": 3}), ("reason", "s")]:
        assert audit.entry_digest(**{**base, key: other}) != digest, key


def test_the_app_cannot_change_or_delete_an_entry_through_the_orm(app):
    from app.audit.models import AuditLogIsAppendOnly

    _write(app, 1)
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry)).scalar_one()
        entry.reason = "quietly edited"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.execute(sa.select(AuditEntry)).scalar_one())
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_separate_processes_writing_at_once_keep_the_chain_intact(migrated_database, app,
                                                                   runner, tmp_path):
    """Real worker processes (here: CLI imports) append concurrently."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": migrated_database}
    procs = []
    for worker in range(4):
        csv = tmp_path / f"list{worker}.csv"
        csv.write_text("email,name\n" + "".join(
            f"w{worker}p{i}@example.com,Worker {worker} 人员 {i}\n" for i in range(8)))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "users", "import", str(csv)],
            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)
                                  ).scalar() == 32
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
