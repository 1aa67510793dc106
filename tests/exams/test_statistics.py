"""The statistics formulas against small cases computed by hand (and independently)."""

from __future__ import annotations

import math
import statistics as py_stats

import pytest

from app.exams import statistics as st


def test_mean_median_and_sample_standard_deviation():
    scores = [50.0, 60.0, 70.0, 80.0]
    assert st.mean(scores) == 65.0
    assert st.median(scores) == 65.0  # even count: mean of the middle two
    assert st.median([10.0, 30.0, 20.0]) == 20.0
    # Σ(x − 65)² = 225 + 25 + 25 + 225 = 500; ÷ (n − 1) = 166.67; √ = 12.91
    assert st.standard_deviation(scores) == pytest.approx(math.sqrt(500 / 3))
    assert st.standard_deviation(scores) == pytest.approx(py_stats.stdev(scores))


def test_empty_and_single_values_give_no_figure():
    assert st.mean([]) is None and st.median([]) is None
    assert st.standard_deviation([]) is None and st.standard_deviation([70.0]) is None
    assert st.pass_rate([]) is None


def test_pass_rate_and_pass_mark_are_inclusive():
    assert st.pass_rate([True, False, True, True]) == 75.0
    assert st.passed(6, 10, 60) is True  # 60 % exactly passes a 60 % mark
    assert st.passed(5.99, 10, 60) is False
    assert st.passed(0.7 * 3, 3, 70) is True  # float noise: 2.0999999999999996
    assert st.passed(None, 10, 60) is None
    assert st.percent(3, 4) == 75.0 and st.percent(None, 4) is None and st.percent(1, 0) is None


def test_histogram_has_ten_bands_and_100_is_in_the_last():
    counts = st.histogram([0, 9.99, 10, 55, 59.999, 100, 100, 20.000000000000004 - 1e-14])
    assert counts == [2, 1, 1, 0, 0, 2, 0, 0, 0, 2]
    assert sum(st.histogram([])) == 0 and len(st.histogram([])) == 10


def test_facility_index_is_mean_score_over_maximum_in_percent():
    assert st.facility_index([1, 0.5, 0, 1], [1, 1, 1, 1]) == pytest.approx(62.5)
    assert st.facility_index([2, 1], [2, 2]) == pytest.approx(75.0)
    assert st.facility_index([], []) is None
    with pytest.raises(ValueError):
        st.facility_index([1], [1, 1])


# Five people. Test totals 5, 4, 3, 2, 1 (the item included).
TOTALS = [5.0, 4.0, 3.0, 2.0, 1.0]


def _independent(item, totals):
    """The Pearson correlation of the item with the rest of the test, by the stdlib."""
    rest = [t - x for x, t in zip(item, totals, strict=True)]
    return 100 * py_stats.correlation(item, rest)


def test_discrimination_index_by_hand():
    item = [1.0, 1.0, 1.0, 0.0, 0.0]
    # rest = 4, 3, 2, 2, 1 (mean 2.4); item mean 0.6.
    # Σdx·dr = .4·1.6 + .4·.6 + .4·(−.4) + (−.6)(−.4) + (−.6)(−1.4) = 1.8
    # Σdx² = 1.2, Σdr² = 5.2  →  D = 100 × 1.8 / √6.24 = 72.06
    d = st.discrimination_index(item, TOTALS)
    assert d == pytest.approx(100 * 1.8 / math.sqrt(1.2 * 5.2))
    assert d == pytest.approx(72.058, abs=1e-3)
    assert d == pytest.approx(_independent(item, TOTALS))
    assert not st.is_negative(d)


def test_negative_discrimination_is_flagged():
    item = [0.0, 0.0, 1.0, 1.0, 1.0]  # the weakest got it right, the strongest wrong
    # rest = 5, 4, 2, 1, 0: Σdx·dr = −4.2, Σdx² = 1.2, Σdr² = 17.2 → D = −92.45
    d = st.discrimination_index(item, TOTALS)
    assert d == pytest.approx(100 * -4.2 / math.sqrt(1.2 * 17.2))
    assert d == pytest.approx(_independent(item, TOTALS))
    assert st.is_negative(d)


def test_partial_credit_items_use_the_same_formula():
    item = [2.0, 1.5, 0.5, 1.0, 0.0]
    totals = [9.0, 7.5, 6.0, 4.0, 2.0]
    assert st.discrimination_index(item, totals) == pytest.approx(_independent(item, totals))


def test_discrimination_is_undefined_without_variance_or_people():
    assert st.discrimination_index([1.0, 1.0, 1.0], [3.0, 2.0, 1.0]) is None  # all right
    assert st.discrimination_index([1.0, 0.0], [2.0, 1.0]) is None  # rest: 1, 1
    assert st.discrimination_index([1.0], [1.0]) is None
    assert not st.is_negative(None)


def test_choice_frequencies_count_each_chosen_option():
    responses = [0, 1, None, [0, 2], 5, [], [2, 2], True]
    counts, unanswered = st.choice_frequencies(responses, 3)
    assert counts == [2, 1, 2]  # a repeated index counts once; 5 and True count nowhere
    assert unanswered == 2  # None and []
