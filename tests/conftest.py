"""Shared fixtures: the app on a migrated database, clients, builders, login helpers.

The suite runs on SQLite by default; with ``TEST_DATABASE_URL`` set it runs on
that database (PostgreSQL in CI). The schema is built once per session by the
real migrations; every test starts from empty tables.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig, normalise_database_url

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery"


def skip_or_fail(reason: str) -> None:
    """Skip locally with a clear reason; in CI a missing component is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must run in CI)", pytrace=False)
    pytest.skip(reason)


def make_app(database_url: str, **overrides):
    config = TestingConfig({"TEST_DATABASE_URL": database_url})
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
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
def migrated_database(database_url) -> str:
    app = make_app(database_url)
    reset_schema(app)
    with app.app_context():
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def app(migrated_database):
    app = make_app(migrated_database)
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """What a test needs to know about an account it made."""

    id: int
    email: str
    password: str


@pytest.fixture
def make_user(app):
    """Builder: ``make_user("admin", "reviewer", manager=other, team="East")``."""
    from app.auth import services

    def build(*roles: str, email: str | None = None, name: str | None = None,
              password: str | None = PASSWORD, team: str | None = None,
              manager: Person | None = None, locale: str = "en", active: bool = True) -> Person:
        n = next(_counter)
        email = email or f"person{n}@example.com"
        with app.app_context():
            user = services.create_user(
                email, name or f"Person {n}", roles=roles or ("learner",), password=password,
                team=team, manager_email=manager.email if manager else None, locale=locale,
                actor_label="test",
            )
            if not active:
                services.update_user(user, services.AccountChanges(active=False),
                                     actor_label="test")
            db.session.commit()
            return Person(user.id, user.email, password or "")

    return build


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """A CSRF token for the client's session, read from a real page."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client, person: Person | str, password: str | None = None, next_url: str = ""):
    email = person if isinstance(person, str) else person.email
    password = password if password is not None else getattr(person, "password", PASSWORD)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "next": next_url, "csrf_token": token})


def post_form(client, path: str, data: dict | None = None, token_from: str | None = None,
              **kwargs):
    """POST a form the way a browser would: with the CSRF token of a page."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data, **kwargs)


@pytest.fixture
def signed_in(client, make_user):
    """Sign a new person with the given roles into ``client``; returns the Person."""

    def sign_in(*roles: str, **kwargs) -> Person:
        person = make_user(*roles, **kwargs)
        response = login(client, person)
        assert response.status_code == 302, "sign-in failed"
        return person

    return sign_in
