"""The arithmetic of evaluations against cases computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.evaluations import scoring

# A: weight 40, highest 100 points; B: weight 35, highest 5; C: weight 25, highest 3.
CRITERIA = [
    {"key": "a", "title": "A", "weight": "40",
     "levels": [{"value": 1, "points": "0"}, {"value": 2, "points": "50"},
                {"value": 3, "points": "100"}]},
    {"key": "b", "title": "B", "weight": "35",
     "levels": [{"value": 1, "points": "0"}, {"value": 2, "points": "2"},
                {"value": 3, "points": "4"}, {"value": 4, "points": "5"}]},
    {"key": "c", "title": "C", "weight": "25",
     "levels": [{"value": 0, "points": "0"}, {"value": 1, "points": "1.5"},
                {"value": 2, "points": "3"}]},
]
X = {"a": 2, "b": 3, "c": 1}  # 40*.5 + 35*.8 + 25*.5 = 20 + 28 + 12.5
Y = {"a": 3, "b": 4, "c": 2}  # everything at the top
Z = {"a": 1, "b": 2, "c": 0}  # 0 + 35*.4 + 0


def test_a_reviewers_total_weights_each_criterion_by_its_share_of_the_top_points():
    assert scoring.review_total(CRITERIA, X) == D("60.50")
    assert scoring.review_total(CRITERIA, Y) == D("100.00")
    assert scoring.review_total(CRITERIA, Z) == D("14.00")


def test_totals_round_half_up_to_cents():
    thirds = [{"key": k, "title": k, "weight": w,
               "levels": [{"value": 1, "points": "0"}, {"value": 2, "points": "1"},
                          {"value": 3, "points": "2"}]}
              for k, w in (("p", "33.33"), ("q", "33.33"), ("r", "33.34"))]
    # 33.33 * 1/2 = 16.665 -> 16.67 (banker's rounding would give 16.66)
    assert scoring.review_total(thirds, {"p": 2, "q": 1, "r": 1}) == D("16.67")
    assert scoring.review_total(thirds, {"p": 2, "q": 2, "r": 2}) == D("50.00")


def test_a_missing_or_unknown_level_cannot_be_totalled():
    assert scoring.missing_criteria(CRITERIA, {"a": 2, "b": 9}) == ["b", "c"]
    with pytest.raises(ValueError, match="b, c"):
        scoring.review_total(CRITERIA, {"a": 2, "b": 9})


def test_the_result_is_the_mean_and_disagreement_is_the_spread_over_the_limit():
    totals = [D("60.50"), D("100.00"), D("14.00")]
    assert scoring.mean(totals) == D("58.17")  # 174.5 / 3 = 58.1666...
    assert scoring.mean(totals[:2]) == D("80.25")
    assert scoring.spread(totals) == D("86.00")
    assert scoring.disagree([D("60"), D("80")], D("20")) is False  # exactly the limit
    assert scoring.disagree([D("60"), D("80.01")], D("20")) is True
    assert scoring.disagree([D("60")], D("0")) is False  # one reviewer cannot disagree
    assert scoring.mean([]) is None


def test_criterion_summaries_average_the_levels_and_name_the_nearest_level():
    summaries = {s.key: s for s in scoring.criterion_summaries(CRITERIA, [X, Y])}
    assert summaries["a"].average_level == D("2.5") and summaries["a"].nearest_level == 3
    assert summaries["b"].average_level == D("3.5") and summaries["b"].max_level == 4
    three = {s.key: s for s in scoring.criterion_summaries(CRITERIA, [X, Y, Z])}
    assert three["c"].average_level == D("1.0") and three["c"].nearest_level == 1
    assert three["b"].average_level == D("3.0")  # (3 + 4 + 2) / 3


def test_consistency_compares_each_reviewer_with_the_others_on_the_same_evaluations():
    rows = [(1, 10, D("60.5")), (1, 11, D("100")),
            (2, 10, D("70")), (2, 11, D("80")), (2, 12, D("90")),
            (3, 10, D("50"))]
    by_reviewer = {c.reviewer_id: c for c in scoring.consistency(rows)}
    x, y, z = by_reviewer[10], by_reviewer[11], by_reviewer[12]
    assert (x.evaluations, x.mean_total, x.compared) == (3, D("60.17"), 2)
    assert x.mean_difference == D("-27.25")  # (-39.5 + (70 - 85)) / 2
    assert (y.evaluations, y.mean_total, y.mean_difference) == (2, D("90.00"), D("19.75"))
    assert (z.evaluations, z.mean_difference) == (1, D("15.00"))  # 90 - (70 + 80) / 2
    alone = scoring.consistency([(5, 20, D("70"))])[0]
    assert alone.compared == 0 and alone.mean_difference is None
