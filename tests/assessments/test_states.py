"""The transition tables of assessment periods, records and change requests."""

from __future__ import annotations

import pytest

from app.assessments.models import AssessmentPeriod, AssessmentRecord, ChangeRequest
from app.assessments.states import (
    CHANGE_MOVES,
    PERIOD_MOVES,
    RECORD_MOVES,
    ChangeState,
    PeriodState,
    RecordState,
    next_period_state,
)
from app.database.states import IllegalTransition, check_table


@pytest.mark.parametrize(("states", "table"), [(PeriodState, PERIOD_MOVES),
                                               (RecordState, RECORD_MOVES),
                                               (ChangeState, CHANGE_MOVES)])
def test_every_table_names_every_state(states, table):
    check_table(states, table)


def test_a_period_advances_one_step_at_a_time_until_closed():
    order = [PeriodState.PLANNING]
    while (following := next_period_state(order[-1])) is not None:
        order.append(following)
    assert order == list(PeriodState)


def test_a_period_cannot_skip_or_go_back():
    period = AssessmentPeriod(state=PeriodState.OPEN)
    with pytest.raises(IllegalTransition):
        period.move_to(PeriodState.PUBLISHED)
    with pytest.raises(IllegalTransition):
        period.move_to(PeriodState.PLANNING)
    period.move_to(PeriodState.SCORING)
    assert period.state == PeriodState.SCORING


def test_a_record_never_returns_to_draft_and_a_draft_is_not_answered():
    record = AssessmentRecord(state=RecordState.DRAFT)
    with pytest.raises(IllegalTransition):
        record.move_to(RecordState.ACKNOWLEDGED)
    record.move_to(RecordState.PUBLISHED)
    record.move_to(RecordState.DISPUTED)
    record.move_to(RecordState.PUBLISHED)  # an approved change publishes it again
    with pytest.raises(IllegalTransition):
        record.move_to(RecordState.DRAFT)


@pytest.mark.parametrize("decided", [ChangeState.APPROVED, ChangeState.REJECTED])
def test_a_decided_change_stays_decided(decided):
    change = ChangeRequest(state=ChangeState.PENDING)
    change.move_to(decided)
    for target in ChangeState:
        with pytest.raises(IllegalTransition):
            change.move_to(target)
