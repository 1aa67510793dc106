"""GIFT syntax below the question: escapes, a question's source text and its answer items.

While the structure is parsed, escaped characters are private-use characters (as Moodle does),
so that `\\{` or `\\=` never count as syntax; :func:`unhide` gives them back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from app.banks.moodle import IssueLog

_ESCAPABLE = "\\~=#{}:n"
_HIDE = {char: chr(0xE000 + k) for k, char in enumerate(_ESCAPABLE)}
_UNHIDE = str.maketrans({chr(0xE000 + k): ("\n" if char == "n" else char)
                         for k, char in enumerate(_ESCAPABLE)})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
BLANK = "\ue010"  # where a missing-word answer block stood
RESERVED_RE = re.compile("[\ue000-\ue010]")

# Moodle writes [id:] and [tag:]; the others are ours, for what GIFT has no place for (points,
# difficulty, an essay's word limit and marking guidance, true/false labels): Moodle ignores them.
OUR_KEYS = ("points", "difficulty", "words", "guidance", "truefalse")
_META_RE = re.compile(r"\[(id|tag|points|difficulty|words|guidance|truefalse):"
                      r"((?:\\.|[^\]\\])*)\]")
FORMAT_RE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT_RE = re.compile(r"\s*%([^%]*)%")
_PERCENT_RE = re.compile(r"-?\d+(?:\.\d+)?")

_NOT_AN_ANSWER = ("'{lead}' is not an answer: start right answers with `=` and wrong ones "
                  "with `~`")
_LEAD_KIND = {"~": "a wrong answer", "=": "an accepted answer"}
_LEAD_READ_AS = ("'{lead}' has no `=` or `~` before it: read as {kind}, as Moodle reads it; "
                 "write `{marker}` before it to say so")
_BAD_WEIGHT = ("a weight must be a percentage from -100 to 100 between two `%`, such as `%50%` "
               "or `%-25%`")


def unhide(text: str) -> str:
    """Escaped characters back as themselves (`\\n` as a line break)."""
    return text.translate(_UNHIDE)


def shown(text: str, limit: int = 40) -> str:
    """A short, one-line quotation of source text for a message."""
    text = " ".join(unhide(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Source:
    """A question's lines (comments left out, escapes hidden) joined, with their line numbers."""

    text: str
    starts: list[int]
    numbers: list[int]

    @classmethod
    def build(cls, lines: list[tuple[int, str]]) -> Source:
        parts, starts, numbers, offset = [], [], [], 0
        for number, line in lines:
            hidden = _ESCAPE_RE.sub(lambda m: _HIDE[m[1]], line)
            parts.append(hidden)
            starts.append(offset)
            numbers.append(number)
            offset += len(hidden) + 1
        return cls("\n".join(parts), starts, numbers)

    def line(self, offset: int) -> int:
        """The file line that holds the character at ``offset``."""
        return self.numbers[max(bisect_right(self.starts, offset) - 1, 0)]


@dataclass
class Meta:
    """`// [id:...]` and `// [tag:...]` comments of one block."""

    ids: list[tuple[int, str]] = field(default_factory=list)
    tags: list[tuple[int, str]] = field(default_factory=list)
    keys: list[tuple[int, str, str]] = field(default_factory=list)  # line, one of OUR_KEYS, value

    def add(self, number: int, comment: str) -> None:
        for kind, value in _META_RE.findall(comment):
            value = re.sub(r"\\(.)", r"\1", value).strip()
            if not value:  # Moodle may write an empty [id:]
                continue
            if kind in OUR_KEYS:
                self.keys.append((number, kind, value))
            else:
                (self.ids if kind == "id" else self.tags).append((number, value))

    def first_line(self) -> int | None:
        """The line of the first comment that says something, if any."""
        lines = [n for n, _ in self.ids + self.tags] + [n for n, _, _ in self.keys]
        return min(lines) if lines else None


@dataclass
class Item:
    """One answer of a block: `=` or `~`, its weight, text and feedback (escapes hidden)."""

    marker: str
    weight: float | None
    text: str
    feedback: str
    line: int


def split_items(log: IssueLog, src: Source, text: str, base: int, qid: str,
                lead: str | None = None) -> list[Item] | None:
    """The `=`/`~` answers of ``text`` (which starts at offset ``base``), or None on an error.

    Text before the first marker is an error, unless ``lead`` names the marker Moodle gives
    it (`~` in multiple choice, `=` in short answer): then it is that answer, with a notice.
    """
    pieces = re.split(r"([=~])", text)
    items: list[Item] = []
    if leading := pieces[0].strip():
        line = src.line(base + pieces[0].index(leading[0]))
        if lead is None:
            log.error(line, _NOT_AN_ANSWER.format(lead=shown(leading)), qid)
            return None
        log.warning(line, _LEAD_READ_AS.format(lead=shown(leading), marker=lead,
                                               kind=_LEAD_KIND[lead]), qid)
        items.append(Item(lead, None, *_text_and_feedback(pieces[0]), line))
    pos, ok = base + len(pieces[0]), True
    for marker, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        item = _item(marker, piece, src.line(pos))
        if item is None:
            log.error(src.line(pos), _BAD_WEIGHT, qid)
            ok = False
        else:
            items.append(item)
        pos += 1 + len(piece)
    return items if ok else None


def _text_and_feedback(piece: str) -> tuple[str, str]:
    text, hashed, feedback = piece.partition("#")
    return text, feedback if hashed else ""


def _item(marker: str, piece: str, line: int) -> Item | None:
    """One answer after its marker; None when its weight is not a percentage."""
    weight = None
    if found := _WEIGHT_RE.match(piece):
        weight, piece = _percent(found[1]), piece[found.end():]
    if weight is None and (found or piece.lstrip().startswith("%")):
        return None
    return Item(marker, weight, *_text_and_feedback(piece), line)


def _percent(text: str) -> float | None:
    if not _PERCENT_RE.fullmatch(text.strip()):
        return None
    value = float(text)
    return value if -100 <= value <= 100 else None
