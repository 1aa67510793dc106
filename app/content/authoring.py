"""What the Markdown formats trainers write have in common. Pure: stdlib only.

Question banks (:mod:`app.banks.markdown_format`) and rubrics (:mod:`app.rubrics.format`)
are both a front matter of ``key: value`` lines between two ``---`` lines, then sections
under ``## `` headings, read line by line with fenced code blocks tracked. The tokens, the
:class:`Issue` every reader reports (GIFT and Aiken too), the reporter and the front
matter reader live here once; each format keeps its own keys, values and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LANGUAGES = ("en", "zh_CN")  # what banks and rubrics may be written in


@dataclass(frozen=True)
class Issue:
    """A problem found in an authored file (bank, rubric). Warnings do not stop an import."""

    path: str
    line: int
    message: str
    question_id: str | None = None  # the question ID or criterion key, when known
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f" [{self.question_id}]" if self.question_id else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{where} {prefix}{self.message}"


def errors_only(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity == "error"]

KEY_LINE = re.compile(r"([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*)")
HEADING = re.compile(r"##(?:[ \t]+(.*?))?[ \t]*")
FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
BULLET_ITEM = re.compile(r"[-*+][ \t]+")
THEMATIC_BREAK = re.compile(r"(?:[-*_][ \t]*){3,}")


def one_of(values) -> str:
    """'a, b or c' (or just 'a')."""
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def quote(text: str, limit: int = 60) -> str:
    return "'" + (text if len(text) <= limit else text[:limit - 1] + "…") + "'"


def trim_blank(texts: list[str]) -> list[str]:
    """The lines without the blank ones at the start and the end."""
    start, stop = 0, len(texts)
    while start < stop and not texts[start].strip():
        start += 1
    while stop > start and not texts[stop - 1].strip():
        stop -= 1
    return texts[start:stop]


class Reporter:
    """Collects a file's issues; ``key`` names the question or criterion when known."""

    __slots__ = ("path", "issues", "errors")

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.errors = 0

    def error(self, line: int, message: str, key: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, key))
        self.errors += 1

    def warning(self, line: int, message: str, key: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, key, "warning"))


def read_front_matter(lines: Sequence[str], report: Reporter, *, keys: Sequence[str],
                      start_hint: str, holds: str,
                      value: Callable[[str, str, int], None]) -> tuple[dict[str, int], int,
                                                                        bool]:
    """Read the ``---`` block at the top of a file.

    Each known key's value goes to ``value(key, value, line)``; unknown keys, repeated
    keys, lines that are not ``key: value`` and a missing or unclosed block are
    reported. ``start_hint`` lists the expected lines for the "must start with" message
    and ``holds`` names what the block holds. Returns the line of each key seen, the
    index of the first line after the block, and whether the block was there at all.
    """
    if not lines or lines[0].rstrip() != "---":
        report.error(1, f"the file must start with front matter: a line '---', then "
                        f"{start_hint} lines, then '---'")
        return {}, 0, False
    seen: dict[str, int] = {}
    end = None
    index = 1
    for index in range(1, len(lines)):
        line = lines[index]
        if line.rstrip() == "---":
            end = index
            break
        if line.startswith("##") and HEADING.fullmatch(line):
            break
        if not line.strip():
            continue
        number = index + 1
        match = KEY_LINE.fullmatch(line)
        if not match:
            report.error(number, f"{quote(line.strip())} is not a 'key: value' line: the front "
                                 f"matter holds only {holds} lines")
            continue
        key, text = match.group(1), match.group(2).strip()
        if key not in keys:
            report.error(number, f"unknown front-matter key '{key}': use {one_of(keys)}")
            continue
        if key in seen:
            report.error(number, f"duplicate front-matter key '{key}' (also line {seen[key]}): "
                                 "keep one")
            continue
        seen[key] = number
        value(key, text, number)
    else:
        index = len(lines)
    if end is None:
        report.error(1, "the front matter is not closed: add a line '---' after its last "
                        "'key: value' line")
        return seen, index, True
    return seen, end + 1, True


MAX_TITLE = 200


def common_value(key: str, value: str, number: int, result: dict, report: Reporter, *,
                 noun: str, id_pattern: re.Pattern, id_example: str,
                 languages: Sequence[str]) -> bool:
    """The front-matter keys every format has (id, title, language); False for others."""
    if key == "id":
        if id_pattern.fullmatch(value):
            result["id"] = value
        else:
            report.error(number, f"{noun} ID {quote(value)} is not valid: use 3 to 60 lowercase "
                                 "letters, digits and '-', starting and ending with a letter or "
                                 f"digit, e.g. 'id: {id_example}'")
    elif key == "title":
        if not value:
            report.error(number, f"empty title: write the {noun}'s name after 'title: '")
        elif len(value) > MAX_TITLE:
            report.error(number, f"the title is {len(value)} characters long: keep it to "
                                 f"{MAX_TITLE} or fewer")
        else:
            result["title"] = value
    elif key == "language":
        if value in languages:
            result["language"] = value
        else:
            report.error(number, f"unknown language {quote(value)}: use {one_of(languages)}")
    else:
        return False
    return True


def decode(data: bytes, path: str) -> tuple[str | None, list[Issue]]:
    """A file's bytes as text: UTF-8 with or without a BOM; otherwise the line at fault."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Issue(path, 1, "the file is UTF-16, not UTF-8: save it as UTF-8")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        head = data[:exc.start]
        line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        bad = data[exc.start]
        return None, [Issue(path, line, f"the file is not UTF-8 (byte 0x{bad:02X} on this "
                                        "line): save it as UTF-8")]


def split_lines(text: str) -> list[str]:
    """The text's lines, whatever its line endings, without a BOM or a final empty line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class Sections:
    """Where a file's ``## `` sections start, and which lines are inside code blocks."""

    fenced: bytearray    # 1 for each line inside (or opening) a fenced code block
    headings: list[int]  # indexes of the '## ' heading lines, outside code blocks
    unclosed: int = -1   # index of the opening line of a code block never closed
    fence: str = ""      # that block's fence ("```"), to say what closes it


def scan_sections(lines: Sequence[str], start: int,
                  before_first: Callable[[int], None] | None = None) -> Sections:
    """One pass over the lines from ``start``: headings and fenced code blocks.

    ``before_first(index)`` is called for each non-blank line outside code blocks that
    comes before the first heading (a format may not allow text there).
    """
    count = len(lines)
    sections = Sections(bytearray(count), [])
    fence_char, fence_len, fence_at = "", 0, -1
    for index in range(start, count):
        line = lines[index]
        if fence_char:
            sections.fenced[index] = 1
            if line.lstrip(" \t")[:1] == fence_char:
                match = FENCE_CLOSE.fullmatch(line)
                if match and match.group(1)[0] == fence_char and len(match.group(1)) >= fence_len:
                    fence_char = ""
            continue
        if line.startswith("##") and HEADING.fullmatch(line):
            sections.headings.append(index)
            continue
        stripped = line.lstrip(" \t")
        if stripped[:3] in ("```", "~~~"):
            match = FENCE_OPEN.fullmatch(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence_char, fence_len, fence_at = match.group(1)[0], len(match.group(1)), index
                sections.fenced[index] = 1
        if before_first is not None and not sections.headings and stripped:
            before_first(index)
    if fence_char:
        sections.unclosed, sections.fence = fence_at, fence_char * fence_len
    return sections
