"""The request's one commit point (app.database.session.commit_at_end_of_request).

Views never commit: what a view wrote is kept when it answers below 400, and dropped
when it answers an error, aborts or raises. A commit that fails becomes the error page,
never a "saved" page. These tests add throw-away routes to a real app and read the
database afterwards in a fresh session.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import abort, redirect

from app.auth.models import Team
from app.database.concurrency import writes_on_get
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def routes(app):
    """Routes that write a team named in the URL, then answer in different ways."""

    def add(name: str) -> None:
        db.session.add(Team(name=name))
        db.session.flush()

    @writes_on_get
    def answer(name: str, status: int):
        add(name)
        return f"wrote {name}", status

    @writes_on_get
    def moved(name: str):
        add(name)
        return redirect("/")

    @writes_on_get
    def aborted(name: str):
        add(name)
        abort(409)

    @writes_on_get
    def broken(name: str):
        add(name)
        raise RuntimeError("a bug after the write")

    @writes_on_get
    def twice(name: str):
        add(name)
        db.session.add(Team(name=name))  # breaks the unique name only at the commit
        return "WROTE-TWICE"

    for view, rule in [(answer, "/_t/answer/<name>/<int:status>"), (moved, "/_t/moved/<name>"),
                       (aborted, "/_t/aborted/<name>"), (broken, "/_t/broken/<name>"),
                       (twice, "/_t/twice/<name>")]:
        app.add_url_rule(rule, view.__name__, view)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the 500 page, as in production
    return app


def team_names(app) -> set[str]:
    with app.app_context():
        return set(db.session.execute(sa.select(Team.name)).scalars())


def test_a_page_or_a_redirect_keeps_what_the_view_wrote(routes, client, signed_in):
    signed_in()
    assert client.get("/_t/answer/Shown/200").status_code == 200
    assert client.get("/_t/moved/Redirected").status_code == 302
    assert {"Shown", "Redirected"} <= team_names(routes)


@pytest.mark.parametrize("status", [400, 403, 409, 422, 500])
def test_an_error_answer_keeps_nothing(routes, client, signed_in, status):
    signed_in()
    assert client.get(f"/_t/answer/Refused{status}/{status}").status_code == status
    assert f"Refused{status}" not in team_names(routes)


def test_an_abort_or_an_exception_keeps_nothing(routes, client, signed_in):
    signed_in()
    assert client.get("/_t/aborted/Aborted").status_code == 409
    assert client.get("/_t/broken/Broken").status_code == 500
    assert not {"Aborted", "Broken"} & team_names(routes)


def test_a_commit_that_fails_shows_the_error_page_not_saved(routes, client, signed_in):
    signed_in()
    response = client.get("/_t/twice/Twice")
    assert response.status_code == 500
    assert "WROTE-TWICE" not in response.get_data(as_text=True)
    assert "Twice" not in team_names(routes)
    # The next request on the same connection pool works normally.
    assert client.get("/_t/answer/After/200").status_code == 200
    assert "After" in team_names(routes)


# Where a commit may stand: the request's commit point, the write-phase helpers of the exam
# hot path, CLI commands (their own boundary) and the e-mail sender (a worker outside any
# request: it must commit a claim before sending). Everything else flushes.
# The write health check commits its own row on purpose: what it reports is whether that
# commit succeeded (a failed boundary commit would only give the generic error page).
ALLOWED_COMMITS = {"app/database/session.py", "app/database/concurrency.py",
                   "app/notifications/sender.py", "app/main/health.py"}


def _is_session(node: ast.expr) -> bool:
    """``db.session``, ``session`` or ``db.session()``: not a savepoint's own commit."""
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and node.attr == "session") or (
        isinstance(node, ast.Name) and node.id == "session")


def test_only_the_boundaries_commit():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED_COMMITS or path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit" and _is_session(node.func.value)):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "commit only at the request or CLI boundary: " + ", ".join(offenders)
