"""Reading managers' work-performance figures (CSV, §3.1.3) into checked rows.

Pure: no database, no request (the shared CSV helpers translate their own messages). The
caller looks the emails up and imports all rows or, when there is any error, none (see
docs/performance-import.md).

Columns (header row required, any order, case-insensitive; Chinese names accepted):
``email`` / 邮箱 (required); ``success_rate`` / 项目成功率 and ``satisfaction`` /
客户满意度, percentages 0-100 (``85``, ``85.5``, ``85%``; satisfaction also on the
1-5 scale as ``4.2/5``), at least one per row; ``note`` / 备注 (optional, <= 500
characters). Files are UTF-8 (with or without a byte-order mark) or GB18030/GBK, read by
:func:`app.content.csv_upload.decode`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.assessments.indicators import rounded
from app.content.csv_upload import (
    FirstLines,
    RowError,
    UnreadableFile,
    column_names,
    decode,
    empty_file,
    too_many_rows,
)

COLUMNS = ("email", "success_rate", "satisfaction", "note")
FIGURES = ("success_rate", "satisfaction")
CHINESE_COLUMNS = {"邮箱": "email", "项目成功率": "success_rate", "客户满意度": "satisfaction",
                   "备注": "note"}
MAX_ROWS = 5_000
MAX_NOTE = 500
EXAMPLE_HEADER = "email,success_rate,satisfaction,note"

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_PERCENT = re.compile(rf"({_NUMBER.pattern})\s*%?")
_OUT_OF_FIVE = re.compile(rf"({_NUMBER.pattern})\s*/\s*5")
_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")


@dataclass(frozen=True)
class PerformanceRow:
    line: int  # where the row begins in the file; the header is line 1
    email: str  # stripped and lower-case; not checked against the accounts
    success_rate: Decimal | None  # percent, two decimals; None: not given
    satisfaction: Decimal | None  # percent, two decimals; None: not given
    note: str


def parse_performance_csv(data: bytes, filename: str = "performance.csv",
                          ) -> tuple[list[PerformanceRow], list[RowError]]:
    """Check every row; report every problem with its line number.

    All or nothing: whenever the error list is not empty the row list is empty, so a
    caller cannot import part of a file by mistake.
    """
    filename = filename or "the file"  # an upload may come without a name
    try:
        text = decode(data, filename)
    except UnreadableFile as unreadable:
        return [], [unreadable.error]
    if not text.strip():
        return [], [empty_file(filename, EXAMPLE_HEADER)]
    parsed = _read(text, filename)
    return ([] if parsed.errors else parsed.rows), parsed.errors


def _read(text: str, filename: str) -> _Parsed:
    parsed = _Parsed()
    records = _Records(csv.reader(io.StringIO(text, newline=""), strict=True))
    try:
        _read_into(parsed, records, filename)
    except csv.Error as exc:  # a broken quote: every error so far, and where it begins
        parsed.errors.append(records.unreadable(exc))
    return parsed


@dataclass
class _Parsed:
    rows: list[PerformanceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: PerformanceRow | None, errors: list[RowError]) -> None:
        self.errors.extend(errors)
        if row and not errors:
            self.rows.append(row)


@dataclass
class _Records:
    """The file's non-blank records after the header, with the line each one begins on."""

    reader: Any  # a csv reader: its type is private to the csv module
    start: int = 1  # the line where the record being read begins

    def header(self) -> list[str]:
        return next(self.reader)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        self.start = self.reader.line_num + 1
        for cells in self.reader:
            line, self.start = self.start, self.reader.line_num + 1
            if any(c.strip() for c in cells):  # else a blank line
                yield line, cells

    def unreadable(self, exc: csv.Error) -> RowError:
        found = self.reader.line_num
        detected = f" (found on line {found})" if found != self.start else ""
        return RowError(self.start, f"the row starting here cannot be read{detected}: {exc}. "
                                    "A value containing a comma, a double quote or a line "
                                    "break must be wrapped in double quotes, and a double "
                                    'quote inside it written twice ("")')


def _read_into(parsed: _Parsed, records: _Records, filename: str) -> None:
    columns, labels, header_errors = _header(records.header())
    if header_errors:
        parsed.errors.extend(header_errors)
        return
    first_lines = FirstLines()
    count = 0
    for line, cells in records:
        count += 1
        if count > MAX_ROWS:
            parsed.errors.append(too_many_rows(line, MAX_ROWS))
            break
        row, row_errors = _row(line, columns, labels, cells)
        email = _cell(columns, cells, "email").lower()
        if repeat := first_lines.repeat(line, email, labels["email"]):
            row_errors.append(repeat)
        parsed.add(row, row_errors)
    if count == 0 and not parsed.errors:
        parsed.errors.append(RowError(1, f"{filename} has no rows under the header: "
                                         "add one row per person"))


def _header(cells: list[str]) -> tuple[list[str], dict[str, str], list[RowError]]:
    """The column of each position ("" for an unnamed one), how the file names each
    column in messages (项目成功率 (success_rate) for a Chinese header), or the errors."""
    names, columns = column_names(cells, CHINESE_COLUMNS)
    labels = {c: (f"{n} ({c})" if n in CHINESE_COLUMNS else c)
              for n, c in zip(names, columns, strict=True) if c in COLUMNS}
    if not any(names):
        return columns, labels, [RowError(1, f"the first line is empty: it must name the columns, "
                                     f"e.g. {EXAMPLE_HEADER}")]
    unknown = [n for n, c in zip(names, columns, strict=True) if c and c not in COLUMNS]
    errors = [_unknown_columns(names, unknown)] if unknown else []
    errors += _repeated_columns(names, columns)
    if "email" not in columns:
        errors.append(RowError(1, f"missing column email (邮箱): the first line must name the "
                                  f"columns, e.g. {EXAMPLE_HEADER}"))
    if not any(f in columns for f in FIGURES) and not unknown:
        errors.append(RowError(1, "missing columns: give success_rate (项目成功率), "
                                  "satisfaction (客户满意度) or both"))
    return columns, labels, errors


