"""The states of a complaint or suggestion, and the steps between them (§4.2).

Pure: the permissions module and the oversight dashboard compare these members, so they
import nothing of the app. ``Complaint.move_to`` checks each step against the table.
"""

from __future__ import annotations

import enum


class ComplaintState(enum.StrEnum):
    """received → investigating → resolved, or rejected with reasons."""

    RECEIVED = "received"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    REJECTED = "rejected"


OPEN_STATES = frozenset({ComplaintState.RECEIVED, ComplaintState.INVESTIGATING})

# A closed matter stays closed; an open one never goes back to "received".
COMPLAINT_MOVES: dict[ComplaintState, frozenset[ComplaintState]] = {
    ComplaintState.RECEIVED: frozenset({ComplaintState.INVESTIGATING, ComplaintState.RESOLVED,
                                        ComplaintState.REJECTED}),
    ComplaintState.INVESTIGATING: frozenset({ComplaintState.RESOLVED,
                                             ComplaintState.REJECTED}),
    ComplaintState.RESOLVED: frozenset(),
    ComplaintState.REJECTED: frozenset(),
}


def choices_from(state: str) -> list[ComplaintState]:
    """Where a matter may be put from ``state``: staying first, then onwards in order."""
    current = ComplaintState(state)
    return [current, *(s for s in ComplaintState if s in COMPLAINT_MOVES[current])]
