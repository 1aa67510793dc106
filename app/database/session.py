"""Session helpers that work the same on SQLite and PostgreSQL, and the request's one
commit point."""

from __future__ import annotations

from flask import Flask, Response

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
        from sqlalchemy.dialects import postgresql
        db.session.execute(postgresql.insert(model).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import sqlite
        db.session.execute(sqlite.insert(model).values(**values).on_conflict_do_nothing())


def commit_at_end_of_request(app: Flask) -> None:
    """The request's one commit point: views and services never commit themselves.

    A view that returns a response below 400 has its work committed after it returns
    (before the response is sent; a failed commit becomes the 500 page, never a false
    "saved"). An error status, an exception or an abort rolls everything back. A view
    that refuses after its service wrote part of a change calls ``db.session.rollback()``
    (``app.main.actions.carry_out`` does that for the usual case). The exam hot path's
    write phases (``begin_write_phase``/``end_write_phase`` in :mod:`.concurrency`) commit
    early on purpose, to hold SQLite's write lock for the writes only.
    """

    @app.after_request
    def _commit(response: Response) -> Response:
        session = db.session()
        if response.status_code >= 400:
            session.rollback()
        elif session.in_transaction():
            try:
                session.commit()
            except Exception:
                session.rollback()
                raise
        return response
