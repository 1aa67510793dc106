"""The steps of a training need and of a plan item: every state has a row, and a step the
table does not list raises."""

from __future__ import annotations

from datetime import date

import pytest

from app.database.states import IllegalTransition, check_table
from app.training.models import PlanItem, TrainingNeed
from app.training.states import (
    ITEM_MOVES,
    NEED_MOVES,
    ItemStatus,
    NeedState,
    next_statuses,
)


def test_each_transition_table_names_every_state():
    check_table(NeedState, NEED_MOVES)
    check_table(ItemStatus, ITEM_MOVES)


def test_a_delivered_item_goes_back_to_planned_before_it_can_be_cancelled():
    item = PlanItem(status=ItemStatus.DELIVERED, starts_on=date(2026, 5, 1))
    with pytest.raises(IllegalTransition):
        item.move_to(ItemStatus.CANCELLED)
    item.move_to(ItemStatus.PLANNED)
    item.move_to(ItemStatus.CANCELLED)
    assert item.status == ItemStatus.CANCELLED


def test_an_item_does_not_move_to_the_status_it_has():
    item = PlanItem(status=ItemStatus.PLANNED)
    with pytest.raises(IllegalTransition):
        item.move_to(ItemStatus.PLANNED)


def test_the_status_form_offers_the_next_statuses_in_order():
    assert next_statuses("planned") == [ItemStatus.DELIVERED, ItemStatus.CANCELLED]
    assert next_statuses("cancelled") == [ItemStatus.PLANNED]


def test_a_need_answered_again_in_its_state_stays_and_any_other_answer_moves_it():
    need = TrainingNeed(state=NeedState.DECLINED)
    need.move_to(NeedState.DECLINED)  # other reasons: no move
    need.move_to(NeedState.PLANNED)
    need.move_to(NeedState.SUBMITTED)
    assert need.state == NeedState.SUBMITTED


def test_a_need_in_a_state_the_table_does_not_know_cannot_move():
    need = TrainingNeed(state="archived")
    with pytest.raises(IllegalTransition):
        need.move_to(NeedState.PLANNED)
