"""Error pages that say what happened and reveal nothing internal."""

from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

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
}


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

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("Unhandled error", exc_info=exc)
        db.session.rollback()
        return _render(InternalServerError.code)
