"""Automatic grading of one answer against a question's stored content.

Pure: the standard library and :mod:`app.exams.answer_text` (reading typed answers) only.

``grade(content, response)`` takes the dict returned by ``Question.content()`` (see
``app.banks.questions``) and the response sent by the exam page, and returns a :class:`Grade`.
The scoring rules are those of ``docs/question-bank-format.md``.

Responses refer to the *original* order of choices, pairs and sequence items (the caller
undoes any shuffling):

- ``single``/``truefalse``: the index of the chosen choice, or None;
- ``multiple``: a list, tuple or set of choice indices (empty or None: unanswered);
- ``short``: a string; ``numeric``: a string or a number; ``essay``: a string;
- ``matching``: ``{left pair index: chosen pair index or None}`` (keys may also be digit
  strings, as JSON stores them);
- ``ordering``: the sequence indices in the learner's order.

A malformed response (an index out of range, a wrong type, a repeated ordering item) never
raises: it is graded wrong. Only content the module cannot grade at all (an unknown type)
raises ``KeyError``.

Regular-expression answers run on Python's backtracking ``re`` engine, which has no time
limit: a pathological pattern could be slow on a long answer. Bank authors are trusted and
the readers compile every pattern, but to bound the cost regexes are only tried on answers of
at most ``MAX_REGEX_INPUT`` characters (a longer answer can still match a literal answer).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.exams.answer_text import (
    as_number,
    compiled_regex,
    literal_key,
    normalise_text,
    parse_number,
)

__all__ = ["ALL_OR_NOTHING", "FULL_MARKS_TOLERANCE", "GRADERS", "MAX_REGEX_INPUT",
           "NEEDS_MARKING", "PARTIAL", "SCORING_MODES", "UNANSWERED", "Grade", "grade", "grader",
           "normalise_text", "parse_number"]

SCORING_MODES = ("all-or-nothing", "partial")
ALL_OR_NOTHING, PARTIAL = SCORING_MODES

# What a grader returns instead of a fraction.
UNANSWERED = "unanswered"
NEEDS_MARKING = "needs_marking"

MAX_REGEX_INPUT = 1000  # characters of a (normalised) short answer tried against regexes

# A fraction this close to 0 or 1 is wrong or right, as in Moodle (question_state): weights
# written with few decimals (Moodle exports thirds as 33.33333%) add up to full marks. The
# Moodle readers use it too, to tell weights that add up to 100 % (§2.4.3).
FULL_MARKS_TOLERANCE = 1e-6
_SNAP = FULL_MARKS_TOLERANCE
_REL_EPS = 1e-12  # relative slack of numeric comparisons, so that 2.4 ± 0.2 accepts 2.6


@dataclass(frozen=True, slots=True)
class Grade:
    """The result of grading one answer."""

    fraction: float | None  # 0.0–1.0 share of the points; None: needs a human (essay)
    points: float | None  # fraction × max_points, rounded half-up to 2 decimals; None: essay
    max_points: float
    status: str  # "correct", "partial", "wrong", "unanswered", "needs_marking"


Grader = Callable[[dict, object, str], "float | str"]
GRADERS: dict[str, Grader] = {}


def grader(kind: str) -> Callable[[Grader], Grader]:
    """Register the decorated function as the grader of questions of type ``kind``.

    A grader is called as ``fn(content, response, scoring)`` and returns the fraction of the
    points earned (clamped to 0–1 by :func:`grade`), or ``UNANSWERED``, or ``NEEDS_MARKING``.
    It must not raise on a malformed response: it returns 0.0.
    """
    def register(fn: Grader) -> Grader:
        GRADERS[kind] = fn
        return fn
    return register


def grade(content: dict, response, *, scoring: str = PARTIAL) -> Grade:
    """Grade ``response`` to the question whose stored content is ``content``."""
    if scoring not in SCORING_MODES:
        raise ValueError(f"unknown scoring mode {scoring!r}: use one of {SCORING_MODES}")
    fn = _grader_of(content)
    max_points = float(content.get("points", 1.0))
    result = fn(content, response, scoring)
    if isinstance(result, str):
        return _without_fraction(result, max_points, content.get("type"))
    fraction = float(result)
    if not fraction > _SNAP:  # also NaN
        return Grade(0.0, 0.0, max_points, "wrong")
    if fraction >= 1.0 - _SNAP:
        return Grade(1.0, _round2(max_points), max_points, "correct")
    return Grade(fraction, _round2(fraction * max_points), max_points, "partial")


def _grader_of(content: dict) -> Grader:
    kind = content.get("type")
    fn = GRADERS.get(kind) if isinstance(kind, str) else None
    if fn is None:
        raise KeyError(f"no grader for question type {kind!r} (question "
                       f"{content.get('id')!r}); known types: {', '.join(sorted(GRADERS))}")
    return fn


def _without_fraction(result: str, max_points: float, kind: object) -> Grade:
    """The grade of a grader's word instead of a fraction: needs marking, or unanswered."""
    if result == NEEDS_MARKING:
        return Grade(None, None, max_points, NEEDS_MARKING)
    if result == UNANSWERED:
        return Grade(0.0, 0.0, max_points, UNANSWERED)
    raise ValueError(f"the {kind} grader returned {result!r}")


