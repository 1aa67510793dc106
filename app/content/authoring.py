"""What the Markdown formats trainers write have in common. Pure: stdlib only.

Question banks (:mod:`app.banks.markdown_format`) and rubrics (:mod:`app.rubrics.format`)
are both a front matter of ``key: value`` lines between two ``---`` lines, then sections
under ``## `` headings, each starting with its own ``key: value`` lines, read line by line
with fenced code blocks tracked. The tokens, the :class:`Issue` every reader reports (GIFT
and Aiken too), the reporter, the front matter and key-line readers and the section scanner
live here once; each format keeps its own keys, values and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

LANGUAGES = ("en", "zh_CN")  # what banks and rubrics may be written in
MAX_TITLE = 200
# The most Markdown rendered in one call (app.content.markdown.render_markdown refuses more):
# a question's texts together, a lesson, a description.
MAX_MARKDOWN_CHARS = 200_000


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
FULLWIDTH_KEY_LINE = re.compile(r"([A-Za-z][\w-]*)[ \t]*：")
HEADING = re.compile(r"##(?:[ \t]+(.*?))?[ \t]*")
FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)")
FENCE_CLOSE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*")
BULLET_ITEM = re.compile(r"[-*+][ \t]+")
THEMATIC_BREAK = re.compile(r"(?:[-*_][ \t]*){3,}")
# A bank's or a rubric's ID: 3 to 60 lowercase letters, digits and '-'.
FILE_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")


def one_of(values: Iterable[str]) -> str:
    """'a, b or c' (or just 'a')."""
    return _listed(list(values), " or ")


def all_of(values: Iterable[str]) -> str:
    """'a, b and c' (or just 'a')."""
    return _listed(list(values), " and ")


def _listed(values: list[str], last: str) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + last + values[-1]


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


def heading_text(line: str) -> str:
    """What follows '## ' on a heading line (stripped); '' for a line that is not one."""
    match = HEADING.fullmatch(line)
    return (match.group(1) or "").strip() if match else ""


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

    def in_line_order(self) -> list[Issue]:
        """The issues sorted by line (stable: one line's issues keep the order found)."""
        self.issues.sort(key=lambda issue: issue.line)
        return self.issues


# -- front matter -------------------------------------------------------------------------


@dataclass
class FrontMatter:
    """The keys every format's front matter has; a format adds its own fields."""

    id: str = ""
    title: str = ""
    language: str = ""
    lines: dict[str, int] = field(default_factory=dict)  # the line of each key seen
    start: int = 0  # index of the first line after the block
    present: bool = False  # whether the file starts with a block at all


F = TypeVar("F", bound=FrontMatter)
T = TypeVar("T")
# Checks one key's value and stores it in the front matter, or reports it.
FrontCheck = Callable[[F, str, int, Reporter], None]


@dataclass(frozen=True)
class FrontMatterRules(Generic[F]):
    """One format's front matter: a check for each key, in the documented order."""

    checks: Mapping[str, FrontCheck[F]]
    examples: Mapping[str, str]  # the required keys, each with an example value

    @property
    def start_hint(self) -> str:
        return all_of(f"'{key}: ...'" for key in self.examples)


def read_front_matter(lines: Sequence[str], report: Reporter, rules: FrontMatterRules[F],
                      front: F) -> F:
    """Read the ``---`` block at the top of a file into ``front``.

    Each known key's value goes to its check; unknown keys, repeated keys, lines that are
    not ``key: value``, missing required keys and a missing or unclosed block are reported.
    """
    if not lines or lines[0].rstrip() != "---":
        report.error(1, f"the file must start with front matter: a line '---', then "
                        f"{rules.start_hint} lines, then '---'")
        return front
    front.present = True
    stop, closed = _front_matter_end(lines)
    for index in range(1, stop):
        if lines[index].strip():
            _front_matter_line(lines[index], index + 1, report, rules, front)
    front.start = stop + 1 if closed else stop
    if not closed:
        report.error(1, "the front matter is not closed: add a line '---' after its last "
                        "'key: value' line")
    _report_missing_keys(front, rules, report)
    return front


def _report_missing_keys(front: F, rules: FrontMatterRules[F], report: Reporter) -> None:
    for key, example in rules.examples.items():
        if key not in front.lines:
            report.error(1, f"the front matter has no '{key}' line: add '{key}: {example}'")


def _front_matter_end(lines: Sequence[str]) -> tuple[int, bool]:
    """Index of the closing '---' (True), or of where the block stops unclosed (False)."""
    for index in range(1, len(lines)):
        line = lines[index]
        if line.rstrip() == "---":
            return index, True
        if line.startswith("##") and HEADING.fullmatch(line):
            return index, False
    return len(lines), False


def _front_matter_line(line: str, number: int, report: Reporter, rules: FrontMatterRules[F],
                       front: F) -> None:
    match = KEY_LINE.fullmatch(line)
    if not match:
        report.error(number, f"{quote(line.strip())} is not a 'key: value' line: the front "
                             f"matter holds only {all_of(rules.checks)} lines")
        return
    key, text = match.group(1), match.group(2).strip()
    seen = front.lines
    if key not in rules.checks:
        report.error(number, f"unknown front-matter key '{key}': use {one_of(rules.checks)}")
    elif key in seen:
        report.error(number, f"duplicate front-matter key '{key}' (also line {seen[key]}): "
                             "keep one")
    else:
        seen[key] = number
        rules.checks[key](front, text, number, report)


@dataclass(frozen=True)
class CommonKeys:
    """The checks of the front-matter keys every format has (id, title, language)."""

    noun: str  # 'bank', 'rubric'
    id_example: str
    languages: Sequence[str] = LANGUAGES

    def id(self, front: FrontMatter, value: str, number: int, report: Reporter) -> None:
        if FILE_ID.fullmatch(value):
            front.id = value
        else:
            report.error(number, f"{self.noun} ID {quote(value)} is not valid: use 3 to 60 "
                                 "lowercase letters, digits and '-', starting and ending with a "
                                 f"letter or digit, e.g. 'id: {self.id_example}'")

    def title(self, front: FrontMatter, value: str, number: int, report: Reporter) -> None:
        if not value:
            report.error(number, f"empty title: write the {self.noun}'s name after 'title: '")
        elif not title_too_long(value, number, report):
            front.title = value

    def language(self, front: FrontMatter, value: str, number: int, report: Reporter) -> None:
        if known_value(value, self.languages, "language", one_of(self.languages), number,
                       report):
            front.language = value


def known_value(value: str, allowed: Sequence[str], noun: str, listed: str, number: int,
                report: Reporter, key: str | None = None) -> bool:
    """Whether the value is one of ``allowed``; if not, it is reported (``listed`` says
    them: 'a, b or c', 'one of a, b, c')."""
    if value in allowed:
        return True
    report.error(number, f"unknown {noun} {quote(value)}: use {listed}", key)
    return False


def title_too_long(title: str, number: int, report: Reporter, key: str | None = None) -> bool:
    """Whether the title is over :data:`MAX_TITLE` characters (then it is reported)."""
    if len(title) <= MAX_TITLE:
        return False
    report.error(number, f"the title is {len(title)} characters long: keep it to "
                         f"{MAX_TITLE} or fewer", key)
    return True


def text_too_long(path: str, line: int, texts: Iterable[str], key: str | None = None,
                  what: str = "question") -> Issue | None:
    """An error when ``texts`` (a question's text, options, feedback… together) are over
    :data:`MAX_MARKDOWN_CHARS`, so lint refuses what the import could not render."""
    size = sum(len(text) for text in texts)
    if size <= MAX_MARKDOWN_CHARS:
        return None
    return Issue(path, line, f"the {what}'s text is {size:,} characters long (its text, options, "
                             f"feedback and explanation together); the limit is "
                             f"{MAX_MARKDOWN_CHARS:,}: shorten it or split it into several "
                             f"{what}s", key)


# -- key lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyValue:
    """The value of a section's ``key: value`` line, and where it is."""

    text: str
    line: int
    reported: bool = False  # written with a full-width colon: already reported, not read


@dataclass(frozen=True)
class KeyLineRules:
    """A format's key lines under a heading: the keys and how to say what is wrong."""

    keys: tuple[str, ...]
    unknown: str  # the message for an unknown key, with '{key}' where its name goes
    before: str  # what the blank line after the key lines comes before
    fullwidth: bool = False  # read 'key：' (a full-width colon) as a key line, and report it


def read_key_lines(lines: Sequence[str], fenced: bytearray, heading: int, end: int,
                   report: Reporter, owner: str | None,
                   rules: KeyLineRules) -> tuple[dict[str, KeyValue], int]:
    """The key lines right after a heading (blank lines before them are allowed), up to a
    blank line; also the index of the first line after them. ``owner`` names the section."""
    index = heading + 1
    while index < end and not lines[index].strip():
        index += 1
    first = index
    values: dict[str, KeyValue] = {}
    while index < end and lines[index].strip() and not fenced[index]:
        if not _key_line(lines[index], index + 1, values, report, owner, rules):
            if index > first:
                report.error(index + 1, "expected a blank line after the key lines: leave one "
                                        f"empty line before {rules.before}", owner)
            break
        index += 1
    return values, index


def _key_line(line: str, number: int, values: dict[str, KeyValue], report: Reporter,
              owner: str | None, rules: KeyLineRules) -> bool:
    """Read one line as a key line; False when it is not one."""
    match = KEY_LINE.fullmatch(line)
    if not match:
        return rules.fullwidth and _fullwidth_key_line(line, number, values, report, owner,
                                                       rules)
    key, value = match.group(1), match.group(2).strip()
    if key not in rules.keys:
        report.error(number, rules.unknown.format(key=key), owner)
    elif key in values:
        report.error(number, f"duplicate key '{key}' (also line {values[key].line}): keep one",
                     owner)
    else:
        values[key] = KeyValue(value, number)
    return True


def _fullwidth_key_line(line: str, number: int, values: dict[str, KeyValue], report: Reporter,
                        owner: str | None, rules: KeyLineRules) -> bool:
    match = FULLWIDTH_KEY_LINE.match(line)
    if not match or match.group(1) not in rules.keys:
        return False
    key = match.group(1)
    report.error(number, f"'{key}' is followed by a full-width colon '：': write '{key}: ...' "
                         "with the ASCII colon", owner)
    values.setdefault(key, KeyValue("", number, reported=True))
    return True


def clashes(items: Iterable[T], key: Callable[[T], str]) -> Iterator[tuple[str, T, list[T]]]:
    """Each item whose key another item has too, with those others: for 'duplicate ID'
    issues across files. Groups and items come in the order given."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    for name, group in groups.items():
        if len(group) > 1:
            for item in group:
                yield name, item, [other for other in group if other is not item]

# -- files and lines ----------------------------------------------------------------------


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
