"""Labels for stored values in templates: one lookup per table of translated labels."""

from __future__ import annotations

from collections.abc import Callable, Mapping


def label_of(labels: Mapping[str, object]) -> Callable[[str], object]:
    """A lookup giving a value's label, or the value itself when the table has none."""
    return lambda value: labels.get(value, value)


def label_lookups(**tables: Mapping[str, object]) -> Callable[[], dict[str, object]]:
    """A context processor giving templates one lookup per table, named by its keyword:
    ``bp.app_context_processor(label_lookups(type_label=TYPE_LABELS))``."""
    lookups: dict[str, object] = {name: label_of(table) for name, table in tables.items()}
    return lambda: lookups
