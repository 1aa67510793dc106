"""to_original and to_display undo each other, for every question kind and option order.

A property test in plain loops: many seeded random orders and responses per kind, so a
change that breaks the round trip for one shape (a matching distractor, a repeated
index, a one-option question) fails with the seed that shows it.
"""

from __future__ import annotations

import random

import pytest

from app.exams.option_order import to_display, to_original

SEEDS = range(300)
KINDS = ("single", "truefalse", "multiple", "ordering", "matching")


def _order(rng: random.Random, kind: str) -> list[int]:
    size = 2 if kind == "truefalse" else rng.randint(1, 9)
    order = list(range(size))
    rng.shuffle(order)
    return order


def _response(rng: random.Random, kind: str, size: int):
    """A well-formed response: indices 0..size-1, in whichever terms the caller means."""
    if kind in ("single", "truefalse"):
        return rng.randrange(size)
    if kind == "multiple":
        return rng.sample(range(size), rng.randint(0, size))
    if kind == "ordering":
        return rng.sample(range(size), size)
    # matching: left item keys (as JSON gives them) to a right-hand position, or None
    return {str(left): rng.choice([None, *range(size)]) for left in range(rng.randint(0, size))}


@pytest.mark.parametrize("kind", KINDS)
def test_to_display_undoes_to_original(kind):
    for seed in SEEDS:
        rng = random.Random(f"{kind}-{seed}")
        order = _order(rng, kind)
        shown = _response(rng, kind, len(order))
        assert to_display(kind, to_original(kind, shown, order), order) == shown, seed


@pytest.mark.parametrize("kind", KINDS)
def test_to_original_undoes_to_display(kind):
    for seed in SEEDS:
        rng = random.Random(f"{kind}-stored-{seed}")
        order = _order(rng, kind)
        stored = _response(rng, kind, len(order))
        assert to_original(kind, to_display(kind, stored, order), order) == stored, seed


@pytest.mark.parametrize("kind", KINDS)
def test_a_shuffled_order_really_moves_what_is_stored(kind):
    """The round trips above would also pass if both were the identity."""
    order = [2, 0, 1]
    shown = {"single": 0, "truefalse": 0, "multiple": [0, 1], "ordering": [0, 1, 2],
             "matching": {"0": 0, "1": None}}[kind]
    stored = {"single": 2, "truefalse": 2, "multiple": [2, 0], "ordering": [2, 0, 1],
              "matching": {"0": 2, "1": None}}[kind]
    assert to_original(kind, shown, order) == stored
    assert to_display(kind, stored, order) == shown


@pytest.mark.parametrize("kind", (*KINDS, "short", "numeric", "essay"))
def test_no_answer_no_order_and_typed_answers_pass_through(kind):
    assert to_original(kind, None, [1, 0]) is None
    assert to_display(kind, None, [1, 0]) is None
    assert to_original(kind, 1, []) == 1
    assert to_display(kind, 1, []) == 1
    if kind in ("short", "numeric", "essay"):
        assert to_original(kind, "42", [1, 0]) == "42" == to_display(kind, "42", [1, 0])


def test_a_position_outside_the_options_is_stored_as_wrong_and_shown_as_unanswered():
    order = [1, 0]
    assert to_original("single", 5, order) == -1
    assert to_original("multiple", [0, 7, "x"], order) == [1, -1, -1]
    assert to_display("single", -1, order) is None
    assert to_display("matching", {"0": 3}, order) is None
