"""Signing in: the login manager, the sign-in gate in front of every route."""

from __future__ import annotations

from flask import Flask, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from app.auth import services
from app.auth.permissions import Permission, can
from app.database.concurrency import set_write_intent

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # "basic": a changed network (common on exam day) must not sign people out.
    login_manager.session_protection = "basic"
    login_manager.user_loader(services.user_for_token)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_declare_write_intent)
    app.teardown_request(_forget_write_intent)
    app.before_request(_sign_in_gate)
    app.context_processor(_permission_context)


def _permission_context() -> dict:
    from app.auth.forms import ROLE_LABELS
    from app.auth.models import Role

    return {
        "can": lambda permission, obj=None: can(current_user, permission, obj),
        "Permission": Permission,
        "role_label": lambda role: ROLE_LABELS[Role(role)],
    }


def _declare_write_intent() -> None:
    # Unsafe methods may write: their SQLite transactions take the write lock
    # up front (BEGIN IMMEDIATE) so concurrent writers queue instead of failing.
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method in SAFE_METHODS:
        set_write_intent(getattr(view, "writes_on_get", False))
    else:
        set_write_intent(not getattr(view, "reads_first", False))


def _forget_write_intent(_error=None) -> None:
    # Outside a request (CLI commands, tests, a thread reused for other work) the
    # default holds again: transactions may write, so they take the write lock.
    set_write_intent(True)


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:  # no route matched: let the 404/405 handler answer
        return True
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def _sign_in_gate():
    """Every route needs a signed-in person unless its view is marked public."""
    if is_public_endpoint(request.endpoint) or current_user.is_authenticated:
        return None
    return _unauthorized()


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _unauthorized():
    if wants_json():
        message = str(_l("Your session has ended: sign in again."))
        response = jsonify(error="signed_out", message=message)
        response.status_code = 401
        return response
    flash(str(_l("Please sign in to see this page.")), "info")
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))
