"""Configuration classes.

Values are read from the environment when a config object is *instantiated*
(inside ``create_app``), never at import time, so tests and tools can build
configs with an explicit environment.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

INSECURE_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret"}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class BaseConfig:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        url = env.get("DATABASE_URL", "")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url) if url else None
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

        # Sessions: signed cookie carrying a server-side login-session token.
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = False
        hours = int(env.get("SESSION_LIFETIME_HOURS", "12"))
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=hours)
        self.REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
        # The login session's expiry is kept on the server; re-signing the cookie on
        # every request (every autosave) would change nothing but cost time.
        self.SESSION_REFRESH_EACH_REQUEST = False

        # CSRF tokens must outlive the longest exam (up to 10 hours plus extra
        # time), however short the sign-in lifetime is set.
        self.WTF_CSRF_TIME_LIMIT = max(hours, 24) * 3600
        self.WTF_CSRF_SSL_STRICT = True

        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))

        # Login throttling (Flask-Limiter). Use redis://... when several
        # processes or hosts serve the app, so they share the counters.
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = env.get("RATELIMIT_ENABLED", "1") != "0"
        self.RATELIMIT_HEADERS_ENABLED = False
        self.LOGIN_LIMIT_PER_ACCOUNT = env.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 5 minutes")
        self.LOGIN_LIMIT_PER_ADDRESS = env.get("LOGIN_LIMIT_PER_ADDRESS", "60 per minute")

        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = env.get("DISPLAY_TIMEZONE", "Asia/Shanghai")
        self.LANGUAGES = {"en": "English", "zh_CN": "简体中文"}

        # Behind a reverse proxy (nginx, a load balancer): how many proxies to
        # trust for X-Forwarded-For/-Proto/-Host. 0 trusts none.
        self.TRUSTED_PROXY_HOPS = int(env.get("TRUSTED_PROXY_HOPS", "0"))

        # Where `flask courses check|sync` read courses by default.
        self.COURSES_DIR = env.get("COURSES_DIR", "")
        # Largest bank file the upload page accepts: parsing and rendering happen
        # while the import holds the database's write lock.
        self.BANK_UPLOAD_MAX_BYTES = int(env.get("BANK_UPLOAD_MAX_BYTES", str(2 * 1024 * 1024)))
        self.RUBRIC_UPLOAD_MAX_BYTES = int(env.get("RUBRIC_UPLOAD_MAX_BYTES", str(256 * 1024)))
        # Course zips uploaded in the browser (docs/course-format.md, "Limits"). The zip
        # limit stays under MAX_CONTENT_LENGTH so a big zip gets its own message.
        self.COURSE_ZIP_MAX_BYTES = int(env.get("COURSE_ZIP_MAX_BYTES", str(15 * 1024 * 1024)))
        self.COURSE_ZIP_MAX_FILES = int(env.get("COURSE_ZIP_MAX_FILES", "500"))
        self.COURSE_ZIP_MAX_UNPACKED_BYTES = int(env.get("COURSE_ZIP_MAX_UNPACKED_BYTES",
                                                         str(100 * 1024 * 1024)))
        self.COURSE_ZIP_MAX_RATIO = int(env.get("COURSE_ZIP_MAX_RATIO", "100"))
        # Reviewers' totals further apart than this (points of 100) flag an evaluation
        # for moderation; each evaluation can set its own when it is scheduled.
        self.EVALUATION_SPREAD_LIMIT = env.get("EVALUATION_SPREAD_LIMIT", "20")
        # Where `flask demo load` finds the sample question banks.
        self.BANKS_DIR = env.get("BANKS_DIR", "")

        self.PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name
        self.AUDIT_PAGE_SIZE = 50
        # Append-only JSON-lines file of the audit chain's head (`flask audit checkpoint`,
        # from cron). Keep it where the database's administrators cannot write: another
        # disk or host, or ship each line to a log store. Default: instance/.
        self.AUDIT_CHECKPOINT_FILE = env.get("AUDIT_CHECKPOINT_FILE", "")
        self.USERS_PAGE_SIZE = 50

        # Notifications (docs/operations.md, "Notifications"). E-mail is off while
        # MAIL_SERVER is empty: nothing is queued and the app works the same.
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_SECURITY = env.get("MAIL_SECURITY", "starttls")  # starttls, tls or none
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_FROM = env.get("MAIL_FROM", "")
        self.MAIL_TIMEOUT = float(env.get("MAIL_TIMEOUT", "30"))
        self.NOTIFICATIONS_MAX_ATTEMPTS = int(env.get("NOTIFICATIONS_MAX_ATTEMPTS", "6"))
        # The address people reach the app at, for links in e-mails and the calendar
        # feed (e-mails are written outside any request), e.g. https://academy.example.com
        self.PUBLIC_URL = env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
        # A complaint open longer than this tells the supervision group.
        self.COMPLAINT_OPEN_DAYS = int(env.get("COMPLAINT_OPEN_DAYS", "14"))
        self.NOTIFICATIONS_PAGE_SIZE = 30

    def finalise(self, instance_path: Path) -> None:
        """Fill in defaults that depend on the instance folder, then validate."""
        if not self.SQLALCHEMY_DATABASE_URI:
            self.SQLALCHEMY_DATABASE_URI = f"sqlite:///{instance_path / 'presales.db'}"
        if not self.AUDIT_CHECKPOINT_FILE:
            self.AUDIT_CHECKPOINT_FILE = str(instance_path / "audit-checkpoints.jsonl")
        # A server connection can drop between requests; a SQLite file cannot, and a
        # ping per request is a measurable share of an autosave.
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            **self.SQLALCHEMY_ENGINE_OPTIONS,
            "pool_pre_ping": not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"),
        }


class DevelopmentConfig(BaseConfig):
    """Local use: a generated secret kept in instance/, SQLite by default."""

    ENV_NAME = "development"
    DEBUG = False  # the debugger stays off unless FLASK_DEBUG asks for it

    def finalise(self, instance_path: Path) -> None:
        super().finalise(instance_path)
        if not self.SECRET_KEY:
            key_file = instance_path / "secret_key"
            if not key_file.exists():
                instance_path.mkdir(parents=True, exist_ok=True)
                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            self.SECRET_KEY = key_file.read_text().strip()


class TestingConfig(BaseConfig):
    """The test suite: SQLite unless TEST_DATABASE_URL names another database."""

    ENV_NAME = "testing"
    TESTING = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        env = os.environ if environ is None else environ
        self.SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
        url = env.get("TEST_DATABASE_URL", "")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(url) if url else None
        # Cheap scrypt parameters keep the suite fast; still the real algorithm.
        self.PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105
        # Never the developer's instance/ file: a fresh path per app, created only
        # when a test writes a checkpoint (tests that do point it at tmp_path).
        self.AUDIT_CHECKPOINT_FILE = env.get("TEST_AUDIT_CHECKPOINT_FILE") or str(
            Path(tempfile.gettempdir()) / f"presales-test-{secrets.token_hex(8)}"
            / "audit-checkpoints.jsonl")
        self.WTF_CSRF_ENABLED = True
        self.SERVER_NAME = None


class ProductionConfig(BaseConfig):
    """gunicorn behind a TLS proxy: refuses to start without a real secret."""

    ENV_NAME = "production"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.SESSION_COOKIE_SECURE = True
        self.PREFERRED_URL_SCHEME = "https"

    def finalise(self, instance_path: Path) -> None:
        super().finalise(instance_path)
        if self.SECRET_KEY.strip().lower() in INSECURE_SECRET_KEYS or len(self.SECRET_KEY) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or too weak: set the SECRET_KEY environment "
                "variable to a random value of at least 32 characters, for example "
                "the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment(environ: Mapping[str, str] | None = None) -> BaseConfig:
    """Pick the config class named by APP_ENV (default: development)."""
    env = os.environ if environ is None else environ
    name = env.get("APP_ENV", "development")
    try:
        return CONFIGS[name](env)
    except KeyError:
        raise RuntimeError(
            f"APP_ENV={name!r} is not known; use one of: {', '.join(CONFIGS)}"
        ) from None
