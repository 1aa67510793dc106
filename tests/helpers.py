"""Helpers for tests: login, CSRF tokens, building apps, skipping honestly."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

from app import create_app
from config import TestingConfig

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


@dataclass(frozen=True)
class Person:
    """What a test needs to know about an account it made."""

    id: int
    email: str
    password: str


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


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
    return client.post(
        "/login", data={"email": email, "password": password, "next": next_url, "csrf_token": token}
    )


def post_form(client, path: str, data: dict | None = None, token_from: str | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token of a page."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data, **kwargs)


def switch_to(client, person: Person):
    """Sign out whoever is signed in on this client, then sign ``person`` in."""
    if client.get("/login").status_code == 302:
        post_form(client, "/logout", token_from="/")
    return login(client, person)
