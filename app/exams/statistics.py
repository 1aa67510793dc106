"""Exam statistics: the formulas, and nothing else. Pure: numbers in, numbers out.

No Flask, no database: the results page gathers the numbers and calls these functions, and
the tests check them against small hand-computed cases.

Test-level figures (mean, median, standard deviation, pass rate, distribution) follow the
definitions of Moodle's quiz statistics report (docs.moodle.org/dev/Quiz_statistics_calculations,
``mod/quiz/report/statistics/classes/calculator.php``): the median of an even number of scores
is the mean of the middle two, and the standard deviation is the *sample* one (divided by
n − 1), undefined for fewer than two scores.

Item analysis follows Moodle's question statistics
(``question/classes/statistics/questions/calculator.php``):

- facility index F = 100 × mean item score ÷ item maximum (0 %: nobody scored, 100 %: all
  got full marks);
- discrimination index D = 100 × r(x, X), the Pearson correlation between the item score x
  and the score on the *rest of the test* X = attempt total − x, i.e.
  D = 100 × Σ(x − x̄)(X − X̄) ÷ √(Σ(x − x̄)² · Σ(X − X̄)²). Leaving the item out of the total
  keeps it from correlating with itself. D is undefined when either variance is zero (all
  scored the same on the item or on the rest). A negative D means stronger candidates did
  worse on the item than weaker ones: usually a wrong key or a misleading stem.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = ["BUCKETS", "choice_frequencies", "discrimination_index", "facility_index",
           "histogram", "histogram_axis", "histogram_bars", "is_negative", "mean", "median",
           "pass_rate", "passed", "percent", "percent_x", "standard_deviation"]

BUCKETS = 10  # the distribution chart: 0–10 %, 10–20 %, …, 90–100 %

# Scores are stored rounded to 0.01, so comparisons allow for float noise far below that.
_EPS = 1e-9


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean Σx ÷ n; None for no values."""
    return math.fsum(values) / len(values) if values else None


def _deviations(values: Sequence[float]) -> list[float]:
    """Each value minus the mean of the (non-empty) values."""
    centre = math.fsum(values) / len(values)
    return [x - centre for x in values]


