"""The states of a training need and of a plan item, and the steps between them.

Pure: the permissions module and the templates compare these members, so they import
nothing of the app. A model's ``move_to`` checks each step against its table.
"""

from __future__ import annotations

import enum


class NeedState(enum.StrEnum):
    """submitted → planned (answered by a plan item) or declined (with reasons); both may
    be reopened."""

    SUBMITTED = "submitted"
    PLANNED = "planned"
    DECLINED = "declined"


# A trainer may answer a need again at any time: plan a declined one after all, or
# decline one whose item no longer fits. Answering it again in the same state (another
# item, other reasons) is no move.
NEED_MOVES: dict[NeedState, frozenset[NeedState]] = {
    NeedState.SUBMITTED: frozenset({NeedState.PLANNED, NeedState.DECLINED}),
    NeedState.PLANNED: frozenset({NeedState.SUBMITTED, NeedState.DECLINED}),
    NeedState.DECLINED: frozenset({NeedState.SUBMITTED, NeedState.PLANNED}),
}


class ItemStatus(enum.StrEnum):
    """planned → delivered or cancelled; either may go back to planned."""

    PLANNED = "planned"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


ITEM_MOVES: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.PLANNED: frozenset({ItemStatus.DELIVERED, ItemStatus.CANCELLED}),
    ItemStatus.DELIVERED: frozenset({ItemStatus.PLANNED}),
    ItemStatus.CANCELLED: frozenset({ItemStatus.PLANNED}),
}


def next_statuses(status: str) -> list[ItemStatus]:
    """The statuses an item may take from ``status``, in the enum's order (for a form)."""
    allowed = ITEM_MOVES[ItemStatus(status)]
    return [s for s in ItemStatus if s in allowed]
