"""The attempt's transition table: only stored states, and a wrong step fails loudly."""

from __future__ import annotations

import pytest

from app.database.states import IllegalTransition, check_table
from app.exams import models
from app.exams.models import Attempt
from app.exams.states import ATTEMPT_MOVES, FINISHED_STATES, AttemptState


def test_the_table_names_every_attempt_state():
    check_table(AttemptState, ATTEMPT_MOVES)


def test_the_state_is_importable_from_the_models_too():
    assert models.AttemptState is AttemptState


def test_a_new_attempt_takes_its_first_state():
    attempt = Attempt()
    attempt.move_to(AttemptState.IN_PROGRESS)
    assert attempt.state == AttemptState.IN_PROGRESS


@pytest.mark.parametrize("target", [AttemptState.AWAITING_MARKING, AttemptState.GRADED])
def test_an_attempt_in_progress_ends_graded_or_awaiting_marking(target):
    attempt = Attempt(state=AttemptState.IN_PROGRESS)
    attempt.move_to(target)
    assert attempt.state == target


def test_a_marked_attempt_becomes_graded():
    attempt = Attempt(state=AttemptState.AWAITING_MARKING)
    attempt.move_to(AttemptState.GRADED)
    assert attempt.state == AttemptState.GRADED


@pytest.mark.parametrize(("current", "target"), [
    (AttemptState.GRADED, AttemptState.IN_PROGRESS),
    (AttemptState.GRADED, AttemptState.AWAITING_MARKING),
    (AttemptState.AWAITING_MARKING, AttemptState.IN_PROGRESS),
    (AttemptState.IN_PROGRESS, AttemptState.IN_PROGRESS),
])
def test_an_illegal_move_raises_and_keeps_the_state(current, target):
    attempt = Attempt(state=current)
    with pytest.raises(IllegalTransition):
        attempt.move_to(target)
    assert attempt.state == current


def test_a_stored_value_outside_the_enum_cannot_move():
    with pytest.raises(IllegalTransition):
        Attempt(state="submitted").move_to(AttemptState.GRADED)


def test_finished_states_are_those_an_attempt_ends_in():
    assert set(FINISHED_STATES) == set(ATTEMPT_MOVES[AttemptState.IN_PROGRESS])