def median(values: Sequence[float]) -> float | None:
    """The middle value of the sorted values; for an even count, the mean of the middle two
    (as Moodle's report). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def standard_deviation(values: Sequence[float]) -> float | None:
    """The sample standard deviation √(Σ(x − x̄)² ÷ (n − 1)), as Moodle reports it.

    None for fewer than two values (one score has no spread to estimate).
    """
    if len(values) < 2:
        return None
    return math.sqrt(math.fsum(d ** 2 for d in _deviations(values)) / (len(values) - 1))


def percent(score: float | None, max_score: float) -> float | None:
    """Score as a percentage of the maximum: 100 × score ÷ max; None without a score or
    when the maximum is zero."""
    if score is None or not max_score:
        return None
    return 100 * score / max_score


def passed(score: float | None, max_score: float, pass_mark: float) -> bool | None:
    """Whether a score reaches the pass mark (a percentage, inclusive).

    Compared as score × 100 ≥ pass mark × max, so 6 of 10 passes a 60 % mark even when
    6 ÷ 10 × 100 is a hair below 60 in binary floating point. None without a score.
    """
    if score is None:
        return None
    if not max_score:
        return pass_mark <= 0
    return score * 100 >= pass_mark * max_score - _EPS


def pass_rate(results: Iterable[bool | None]) -> float | None:
    """Share of results that passed, in percent: 100 × passes ÷ n; None for no results.

    A result without a verdict (None) counts as not passed."""
    outcomes = list(results)
    if not outcomes:
        return None
    return 100 * sum(1 for ok in outcomes if ok) / len(outcomes)


def histogram(percents: Iterable[float], buckets: int = BUCKETS) -> list[int]:
    """How many percentages fall in each of ``buckets`` equal bands of 0–100.

    Band k holds [k × w, (k + 1) × w) with w = 100 ÷ buckets; the last band also holds 100.
    Values outside 0–100 are clamped into the first or last band.
    """
    counts = [0] * buckets
    width = 100 / buckets
    for value in percents:
        index = int((value + _EPS) // width) if value > 0 else 0
        counts[min(max(index, 0), buckets - 1)] += 1
    return counts


def percent_x(value: float, left: float, plot_w: float) -> float:
    """Where ``value`` (0–100, clamped) lies on a chart's 0–100 axis: the one scale that
    bars, axis ticks and threshold lines share, so a line at 60 meets the tick for 60."""
    return round(left + plot_w * min(max(float(value), 0.0), 100.0) / 100, 1)


def _edge(index: int, buckets: int) -> float | int:
    value = index * 100 / buckets
    return int(value) if value == int(value) else round(value, 1)


def histogram_axis(buckets: int, left: float, plot_w: float) -> list[dict]:
    """The ticks under a histogram: one at every band edge, 0 to 100 (``buckets`` + 1)."""
    return [{"value": _edge(k, buckets), "x": percent_x(_edge(k, buckets), left, plot_w)}
            for k in range(buckets + 1)]


def histogram_bars(counts: Sequence[int], left: float, top: float, plot_w: float,
                   plot_h: float, gap: float) -> list[dict]:
    """Geometry of a histogram's bars (inline SVG): band k spans its edges on the 0–100
    axis (``percent_x`` of k × w and (k + 1) × w), less ``gap`` on each side; the tallest
    bar fills the plot."""
    peak = max(counts) or 1
    bars = []
    for index, count in enumerate(counts):
        bar_h = round(plot_h * count / peak, 1)
        low, high = _edge(index, len(counts)), _edge(index + 1, len(counts))
        x0, x1 = percent_x(low, left, plot_w), percent_x(high, left, plot_w)
        bars.append({"x": round(x0 + gap, 1), "w": round(x1 - x0 - 2 * gap, 1), "h": bar_h,
                     "y": round(top + plot_h - bar_h, 1), "mid": round((x0 + x1) / 2, 1),
                     "count": count, "low": low, "high": high})
    return bars


def facility_index(scores: Sequence[float], max_marks: Sequence[float]) -> float | None:
    """Moodle's facility index in percent: F = 100 × x̄ ÷ x_max.

    ``max_marks`` gives each score's maximum (an exam can serve a question with different
    points): F = 100 × Σx ÷ Σx_max, which is exactly Moodle's mean ÷ max when the maximum is
    the same for everyone. None without scores or when the maxima sum to zero.
    """
    if len(scores) != len(max_marks):
        raise ValueError("one maximum per score")
    total_max = math.fsum(max_marks)
    if not scores or total_max <= 0:
        return None
    return 100 * math.fsum(scores) / total_max


def discrimination_index(item_scores: Sequence[float],
                         totals: Sequence[float]) -> float | None:
    """Moodle's discrimination index in percent: D = 100 × r(x, X), X = total − x.

    ``item_scores[k]`` is candidate k's score on the item and ``totals[k]`` their score on
    the whole test (the item included). D = 100 × Σ(x − x̄)(X − X̄) ÷ √(Σ(x − x̄)² Σ(X − X̄)²);
    the n − 1 of Moodle's covariance and variances cancels. None for fewer than two
    candidates or when either variance is zero.
    """
    if len(item_scores) != len(totals):
        raise ValueError("one total per item score")
    if len(item_scores) < 2:
        return None
    dx = _deviations(item_scores)
    dr = _deviations([total - score for score, total in zip(item_scores, totals, strict=True)])
    sxx, srr = math.fsum(d ** 2 for d in dx), math.fsum(d ** 2 for d in dr)
    if sxx <= _EPS or srr <= _EPS:
        return None
    return 100 * math.fsum(x * r for x, r in zip(dx, dr, strict=True)) / math.sqrt(sxx * srr)


def is_negative(discrimination: float | None) -> bool:
    """A question to check: its discrimination index is below zero."""
    return discrimination is not None and discrimination < -_EPS


def choice_frequencies(responses: Iterable[object], size: int) -> tuple[list[int], int]:
    """How often each of ``size`` options was chosen, and how many gave no answer.

    A response is an option index (single choice, true/false), a list of indices (multiple
    choice), or None / an empty list (no answer). Each chosen index counts once per response;
    anything else (an index out of range, a bool, text) is malformed and counts nowhere.
    Returns (counts by index, unanswered).
    """
    counts = [0] * size
    unanswered = 0
    for response in responses:
        if response is None or (isinstance(response, (list, tuple, set)) and not response):
            unanswered += 1
            continue
        for index in _indices(response):
            if 0 <= index < size:
                counts[index] += 1
    return counts, unanswered


def _indices(response: object) -> set[int]:
    if isinstance(response, bool) or response is None:
        return set()
    if isinstance(response, int):
        return {response}
    if isinstance(response, (list, tuple, set)):
        return {v for v in response if isinstance(v, int) and not isinstance(v, bool)}
    return set()
