"""The states of an assessment period, a person's record and a change request, each with
its transition table (checked by :func:`app.database.states.checked_move`).

Pure: the permissions module compares these members, so they import nothing of the app.
"""

from __future__ import annotations

import enum


class PeriodState(enum.StrEnum):
    """planning → open → scoring → published → closed."""

    PLANNING = "planning"    # the plan is being written; nobody covered sees it yet
    OPEN = "open"            # people see the plan; exams and evaluations happen
    SCORING = "scoring"      # managers complete and publish records
    PUBLISHED = "published"  # every record is out; interviews and follow-up
    CLOSED = "closed"        # archived: nothing changes without an approved change


# A period only ever moves one step forward.
PERIOD_MOVES: dict[PeriodState, frozenset[PeriodState]] = {
    PeriodState.PLANNING: frozenset({PeriodState.OPEN}),
    PeriodState.OPEN: frozenset({PeriodState.SCORING}),
    PeriodState.SCORING: frozenset({PeriodState.PUBLISHED}),
    PeriodState.PUBLISHED: frozenset({PeriodState.CLOSED}),
    PeriodState.CLOSED: frozenset(),
}


def next_period_state(state: PeriodState | str) -> PeriodState | None:
    """The one state a period in ``state`` may advance to; None once it is closed."""
    following = PERIOD_MOVES[PeriodState(state)]
    return next(iter(following), None)


class RecordState(enum.StrEnum):
    DRAFT = "draft"                # computed live from the sources
    PUBLISHED = "published"        # frozen and visible to the person
    ACKNOWLEDGED = "acknowledged"  # the person accepted it
    DISPUTED = "disputed"          # the person recorded disagreement


# The person may change their response; an approved change publishes the record again,
# so it is read and answered afresh. Nothing goes back to draft.
_RESPONSES = frozenset({RecordState.ACKNOWLEDGED, RecordState.DISPUTED})
RECORD_MOVES: dict[RecordState, frozenset[RecordState]] = {
    RecordState.DRAFT: frozenset({RecordState.PUBLISHED}),
    RecordState.PUBLISHED: _RESPONSES | {RecordState.PUBLISHED},
    RecordState.ACKNOWLEDGED: _RESPONSES | {RecordState.PUBLISHED},
    RecordState.DISPUTED: _RESPONSES | {RecordState.PUBLISHED},
}


class ChangeState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


CHANGE_MOVES: dict[ChangeState, frozenset[ChangeState]] = {
    ChangeState.PENDING: frozenset({ChangeState.APPROVED, ChangeState.REJECTED}),
    ChangeState.APPROVED: frozenset(),
    ChangeState.REJECTED: frozenset(),
}
