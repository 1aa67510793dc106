"""An upload page's dry run (question banks, rubrics): the import rehearsed, nothing kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from app.database.session import rehearse


class _Refused(Protocol):
    """What an import refusal carries: the problems, as the checks report them."""

    issues: list[Any]


def dry_run_import(result: dict, key: str, step: Callable[[], Any],
                   refusal: type[Exception]) -> dict:
    """An upload page's dry run: unless the checks found errors, rehearse the import and
    put what it would do in ``result[key]``; an import the rules refuse (``refusal``,
    carrying ``issues``) adds its issues as errors. ``result`` holds "issues" and "errors".
    """
    if result["errors"]:
        return result
    try:
        result[key] = rehearse(step)
    except refusal as refusal_raised:
        refused = cast(_Refused, refusal_raised)
        result["errors"] = refused.issues
        result["issues"] = result["issues"] + refused.issues
    return result
