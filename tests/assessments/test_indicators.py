"""The assessment arithmetic against hand-computed cases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from app.assessments import indicators as ind


def src(value, kind="attempt", id_=1, day=1):
    return ind.Source(kind, id_, f"{kind} {id_}", D(value), datetime(2026, 10, day, tzinfo=UTC))


def test_several_exams_combine_by_the_plans_rule():
    exams = [src("80", id_=1, day=3), src("65.5", id_=2, day=20), src("90", id_=3, day=10)]
    assert ind.knowledge(exams).value == D("78.50")          # 235.5 / 3
    assert ind.knowledge(exams, "best").value == D("90.00")
    assert ind.knowledge(exams, "latest").value == D("65.50")  # taken on day 20
    assert ind.knowledge([]).missing


def test_capability_is_the_mean_of_demonstrations_and_interviews():
    result = ind.capability([src("71.25", "evaluation", 1), src("80", "evaluation", 2)])
    assert result.value == D("75.63")  # 75.625 rounds half up
    assert [s.id for s in result.sources] == [1, 2]


def test_work_performance_follows_the_formula_and_scales_missing_parts_away():
    reviews = [src("70", "evaluation", 5), src("90", "evaluation", 6)]  # mean 80
    full = ind.performance(reviews, src("60", "entry", 1), src("90", "entry", 2))
    assert full.value == D("77.00")  # (40*80 + 30*60 + 30*90) / 100
    no_projects = ind.performance([], src("60", "entry", 1), src("90", "entry", 2))
    assert no_projects.value == D("75.00")  # (30*60 + 30*90) / 60
    assert no_projects.detail["missing"] == ["project_reviews"]
    custom = ind.performance(reviews, src("60", "entry", 1), None,
                             {"project_reviews": D(50), "success_rate": D(50),
                              "satisfaction": D(0)})
    assert custom.value == D("70.00")
    assert ind.performance([], None, None).missing


def test_professionalism_takes_the_latest_rating():
    result = ind.professionalism([src("70", "evaluation", 1, day=2),
                                  src("85", "evaluation", 2, day=25)])
    assert result.value == D("85.00") and result.sources[0].id == 2


def test_the_comprehensive_result_weights_the_four_and_names_the_band():
    values = {"knowledge": "78.50", "capability": "75.63", "performance": "77.00",
              "professionalism": "85.00"}
    indicators = {k: ind.Indicator(k, D(v)) for k, v in values.items()}
    result = ind.comprehensive(indicators)
    # 0.30*78.50 + 0.30*75.63 + 0.25*77.00 + 0.15*85.00 = 23.55 + 22.689 + 19.25 + 12.75
    assert result.total == D("78.24") and result.band == "good" and result.complete
    top = {k: ind.Indicator(k, D(90)) for k in ind.INDICATORS}
    assert ind.comprehensive(top).band == "excellent"  # exactly on the boundary
    low = {k: ind.Indicator(k, D("59.99")) for k in ind.INDICATORS}
    assert ind.comprehensive(low).band == "unqualified"


def test_a_missing_indicator_is_never_counted_as_zero():
    indicators = {k: ind.Indicator(k, D(80)) for k in ind.INDICATORS}
    indicators["professionalism"] = ind.Indicator("professionalism", None)
    result = ind.comprehensive(indicators)
    assert result.total is None and result.band is None
    assert result.missing == ["professionalism"] and not result.complete
    # an indicator weighted 0 by the plan may be missing
    weights = {"knowledge": D(40), "capability": D(35), "performance": D(25),
               "professionalism": D(0)}
    assert ind.comprehensive(indicators, weights).total == D("80.00")


def test_plans_weights_and_bands_are_checked():
    assert ind.check_weights(ind.DEFAULT_WEIGHTS) is None
    assert "total 100 (they total 95)" in ind.check_weights(
        {**ind.DEFAULT_WEIGHTS, "knowledge": D(25)})
    assert ind.check_bands(ind.DEFAULT_BANDS) is None
    assert ind.check_bands({"excellent": D(75), "good": D(75), "qualified": D(60)})
