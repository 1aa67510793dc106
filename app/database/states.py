"""State machines you can read: a state enum, its transition table, one checked move.

Every workflow object (an attempt, an evaluation, a record, a complaint…) stores its
state as the *value* of a :class:`enum.StrEnum`. Beside each enum its feature keeps a
table ``{state: frozenset(states it may become)}``; the model's ``move_to`` goes
through :func:`checked_move`, so a step that slips past the service's own checks
fails loudly instead of writing a state the workflow never meant.

The services still refuse a step with a message for the person first (``… is
already released``); :class:`IllegalTransition` is the safety net under those
refusals, a bug and never a user error, so it is not translated.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

State = TypeVar("State", bound=enum.StrEnum)


class IllegalTransition(Exception):
    """A state change the transition table forbids."""

    def __init__(self, current: enum.StrEnum | str, target: enum.StrEnum) -> None:
        super().__init__(f"{type(target).__name__}: {current!s} may not become {target!s}")
        self.current, self.target = current, target


def checked_move(current: str | None, target: State,
                 table: Mapping[State, frozenset[State]]) -> State:
    """``target`` when ``table`` lets ``current`` become it; else :class:`IllegalTransition`.

    ``current`` is the stored value (``None`` for an object not yet given a state,
    which may take any state the table starts from: its keys).
    """
    if current is None:
        if target not in table:
            raise IllegalTransition("(new)", target)
        return target
    try:
        state = type(target)(current)
    except ValueError:
        raise IllegalTransition(current, target) from None
    if target not in table.get(state, frozenset()):
        raise IllegalTransition(state, target)
    return target


def check_table(enum_type: type[State], table: Mapping[State, frozenset[State]]) -> None:
    """Raise ``ValueError`` unless ``table`` names every member of ``enum_type`` exactly once.

    Called by tests for every table, so adding a state without saying where it may go
    fails at once.
    """
    missing = set(enum_type) - set(table)
    strangers = {s for targets in table.values() for s in targets} - set(enum_type)
    if missing or strangers:
        raise ValueError(f"{enum_type.__name__}: no row for {sorted(missing)}; "
                         f"unknown targets {sorted(strangers)}")
