"""Template filters and helpers shared by every page."""

from __future__ import annotations

import json

from flask import Flask
from flask_babel import format_datetime


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


def init_app(app: Flask) -> None:
    app.add_template_global(field_attrs)

    @app.template_filter("datetimeformat")
    def _datetimeformat(value, fmt: str = "medium") -> str:
        return format_datetime(value, fmt)

    @app.template_filter("tojson_pretty")
    def _tojson_pretty(value) -> str:
        """Readable JSON for display; the template escapes it like any text."""
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
