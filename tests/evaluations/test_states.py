"""The transition tables of evaluations and reviews, and that the workflow keeps to them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.database.states import IllegalTransition, check_table
from app.evaluations.forms import REVIEW_STATE_LABELS, STATE_LABELS
from app.evaluations.models import Evaluation, Review
from app.evaluations.states import (
    EVALUATION_MOVES,
    REVIEW_MOVES,
    EvaluationState,
    ReviewState,
)

EVALUATIONS = Path(__file__).resolve().parents[2] / "app" / "evaluations"


@pytest.mark.parametrize(("states", "table"), [(EvaluationState, EVALUATION_MOVES),
                                               (ReviewState, REVIEW_MOVES)])
def test_every_table_names_every_state(states, table):
    check_table(states, table)


@pytest.mark.parametrize(("labels", "states"), [(STATE_LABELS, EvaluationState),
                                                (REVIEW_STATE_LABELS, ReviewState)])
def test_every_state_has_a_label(labels, states):
    assert set(labels) == set(states)


def test_a_released_evaluation_never_changes_state():
    for target in EvaluationState:
        evaluation = Evaluation(state=EvaluationState.RELEASED)
        with pytest.raises(IllegalTransition):
            evaluation.move_to(target)
        assert evaluation.state == EvaluationState.RELEASED


def test_an_evaluation_is_released_only_when_ready():
    for state in (EvaluationState.OPEN, EvaluationState.MODERATION):
        with pytest.raises(IllegalTransition):
            Evaluation(state=state).move_to(EvaluationState.RELEASED)
    evaluation = Evaluation(state=EvaluationState.READY)
    evaluation.move_to(EvaluationState.RELEASED)
    assert evaluation.state == EvaluationState.RELEASED


def test_moderation_accepts_or_reopens_and_a_new_reviewer_reopens():
    evaluation = Evaluation(state=EvaluationState.OPEN)
    evaluation.move_to(EvaluationState.MODERATION)
    evaluation.move_to(EvaluationState.OPEN)   # a re-score
    evaluation.move_to(EvaluationState.READY)  # the last review in, no disagreement
    evaluation.move_to(EvaluationState.READY)  # accepted on moderation
    evaluation.move_to(EvaluationState.OPEN)   # another reviewer joins
    assert evaluation.state == EvaluationState.OPEN


def test_a_scorecard_is_saved_before_it_is_submitted_and_never_reopened():
    with pytest.raises(IllegalTransition):
        Review(state=ReviewState.PENDING).move_to(ReviewState.SUBMITTED)
    review = Review(state=ReviewState.PENDING)
    review.move_to(ReviewState.DRAFT)
    review.move_to(ReviewState.DRAFT)
    review.move_to(ReviewState.SUBMITTED)
    for earlier in (ReviewState.PENDING, ReviewState.DRAFT, ReviewState.SUBMITTED):
        with pytest.raises(IllegalTransition):
            review.move_to(earlier)
    review.move_to(ReviewState.SUPERSEDED)
    for target in ReviewState:
        with pytest.raises(IllegalTransition):
            review.move_to(target)


def test_an_unknown_stored_state_is_an_illegal_move():
    with pytest.raises(IllegalTransition):
        Review(state="archived").move_to(ReviewState.DRAFT)


def _state_writes(path: Path) -> list[int]:
    """Lines that assign to an attribute named ``state`` (plain or in a tuple)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
        for target in targets:
            parts = target.elts if isinstance(target, ast.Tuple) else [target]
            found += [node.lineno for part in parts
                      if isinstance(part, ast.Attribute) and part.attr == "state"]
    return found


def test_the_workflow_changes_state_only_through_move_to():
    writes = {path.name: lines for path in sorted(EVALUATIONS.glob("*.py"))
              if path.name != "models.py" and (lines := _state_writes(path))}
    assert not writes, f"assign .state only in move_to: {writes}"
