"""A criterion's body in the Markdown rubric format: guidance, then the level list.

Pure: stdlib only. The body is read from its end: the trailing list is the levels, one
``- LEVEL = POINTS: description`` line each; everything above it is the guidance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.content.authoring import BULLET_ITEM, Reporter, quote, trim_blank
from app.content.sections import BLANK, ITEM, OTHER, is_list_item, last_filled, line_kinds

from .rubric import MAX_LEVEL, Level, num

LEVEL_FORM = "'- LEVEL = POINTS: description', e.g. '- 3 = 50: Answers most questions'"
AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")
_LEVELISH_ITEM = re.compile(r"[-*+][ \t]+\d")
_WHOLE = re.compile(r"\d+")


@dataclass(frozen=True)
class LevelList:
    """What a criterion's body holds once read."""

    guidance: str  # Markdown, may be empty
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class _Body:
    """A criterion body's lines and their kinds (BLANK, ITEM, OTHER)."""

    lines: Sequence[str]
    start: int  # index of the body's first line in the file
    kinds: bytearray
    criterion: str | None  # its key, for the messages
    report: Reporter

    def line(self, offset: int) -> str:
        return self.lines[self.start + offset]

    def item_text(self, offset: int) -> str:
        """The text of an item after its '- ' marker."""
        line = self.line(offset)
        match = BULLET_ITEM.match(line)
        return line[match.end() if match else 0:].strip()

    def levelish(self, offset: int) -> bool:
        """Whether the line is an item that starts with a digit, as a level does."""
        return _LEVELISH_ITEM.match(self.line(offset)) is not None

    def error(self, offset: int, message: str) -> None:
        self.report.error(self.start + offset + 1, message, self.criterion)


def _kind_of(line: str) -> int:
    return ITEM if is_list_item(line, BULLET_ITEM) else OTHER


def read_levels(lines: Sequence[str], fenced: bytearray, start: int, end: int, number: int,
                ckey: str | None, report: Reporter) -> LevelList | None:
    """Split the body into guidance and level list, then read the levels.

    None when the levels have an error (reported).
    """
    body = _Body(lines, start, line_kinds(lines, fenced, start, end, _kind_of), ckey, report)
    last = last_filled(body.kinds)
    if last < 0 or body.kinds[last] != ITEM:
        _report_missing_levels(body, last, number)
        return None
    first = _list_start(body, last)
    guidance = "\n".join(trim_blank(list(lines[start:start + first])))
    errors_before = report.errors
    levels = _level_items(body, first, last)
    if report.errors > errors_before or not _check_scale(levels, body):
        return None
    return LevelList(guidance, tuple(levels))


def _list_start(body: _Body, last: int) -> int:
    """The first line of the level list: the trailing run of items.

    A blank line followed by more level items (items starting with a digit) above joins them
    (and is reported), as in the banks; a guidance list whose items do not start with a digit
    stays in the guidance.
    """
    kinds = body.kinds
    first = offset = last
    while offset >= 0:
        if kinds[offset] == ITEM:
            first = offset
            offset -= 1
            continue
        if kinds[offset] != BLANK:
            break
        above = offset
        while above >= 0 and kinds[above] == BLANK:
            above -= 1
        if above < 0 or kinds[above] != ITEM or not body.levelish(above):
            break
        offset = above
    return first


def _level_items(body: _Body, first: int, last: int) -> list[Level]:
    """The levels of the list, each checked against the one above it."""
    levels: list[Level] = []
    blank_at = -1
    previous: Level | None = None
    seen: dict[int, int] = {}  # level -> its first line
    for offset in range(first, last + 1):
        if body.kinds[offset] == BLANK:
            blank_at = offset if blank_at < 0 else blank_at
            continue
        level = read_level(body.item_text(offset), body.start + offset + 1, body.criterion,
                           body.report)
        if level is not None:
            _check_order(level, previous, seen, body)
            seen.setdefault(level.value, level.line)
            levels.append(level)
        previous = level
    if blank_at >= 0:
        body.error(blank_at, "blank line inside the level list: write the levels as one list "
                             "without blank lines (if the list above is part of the guidance, "
                             "end the guidance with a sentence)")
    return levels


