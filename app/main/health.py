"""Health checks: a cheap read for load balancers, a committed write for monitors.

``/healthz`` runs ``SELECT 1``: cheap enough for a load balancer every few seconds, but
it answers 200 while a full disk makes every save fail. ``/healthz/write`` commits one
row (this host's ``health_probes`` row) the way a save does, so it fails exactly when
saves would: full disk, read-only database, a primary that refuses writes. Monitors call
it every minute or so. Both are public; the write check commits at most once a second in
each process and answers from that result in between, so calling it in a loop costs the
database nothing more.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from app.database import utcnow
from app.extensions import db
from app.main.failures import describe
from app.main.models import HealthProbe

WRITE_CHECK_MIN_INTERVAL = 1.0


class _LastWrite:
    """The write check's last result in this process, reused for a second."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at = float("-inf")
        self.result: tuple[dict, int] = ({}, 503)


def _last_write() -> _LastWrite:
    """This app's last write-check result (each app, and so each test, has its own)."""
    return current_app.extensions.setdefault("health_last_write", _LastWrite())


def read_check():
    """200 when the database answers a read, 503 otherwise."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


def write_check():
    """200 when a row can be committed (durably) now, 503 with the cause otherwise."""
    last = _last_write()
    with last.lock:
        if time.monotonic() - last.at >= WRITE_CHECK_MIN_INTERVAL:
            last.result = _commit_probe()
            last.at = time.monotonic()
        body, code = last.result
    return jsonify(body | _disk_figures()), code


def _commit_probe() -> tuple[dict, int]:
    host = socket.gethostname()[:255]
    try:
        probe = db.session.get(HealthProbe, host)
        if probe is None:
            probe = HealthProbe(host=host, checked_at=utcnow())
            db.session.add(probe)
        probe.checked_at = utcnow()
        db.session.commit()
    except SQLAlchemyError as exc:
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        return {"status": "unavailable", "database": "not writable",
                "cause": describe(exc).cause}, 503
    return {"status": "ok", "database": "writable"}, 200


def _disk_figures() -> dict:
    """Free space where an SQLite database lives (PostgreSQL's disk is its server's)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return {}
    try:
        usage = shutil.disk_usage(Path(url.database).resolve().parent)
    except OSError:
        return {}
    return {"disk_free_mb": usage.free // (1024 * 1024)}
