"""Geometry of the assessment charts (inline SVG drawn on the server: no script, no
inline style). Pure: the templates only place what these functions compute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.assessments.indicators import INDICATORS
from app.exams.statistics import BUCKETS, histogram, histogram_axis, histogram_bars, percent_x

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 600, 240, 36, 20, 44


def _y(value: Decimal | float, plot_h: float) -> float:
    return round(TOP + plot_h - plot_h * float(value) / 100, 1)


def indicator_bars(current: Mapping[str, Decimal | None],
                   previous: Mapping[str, Decimal | None] | None) -> dict:
    """Four groups of bars on a 0-100 scale: the previous period's (if any) and this one's."""
    plot_w, plot_h = WIDTH - 2 * LEFT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(INDICATORS)
    groups = []
    for index, key in enumerate(INDICATORS):
        x = LEFT + index * slot
        series = [("previous", (previous or {}).get(key)), ("current", current.get(key))]
        shown = [(name, value) for name, value in series if previous is not None
                 or name == "current"]
        bar_w = (slot - 24) / len(shown)
        bars = []
        for n, (name, value) in enumerate(shown):
            if value is None:
                bars.append({"name": name, "missing": True, "x": round(x + 12 + n * bar_w, 1),
                             "w": round(bar_w - 4, 1), "value": None})
                continue
            top = _y(value, plot_h)
            bars.append({"name": name, "missing": False, "value": value,
                         "x": round(x + 12 + n * bar_w, 1), "w": round(bar_w - 4, 1),
                         "y": top, "h": round(TOP + plot_h - top, 1)})
        groups.append({"key": key, "mid": round(x + slot / 2, 1), "bars": bars})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - LEFT,
            "base": TOP + plot_h, "groups": groups, "has_previous": previous is not None,
            "grid": [{"value": v, "y": _y(v, plot_h)} for v in (0, 50, 100)]}


def trend(points: Sequence[tuple[str, Decimal | None]]) -> dict:
    """The comprehensive result across periods, oldest first; gaps where incomplete."""
    plot_w, plot_h = WIDTH - 2 * LEFT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)
    dots = []
    for index, (label, value) in enumerate(points):
        x = round(LEFT + index * step if len(points) > 1 else LEFT + plot_w / 2, 1)
        dots.append({"label": label, "value": value, "x": x,
                     "y": _y(value, plot_h) if value is not None else None})
    # A line joins consecutive results; an incomplete period breaks it.
    segments, run = [], []
    for dot in dots:
        if dot["value"] is None:
            if len(run) > 1:
                segments.append(" ".join(f"{d['x']},{d['y']}" for d in run))
            run = []
        else:
            run.append(dot)
    if len(run) > 1:
        segments.append(" ".join(f"{d['x']},{d['y']}" for d in run))
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - LEFT,
            "base": TOP + plot_h, "dots": dots, "segments": segments,
            "grid": [{"value": v, "y": _y(v, plot_h)} for v in (0, 50, 100)]}


def distribution(totals: Sequence[Decimal], bands: Mapping[str, Decimal]) -> dict:
    """How many totals fall in each tenth of 0-100, with the band thresholds marked.

    One 0-100 axis for all three: each bar spans its tenth, a tick stands at every edge
    (0, 10, ..., 100) and each band's line at its own threshold on the same scale."""
    plot_w, plot_h = WIDTH - 2 * LEFT, HEIGHT - TOP - BOTTOM
    bars = histogram_bars(histogram([float(t) for t in totals]), LEFT, TOP, plot_w, plot_h, 3)
    lines = [{"band": name, "value": Decimal(bands[name]),
              "x": percent_x(Decimal(bands[name]), LEFT, plot_w)}
             for name in ("qualified", "good", "excellent")]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - LEFT,
            "base": TOP + plot_h, "bars": bars, "lines": lines,
            "ticks": histogram_axis(BUCKETS, LEFT, plot_w)}