def _check_order(level: Level, previous: Level | None, seen: dict[int, int],
                 body: _Body) -> None:
    """A level is new, above the one before it and worth at least as much."""
    ckey, report = body.criterion, body.report
    if level.value in seen:
        report.error(level.line, f"duplicate level {level.value} (also line "
                                 f"{seen[level.value]}): give each level its own number", ckey)
    elif previous is not None and level.value < previous.value:
        report.error(level.line, f"level {level.value} comes after level {previous.value}: "
                                 "list the levels in ascending order, lowest first", ckey)
    elif previous is not None and level.points < previous.points:
        report.error(level.line, f"level {level.value} has {num(level.points)} points, fewer "
                                 f"than level {previous.value} above it "
                                 f"({num(previous.points)}): a higher level must be worth "
                                 f"at least as much; write {num(previous.points)} or more", ckey)


def _check_scale(levels: list[Level], body: _Body) -> bool:
    """At least two levels, the highest worth more than 0 (else reported)."""
    ckey, report = body.criterion, body.report
    if len(levels) < 2:
        report.error(levels[0].line, "a criterion needs at least two levels: add another "
                                     f"{LEVEL_FORM}", ckey)
        return False
    if levels[-1].points <= 0:
        report.error(levels[-1].line, f"the highest level ({levels[-1].value}) has 0 points: "
                                      "give it more than 0, e.g. "
                                      f"'- {levels[-1].value} = 100: ...'", ckey)
        return False
    return True


def read_level(text: str, line_no: int, ckey: str | None, report: Reporter) -> Level | None:
    """A level from the text of an item, '3 = 50: description'; None (reported) if malformed."""
    left, equals, rest = text.partition("=")
    points_text, colon, description = rest.partition(":")
    form = _form_problem(text, equals, colon, rest)
    problems = [form] if form else _value_problems(left.strip(), points_text.strip(),
                                                   description.strip())
    for problem in problems:
        report.error(line_no, problem, ckey)
    if problems:
        return None
    return Level(value=int(left), points=Decimal(num(Decimal(points_text.strip()))),
                 description=description.strip(), line=line_no)


def _form_problem(text: str, equals: str, colon: str, rest: str) -> str | None:
    """What is wrong with the 'LEVEL = POINTS: description' form: a missing or full-width
    '=' or ':'."""
    if not equals and "＝" in text:
        return f"{quote(text)} uses a full-width '＝': write the ASCII '=', as in {LEVEL_FORM}"
    if not equals:
        return f"{quote(text)} is not a level: write {LEVEL_FORM}"
    if not colon and "：" in rest:
        return (f"{quote(text)} uses a full-width colon '：': write the ASCII ':' after the "
                f"points, as in {LEVEL_FORM}")
    if not colon:
        return f"{quote(text)} has no ':' after the points: write {LEVEL_FORM}"
    return None


def _value_problems(value_text: str, points_text: str, description: str) -> list[str]:
    """What is wrong with a level's number, points and description (all of it)."""
    problems = []
    if not _WHOLE.fullmatch(value_text) or int(value_text) > MAX_LEVEL:
        problems.append(f"level {quote(value_text)} is not valid: the level is a whole number "
                        f"from 0 to {MAX_LEVEL}, as in {LEVEL_FORM}")
    if not AMOUNT.fullmatch(points_text):
        problems.append(f"points {quote(points_text)} are not valid: write a number of 0 or "
                        "more with at most two decimals (e.g. 50 or 12.5), as in "
                        f"{LEVEL_FORM}")
    if not description:
        problems.append("the level has no description: write what a reviewer sees at this "
                        f"level after the colon, as in {LEVEL_FORM}")
    return problems


def _report_missing_levels(body: _Body, last: int, number: int) -> None:
    """The criterion does not end with a list: text after the levels, or no levels at all."""
    kinds = body.kinds
    offset = last
    while offset >= 0 and kinds[offset] != ITEM:
        offset -= 1
    block = offset
    while block >= 0 and kinds[block] == ITEM:
        block -= 1
    if offset >= 0 and any(body.levelish(item) for item in range(block + 1, offset + 1)):
        after = offset + 1
        while kinds[after] == BLANK:
            after += 1
        if after == offset + 1:
            body.error(after, "a level is one line: join this line to the level above it (its "
                              "description may not continue on the next line)")
        else:
            body.error(after, "text after the level list: the levels must come last in a "
                              "criterion; move this text above them, into the guidance")
        return
    body.report.error(number, f"the criterion has no levels: end it with a list of at least "
                              f"two levels, {LEVEL_FORM}", body.criterion)
