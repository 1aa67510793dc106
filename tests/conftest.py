"""Shared fixtures: the app on a migrated database, clients, builders, login helpers.

The suite runs on SQLite by default; with ``TEST_DATABASE_URL`` set it runs on
that database (PostgreSQL in CI). The schema is built once per session by the
real migrations; every test starts from empty tables.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import shutil

import pytest
import sqlalchemy as sa

from app.extensions import db
from config import normalise_database_url
from tests.helpers import PASSWORD, Person, login, make_app, skip_or_fail


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        if url.startswith("postgresql+psycopg") and importlib.util.find_spec("psycopg") is None:
            skip_or_fail("TEST_DATABASE_URL names PostgreSQL but the 'psycopg' package is not "
                         "installed: DEV_EXTRAS=postgres python3 dev.py test")
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def reset_schema(app) -> None:
    """Drop everything, then build the schema with the real migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            else:
                existing = sa.MetaData()
                existing.reflect(conn)
                existing.drop_all(conn)
        upgrade()


@pytest.fixture(scope="session")
def template_database(database_url) -> str:
    """The suite's database, built once by the real migrations."""
    app = make_app(database_url)
    reset_schema(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":  # fold the WAL into the file we copy
            with db.engine.connect() as conn:  # outside any transaction
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return database_url


@pytest.fixture
def migrated_database(template_database, tmp_path):
    """This test's database URL, starting empty.

    SQLite: a private copy of the migrated file. PostgreSQL: the shared
    database, whose tables are emptied afterwards (TRUNCATE, which the audit
    log's append-only triggers allow).
    """
    if template_database.startswith("sqlite:///"):
        copy = tmp_path / "test.db"
        shutil.copyfile(template_database.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    yield template_database
    engine = sa.create_engine(template_database)
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    engine.dispose()


@pytest.fixture
def app(migrated_database):
    app = make_app(migrated_database)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def make_user(app):
    """Builder: ``make_user("admin", "reviewer", manager=other, team="East")``."""
    from app.auth import services

    def build(
        *roles: str,
        email: str | None = None,
        name: str | None = None,
        password: str | None = PASSWORD,
        team: str | None = None,
        manager: Person | None = None,
        locale: str = "en",
        active: bool = True,
    ) -> Person:
        n = next(_counter)
        email = email or f"person{n}@example.com"
        with app.app_context():
            user = services.create_user(
                email,
                name or f"Person {n}",
                roles=roles or ("learner",),
                password=password,
                team=team,
                manager_email=manager.email if manager else None,
                locale=locale,
                actor_label="test",
            )
            if not active:
                services.update_user(
                    user, services.AccountChanges(active=False), actor_label="test"
                )
            db.session.commit()
            return Person(user.id, user.email, password or "")

    return build


@pytest.fixture
def signed_in(client, make_user):
    """Sign a new person with the given roles into ``client``; returns the Person."""

    def sign_in(*roles: str, **kwargs) -> Person:
        person = make_user(*roles, **kwargs)
        response = login(client, person)
        assert response.status_code == 302, "sign-in failed"
        return person

    return sign_in


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """An empty database of the suite's kind, for tests that build their own schema.

    SQLite: a new file. PostgreSQL: a new schema, selected through search_path.
    """
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    schema = f"scratch_{os.getpid()}"
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()
