"""Headers, request size, health check and error pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.permissions import public
from tests.helpers import login, make_app


def test_pages_carry_security_headers(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_page_uses_inline_script(client, make_user):
    login(client, make_user("admin", "supervisor"))
    for path in ["/", "/account", "/admin/users", "/admin/users/new", "/oversight/audit"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html, path


def test_oversized_requests_are_refused(migrated_database):
    app = make_app(migrated_database, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"email": "x" * 4096})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


def test_healthz_is_200_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_without_the_database(tmp_path):
    # A database path inside a file cannot be opened: the database is unreachable.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = make_app(f"sqlite:///{blocker / 'db.sqlite'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unexpected_errors_reveal_nothing_internal(app, client):
    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret internal detail at /srv/app/secret.py")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_durable_commits(app):
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas: this run uses another database")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            # 2 = FULL: a commit is on disk before the reply (an acknowledged save is kept)
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            conn.execute(sa.text("SELECT 1"))