def _unknown_columns(names: list[str], unknown: list[str]) -> RowError:
    allowed = f"{', '.join(COLUMNS)} (or in Chinese {', '.join(CHINESE_COLUMNS)})"
    hint = ""
    if len(names) == 1 and re.search(r"[;\t]", names[0]):
        hint = "; separate the columns with commas, not semicolons or tabs"
    return RowError(1, f"unknown column(s) {', '.join(_q(n) for n in unknown)}: "
                       f"the columns are {allowed}{hint}")


def _repeated_columns(names: list[str], columns: list[str]) -> list[RowError]:
    errors = []
    for column in COLUMNS:
        spelled = [n for n, c in zip(names, columns, strict=True) if c == column]
        if len(spelled) > 1:
            errors.append(RowError(1, f"column {column} appears {len(spelled)} times (as "
                                      f"{', '.join(_q(n) for n in spelled)}): keep one"))
    return errors


def _row(line: int, columns: list[str], labels: dict[str, str], cells: list[str],
         ) -> tuple[PerformanceRow | None, list[RowError]]:
    errors: list[RowError] = _stray_values(line, columns, cells)
    value = {c: _cell(columns, cells, c) for c in COLUMNS}
    email = value["email"].lower()
    errors += _email_errors(line, labels["email"], value["email"])
    figures = {f: _percentage(line, labels.get(f, f), value[f], errors,
                              out_of_five=f == "satisfaction") for f in FIGURES}
    if not any(value[f] for f in FIGURES):
        given = " or ".join(labels[f] for f in FIGURES if f in labels)
        errors.append(RowError(line, f"no figures: write {given} (or both); an empty cell "
                                     "means not given"))
    note = value["note"].replace("\r\n", "\n")
    if len(note) > MAX_NOTE:
        errors.append(RowError(line, f"{labels['note']} is {len(note)} characters long: "
                                     f"shorten it to at most {MAX_NOTE}"))
    if errors:
        return None, errors
    return PerformanceRow(line, email, figures["success_rate"], figures["satisfaction"],
                          note), errors


def _stray_values(line: int, columns: list[str], cells: list[str]) -> list[RowError]:
    stray = [i + 1 for i, c in enumerate(cells)
             if c.strip() and (i >= len(columns) or not columns[i])]
    if not stray:
        return []
    return [RowError(line, f"a value in column(s) {', '.join(map(str, stray))}, "
                           "which the header does not name (a comma inside a value "
                           "needs double quotes around the value)")]


def _email_errors(line: int, label: str, text: str) -> list[RowError]:
    if not text:
        return [RowError(line, f"{label} is empty: write the person's email address")]
    if not _EMAIL.fullmatch(text.lower()):
        return [RowError(line, f"{label} {_q(text)} is not an email address: write one "
                               "address, e.g. li.wei@example.com")]
    return []


def _cell(columns: list[str], cells: list[str], column: str) -> str:
    if column not in columns:
        return ""
    i = columns.index(column)
    return cells[i].strip() if i < len(cells) else ""


def _percentage(line: int, column: str, text: str, errors: list[RowError],
                out_of_five: bool = False) -> Decimal | None:
    """A percentage with at most two decimals, or None when the cell is empty (or wrong:
    the reason is added to ``errors``)."""
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).strip()  # full-width ８５％ is 85%
    if out_of_five and (m := _OUT_OF_FIVE.fullmatch(plain)):
        value, problem = _out_of_five(Decimal(m.group(1)), column, text)
    else:
        value, problem = _percent(plain, column, text, out_of_five)
    if problem:
        errors.append(RowError(line, problem))
    return value


def _out_of_five(score: Decimal, column: str, text: str) -> tuple[Decimal | None, str]:
    if not Decimal(1) <= score <= Decimal(5):
        return None, f"{column} {_q(text)}: a score out of 5 must be between 1 and 5, e.g. 4.2/5"
    return rounded(score * 20), ""  # x/5 as a percentage, rounded half up


def _percent(plain: str, column: str, text: str, out_of_five: bool
             ) -> tuple[Decimal | None, str]:
    m = _PERCENT.fullmatch(plain)
    if not m or not Decimal(0) <= Decimal(m.group(1)) <= Decimal(100):
        what = ("a percentage between 0 and 100, e.g. 84 or 84%, or a score from 1 to 5 "
                "written like 4.2/5") if out_of_five else ("a percentage between 0 and 100, "
                                                           "e.g. 85 or 85%")
        return None, f"{column} {_q(text)} must be {what}"
    value, bare = Decimal(m.group(1)), "%" not in plain
    if bare and out_of_five and Decimal(0) < value <= Decimal(5):
        return None, (f"{column} {_q(text)} is ambiguous: write {plain}/5 for a score out of "
                      f"5, or {plain}% for a percentage")
    if bare and Decimal(0) < value < Decimal(1):
        percent = format((value * 100).normalize(), "f")
        return None, (f"{column} {_q(text)} looks like a fraction: write {percent} or "
                      f"{percent}% (or add the % sign if you do mean less than one percent)")
    if value != rounded(value):
        return None, (f"{column} {_q(text)} has more than two decimals: round it, e.g. "
                      f"{rounded(value)}")
    return rounded(value), ""


def _q(text: str) -> str:
    return f'"{text}"'
