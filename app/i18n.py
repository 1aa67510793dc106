"""Language choice: the person's stored preference, else the session, else the browser."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANG_SESSION_KEY = "lang"


def supported() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def select_locale() -> str:
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported():
        return current_user.locale
    chosen = session.get(LANG_SESSION_KEY)
    if chosen in supported():
        return chosen
    best = request.accept_languages.best_match(["en", "zh_CN", "zh"])
    return "zh_CN" if best in ("zh_CN", "zh") else "en"


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def html_lang() -> str:
    """The page's ``lang`` attribute (BCP 47)."""
    return "zh-CN" if str(get_locale()) == "zh_CN" else "en"


def init_app(app: Flask) -> None:
    @app.context_processor
    def _language_context():
        return {"html_lang": html_lang, "languages": app.config["LANGUAGES"],
                "current_locale": lambda: str(get_locale())}
