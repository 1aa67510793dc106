"""Geometry of the assessment charts (inline SVG drawn on the server: no script, no
inline style). Pure: the templates only place what these functions compute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from app.assessments.indicators import INDICATORS
from app.exams.statistics import BUCKETS, histogram, histogram_axis, histogram_bars, percent_x

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 600, 240, 36, 20, 44


PLOT_W, PLOT_H = WIDTH - 2 * LEFT, HEIGHT - TOP - BOTTOM
Chart = dict[str, Any]  # what a template macro of _charts.html draws


def _y(value: Decimal | float, plot_h: float = PLOT_H) -> float:
    return round(TOP + plot_h - plot_h * float(value) / 100, 1)


def _frame(**parts: Any) -> Chart:
    """A chart on the shared canvas: its size, plot edges and baseline, and ``parts``."""
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - LEFT,
            "base": TOP + PLOT_H, **parts}


def _grid() -> list[dict[str, float]]:
    return [{"value": v, "y": _y(v)} for v in (0, 50, 100)]


def _bar(name: str, value: Decimal | None, x: float, w: float) -> dict[str, Any]:
    """One bar; a missing value gets a place (a dash) but no height."""
    bar = {"name": name, "missing": value is None, "value": value,
           "x": round(x, 1), "w": round(w, 1)}
    if value is not None:
        top = _y(value)
        bar.update(y=top, h=round(TOP + PLOT_H - top, 1))
    return bar


def indicator_bars(current: Mapping[str, Decimal | None],
                   previous: Mapping[str, Decimal | None] | None) -> Chart:
    """Four groups of bars on a 0-100 scale: the previous period's (if any) and this one's."""
    slot = PLOT_W / len(INDICATORS)
    groups = []
    for index, key in enumerate(INDICATORS):
        x = LEFT + index * slot
        shown = [("current", current.get(key))]
        if previous is not None:
            shown.insert(0, ("previous", previous.get(key)))
        bar_w = (slot - 24) / len(shown)
        bars = [_bar(name, value, x + 12 + n * bar_w, bar_w - 4)
                for n, (name, value) in enumerate(shown)]
        groups.append({"key": key, "mid": round(x + slot / 2, 1), "bars": bars})
    return _frame(groups=groups, has_previous=previous is not None, grid=_grid())


def _segments(dots: Sequence[dict[str, Any]]) -> list[str]:
    """Polyline points joining consecutive results; an incomplete period breaks the line."""
    segments: list[str] = []
    run: list[dict[str, Any]] = []
    for dot in [*dots, {"value": None}]:
        if dot["value"] is not None:
            run.append(dot)
            continue
        if len(run) > 1:
            segments.append(" ".join(f"{d['x']},{d['y']}" for d in run))
        run = []
    return segments


def trend(points: Sequence[tuple[str, Decimal | None]]) -> Chart:
    """The comprehensive result across periods, oldest first; gaps where incomplete."""
    step = PLOT_W / max(len(points) - 1, 1)
    dots = [{"label": label, "value": value,
             "x": round(LEFT + index * step if len(points) > 1 else LEFT + PLOT_W / 2, 1),
             "y": _y(value) if value is not None else None}
            for index, (label, value) in enumerate(points)]
    return _frame(dots=dots, segments=_segments(dots), grid=_grid())


def distribution(totals: Sequence[Decimal], bands: Mapping[str, Decimal | str]) -> Chart:
    """How many totals fall in each tenth of 0-100, with the band thresholds marked.

    One 0-100 axis for all three: each bar spans its tenth, a tick stands at every edge
    (0, 10, ..., 100) and each band's line at its own threshold on the same scale."""
    bars = histogram_bars(histogram([float(t) for t in totals]), LEFT, TOP, PLOT_W, PLOT_H, 3)
    lines = [{"band": name, "value": Decimal(bands[name]),
              "x": percent_x(float(Decimal(bands[name])), LEFT, PLOT_W)}
             for name in ("qualified", "good", "excellent")]
    return _frame(bars=bars, lines=lines, ticks=histogram_axis(BUCKETS, LEFT, PLOT_W))
