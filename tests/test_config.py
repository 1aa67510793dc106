"""Configuration: production refuses weak secrets, development keeps its own."""

from __future__ import annotations

import pytest

from app import create_app
from config import (
    DevelopmentConfig,
    ProductionConfig,
    config_from_environment,
    normalise_database_url,
)


@pytest.mark.parametrize("secret", ["", "dev", "short-but-not-empty"])
def test_production_refuses_to_start_without_a_real_secret_key(secret, tmp_path):
    config = ProductionConfig({"SECRET_KEY": secret,
                               "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_real_secret_and_secure_cookies(tmp_path):
    config = ProductionConfig({"SECRET_KEY": "s" * 64,
                               "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = DevelopmentConfig({"DATABASE_URL": "sqlite://"})
    first.finalise(tmp_path)
    second = DevelopmentConfig({"DATABASE_URL": "sqlite://"})
    second.finalise(tmp_path)
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY == second.SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = DevelopmentConfig({})
    config.finalise(tmp_path)
    assert f"sqlite:///{tmp_path / 'presales.db'}" == config.SQLALCHEMY_DATABASE_URI


def test_postgres_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_app_env_picks_the_config_class():
    assert isinstance(config_from_environment({"APP_ENV": "production"}), ProductionConfig)
    with pytest.raises(RuntimeError, match="APP_ENV"):
        config_from_environment({"APP_ENV": "staging"})


def test_csrf_tokens_outlive_a_three_hour_exam(app, client, signed_in, monkeypatch):
    """A form loaded at the start of a 3-hour exam must still submit at the end."""
    import time

    from tests.helpers import csrf_token

    signed_in()
    token = csrf_token(client, "/account")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3.5 * 3600)
    response = client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    assert response.status_code == 302


def test_the_suite_runs_on_the_database_it_was_given(app):
    """CI's PostgreSQL run must really run on PostgreSQL, not fall back to SQLite."""
    import os

    from app.extensions import db

    wanted = os.environ.get("TEST_DATABASE_URL", "sqlite")
    with app.app_context():
        dialect = db.engine.dialect.name
    assert dialect == ("postgresql" if wanted.startswith("postgres") else "sqlite")


def test_every_upload_limit_is_under_the_request_limit():
    """A file over its own limit gets the page's message naming that limit, not "Too large"."""
    config = DevelopmentConfig({"DATABASE_URL": "sqlite://"})
    for name in ("BANK_UPLOAD_MAX_BYTES", "RUBRIC_UPLOAD_MAX_BYTES", "COURSE_ZIP_MAX_BYTES"):
        assert getattr(config, name) < config.MAX_CONTENT_LENGTH, name
