"""The Markdown rubric format: read, check and write rubrics. Pure: stdlib only.

Reviewers score product demonstrations, interviews, project reviews and professionalism
against rubrics. The grammar is documented in ``docs/rubric-format.md``; this module is
its reference implementation, in the style of the question-bank format
(:mod:`app.banks.markdown_format`). A file is read line by line in one pass (front matter,
then criterion headings, tracking fenced code blocks), and each criterion is then split
into key lines, guidance and level list from its own lines, so the work is linear in the
size of the file.

Every problem is reported as an :class:`~app.content.authoring.Issue` with its 1-based line, the
criterion key (in ``question_id``) when known, and a message that says what is wrong and
what to write instead.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.content.authoring import BULLET_ITEM as _BULLET_ITEM
from app.content.authoring import HEADING as _HEADING
from app.content.authoring import KEY_LINE as _KEY_LINE
from app.content.authoring import (
    LANGUAGES,
    MAX_TITLE,
    Issue,
    common_value,
    decode,
    errors_only,
    read_front_matter,
    scan_sections,
    split_lines,
)
from app.content.authoring import THEMATIC_BREAK as _THEMATIC_BREAK
from app.content.authoring import Reporter as _Reporter
from app.content.authoring import one_of as _one_of
from app.content.authoring import quote as _quote
from app.content.authoring import trim_blank as _trim_blank

__all__ = [
    "KINDS",
    "LANGUAGES",
    "Criterion",
    "Level",
    "Rubric",
    "check_rubrics",
    "content_fingerprint",
    "errors_only",
    "export_rubric",
    "parse_rubric",
    "read_rubric_file",
]

KINDS = ("demo", "interview", "project-review", "professionalism")
TOTAL_WEIGHT = Decimal(100)
MAX_LEVEL = 10


# -- the model -------------------------------------------------------------------------------


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
        :func:`content_fingerprint`. Numbers are canonical strings ('25', '12.5').
        """
        return {
            "id": self.id, "title": self.title, "kind": self.kind, "language": self.language,
            "description": self.description,
            "criteria": [
                {"key": c.key, "title": c.title, "weight": _num(c.weight), "guidance": c.guidance,
                 "levels": [{"value": lv.value, "points": _num(lv.points),
                             "description": lv.description} for lv in c.levels]}
                for c in self.criteria],
        }


# -- the grammar's tokens ------------------------------------------------------------------

_RUBRIC_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")
_CRITERION_KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_FULLWIDTH_KEY_LINE = re.compile(r"([A-Za-z][\w-]*)[ \t]*：")
_LEVELISH_ITEM = re.compile(r"[-*+][ \t]+\d")
_WHOLE = re.compile(r"\d+")
_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")
_SLUG_PARTS = re.compile(r"[^a-z0-9]+")

_FRONT_MATTER_KEYS = ("id", "title", "kind", "language")
_CRITERION_KEYS = ("weight",)
_EXAMPLES = {"id": "product-demo", "title": "Product demonstration", "kind": "demo",
             "language": "en"}
_LEVEL_FORM = "'- LEVEL = POINTS: description', e.g. '- 3 = 50: Answers most questions'"

# Line kinds inside a criterion's body.
_BLANK, _ITEM, _OTHER = range(3)


