"""The states of an exam attempt and where each may go.

Pure: the permissions module and other features compare these members, so this module
imports nothing of the app.

Only three states are ever stored. Submitting (by the person, by the page when its countdown
runs out, or by the expiry sweep) grades the attempt in the same call and the same
transaction, so it goes straight from ``in_progress`` to ``awaiting_marking`` (an essay waits
for a marker) or ``graded``. Whether the deadline ended it is the attempt's ``expired``
column, not a state.
"""

from __future__ import annotations

import enum


class AttemptState(enum.StrEnum):
    """in progress → graded, or in progress → awaiting marking → graded."""

    IN_PROGRESS = "in_progress"            # the clock runs; answers are saved
    AWAITING_MARKING = "awaiting_marking"  # finished; an essay waits for a marker
    GRADED = "graded"                      # finished and every item has its score


ATTEMPT_MOVES: dict[AttemptState, frozenset[AttemptState]] = {
    AttemptState.IN_PROGRESS: frozenset({AttemptState.AWAITING_MARKING, AttemptState.GRADED}),
    AttemptState.AWAITING_MARKING: frozenset({AttemptState.GRADED}),
    AttemptState.GRADED: frozenset(),  # a corrected mark or a regrade changes the score only
}

FINISHED_STATES = (AttemptState.AWAITING_MARKING, AttemptState.GRADED)
