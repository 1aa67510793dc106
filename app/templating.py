"""Template filters and helpers shared by every page."""

from __future__ import annotations

import json
import numbers
from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask import Flask, current_app
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

# The one way a page writes a day and a moment (docs/decisions.md, "One date format"):
# unambiguous in both languages, 24-hour clock, in the display time zone (DISPLAY_TIMEZONE).
DATE_PATTERNS = {"en": "d MMM y", "zh": "y年M月d日"}
DATETIME_PATTERNS = {"en": "d MMM y, HH:mm", "zh": "y年M月d日 HH:mm"}


def field_attrs(field, autofocus: bool = False) -> dict:
    """HTML attributes for a form field: error state and help text for assistive tech."""
    attrs: dict = {}
    if autofocus:
        attrs["autofocus"] = True
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.description:
        attrs["aria-describedby"] = f"{field.id}-help"
    return attrs


def stored_html(html: str) -> Markup:
    """HTML that render_markdown produced (and sanitised) when content was loaded.

    Only for columns filled from app.content.markdown.render_markdown; never for
    anything a request supplied.
    """
    return Markup(html)  # noqa: S704 - sanitised by render_markdown before storing


def _locale():
    return get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _language(locale) -> str:
    return "zh" if str(locale).startswith("zh") else "en"


def display_date(value: date | datetime | None) -> str:
    """A day as pages show it ("3 Dec 2026", "2026年12月3日"); "" for no value.

    A moment (aware datetime) shows its day in the display time zone; a calendar
    date is shown as it is.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    locale = _locale()
    return format_date(value, DATE_PATTERNS[_language(locale)], locale=locale)


def display_datetime(value: datetime | None) -> str:
    """A moment as pages show it, in the display time zone ("3 Dec 2026, 21:17")."""
    if value is None:
        return ""
    locale = _locale()
    return format_datetime(value, DATETIME_PATTERNS[_language(locale)],
                           tzinfo=get_timezone(), locale=locale)


def points(value) -> str:
    """A question's points without a needless ".0" ("1", "1.5", "2")."""
    return f"{value:g}" if isinstance(value, numbers.Number) else str(value)


def init_app(app: Flask) -> None:
    app.add_template_global(field_attrs)
    app.add_template_filter(stored_html)
    app.add_template_filter(display_date, "date")
    app.add_template_filter(display_datetime, "datetime")
    app.add_template_filter(points)
    for other in ("datetimeformat", "dateformat", "timeformat"):  # Flask-Babel's: one pair only
        app.jinja_env.filters.pop(other, None)

    @app.template_filter("tojson_pretty")
    def _tojson_pretty(value) -> str:
        """Readable JSON for display; the template escapes it like any text."""
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
