"""The ``## `` sections of an authored Markdown file (bank, rubric). Pure: stdlib only.

One pass finds the section headings and the lines inside fenced code blocks (a heading in
a code block is text); each section's lines are then sorted into kinds (blank, list item,
other, and whatever else a format tells apart) to find its parts from the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.content.authoring import (
    FENCE_CLOSE,
    FENCE_OPEN,
    HEADING,
    THEMATIC_BREAK,
    Reporter,
)

# Line kinds inside a section's body; a format may add its own from FIRST_FREE_KIND on.
BLANK, ITEM, OTHER = range(3)
FIRST_FREE_KIND = 3


@dataclass(frozen=True)
class Section:
    """One section: its heading line and where it ends."""

    heading: int  # index of the '## ' line
    end: int  # index of the line after the section
    cut: bool  # a code block opened inside is never closed: the body cannot be read


@dataclass
class Sections:
    """Where a file's ``## `` sections start, and which lines are inside code blocks."""

    fenced: bytearray    # 1 for each line inside (or opening) a fenced code block
    headings: list[int]  # indexes of the '## ' heading lines, outside code blocks
    unclosed: int = -1   # index of the opening line of a code block never closed
    fence: str = ""      # that block's fence ("```"), to say what closes it

    def spans(self) -> list[Section]:
        """Each section, from its heading to the next heading (or the end of the file)."""
        ends = self.headings[1:] + [len(self.fenced)]  # one too many when no heading
        return [Section(heading, end, heading < self.unclosed < end)
                for heading, end in zip(self.headings, ends, strict=False)]


@dataclass
class _Fence:
    """The fenced code block being read, if any."""

    char: str = ""  # '`' or '~'; '' outside a block
    length: int = 0
    at: int = -1  # index of its opening line

    def opens(self, line: str, index: int) -> bool:
        match = FENCE_OPEN.fullmatch(line)
        if not match or (match.group(1)[0] == "`" and "`" in match.group(2)):
            return False
        self.char, self.length, self.at = match.group(1)[0], len(match.group(1)), index
        return True

    def closes(self, line: str) -> None:
        if line.lstrip(" \t")[:1] == self.char:
            match = FENCE_CLOSE.fullmatch(line)
            if match and match.group(1)[0] == self.char and len(match.group(1)) >= self.length:
                self.char = ""


def scan_sections(lines: Sequence[str], start: int,
                  before_first: Callable[[int], None] | None = None) -> Sections:
    """One pass over the lines from ``start``: headings and fenced code blocks.

    ``before_first(index)`` is called for each non-blank line outside code blocks that
    comes before the first heading (a format may not allow text there).
    """
    sections = Sections(bytearray(len(lines)), [])
    fence = _Fence()
    for index in range(start, len(lines)):
        line = lines[index]
        if fence.char:
            sections.fenced[index] = 1
            fence.closes(line)
        elif line.startswith("##") and HEADING.fullmatch(line):
            sections.headings.append(index)
        else:
            stripped = line.lstrip(" \t")
            if stripped[:3] in ("```", "~~~") and fence.opens(line, index):
                sections.fenced[index] = 1
            if before_first is not None and not sections.headings and stripped:
                before_first(index)
    if fence.char:
        sections.unclosed, sections.fence = fence.at, fence.char * fence.length
    return sections


def report_unclosed(lines: Sequence[str], sections: Sections, report: Reporter,
                    key_of: Callable[[str], str | None]) -> None:
    """Report a code block never closed, naming the section it opens in (``key_of`` reads
    the section's key from its heading line, None when it has no valid one)."""
    if sections.unclosed < 0:
        return
    owner = next((h for h in reversed(sections.headings) if h < sections.unclosed), None)
    key = None if owner is None else key_of(lines[owner])
    report.error(sections.unclosed + 1, f"this code block is never closed: add a line "
                                        f"'{sections.fence}' where it ends", key)


def line_kinds(lines: Sequence[str], fenced: bytearray, start: int, end: int,
               kind_of: Callable[[str], int]) -> bytearray:
    """The kind of each line from ``start`` to ``end``: code is OTHER, blank is BLANK, and
    ``kind_of(line)`` says what any other line is."""
    kinds = bytearray(end - start)
    for offset in range(end - start):
        line = lines[start + offset]
        if fenced[start + offset]:
            kinds[offset] = OTHER
        elif not line or line.isspace():
            kinds[offset] = BLANK
        else:
            kinds[offset] = kind_of(line)
    return kinds


def is_list_item(line: str, item: re.Pattern[str]) -> bool:
    """Whether the line starts a list item of that marker (a '---' rule is not one)."""
    return item.match(line) is not None and not THEMATIC_BREAK.fullmatch(line)


def last_filled(kinds: bytearray) -> int:
    """The offset of the last line that is not blank; -1 when every line is."""
    last = len(kinds) - 1
    while last >= 0 and kinds[last] == BLANK:
        last -= 1
    return last
