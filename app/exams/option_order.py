"""Shuffled options: a response in display positions and in original indices. Pure.

An attempt item keeps ``option_order``: the original index of the option shown at each
position (choices, a matching question's right-hand items, an ordering question's
items). Pages only ever see display positions, because original indices would give
away the key of matching and ordering questions; the database and the graders only
ever see original indices. :func:`to_original` turns what a page sends into what is
stored, :func:`to_display` turns what is stored back into what the page shows; each
undoes the other.
"""

from __future__ import annotations


def to_original(kind: str, response, order: list[int]):
    """A response in display positions (what pages send) as original indices (what is stored).

    Positions outside the shown options become -1, which graders score as wrong.
    """
    def original(shown):
        return order[shown] if isinstance(shown, int) and 0 <= shown < len(order) else -1

    if response is None or not order:
        return response
    if kind in ("single", "truefalse"):
        return original(response)
    if kind in ("multiple", "ordering") and isinstance(response, list):
        return [original(shown) for shown in response]
    if kind == "matching" and isinstance(response, dict):
        return {left: (original(shown) if shown is not None else None)
                for left, shown in response.items()}
    return response


def to_display(kind: str, response, order: list[int]):
    """A stored response (original indices) in the page's display positions."""
    if response is None or not order:
        return response
    where = {original: shown for shown, original in enumerate(order)}
    try:
        if kind in ("single", "truefalse"):
            return where[response]
        if kind in ("multiple", "ordering"):
            return [where[i] for i in response]
        if kind == "matching":
            return {left: (where[right] if right is not None else None)
                    for left, right in response.items()}
    except (KeyError, TypeError, AttributeError):
        return None  # a malformed stored answer shows as unanswered, never breaks the page
    return response
