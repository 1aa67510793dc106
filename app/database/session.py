"""Session helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from app.extensions import db


def rehearse(step):
    """Run ``step`` inside a savepoint that is always rolled back (an import's dry run):
    it sees and reports everything the real run would do, and changes nothing."""
    savepoint = db.session.begin_nested()
    try:
        return step()
    finally:
        savepoint.rollback()


def insert_ignoring_duplicates(model, **values) -> None:
    """INSERT a row unless one with the same unique key exists (SQLite and PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).values(**values).on_conflict_do_nothing())