def _num(value: Decimal) -> str:
    """A number as written in a rubric file: '25', '12.5' (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _slug(text: str, fallback: str) -> str:
    slug = _SLUG_PARTS.sub("-", text.lower()).strip("-")[:40].strip("-")
    return slug or fallback


# -- reading ---------------------------------------------------------------------------------


def read_rubric_file(path: str | os.PathLike,
                     data: bytes | None = None) -> tuple[Rubric | None, list[Issue]]:
    """Read a rubric file (UTF-8, optional BOM, any line endings), then parse it.

    ``data`` is the file's content when it is already in memory (an upload); ``path`` is
    then only the name shown in messages.
    """
    name = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            return None, [Issue(name, 1, f"cannot read the file ({exc.strerror or exc}): check "
                                         "the path")]
    text, issues = decode(data, name)
    return (None, issues) if text is None else parse_rubric(text, name)


def parse_rubric(text: str, path: str) -> tuple[Rubric | None, list[Issue]]:
    """Parse one rubric file. The rubric is returned only when there is no error."""
    report = _Reporter(path)
    if not text.lstrip("\ufeff").strip():
        report.error(1, "the file is empty: write front matter ('---', then 'id: ...', "
                        "'title: ...', 'kind: ...' and 'language: ...' lines, then '---'), "
                        "then criteria starting with '## key: Title'")
        return None, report.issues
    lines = split_lines(text)
    front, start = _front_matter(lines, report)
    description, criteria = _criteria(lines, start, report)
    report.issues.sort(key=lambda issue: issue.line)
    if report.errors:
        return None, report.issues
    rubric = Rubric(id=front["id"], title=front["title"], kind=front["kind"],
                    language=front["language"], description=description,
                    criteria=tuple(criteria), path=path, line=front["id_line"])
    return rubric, report.issues


def _front_matter(lines: list[str], report: _Reporter) -> tuple[dict, int]:
    """Read the front matter; returns its values and the index of the first line after it."""
    result: dict = {}
    seen, start, present = read_front_matter(
        lines, report, keys=_FRONT_MATTER_KEYS,
        start_hint="'id: ...', 'title: ...', 'kind: ...' and 'language: ...'",
        holds="id, title, kind and language",
        value=lambda key, value, number: _front_matter_value(key, value, number, result,
                                                             report))
    if not present:
        return result, 0
    for key in _FRONT_MATTER_KEYS:
        if key not in seen:
            report.error(1, f"the front matter has no '{key}' line: add '{key}: "
                            f"{_EXAMPLES[key]}'")
    result["id_line"] = seen.get("id", 1)
    return result, start


def _front_matter_value(key: str, value: str, number: int, result: dict,
                        report: _Reporter) -> None:
    if common_value(key, value, number, result, report, noun="rubric", id_pattern=_RUBRIC_ID,
                    id_example="product-demo", languages=LANGUAGES):
        return
    if value in KINDS:  # kind
        result["kind"] = value
    else:
        report.error(number, f"unknown kind {_quote(value)}: use {_one_of(KINDS)}")


# -- criteria --------------------------------------------------------------------------------


def _criteria(lines: list[str], start: int, report: _Reporter) -> tuple[str, list[Criterion]]:
    """Find the criterion headings (outside fenced code), then parse each criterion."""
    count = len(lines)
    sections = scan_sections(lines, start)
    fenced, headings, unclosed = sections.fenced, sections.headings, sections.unclosed
    if unclosed >= 0:
        owner = next((h for h in reversed(headings) if h < unclosed), None)
        owner_key = None if owner is None else _heading_parts(lines[owner])[0]
        report.error(unclosed + 1, f"this code block is never closed: add a line "
                                   f"'{sections.fence}' where it ends",
                     owner_key if owner_key and _CRITERION_KEY.fullmatch(owner_key) else None)

    description_end = headings[0] if headings else count
    description = "\n".join(_trim_blank(lines[start:description_end]))
    if not headings:
        if unclosed >= 0:  # the code block swallowed the rest of the file: that is the problem
            return description, []
        report.error(max(1, min(start + 1, count)),
                     "the rubric has no criteria: add one starting with a line '## key: Title' "
                     "(e.g. '## communication: Communication'), then 'weight: 25', a blank line "
                     "and its levels '- 1 = 0: ...'")
        return description, []

    criteria: list[Criterion] = []
    first_line: dict[str, int] = {}
    weights: list[tuple[str, Decimal]] = []
    weights_ok = True
    for position, heading in enumerate(headings):
        end = headings[position + 1] if position + 1 < len(headings) else count
        criterion, weight = _criterion(lines, fenced, heading, end, position + 1,
                                       heading < unclosed < end, first_line, report)
        if weight is None:
            weights_ok = False
        else:
            weights.append((_heading_parts(lines[heading])[0], weight))
        if criterion is not None:
            criteria.append(criterion)
    if weights_ok:
        total = sum((weight for _key, weight in weights), Decimal(0))
        if total != TOTAL_WEIGHT:
            listed = ", ".join(f"{key or '?'} {_num(weight)}" for key, weight in weights)
            report.error(headings[0] + 1, f"the criteria's weights total {_num(total)} "
                                          f"({listed}): change the 'weight:' lines so that "
                                          "they total exactly 100")
    return description, criteria


def _heading_parts(line: str) -> tuple[str, str, bool]:
    """(key, title, has colon) of a '## key: Title' line."""
    raw = (_HEADING.fullmatch(line).group(1) or "").strip()
    key, colon, title = raw.partition(":")
    if not colon:
        key, colon, title = raw.partition("：")
    return key.strip(), title.strip(), bool(colon)


def _criterion(lines: list[str], fenced: bytearray, heading: int, end: int, position: int,
               skip_body: bool, first_line: dict[str, int],
               report: _Reporter) -> tuple[Criterion | None, Decimal | None]:
    """One criterion; also its weight (None when missing or invalid) for the total."""
    number = heading + 1
    raw = (_HEADING.fullmatch(lines[heading]).group(1) or "").strip()
    key, title, has_colon = _heading_parts(lines[heading])
    errors_before = report.errors
    ckey: str | None = key
    fallback = f"criterion-{position}"
    if not raw:
        report.error(number, "the heading has no criterion: write '## key: Title', e.g. "
                             "'## communication: Communication'")
        ckey = None
    elif not has_colon:
        report.error(number, f"the heading {_quote(raw)} has no key: write '## key: Title', "
                             f"e.g. '## {_slug(raw, fallback)}: {raw}'")
        ckey = None
    elif "：" in raw and ":" not in raw:
        report.error(number, "the heading uses a full-width colon '：': write the ASCII colon "
                             f"':' after the key, e.g. '## {_slug(key, fallback)}: {title}'")
        ckey = None
    elif not _CRITERION_KEY.fullmatch(key):
        report.error(number, f"criterion key {_quote(key)} is not valid: use 1 to 40 lowercase "
                             "letters, digits and '-', starting and ending with a letter or "
                             f"digit, e.g. '## {_slug(key or title, fallback)}: "
                             f"{title or 'Title'}'")
        ckey = None
    elif key in first_line:
        report.error(number, f"duplicate criterion key '{key}' (also line {first_line[key]}): "
                             "give each criterion its own key", key)
    else:
        first_line[key] = number
    if has_colon and not title:
        report.error(number, f"the criterion has no title: write it after the colon, e.g. "
                             f"'## {ckey or fallback}: Communication'", ckey)
    elif len(title) > MAX_TITLE:
        report.error(number, f"the title is {len(title)} characters long: keep it to "
                             f"{MAX_TITLE} or fewer", ckey)

    # Key lines: right after the heading (blank lines before them are allowed), up to a blank line.
    index = heading + 1
    while index < end and not lines[index].strip():
        index += 1
    keys: dict[str, tuple[str | None, int]] = {}
    header_lines = 0
    while index < end:
        line = lines[index]
        if not line.strip() or fenced[index]:
            break
        match = _KEY_LINE.fullmatch(line)
        if not match:
            fullwidth = _FULLWIDTH_KEY_LINE.match(line)
            if fullwidth and fullwidth.group(1) in _CRITERION_KEYS:
                report.error(index + 1, f"'{fullwidth.group(1)}' is followed by a full-width "
                                        f"colon '：': write '{fullwidth.group(1)}: ...' with the "
                                        "ASCII colon", ckey)
                keys.setdefault(fullwidth.group(1), (None, index + 1))  # reported
                header_lines += 1
                index += 1
                continue
            if header_lines:
                report.error(index + 1, "expected a blank line after the key lines: leave one "
                                        "empty line before the guidance or the levels", ckey)
            break
        header_lines += 1
        name, value = match.group(1), match.group(2).strip()
        if name not in _CRITERION_KEYS:
            report.error(index + 1, f"unknown key '{name}': a criterion has only a 'weight: N' "
                                    "line (and leave a blank line before the guidance)", ckey)
        elif name in keys:
            report.error(index + 1, f"duplicate key '{name}' (also line {keys[name][1]}): keep "
                                    "one", ckey)
        else:
            keys[name] = (value, index + 1)
        index += 1
    body_start = index

    weight = None
    if "weight" not in keys:
        report.error(number, "missing 'weight: N' line: write it right after the heading, e.g. "
                             "'weight: 25' (the weights of all criteria total 100)", ckey)
    elif keys["weight"][0] is not None:  # None: already reported (full-width colon)
        value, line_no = keys["weight"]
        if _AMOUNT.fullmatch(value) and Decimal(value) > 0:
            weight = Decimal(_num(Decimal(value)))  # '25.0' is stored as 25
        else:
            report.error(line_no, f"weight {_quote(value)} is not valid: write a positive number "
                                  "with at most two decimals, e.g. 'weight: 25' or "
                                  "'weight: 12.5'", ckey)

    if skip_body:
        return None, weight
    parsed = _body(lines, fenced, body_start, end, number, ckey, report)
    if report.errors > errors_before or ckey is None or parsed is None or weight is None:
        return None, weight
    guidance, levels = parsed
    return Criterion(key=ckey, title=title, weight=weight, guidance=guidance,
                     levels=tuple(levels), line=number), weight


def _body(lines: list[str], fenced: bytearray, start: int, end: int, number: int,
          ckey: str | None, report: _Reporter) -> tuple[str, list[Level]] | None:
    """Split the body into guidance and level list, then read the levels."""
    kinds = bytearray(end - start)
    for offset in range(end - start):
        index = start + offset
        line = lines[index]
        if fenced[index]:
            kinds[offset] = _OTHER
        elif not line or line.isspace():
            kinds[offset] = _BLANK
        elif _BULLET_ITEM.match(line) and not _THEMATIC_BREAK.fullmatch(line):
            kinds[offset] = _ITEM
        else:
            kinds[offset] = _OTHER

    last = len(kinds) - 1
    while last >= 0 and kinds[last] == _BLANK:
        last -= 1
    if last < 0 or kinds[last] != _ITEM:
        _report_missing_levels(lines, kinds, start, last, number, ckey, report)
        return None

    # The level list: the trailing run of items. A blank line followed by more level items
    # (items starting with a digit) above joins them (and is reported), as in the banks; a
    # guidance list whose items do not start with a digit stays in the guidance.
    first = last
    offset = last
    while offset >= 0:
        if kinds[offset] == _ITEM:
            first = offset
            offset -= 1
            continue
        if kinds[offset] != _BLANK:
            break
        above = offset
        while above >= 0 and kinds[above] == _BLANK:
            above -= 1
        if above < 0 or kinds[above] != _ITEM or not _LEVELISH_ITEM.match(lines[start + above]):
            break
        offset = above
    guidance = "\n".join(_trim_blank(lines[start:start + first]))

    errors_before = report.errors
    levels: list[Level] = []
    blank_at = 0
    previous: Level | None = None
    seen: dict[int, int] = {}
    for offset in range(first, last + 1):
        if kinds[offset] == _BLANK:
            blank_at = blank_at or start + offset + 1
            continue
        line = lines[start + offset]
        level = _level(line[_BULLET_ITEM.match(line).end():].strip(), start + offset + 1, ckey,
                       report)
        if level is None:
            previous = None
            continue
        if level.value in seen:
            report.error(level.line, f"duplicate level {level.value} (also line "
                                     f"{seen[level.value]}): give each level its own number",
                         ckey)
        elif previous is not None and level.value < previous.value:
            report.error(level.line, f"level {level.value} comes after level {previous.value}: "
                                     "list the levels in ascending order, lowest first", ckey)
        elif previous is not None and level.points < previous.points:
            report.error(level.line, f"level {level.value} has {_num(level.points)} points, fewer "
                                     f"than level {previous.value} above it "
                                     f"({_num(previous.points)}): a higher level must be worth "
                                     f"at least as much; write {_num(previous.points)} or more",
                         ckey)
        seen.setdefault(level.value, level.line)
        levels.append(level)
        previous = level
    if blank_at:
        report.error(blank_at, "blank line inside the level list: write the levels as one list "
                               "without blank lines (if the list above is part of the guidance, "
                               "end the guidance with a sentence)", ckey)
    if report.errors > errors_before:
        return None
    if len(levels) < 2:
        report.error(levels[0].line, "a criterion needs at least two levels: add another "
                                     f"{_LEVEL_FORM}", ckey)
        return None
    if levels[-1].points <= 0:
        report.error(levels[-1].line, f"the highest level ({levels[-1].value}) has 0 points: "
                                      "give it more than 0, e.g. "
                                      f"'- {levels[-1].value} = 100: ...'", ckey)
        return None
    return guidance, levels


def _level(text: str, line_no: int, ckey: str | None, report: _Reporter) -> Level | None:
    """A level from the text of an item, '3 = 50: description'; None (reported) if malformed."""
    left, equals, rest = text.partition("=")
    if not equals:
        left, equals, rest = text.partition("＝")
        if equals:
            report.error(line_no, f"{_quote(text)} uses a full-width '＝': write the ASCII '=', "
                                  f"as in {_LEVEL_FORM}", ckey)
            return None
        report.error(line_no, f"{_quote(text)} is not a level: write {_LEVEL_FORM}", ckey)
        return None
    points_text, colon, description = rest.partition(":")
    if not colon:
        if "：" in rest:
            report.error(line_no, f"{_quote(text)} uses a full-width colon '：': write the ASCII "
                                  f"':' after the points, as in {_LEVEL_FORM}", ckey)
        else:
            report.error(line_no, f"{_quote(text)} has no ':' after the points: write "
                                  f"{_LEVEL_FORM}", ckey)
        return None
    value_text, points_text, description = left.strip(), points_text.strip(), description.strip()
    ok = True
    if not _WHOLE.fullmatch(value_text) or int(value_text) > MAX_LEVEL:
        report.error(line_no, f"level {_quote(value_text)} is not valid: the level is a whole "
                              f"number from 0 to {MAX_LEVEL}, as in {_LEVEL_FORM}", ckey)
        ok = False
    if not _AMOUNT.fullmatch(points_text):
        report.error(line_no, f"points {_quote(points_text)} are not valid: write a number of 0 "
                              f"or more with at most two decimals (e.g. 50 or 12.5), as in "
                              f"{_LEVEL_FORM}", ckey)
        ok = False
    if not description:
        report.error(line_no, "the level has no description: write what a reviewer sees at this "
                              f"level after the colon, as in {_LEVEL_FORM}", ckey)
        ok = False
    if not ok:
        return None
    return Level(value=int(value_text), points=Decimal(_num(Decimal(points_text))),
                 description=description, line=line_no)


def _report_missing_levels(lines: list[str], kinds: bytearray, start: int, last: int,
                           number: int, ckey: str | None, report: _Reporter) -> None:
    """The criterion does not end with a list: text after the levels, or no levels at all."""
    offset = last
    while offset >= 0 and kinds[offset] != _ITEM:
        offset -= 1
    if offset >= 0:
        block = offset
        while block >= 0 and kinds[block] == _ITEM:
            block -= 1
        levelish = any(_LEVELISH_ITEM.match(lines[start + item])
                       for item in range(block + 1, offset + 1))
        if levelish:
            after = offset + 1
            while kinds[after] == _BLANK:
                after += 1
            if after == offset + 1:
                report.error(start + after + 1, "a level is one line: join this line to the "
                                                "level above it (its description may not "
                                                "continue on the next line)", ckey)
            else:
                report.error(start + after + 1, "text after the level list: the levels must "
                                                "come last in a criterion; move this text above "
                                                "them, into the guidance", ckey)
            return
    report.error(number, f"the criterion has no levels: end it with a list of at least two "
                         f"levels, {_LEVEL_FORM}", ckey)


# -- checks across files -------------------------------------------------------------------


def _rubric_files(paths: Iterable[str | os.PathLike]) -> list[str | os.PathLike]:
    if isinstance(paths, str | os.PathLike):  # one path, not an iterable of characters
        paths = [paths]
    found: list[str | os.PathLike] = []
    for path in paths:
        if Path(path).is_dir():
            found += sorted(p for p in Path(path).rglob("*.md") if p.is_file())
        else:
            found.append(path)
    return found


def check_rubrics(paths: Iterable[str | os.PathLike]) -> tuple[list[Rubric], list[Issue]]:
    """Read every file (a folder: its ``*.md`` files), then check across the rubrics.

    Rubric IDs must be unique across the files; each clash names both places. Issues are
    sorted by (path, line); the rubrics come in file order.
    """
    rubrics: list[Rubric] = []
    issues: list[Issue] = []
    for path in _rubric_files(paths):
        rubric, found = read_rubric_file(path)
        issues += found
        if rubric is not None:
            rubrics.append(rubric)
    by_id: dict[str, list[Rubric]] = {}
    for rubric in rubrics:
        by_id.setdefault(rubric.id, []).append(rubric)
    for rubric_id, group in by_id.items():
        if len(group) < 2:
            continue
        for rubric in group:
            others = ", ".join(f"{other.path}:{other.line}" for other in group
                               if other is not rubric)
            issues.append(Issue(rubric.path, rubric.line,
                                f"duplicate rubric ID '{rubric_id}': {others} has the same ID; "
                                "give each rubric its own ID"))
    issues.sort(key=lambda issue: (issue.path, issue.line))
    return rubrics, issues


# -- writing ---------------------------------------------------------------------------------


def export_rubric(rubric: Rubric) -> str:
    """The rubric as canonical Markdown; :func:`parse_rubric` reads it back to equal content."""
    out = ["---", f"id: {rubric.id}", f"title: {rubric.title}", f"kind: {rubric.kind}",
           f"language: {rubric.language}", "---"]
    if rubric.description:
        out += ["", rubric.description]
    for criterion in rubric.criteria:
        out += ["", f"## {criterion.key}: {criterion.title}", f"weight: {_num(criterion.weight)}"]
        if criterion.guidance:
            out += ["", criterion.guidance]
        out.append("")
        out += [f"- {level.value} = {_num(level.points)}: {level.description}"
                for level in criterion.levels]
    return "\n".join(out) + "\n"


def content_fingerprint(rubric: Rubric) -> str:
    """SHA-256 (hex) of the canonical export: changes exactly when the content changes."""
    return hashlib.sha256(export_rubric(rubric).encode("utf-8")).hexdigest()
