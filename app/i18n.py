"""Language choice: the person's stored preference, else the session, else the browser."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

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
    return browser_language(request.accept_languages)


def browser_language(accepted) -> str:
    """The first of the browser's languages (by preference) that we speak."""
    for tag, _quality in accepted:  # werkzeug yields them best first
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "zh":
            return "zh_CN"
        if primary == "en":
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_now() -> datetime:
    """Now in the display time zone (DISPLAY_TIMEZONE), where people's days begin."""
    from app.database import utcnow

    return utcnow().astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def local_today() -> date:
    """Today as the people using the app count days (not UTC: Shanghai is 8 hours ahead)."""
    return local_now().date()


def current_language() -> str:
    """Our code for the language of this request: "en" or "zh_CN".

    Babel names the locale zh_Hans_CN (hence the catalogue folder's name).
    """
    return "zh_CN" if get_locale().language == "zh" else "en"


def html_lang() -> str:
    """The page's ``lang`` attribute (BCP 47)."""
    return "zh-CN" if current_language() == "zh_CN" else "en"


def init_app(app: Flask) -> None:
    @app.context_processor
    def _language_context():
        return {"html_lang": html_lang, "languages": app.config["LANGUAGES"],
                "current_locale": current_language}
