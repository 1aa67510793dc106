"""Every migration goes down, and up again, on a database that holds the demo data.

A downgrade may drop what a later revision added (that is what it is for), but it must
not fail, and it must not delete or change the rows of a table that exists on both
sides of the step: on SQLite a batch rebuild with foreign keys on would cascade-delete
the questions of a rebuilt question bank, or refuse to drop a referenced course.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.audit.log import verify_chain
from app.auth.services import user_by_email
from app.database import utcnow
from app.exams.attempts import start_attempt
from app.exams.models import Exam
from app.extensions import db
from tests.helpers import login, make_app
from tests.test_migrations import _schema_differences, _tables

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo credential


def _revisions(app) -> list[str]:
    """The revisions from the first to the head."""
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _current_revision() -> str | None:
    with db.engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _load_demo_data(app) -> None:
    """`flask demo load`, then a started attempt and a sign-in (rows the demo leaves out)."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    exam = db.session.execute(sa.select(Exam)).scalar_one()
    start_attempt(exam, user_by_email("learner@example.com"), utcnow())
    db.session.commit()
    response = login(app.test_client(), "learner@example.com", DEMO_PASSWORD)
    assert response.status_code == 302
    db.session.remove()  # hold no transaction open while the migrations run


Snapshot = dict[str, tuple[list[str], list[tuple]]]


def _snapshot() -> Snapshot:
    """Every table's column names and rows."""
    tables = sorted(_tables())
    snapshot: Snapshot = {}
    with db.engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in tables:
            columns = [column["name"] for column in inspector.get_columns(table)]
            select = sa.select(*(sa.column(name) for name in columns)).select_from(
                sa.table(table))
            snapshot[table] = (columns, [tuple(row) for row in conn.execute(select)])
    return snapshot


def _rows(snapshot: Snapshot, table: str, columns: list[str]) -> list[str]:
    names, rows = snapshot[table]
    picked = [names.index(name) for name in columns]
    return sorted(repr(tuple(row[i] for i in picked)) for row in rows)


def _assert_rows_kept(before: Snapshot, after: Snapshot, step: str) -> None:
    """Tables on both sides keep every row, and every value of the columns they share."""
    for table in sorted(before.keys() & after.keys()):
        shared = [name for name in before[table][0] if name in after[table][0]]
        assert _rows(after, table, shared) == _rows(before, table, shared), \
            f"{step}: rows of {table} changed"


def _holds_demo_data(snapshot: Snapshot) -> None:
    for table in ("users", "audit_log", "login_sessions", "question_banks", "questions",
                  "exams", "exam_attempts", "exam_attempt_items", "courses", "lessons"):
        assert snapshot[table][1], f"the demo data left {table} empty"


def _step_down_and_up(revision: str) -> None:
    """From ``revision``: down one step, up again, down again; no row of a kept table lost."""
    before = _snapshot()
    downgrade(revision="-1")
    below = _snapshot()
    _assert_rows_kept(before, below, f"downgrade from {revision}")
    upgrade(revision="+1")
    assert _current_revision() == revision
    _assert_rows_kept(below, _snapshot(), f"upgrade to {revision}")
    downgrade(revision="-1")


def test_each_migration_goes_down_and_up_again_with_the_demo_data(scratch_database_url):
    app = make_app(scratch_database_url)
    with app.app_context():
        upgrade()
        _load_demo_data(app)
        _holds_demo_data(_snapshot())
        revisions = _revisions(app)
        for position in range(len(revisions) - 1, -1, -1):
            revision = revisions[position]
            assert _current_revision() == revision
            assert (_schema_differences() == []) == (revision == revisions[-1]), \
                f"at {revision}: the schema matches the models only at the head"
            _step_down_and_up(revision)
        assert _current_revision() is None
        assert _tables() == set()
        upgrade()
        assert _schema_differences() == []
        db.engine.dispose()


def _cli(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output


def test_flask_db_downgrade_keeps_accounts_and_the_audit_log(scratch_database_url):
    """`flask db downgrade 0001` and back to the head: the app works on what is left."""
    app = make_app(scratch_database_url)
    with app.app_context():
        _cli(app, "db", "upgrade")
        _load_demo_data(app)
        before = _snapshot()
        _cli(app, "db", "downgrade", _revisions(app)[0])
        assert _tables() == {"users", "teams", "user_roles", "login_sessions", "audit_log"}
        kept = _snapshot()
        _assert_rows_kept(before, kept, "downgrade to the first revision")
        _cli(app, "db", "upgrade")
        assert _schema_differences() == []
        _assert_rows_kept(kept, _snapshot(), "upgrade to the head again")
        _assert_audit_log_intact(len(before["audit_log"][1]))
        _cli(app, "demo", "load")  # the app writes to the upgraded database
        _cli(app, "db", "downgrade", "base")
        assert _tables() == set()
        db.engine.dispose()


def _assert_audit_log_intact(entries: int) -> None:
    """The chain still verifies, and the re-created triggers refuse to rewrite it."""
    report = verify_chain()
    assert report.ok and report.checked == entries
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text("UPDATE audit_log SET action = 'rewritten'"))
    db.session.rollback()
    db.session.remove()


def test_sqlite_foreign_keys_are_on_again_after_the_migrations(scratch_database_url):
    app = make_app(scratch_database_url)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas: this run uses another database")
        upgrade()
        _assert_sqlite_foreign_keys_on()
        upgrade()  # nothing to do: Alembic's read of the version is still open at the end
        _assert_sqlite_foreign_keys_on()
        db.engine.dispose()


def _assert_sqlite_foreign_keys_on() -> None:
    assert db.engine.pool.checkedout() == 0
    with db.engine.connect() as conn:  # the pool's one connection, which migrated
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_migration_over_a_broken_reference_is_refused_and_rolled_back(
        scratch_database_url):
    """The migrations run with foreign keys off; a check before each commit stands in."""
    app = make_app(scratch_database_url)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas: this run uses another database")
        upgrade()
        head = _current_revision()
        with db.engine.connect() as conn:
            driver_connection = conn.connection.driver_connection
            driver_connection.execute("PRAGMA foreign_keys=OFF")  # outside a transaction
            driver_connection.execute("INSERT INTO user_roles (user_id, role) "
                                      "VALUES (999, 'learner')")
            driver_connection.execute("PRAGMA foreign_keys=ON")
        config = app.extensions["migrate"].migrate.get_config()
        with pytest.raises(RuntimeError, match="1 rows break a foreign key: user_roles row"):
            command.downgrade(config, "-1")  # `flask db downgrade` prints it and exits 1
        assert _current_revision() == head
        assert _schema_differences() == []
        _assert_sqlite_foreign_keys_on()
        db.engine.dispose()
