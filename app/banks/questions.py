"""A parsed question bank, shared by every reader and writer. Pure: no Flask, no database.

Readers (Markdown, GIFT, Aiken) produce these objects (and report
:class:`~app.content.authoring.Issue` objects); the exporter writes them
back as Markdown; the import service stores ``Question.content()``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import quote

QUESTION_TYPES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering",
                  "essay")
DIFFICULTIES = ("easy", "medium", "hard")
AREAS = ("product", "industry", "technical", "communication", "demonstration",
         "project-management", "teamwork", "problem-solving", "professionalism")


@dataclass(frozen=True)
class Choice:
    """An option of a single, multiple or true/false question."""

    text: str  # Markdown (inline)
    correct: bool
    weight: float | None = None  # percent, -100..100; None: the type's default rule
    feedback: str = ""


@dataclass(frozen=True)
class TextAnswer:
    """An accepted short answer: literal text, or a regular expression."""

    text: str
    regex: bool = False
    weight: float | None = None
    feedback: str = ""


@dataclass(frozen=True)
class NumericAnswer:
    """An accepted number: value ± tolerance, or the range low..high (inclusive)."""

    value: float | None = None
    tolerance: float = 0.0
    low: float | None = None
    high: float | None = None
    weight: float | None = None
    feedback: str = ""


@dataclass(frozen=True)
class Pair:
    """A matching pair; ``left`` None makes ``right`` a distractor."""

    left: str | None
    right: str


@dataclass
class Question:
    id: str
    type: str
    stem: str  # Markdown
    points: float = 1.0
    difficulty: str = "medium"
    tags: tuple[str, ...] = ()
    explanation: str = ""  # Markdown
    choices: tuple[Choice, ...] = ()  # single, multiple, truefalse
    answers: tuple[TextAnswer | NumericAnswer, ...] = ()  # short, numeric
    pairs: tuple[Pair, ...] = ()  # matching
    sequence: tuple[str, ...] = ()  # ordering: items in the right order
    guidance: tuple[str, ...] = ()  # essay: marking points
    word_limit: int | None = None  # essay
    line: int = 0  # where the question starts in its file (not part of the content)

    def content(self) -> dict:
        """Everything that defines the question, as plain JSON data (no line number)."""
        data = {"id": self.id, "type": self.type, "stem": self.stem, "points": self.points,
                "difficulty": self.difficulty, "tags": list(self.tags),
                "explanation": self.explanation}
        if self.choices:
            data["choices"] = [_plain(c) for c in self.choices]
        if self.answers:
            data["answers"] = [{"kind": "numeric" if isinstance(a, NumericAnswer) else "text",
                                **_plain(a)} for a in self.answers]
        if self.pairs:
            data["pairs"] = [_plain(p) for p in self.pairs]
        if self.sequence:
            data["sequence"] = list(self.sequence)
        if self.guidance:
            data["guidance"] = list(self.guidance)
        if self.word_limit is not None:
            data["word_limit"] = self.word_limit
        return data

    def content_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_content(cls, data: dict) -> Question:
        """The inverse of :meth:`content` (for stored versions and exports)."""
        answers = tuple(
            NumericAnswer(**{k: v for k, v in a.items() if k != "kind"})
            if a["kind"] == "numeric" else TextAnswer(**{k: v for k, v in a.items()
                                                          if k != "kind"})
            for a in data.get("answers", ()))
        return cls(
            id=data["id"], type=data["type"], stem=data["stem"], points=data["points"],
            difficulty=data["difficulty"], tags=tuple(data["tags"]),
            explanation=data["explanation"],
            choices=tuple(Choice(**c) for c in data.get("choices", ())), answers=answers,
            pairs=tuple(Pair(**p) for p in data.get("pairs", ())),
            sequence=tuple(data.get("sequence", ())), guidance=tuple(data.get("guidance", ())),
            word_limit=data.get("word_limit"))


def _plain(item) -> dict:
    return dict(item.__dict__)


ASSET_URL_PREFIX = "/banks/assets/"  # + sha256 + "/" + file name: how question text links one


@dataclass(frozen=True)
class Asset:
    """A file a question shows (an image from a Moodle XML export), stored with its bank."""

    name: str  # file name, as the question text links it
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def url(self) -> str:
        """The address question Markdown uses for it (served by the banks blueprint)."""
        return f"{ASSET_URL_PREFIX}{self.sha256}/{quote(self.name)}"


@dataclass
class Bank:
    id: str
    title: str
    area: str
    language: str
    tags: tuple[str, ...] = ()
    questions: list[Question] = field(default_factory=list)
    path: str = ""  # the file it was read from, as shown in messages
    assets: tuple[Asset, ...] = ()  # files its questions link (Moodle XML's embedded images)
