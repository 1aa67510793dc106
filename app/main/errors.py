"""Error pages that say what happened and reveal nothing internal."""

from __future__ import annotations

import contextlib

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, login_manager
from app.main.failures import TracebackThrottle, describe

# Seconds a client should wait before retrying when the database is unavailable.
RETRY_AFTER_SECONDS = 5

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (_l("Too many attempts"),
          _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"),
          _l("The server could not finish this request. Nothing you saved before is lost; "
             "try again in a moment.")),
    503: (_l("Service unavailable"),
          _l("The database is not answering, so this request could not be finished. "
             "Nothing you saved before is lost; try again in a minute.")),
}

# What the exam page shows when a save meets a database outage (its JSON reply carries it).
DATABASE_UNAVAILABLE_SAVE = _l(
    "The database is not answering, so your latest changes are not saved yet. They are "
    "kept on this device and saving is retried automatically.")


def _render(code: int, detail: str | None = None):
    from app.auth.login import wants_json

    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error=code, message=str(detail or message)), code
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        return _render(400, str(_l("This form has expired or was sent from another site. "
                                   "Reload the page and send it again.")))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return _render(exc.code)

    throttle = TracebackThrottle()

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        failure = describe(exc)
        code = 503 if failure.database_unavailable else InternalServerError.code
        _log_failure(app, throttle, code, failure, exc)
        _rollback_quietly()
        if failure.database_unavailable:
            return _database_unavailable()
        return _render(code)


def _log_failure(app: Flask, throttle: TracebackThrottle, code: int, failure, exc) -> None:
    """One line per failed request; the traceback once per kind of failure a minute."""
    trace, untraced = throttle.admit(failure.kind)
    line = f"{code} {request.method} {request.path}: {failure.cause}"
    if untraced:
        line += f" ({untraced} more of this kind since the last traceback)"
    app.logger.error(line, exc_info=exc if trace else None)


def _rollback_quietly() -> None:
    """Roll back; with the database gone the rollback itself may fail, which is moot."""
    with contextlib.suppress(Exception):  # the failure was logged already
        db.session.rollback()


def _database_unavailable():
    from app.auth.login import wants_json

    # The page is rendered as for a visitor: loading the person needs the database.
    login_manager._update_request_context_with_user()
    if wants_json():
        response = jsonify(error="database_unavailable",
                           message=str(DATABASE_UNAVAILABLE_SAVE))
        response.status_code = 503
    else:
        response = make_response(_render(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
