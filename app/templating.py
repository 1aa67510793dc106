"""Template filters and helpers shared by every page."""

from __future__ import annotations

import json

from flask import Flask
from flask_babel import format_date, format_datetime, get_timezone
from markupsafe import Markup


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


def init_app(app: Flask) -> None:
    app.add_template_global(field_attrs)
    app.add_template_filter(stored_html)

    @app.template_filter("datetimeformat")
    def _datetimeformat(value, fmt: str = "medium") -> str:
        return format_datetime(value, fmt)

    @app.template_filter("dateformat")
    def _dateformat(value, fmt: str = "medium") -> str:
        if getattr(value, "tzinfo", None) is not None:  # a moment: its local date
            value = value.astimezone(get_timezone())
        return format_date(value, fmt)  # a calendar date is shown as it is

    @app.template_filter("tojson_pretty")
    def _tojson_pretty(value) -> str:
        """Readable JSON for display; the template escapes it like any text."""
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
