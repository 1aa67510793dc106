"""Use of results (§3.4): what the app proposes from a record. Pure: stdlib only.

- **Pay**: excellent → raise; good or qualified → keep; unqualified → review.
- **Promotion priority** when excellent (§3.4.2).
- **Targeted training** (§3.4.3): course areas for the weakest indicator, plus the
  areas of the weakest exam questions; the weakest question tags and rubric
  criteria are named so the manager and the person can see why.
- **Position review** when unqualified (§3.4.4).

An incomplete record gets no pay or promotion proposal: the manager decides.
The manager confirms or changes every part, with a comment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

PAY_BY_BAND = {"excellent": "raise", "good": "keep", "qualified": "keep",
               "unqualified": "review"}
PAY_CHOICES = ("raise", "keep", "review")
# The §2.3 course areas that build each indicator.
INDICATOR_AREAS = {
    "knowledge": ("product", "industry", "technical"),
    "capability": ("communication", "demonstration", "project-management"),
    "performance": ("project-management", "problem-solving"),
    "professionalism": ("professionalism", "teamwork"),
}


@dataclass(frozen=True)
class Weakness:
    """A tag, area or criterion with the share of the possible score obtained (0-1)."""

    name: str
    share: Decimal
    count: int


@dataclass(frozen=True)
class Proposal:
    pay: str | None
    promotion_priority: bool
    position_review: bool
    weakest_indicator: str | None
    training_areas: tuple[str, ...]
    weak_tags: tuple[str, ...]
    weak_criteria: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"pay": self.pay, "promotion_priority": self.promotion_priority,
                "position_review": self.position_review,
                "weakest_indicator": self.weakest_indicator,
                "training_areas": list(self.training_areas), "weak_tags": list(self.weak_tags),
                "weak_criteria": list(self.weak_criteria)}


def weakest(items: Iterable[Weakness], limit: int = 3, min_count: int = 1) -> list[Weakness]:
    """The lowest shares first (ties by name), only those below full marks."""
    eligible = [w for w in items if w.count >= min_count and w.share < 1]
    return sorted(eligible, key=lambda w: (w.share, w.name))[:limit]


def propose(band: str | None, values: Mapping[str, Decimal | None],
            weak_areas: Iterable[Weakness] = (), weak_tags: Iterable[Weakness] = (),
            weak_criteria: Iterable[Weakness] = ()) -> Proposal:
    present = {k: v for k, v in values.items() if v is not None}
    order = list(INDICATOR_AREAS)
    lowest = (min(present, key=lambda k: (present[k], order.index(k))) if present else None)
    areas = list(INDICATOR_AREAS[lowest]) if lowest else []
    for weakness in weakest(weak_areas, limit=2):
        if weakness.name not in areas:
            areas.append(weakness.name)
    return Proposal(
        pay=PAY_BY_BAND.get(band) if band else None,
        promotion_priority=band == "excellent",
        position_review=band == "unqualified",
        weakest_indicator=lowest,
        training_areas=tuple(areas),
        weak_tags=tuple(w.name for w in weakest(weak_tags, min_count=2)),
        weak_criteria=tuple(w.name for w in weakest(weak_criteria)),
    )