def _round2(value: float) -> float:
    """Round a non-negative number half-up to 2 decimals (2/3 × 3 → 2.0, 0.125 → 0.13).

    The small slack absorbs binary representation error (2.675 is stored as 2.67499…).
    """
    return math.floor(value * 100 + 0.5 + 1e-6) / 100


def _clamp(fraction: float) -> float:
    return 0.0 if fraction < 0 else 1.0 if fraction > 1 else fraction


def _is_index(value, size: int) -> bool:
    """An int (not a bool) that indexes a sequence of ``size`` items (no negative indices)."""
    return (type(value) is int or (isinstance(value, int) and not isinstance(value, bool))) \
        and 0 <= value < size


def _shape_verdict(response: object, shapes: type | tuple[type, ...]) -> str | float | None:
    """Unanswered for nothing or an empty collection, wrong for another shape; None: grade it."""
    if response is None or (isinstance(response, shapes) and not response):
        return UNANSWERED
    return None if isinstance(response, shapes) else 0.0


def _weight_share(weight) -> float:
    """An answer's weight (percent, None: full marks) as a fraction, clamped to 0–1."""
    return 1.0 if weight is None else _clamp(weight / 100)


# --- single, true/false, multiple ---------------------------------------------------------

@grader("single")
@grader("truefalse")
def grade_single(content: dict, response, scoring: str) -> float | str:
    """The chosen option: right 1, wrong 0; a weighted option earns its weight (0–100 %).

    The scoring mode does not apply: there is one choice to judge.
    """
    if response is None:
        return UNANSWERED
    choices = content.get("choices") or ()
    if not _is_index(response, len(choices)):
        return 0.0
    choice = choices[response]
    weight = choice.get("weight")
    if weight is None:
        return 1.0 if choice.get("correct") else 0.0
    return _weight_share(weight)


@grader("multiple")
def grade_multiple(content: dict, response, scoring: str) -> float | str:
    """Partial: +1/R per right option chosen, −1/W per wrong one, floor 0. All-or-nothing:
    exactly the right set.

    With weights on any option, the chosen options' weights are summed and clamped to
    0–100 %; an option without a weight then counts its partial-credit share (+100/R % when
    right, −100/W % when wrong). All-or-nothing with weights: full points only when that sum
    reaches 100 % and no option with a negative weight was chosen.
    """
    if (verdict := _shape_verdict(response, (list, tuple, set, frozenset))) is not None:
        return verdict
    choices = content.get("choices") or ()
    if not all(_is_index(value, len(choices)) for value in response):
        return 0.0
    chosen = set(response)  # a repeated index is the same choice
    if any(choice.get("weight") is not None for choice in choices):
        return _weighted_multiple(choices, chosen, scoring)
    return _counted_multiple(choices, chosen, scoring)


def _weighted_multiple(choices: Sequence[dict], chosen: set[int], scoring: str) -> float:
    n_right = sum(1 for choice in choices if choice.get("correct"))
    n_wrong = len(choices) - n_right
    weights = [_choice_weight(choices[index], n_right, n_wrong) for index in chosen]
    fraction = _clamp(sum(weights, 0.0) / 100)
    if scoring == ALL_OR_NOTHING:
        negative = any(weight < 0 for weight in weights)
        return 1.0 if fraction >= 1.0 - _SNAP and not negative else 0.0
    return fraction


def _choice_weight(choice: dict, n_right: int, n_wrong: int) -> float:
    """A chosen option's weight in percent; without one, its partial-credit share."""
    weight = choice.get("weight")
    if weight is not None:
        return weight
    return 100.0 / n_right if choice.get("correct") else -100.0 / n_wrong


def _counted_multiple(choices: Sequence[dict], chosen: set[int], scoring: str) -> float:
    n_right = sum(1 for choice in choices if choice.get("correct"))
    n_wrong = len(choices) - n_right
    right = sum(1 for index in chosen if choices[index].get("correct"))
    wrong = len(chosen) - right
    if scoring == ALL_OR_NOTHING:
        return 1.0 if right == n_right and not wrong else 0.0
    if not n_right:
        return 0.0
    return max(0.0, right / n_right - (wrong / n_wrong if n_wrong else 0.0))


# --- short answer -------------------------------------------------------------------------

