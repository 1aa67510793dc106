"""The steps of a complaint or suggestion: every state has a row, and a closed matter
stays closed."""

from __future__ import annotations

import pytest

from app.complaints.models import Complaint
from app.complaints.states import COMPLAINT_MOVES, ComplaintState, choices_from
from app.database.states import IllegalTransition, check_table


def test_the_transition_table_names_every_state():
    check_table(ComplaintState, COMPLAINT_MOVES)


@pytest.mark.parametrize("closed", [ComplaintState.RESOLVED, ComplaintState.REJECTED])
def test_a_closed_matter_does_not_reopen(closed):
    matter = Complaint(state=closed)
    with pytest.raises(IllegalTransition):
        matter.move_to(ComplaintState.INVESTIGATING)


def test_an_open_matter_never_goes_back_to_received():
    matter = Complaint(state=ComplaintState.RECEIVED)
    matter.move_to(ComplaintState.RECEIVED)  # a new owner or a reply: no move
    matter.move_to(ComplaintState.INVESTIGATING)
    with pytest.raises(IllegalTransition):
        matter.move_to(ComplaintState.RECEIVED)
    matter.move_to(ComplaintState.RESOLVED)
    assert not matter.open


def test_the_handling_form_offers_staying_first_then_the_next_states():
    assert choices_from("received") == list(ComplaintState)
    assert choices_from("investigating") == [ComplaintState.INVESTIGATING,
                                             ComplaintState.RESOLVED, ComplaintState.REJECTED]
    assert choices_from("resolved") == [ComplaintState.RESOLVED]
