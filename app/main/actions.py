"""One way for a view to run a service step that the rules may refuse."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from app.extensions import db


def carry_out(step: Callable[[], object], refusals: type[Exception] | tuple,
              success: str | Callable[[object], str]) -> bool:
    """Run ``step``: commit and say ``success``, or roll back and show why it was refused.

    ``refusals`` are the service's own "not possible now" exceptions, whose messages
    are written for the person; anything else is a bug and propagates. ``success``
    may be a function of what the step returned.
    """
    try:
        result = step()
    except refusals as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return False
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return True
