"""The kinds of notification: what each says, to whom, and where its link goes.

Each feature's kinds live in a module of this package (``kinds/exams.py`` …) that calls
:func:`register` at import; :func:`load` imports them all. A module may also define
``due(now) -> int``: the time-based notices of its feature (closes within 24 h, due soon,
overdue…), run by ``flask notifications due``; it must be idempotent (give each notice a
``dedupe_key``), so running it twice tells nobody twice.

A kind's ``text`` and ``link`` run when the notice is read (a page, an e-mail), in the
reader's language: ``text`` puts the stored params into words (dates through
``app.templating.display_datetime``), ``link`` returns the page's address only when the
reader may open it (through ``app.auth.permissions``), else None.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING

from app.notifications.models import Delivery

if TYPE_CHECKING:
    from app.auth.models import User
    from app.notifications.models import Notification

# Who a kind is for, in the order the preferences page groups them.
AUDIENCES = ("learner", "reviewer", "coordinator", "trainer", "supervision")


@dataclass(frozen=True)
class Kind:
    key: str
    audience: str
    label: Callable[[], str]  # the preferences page's line, e.g. "An exam opens for me"
    text: Callable[[Notification], str]
    link: Callable[[Notification, User], str | None]
    email: Delivery = Delivery.IMMEDIATE  # the default until the person chooses


KINDS: dict[str, Kind] = {}
_modules: list[ModuleType] = []


def register(kind: Kind) -> Kind:
    if kind.audience not in AUDIENCES:
        raise ValueError(f"kind {kind.key}: unknown audience {kind.audience!r}")
    KINDS[kind.key] = kind
    return kind


def load() -> list[ModuleType]:
    """Import every kinds module once (the app factory calls this)."""
    if not _modules:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            _modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return _modules


def run_due(now: datetime) -> dict[str, int]:
    """Every module's time-based notices: how many each created."""
    return {module.__name__.rsplit(".", 1)[-1]: module.due(now)
            for module in load() if hasattr(module, "due")}
