"""Chart geometry: bars on a 0-100 scale, gaps for missing values, band lines."""

from __future__ import annotations

from decimal import Decimal as D

from app.assessments import charts


def test_indicator_bars_scale_to_100_and_mark_missing_values():
    chart = charts.indicator_bars({"knowledge": D(100), "capability": D(50),
                                   "performance": None, "professionalism": D(0)}, None)
    bars = {g["key"]: g["bars"] for g in chart["groups"]}
    assert len(bars["knowledge"]) == 1 and not chart["has_previous"]
    full, half = bars["knowledge"][0], bars["capability"][0]
    assert full["h"] == chart["base"] - 20 and half["h"] == full["h"] / 2
    assert bars["performance"][0]["missing"] and bars["professionalism"][0]["h"] == 0
    with_previous = charts.indicator_bars({"knowledge": D(80)}, {"knowledge": D(60)})
    assert [b["name"] for b in with_previous["groups"][0]["bars"]] == ["previous", "current"]


def test_the_trend_breaks_where_a_period_is_incomplete():
    chart = charts.trend([("Q1", D(70)), ("Q2", D(75)), ("Q3", None), ("Q4", D(80)),
                          ("Q5", D(85))])
    assert len(chart["segments"]) == 2
    assert [d["y"] is None for d in chart["dots"]] == [False, False, True, False, False]


def test_the_distribution_counts_tenths_and_marks_the_bands():
    chart = charts.distribution([D("59.99"), D("60"), D("75.5"), D("100")],
                                {"excellent": D(90), "good": D(75), "qualified": D(60)})
    counts = [b["count"] for b in chart["bars"]]
    assert counts[5] == 1 and counts[6] == 1 and counts[7] == 1 and counts[9] == 1
    assert [line["band"] for line in chart["lines"]] == ["qualified", "good", "excellent"]
