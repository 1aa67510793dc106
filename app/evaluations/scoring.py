"""The arithmetic of evaluations: a reviewer's total, the result, disagreement, consistency.

Pure functions over a rubric version's content (``Rubric.content()``: weights and
points are decimal strings) and plain numbers, so every figure can be checked by
hand. Everything is exact (``Decimal``) and rounded once, half up, to two decimals.

- A reviewer's **total** (0-100): each criterion contributes its weight times the
  chosen level's points divided by the criterion's highest points; the weights of a
  rubric total 100.
- The evaluation's **result**: the mean of the reviewers' totals.
- **Spread**: the highest total minus the lowest; above the evaluation's limit
  (default 20 points) the evaluation is flagged for moderation.
- **Consistency** (§4.1), per reviewer: how many evaluations, the mean total given,
  and the mean difference between their total and the mean of the other reviewers'
  totals on the same evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def rounded(value: Decimal, step: Decimal = CENT) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _points(criterion: Mapping) -> dict[int, Decimal]:
    return {int(level["value"]): Decimal(level["points"]) for level in criterion["levels"]}


def missing_criteria(criteria: Iterable[Mapping], levels: Mapping[str, int | None]) -> list[str]:
    """Keys of the criteria without a valid level (a scorecard can't be submitted then)."""
    return [c["key"] for c in criteria if levels.get(c["key"]) not in _points(c)]


def review_total(criteria: Iterable[Mapping], levels: Mapping[str, int | None]) -> Decimal:
    """A reviewer's weighted total on the 0-100 scale; every criterion needs a level."""
    criteria = list(criteria)
    if missing := missing_criteria(criteria, levels):
        raise ValueError(f"no level chosen for: {', '.join(missing)}")
    chosen = {key: level for key, level in levels.items() if level is not None}
    total = Decimal(0)
    weights = Decimal(0)
    for criterion in criteria:
        points = _points(criterion)
        weight = Decimal(criterion["weight"])
        weights += weight
        total += weight * points[chosen[criterion["key"]]] / max(points.values())
    return rounded(total * 100 / weights)  # weights total 100; dividing keeps any rubric honest


def mean(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    return _average(values) if values else None


def _average(values: list[Decimal]) -> Decimal:
    """The rounded mean of some values (at least one)."""
    return rounded(sum(values, Decimal(0)) / len(values))


def spread(totals: Iterable[Decimal]) -> Decimal:
    totals = list(totals)
    return max(totals) - min(totals) if len(totals) > 1 else Decimal(0)


def disagree(totals: Iterable[Decimal], limit: Decimal) -> bool:
    """True when reviewers differ by more than ``limit`` points: moderation needed."""
    return spread(totals) > limit


@dataclass(frozen=True)
class CriterionSummary:
    key: str
    title: str
    weight: Decimal
    average_level: Decimal | None  # to one decimal
    nearest_level: int | None      # the level whose descriptor describes the average
    max_level: int


def criterion_summaries(criteria: Iterable[Mapping],
                        scorecards: Iterable[Mapping[str, int | None]]
                        ) -> list[CriterionSummary]:
    """Per criterion: the reviewers' average level and the level nearest to it."""
    scorecards = list(scorecards)
    summaries = []
    for criterion in criteria:
        values = sorted(_points(criterion))
        chosen = [level for card in scorecards
                  if (level := card.get(criterion["key"])) is not None and level in values]
        average = (rounded(Decimal(sum(chosen)) / len(chosen), TENTH) if chosen else None)
        nearest = (min(values, key=lambda v: (abs(Decimal(v) - average), -v))
                   if average is not None else None)
        summaries.append(CriterionSummary(criterion["key"], criterion["title"],
                                          Decimal(criterion["weight"]), average, nearest,
                                          values[-1]))
    return summaries


@dataclass(frozen=True)
class Consistency:
    reviewer_id: int
    evaluations: int
    mean_total: Decimal
    compared: int                   # evaluations that had other reviewers too
    mean_difference: Decimal | None  # mean of (own total - mean of the others' totals)


def consistency(totals: Iterable[tuple[int, int, Decimal]]) -> list[Consistency]:
    """From (evaluation id, reviewer id, total) of current submitted reviews."""
    by_evaluation: dict[int, dict[int, Decimal]] = {}
    for evaluation_id, reviewer_id, total in totals:
        by_evaluation.setdefault(evaluation_id, {})[reviewer_id] = Decimal(total)
    given: dict[int, list[Decimal]] = {}
    differences: dict[int, list[Decimal]] = {}
    for reviews in by_evaluation.values():
        for reviewer_id, total in reviews.items():
            given.setdefault(reviewer_id, []).append(total)
            others = [t for r, t in reviews.items() if r != reviewer_id]
            if others:
                differences.setdefault(reviewer_id, []).append(
                    total - sum(others, Decimal(0)) / len(others))
    return [Consistency(reviewer_id, len(values), _average(values),
                        len(differences.get(reviewer_id, [])),
                        mean(differences.get(reviewer_id, [])))
            for reviewer_id, values in sorted(given.items())]
