"""Chart geometry: bars on a 0-100 scale, gaps for missing values, band lines."""

from __future__ import annotations

import re
from decimal import Decimal as D

from flask import render_template_string

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


BANDS = {"excellent": D(90), "good": D(75), "qualified": D(60)}


def _svg_x(svg: str, css_class: str) -> dict[str, float]:
    """x of each vertical line of a class in the rendered SVG, keyed by its data-value."""
    return {value: float(x) for value, x in re.findall(
        rf'<line class="{css_class}" data-value="([^"]+)" x1="([^"]+)"', svg)}


def test_band_lines_meet_the_axis_ticks_of_their_value():
    chart = charts.distribution([D(5), D(61), D(74.9), D(95)], BANDS)
    ticks = {t["value"]: t["x"] for t in chart["ticks"]}
    assert list(ticks) == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert ticks[0] == chart["left"] and ticks[100] == chart["right"]
    lines = {line["band"]: line["x"] for line in chart["lines"]}
    assert lines["qualified"] == ticks[60] and lines["excellent"] == ticks[90]
    assert lines["good"] == (ticks[70] + ticks[80]) / 2  # 75 is half-way between 70 and 80
    for index, bar in enumerate(chart["bars"]):  # each bar inside its tenth, centred on it
        low, high = ticks[index * 10], ticks[(index + 1) * 10]
        assert (bar["low"], bar["high"]) == (index * 10, (index + 1) * 10)
        assert low < bar["x"] and bar["x"] + bar["w"] < high
        assert bar["mid"] == round((low + high) / 2, 1)


def test_the_rendered_distribution_draws_lines_at_the_ticks_of_their_value(app):
    chart = charts.distribution([D(62), D(88)], BANDS)
    with app.test_request_context():
        svg = render_template_string('{% import "assessments/_charts.html" as charts with '
                                     'context %}{{ charts.distribution(chart) }}', chart=chart)
    ticks, lines = _svg_x(str(svg), "axis-tick"), _svg_x(str(svg), "band-line")
    assert len(ticks) == 11 and set(lines) == {"60", "75", "90"}
    assert lines["60"] == ticks["60"] and lines["90"] == ticks["90"]
    assert ticks["70"] < lines["75"] < ticks["80"]
    labels = re.findall(r'<text x="([^"]+)" y="[^"]+" text-anchor="middle" font-size="10" '
                        r'fill="#6b7280">(\d+)</text>', str(svg))
    assert {value: float(x) for x, value in labels} == ticks  # each label under its tick
