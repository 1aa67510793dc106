"""A parsed rubric, shared by the reader and the writer. Pure: stdlib only.

:mod:`app.rubrics.format` reads rubric files into these objects and writes them back; the
import service stores ``Rubric.content()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KINDS = ("demo", "interview", "project-review", "professionalism")
TOTAL_WEIGHT = Decimal(100)  # what the weights of a rubric's criteria add up to
MAX_LEVEL = 10


def num(value: Decimal) -> str:
    """A number as written in a rubric file: '25', '12.5' (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class Level:
    """One step of a criterion's scale: ``- value = points: description``."""

    value: int  # 0..10
    points: Decimal  # >= 0, at most two decimals
    description: str  # Markdown (one line)
    line: int = 0  # where it is written (not part of the content)


@dataclass(frozen=True)
class Criterion:
    """A scored aspect of the rubric: ``## key: Title``, a weight, guidance and levels."""

    key: str  # stable within the rubric
    title: str
    weight: Decimal  # the weights of a rubric total 100
    guidance: str  # Markdown, may be empty
    levels: tuple[Level, ...]  # ascending by value, points non-decreasing
    line: int = 0  # the heading's line (not part of the content)

    @property
    def max_points(self) -> Decimal:
        """The points of the highest level (the most points a reviewer can give)."""
        return max((level.points for level in self.levels), default=Decimal(0))


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    kind: str  # one of KINDS
    language: str  # one of LANGUAGES
    description: str  # Markdown, may be empty
    criteria: tuple[Criterion, ...]
    path: str = ""  # the file it was read from, as shown in messages
    line: int = 0  # the line of its 'id:' key (not part of the content)

    def content(self) -> dict:
        """Everything that defines the rubric, as plain JSON data (no path, no lines).

        Two rubrics with equal ``content()`` export to the same text and have the same
        :func:`~app.rubrics.format.content_fingerprint`. Numbers are canonical strings
        ('25', '12.5').
        """
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "language": self.language,
            "description": self.description,
            "criteria": [
                {"key": c.key, "title": c.title, "weight": num(c.weight), "guidance": c.guidance,
                 "levels": [{"value": lv.value, "points": num(lv.points),
                             "description": lv.description} for lv in c.levels]}
                for c in self.criteria],
        }
