"""An upload page's dry run (question banks, rubrics): the import rehearsed, nothing kept."""

from __future__ import annotations

from app.database.session import rehearse


def dry_run_import(result: dict, key: str, step, refusal: type[Exception]) -> dict:
    """An upload page's dry run: unless the checks found errors, rehearse the import and
    put what it would do in ``result[key]``; an import the rules refuse (``refusal``,
    carrying ``issues``) adds its issues as errors. ``result`` holds "issues" and "errors".
    """
    if result["errors"]:
        return result
    try:
        result[key] = rehearse(step)
    except refusal as refused:
        result["errors"] = refused.issues
        result["issues"] = result["issues"] + refused.issues
    return result
