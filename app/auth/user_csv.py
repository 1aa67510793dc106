"""Reading an HR list of people (CSV) into validated rows. Pure: no database, no request.

Columns (header row required, any order): ``email``, ``name`` (required);
``roles`` (``;``, ``,`` or ``|`` separated, default ``learner``), ``team``,
``manager_email``, ``language`` (``en`` or ``zh_CN``), all optional. The caller turns
the uploaded bytes into text with :func:`app.content.csv_upload.decode` (UTF-8 or
GB18030/GBK).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from app.content.csv_upload import FirstLines, RowError, column_names, empty_file, too_many_rows

KNOWN_ROLES = ("learner", "trainer", "reviewer", "manager", "supervisor", "admin")
REQUIRED_COLUMNS = ("email", "name")
OPTIONAL_COLUMNS = ("roles", "team", "manager_email", "language")
LANGUAGE_ALIASES = {"en": "en", "english": "en", "zh_cn": "zh_CN", "zh-cn": "zh_CN",
                    "zh": "zh_CN", "zh-hans": "zh_CN", "简体中文": "zh_CN", "中文": "zh_CN"}
MAX_ROWS = 20_000
EXAMPLE_HEADER = "email,name,roles,team,manager_email"


@dataclass
class PersonRow:
    line: int
    email: str
    name: str
    roles: tuple[str, ...]
    team: str
    manager_email: str
    language: str


@dataclass
class ParsedList:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Every email in the email column, including on bad rows: a manager on a
    # bad row is reported once, for that row, not again for each report.
    listed_emails: set[str] = field(default_factory=set)
    # Each row's valid manager email by line, bad rows included, so that a manager who
    # exists nowhere is reported for every row naming them.
    managers: dict[int, str] = field(default_factory=dict)


def parse_people(text: str) -> ParsedList:
    """Validate every row; report every problem with its line number."""
    result = ParsedList()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    _, header = column_names(reader.fieldnames or [])
    result.errors += _header_errors(header)
    if result.errors:
        return result
    reader.fieldnames = header
    first_lines = FirstLines()
    for raw in reader:
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(too_many_rows(reader.line_num, MAX_ROWS))
            break
        _read_row(reader.line_num, raw, result, first_lines)
    return result


def _header_errors(header: list[str]) -> list[RowError]:
    if not header:
        return [empty_file("The file", EXAMPLE_HEADER)]
    unknown = [h for h in header if h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    missing = [h for h in REQUIRED_COLUMNS if h not in header]
    errors = []
    if unknown:
        errors.append(RowError(1, f"unknown column(s) {', '.join(unknown)}; the columns "
                                  f"are {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"))
    if missing:
        errors.append(RowError(1, f"missing column(s) {', '.join(missing)}"))
    return errors


def _read_row(line: int, raw: dict, result: ParsedList, first_lines: FirstLines) -> None:
    """Add the row, or every problem it has, to ``result``; a blank line adds nothing."""
    errors = _overflow(line, raw)
    values = {k: (v or "").strip() for k, v in raw.items()}
    if not any(values.values()) and not errors:
        return
    result.listed_emails.add(values.get("email", "").lower())
    row, row_errors = _parse_row(line, values)
    errors += row_errors
    if repeat := first_lines.repeat(line, _normalised(values.get("email", "")), "email"):
        errors.append(repeat)
    if manager := _normalised(values.get("manager_email", "")):
        result.managers[line] = manager
    if errors:
        result.errors.extend(errors)
    elif row:
        result.rows.append(row)


def _overflow(line: int, raw: dict) -> list[RowError]:
    """More values than columns: reported, and the row's other values are still checked."""
    if None not in raw:
        return []
    raw.pop(None)
    return [RowError(line, "more values than columns (a comma inside a value needs double "
                           "quotes around the value)")]


def _normalised(text: str) -> str:
    """The address as accounts store it, or "" when it is not one (reported elsewhere)."""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower() if text else ""
    except EmailNotValidError:
        return ""


def _parse_row(line: int, values: dict[str, str]) -> tuple[PersonRow | None, list[RowError]]:
    errors: list[RowError] = []
    email = _email(values.get("email", ""), line, "email", errors)
    name = _text(values, "name", line, errors)
    roles = _roles(values.get("roles", ""), line, errors)
    language_text = values.get("language", "") or "en"
    language = LANGUAGE_ALIASES.get(language_text.lower())
    if language is None:
        errors.append(RowError(line, f"unknown language {language_text!r}; write en or zh_CN"))
    manager = values.get("manager_email", "")
    manager_email = _email(manager, line, "manager_email", errors) if manager else ""
    if email and manager_email and manager_email == email:
        errors.append(RowError(line, "a person cannot be their own manager"))
    team = _text(values, "team", line, errors)
    if errors or not email:
        return None, errors
    return PersonRow(line, email, name, roles or ("learner",), team, manager_email,
                     language or "en"), errors


def _text(values: dict[str, str], column: str, line: int, errors: list[RowError]) -> str:
    """A name or team of at most 120 characters; the name is required."""
    text = values.get(column, "")
    if column == "name" and not text:
        errors.append(RowError(line, "name is empty: write the person's display name"))
    elif len(text) > 120:
        errors.append(RowError(line, f"{column} is longer than 120 characters"))
    return text


def _roles(text: str, line: int, errors: list[RowError]) -> tuple[str, ...]:
    roles = tuple(dict.fromkeys(r.lower() for r in re.split(r"[;,|\s]+", text) if r))
    bad = [r for r in roles if r not in KNOWN_ROLES]
    if bad:
        errors.append(RowError(line, f"unknown role(s) {', '.join(bad)}; use any of "
                                     f"{', '.join(KNOWN_ROLES)} separated by ';'"))
    return roles


def _email(text: str, line: int, column: str, errors: list[RowError]) -> str:
    if not text:
        errors.append(RowError(line, f"{column} is empty: write an email address"))
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        errors.append(RowError(line, f"{column} {text!r} is not a valid email address ({exc})"))
        return ""