@grader("short")
def grade_short(content: dict, response, scoring: str) -> float | str:
    """The first accepted answer that matches gives its weight (100 % by default).

    A literal answer matches when both are equal after :func:`normalise_text`, ignoring the
    remaining spaces too (``MLPS2.0`` matches ``MLPS 2.0``, ``等保 2.0`` matches ``等保2.0``).
    A regex answer must match the whole normalised answer, ignoring case.
    """
    if response is None:
        return UNANSWERED
    if not isinstance(response, str):
        return 0.0
    answer = normalise_text(response)
    if not answer:
        return UNANSWERED
    key = answer.replace(" ", "")
    for accepted in content.get("answers") or ():
        if _accepts(accepted, answer, key):
            return _weight_share(accepted.get("weight"))
    return 0.0


def _accepts(accepted: dict, answer: str, key: str) -> bool:
    """Whether one accepted answer matches the normalised ``answer`` (``key``: no spaces)."""
    text = accepted.get("text")
    if not isinstance(text, str):
        return False
    if not accepted.get("regex"):
        return literal_key(text) == key
    if len(answer) > MAX_REGEX_INPUT:
        return False
    pattern = compiled_regex(text)
    return pattern is not None and pattern.fullmatch(answer) is not None


# --- numeric ------------------------------------------------------------------------------

def _numeric_match(accepted: dict, number: float) -> bool:
    low, high = accepted.get("low"), accepted.get("high")
    if low is not None and high is not None:
        slack = _REL_EPS * max(abs(low), abs(high))
        return low - slack <= number <= high + slack
    value = accepted.get("value")
    if value is None:
        return False
    tolerance = abs(accepted.get("tolerance") or 0.0)
    return abs(number - value) <= tolerance + _REL_EPS * max(abs(number), abs(value))


@grader("numeric")
def grade_numeric(content: dict, response, scoring: str) -> float | str:
    """The first accepted answer (value ± tolerance, or low .. high, both inclusive) that
    contains the number gives its weight (100 % by default). Not a number: wrong."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return UNANSWERED
    number = as_number(response)
    if number is None:
        return 0.0
    for accepted in content.get("answers") or ():
        if _numeric_match(accepted, number):
            return _weight_share(accepted.get("weight"))
    return 0.0


# --- matching, ordering, essay ------------------------------------------------------------

def _key_index(key, size: int) -> int:
    """A matching response key (an int, or a digit string as JSON stores it); −1 if invalid."""
    if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) < 10:
        key = int(key)
    return key if _is_index(key, size) else -1


@grader("matching")
def grade_matching(content: dict, response, scoring: str) -> float | str:
    """Partial: an equal share per left item matched right. All-or-nothing: all right.

    A left item is right when the chosen pair's right-hand text is its own (so two left
    items sharing a right-hand text accept either pair). Keys that are distractors (no left
    text) are ignored when their value is None; any other stray key makes the answer wrong.
    """
    if (verdict := _shape_verdict(response, dict)) is not None:
        return verdict
    pairs = content.get("pairs") or ()
    chosen = _matched_pairs(pairs, response)
    if chosen is None:
        return 0.0
    if not chosen:
        return UNANSWERED
    asked = sum(1 for pair in pairs if pair.get("left") is not None)
    right = sum(1 for left, pick in chosen.items()
                if pairs[pick].get("right") == pairs[left].get("right"))
    if scoring == ALL_OR_NOTHING:
        return 1.0 if right == asked else 0.0
    return right / asked


def _matched_pairs(pairs: Sequence[dict], response: dict) -> dict[int, int] | None:
    """The pair chosen for each left item answered; None when a key or a value is malformed."""
    size = len(pairs)
    chosen: dict[int, int] = {}
    for key, value in response.items():
        index = _key_index(key, size)
        if index < 0 or index in chosen:
            return None
        if value is None:
            continue
        if pairs[index].get("left") is None or not _is_index(value, size):
            return None
        chosen[index] = value
    return chosen


@grader("ordering")
def grade_ordering(content: dict, response, scoring: str) -> float | str:
    """All-or-nothing: the exact order. Partial: the share of items in their right position.

    The response must be a permutation of the items (no repeats, none missing); otherwise
    it is wrong.
    """
    if (verdict := _shape_verdict(response, (list, tuple))) is not None:
        return verdict
    sequence = content.get("sequence") or ()
    size = len(sequence)
    if not _is_permutation(response, size):
        return 0.0
    in_place = sum(1 for position, index in enumerate(response)
                   if sequence[index] == sequence[position])
    if scoring == ALL_OR_NOTHING:
        return 1.0 if in_place == size else 0.0
    return in_place / size


def _is_permutation(response: Sequence[object], size: int) -> bool:
    """Each of the ``size`` indices exactly once."""
    if len(response) != size:
        return False
    seen: set[object] = set()
    for value in response:
        if not _is_index(value, size) or value in seen:
            return False
        seen.add(value)
    return True


@grader("essay")
def grade_essay(content: dict, response, scoring: str) -> float | str:
    """Essays are marked by hand: a non-blank answer needs marking; blank is unanswered."""
    if response is None:
        return UNANSWERED
    if not isinstance(response, str):
        return 0.0
    return NEEDS_MARKING if response.strip() else UNANSWERED
