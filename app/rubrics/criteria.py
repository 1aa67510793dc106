"""A criterion's heading and key lines in the Markdown rubric format. Pure: stdlib only.

``## key: Title`` names the criterion; its one key line, ``weight: N``, says how much it
counts; then come its guidance and levels (:mod:`app.rubrics.levels`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.content.authoring import (
    KeyLineRules,
    KeyValue,
    Reporter,
    heading_text,
    quote,
    read_key_lines,
    title_too_long,
)
from app.content.sections import Section

from .levels import AMOUNT, read_levels
from .rubric import Criterion, num

CRITERION_KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_SLUG_PARTS = re.compile(r"[^a-z0-9]+")
_KEY_LINES = KeyLineRules(
    keys=("weight",),
    unknown="unknown key '{key}': a criterion has only a 'weight: N' line (and leave a blank "
            "line before the guidance)",
    before="the guidance or the levels",
    fullwidth=True)


def _slug(text: str, fallback: str) -> str:
    slug = _SLUG_PARTS.sub("-", text.lower()).strip("-")[:40].strip("-")
    return slug or fallback


@dataclass(frozen=True)
class Heading:
    """A '## key: Title' line, taken apart."""

    raw: str  # everything after '## '
    key: str
    title: str
    has_colon: bool  # ASCII or full-width


def heading_parts(line: str) -> Heading:
    raw = heading_text(line)
    key, colon, title = raw.partition(":")
    if not colon:
        key, colon, title = raw.partition("：")
    return Heading(raw, key.strip(), title.strip(), bool(colon))


def heading_key(line: str) -> str | None:
    """The criterion key of a heading line; None when it has no valid one."""
    key = heading_parts(line).key
    return key if key and CRITERION_KEY.fullmatch(key) else None


@dataclass(frozen=True)
class CriterionRead:
    """One criterion as read, with its weight for the rubric's total."""

    key: str  # as written in the heading, even when not valid
    weight: Decimal | None  # None: missing or not valid (reported)
    criterion: Criterion | None  # None: it has an error (reported)


def read_criterion(lines: Sequence[str], fenced: bytearray, section: Section, position: int,
                   first_line: dict[str, int], report: Reporter) -> CriterionRead:
    """The criterion of the section, the ``position``-th of the rubric (from 1)."""
    number = section.heading + 1
    heading = heading_parts(lines[section.heading])
    errors_before = report.errors
    ckey = _check_heading(heading, number, f"criterion-{position}", first_line, report)
    values, body_start = read_key_lines(lines, fenced, section.heading, section.end, report,
                                        ckey, _KEY_LINES)
    weight = _check_weight(values.get("weight"), number, ckey, report)
    if section.cut:
        return CriterionRead(heading.key, weight, None)
    parsed = read_levels(lines, fenced, body_start, section.end, number, ckey, report)
    if report.errors > errors_before or ckey is None or parsed is None or weight is None:
        return CriterionRead(heading.key, weight, None)
    return CriterionRead(heading.key, weight, Criterion(
        key=ckey, title=heading.title, weight=weight, guidance=parsed.guidance,
        levels=parsed.levels, line=number))


def _check_heading(heading: Heading, number: int, fallback: str, first_line: dict[str, int],
                   report: Reporter) -> str | None:
    """The criterion's key; None when it has none or it is not valid (reported).

    A repeated key is reported too, but still names the criterion in later messages.
    """
    problem = _heading_problem(heading, fallback)
    ckey: str | None = None
    if problem:
        report.error(number, problem)
    elif heading.key in first_line:
        report.error(number, f"duplicate criterion key '{heading.key}' (also line "
                             f"{first_line[heading.key]}): give each criterion its own key",
                     heading.key)
        ckey = heading.key
    else:
        first_line[heading.key] = number
        ckey = heading.key
    _check_title(heading, number, ckey or fallback, ckey, report)
    return ckey


def _check_title(heading: Heading, number: int, example_key: str, ckey: str | None,
                 report: Reporter) -> None:
    if heading.has_colon and not heading.title:
        report.error(number, f"the criterion has no title: write it after the colon, e.g. "
                             f"'## {example_key}: Communication'", ckey)
    else:
        title_too_long(heading.title, number, report, ckey)


def _heading_problem(heading: Heading, fallback: str) -> str | None:
    """What is wrong with the heading's key, if anything."""
    raw, key, title = heading.raw, heading.key, heading.title
    if not raw:
        return ("the heading has no criterion: write '## key: Title', e.g. "
                "'## communication: Communication'")
    if not heading.has_colon:
        return (f"the heading {quote(raw)} has no key: write '## key: Title', "
                f"e.g. '## {_slug(raw, fallback)}: {raw}'")
    if "：" in raw and ":" not in raw:
        return ("the heading uses a full-width colon '：': write the ASCII colon "
                f"':' after the key, e.g. '## {_slug(key, fallback)}: {title}'")
    if not CRITERION_KEY.fullmatch(key):
        return (f"criterion key {quote(key)} is not valid: use 1 to 40 lowercase letters, "
                "digits and '-', starting and ending with a letter or digit, e.g. "
                f"'## {_slug(key or title, fallback)}: {title or 'Title'}'")
    return None


def _check_weight(value: KeyValue | None, number: int, ckey: str | None,
                  report: Reporter) -> Decimal | None:
    """The 'weight: N' line's value; None when it is missing or not valid (reported)."""
    if value is None:
        report.error(number, "missing 'weight: N' line: write it right after the heading, e.g. "
                             "'weight: 25' (the weights of all criteria total 100)", ckey)
        return None
    if value.reported:  # written with a full-width colon
        return None
    if AMOUNT.fullmatch(value.text) and Decimal(value.text) > 0:
        return Decimal(num(Decimal(value.text)))  # '25.0' is stored as 25
    report.error(value.line, f"weight {quote(value.text)} is not valid: write a positive number "
                             "with at most two decimals, e.g. 'weight: 25' or 'weight: 12.5'",
                 ckey)
    return None
