"""The arithmetic of an assessment record (§3.1, §3.2.3). Pure: stdlib only.

Four indicators, each on a 0-100 scale, each traced to its sources:

1. **Professional knowledge**: the counted exams' results in the period (an exam's
   result is its percentage, after the exam's own rule for several attempts);
   several exams combine by the plan's rule: ``mean`` (default), ``best`` or
   ``latest``.
2. **Business capability**: the mean of the released demonstration and interview
   results in the period.
3. **Work performance**: a weighted mean of its components, by the plan's formula
   (default project reviews 40, project success rate 30, customer satisfaction 30).
   Components without data are left out and the others' weights scale up; with no
   component at all the indicator is missing.
4. **Professionalism**: the manager's latest released professionalism rating.

The comprehensive result is Σ weight × indicator ÷ 100 over the four (weights total
100), with its grade band. A missing indicator is never counted as zero: the
record is incomplete and has no comprehensive result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

INDICATORS = ("knowledge", "capability", "performance", "professionalism")
DEFAULT_WEIGHTS = {"knowledge": Decimal(30), "capability": Decimal(30),
                   "performance": Decimal(25), "professionalism": Decimal(15)}
DEFAULT_BANDS = {"excellent": Decimal(90), "good": Decimal(75), "qualified": Decimal(60)}
BANDS = ("excellent", "good", "qualified", "unqualified")
PERFORMANCE_PARTS = ("project_reviews", "success_rate", "satisfaction")
DEFAULT_PERFORMANCE = {"project_reviews": Decimal(40), "success_rate": Decimal(30),
                       "satisfaction": Decimal(30)}
EXAM_COMBINE = ("mean", "best", "latest")
CENT = Decimal("0.01")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Source:
    """Where a number came from: ("attempt", 12), ("evaluation", 7), ("entry", 3)…"""

    kind: str
    id: int
    label: str
    value: Decimal
    when: datetime | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    value: Decimal | None  # None: missing
    sources: tuple[Source, ...] = ()
    detail: dict = field(default_factory=dict)  # e.g. performance components used

    @property
    def missing(self) -> bool:
        return self.value is None


def knowledge(exams: Iterable[Source], combine: str = "mean") -> Indicator:
    exams = list(exams)
    if not exams:
        return Indicator("knowledge", None)
    if combine == "best":
        value = max(s.value for s in exams)
    elif combine == "latest":
        value = max(exams, key=lambda s: (s.when is not None, s.when, s.id)).value
    else:
        value = sum((s.value for s in exams), Decimal(0)) / len(exams)
    return Indicator("knowledge", rounded(value), tuple(exams))


def capability(evaluations: Iterable[Source]) -> Indicator:
    evaluations = list(evaluations)
    if not evaluations:
        return Indicator("capability", None)
    value = sum((s.value for s in evaluations), Decimal(0)) / len(evaluations)
    return Indicator("capability", rounded(value), tuple(evaluations))


def _mean(sources: Sequence[Source]) -> Decimal:
    return sum((s.value for s in sources), Decimal(0)) / len(sources)


def performance(project_reviews: Iterable[Source], success_rate: Source | None,
                satisfaction: Source | None,
                formula: Mapping[str, Decimal] = DEFAULT_PERFORMANCE) -> Indicator:
    reviews = list(project_reviews)
    given = {"project_reviews": _mean(reviews) if reviews else None,
             "success_rate": success_rate.value if success_rate is not None else None,
             "satisfaction": satisfaction.value if satisfaction is not None else None}
    weighted = [k for k in PERFORMANCE_PARTS if Decimal(formula.get(k, 0)) > 0]
    used = {k: v for k in weighted if (v := given[k]) is not None}
    sources = tuple(reviews) + tuple(s for s in (success_rate, satisfaction) if s is not None)
    missing = [k for k in weighted if k not in used]
    if not used:
        return Indicator("performance", None, sources, {"used": [], "missing": missing})
    weights = sum((Decimal(formula[k]) for k in used), Decimal(0))
    value = sum((Decimal(formula[k]) * v for k, v in used.items()), Decimal(0)) / weights
    return Indicator("performance", rounded(value), sources, {
        "used": sorted(used), "parts": {k: str(rounded(v)) for k, v in used.items()},
        "missing": missing})


def professionalism(ratings: Iterable[Source]) -> Indicator:
    ratings = list(ratings)
    if not ratings:
        return Indicator("professionalism", None)
    latest = max(ratings, key=lambda s: (s.when is not None, s.when, s.id))
    return Indicator("professionalism", rounded(latest.value), (latest,))


@dataclass(frozen=True)
class Result:
    indicators: dict[str, Indicator]
    total: Decimal | None
    band: str | None

    @property
    def complete(self) -> bool:
        return self.total is not None

    @property
    def missing(self) -> list[str]:
        return [k for k in INDICATORS if self.indicators[k].missing]


def band_for(total: Decimal, bands: Mapping[str, Decimal] = DEFAULT_BANDS) -> str:
    for name in ("excellent", "good", "qualified"):
        if total >= Decimal(bands[name]):
            return name
    return "unqualified"


def comprehensive(indicators: Mapping[str, Indicator],
                  weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
                  bands: Mapping[str, Decimal] = DEFAULT_BANDS) -> Result:
    """The weighted total and band; none while any weighted indicator is missing."""
    indicators = dict(indicators)
    weighted = {k: (Decimal(weights[k]), indicators[k].value) for k in INDICATORS
                if Decimal(weights[k]) > 0}
    parts = [weight * value for weight, value in weighted.values() if value is not None]
    if len(parts) < len(weighted):
        return Result(indicators, None, None)
    total = rounded(sum(parts, Decimal(0)) / 100)
    return Result(indicators, total, band_for(total, bands))


def check_weights(weights: Mapping[str, Decimal]) -> str | None:
    """An error message when the indicator weights do not total 100, else None."""
    total = sum((Decimal(weights[k]) for k in INDICATORS), Decimal(0))
    if any(Decimal(weights[k]) < 0 for k in INDICATORS):
        return "Weights cannot be negative."
    if total != 100:
        return f"The four weights must total 100 (they total {total:g})."
    return None


def check_bands(bands: Mapping[str, Decimal]) -> str | None:
    e, g, q = (Decimal(bands[k]) for k in ("excellent", "good", "qualified"))
    if not (100 >= e > g > q >= 0):
        return "Bands must fall: excellent above good above qualified, within 0-100."
    return None
