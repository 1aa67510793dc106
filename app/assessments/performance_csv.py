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
from dataclasses import dataclass
from decimal import Decimal

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
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[PerformanceRow] = []
    errors: list[RowError] = []
    start = 1  # the line where the record being read begins
    try:
        columns, labels, header_errors = _header(next(reader))
        if header_errors:
            return [], header_errors
        first_lines = FirstLines()
        count = 0
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # a blank line
            count += 1
            if count > MAX_ROWS:
                errors.append(too_many_rows(line, MAX_ROWS))
                break
            row, row_errors = _row(line, columns, labels, cells)
            email = _cell(columns, cells, "email").lower()
            if repeat := first_lines.repeat(line, email, labels["email"]):
                row_errors.append(repeat)
            errors.extend(row_errors)
            if row and not row_errors:
                rows.append(row)
        if count == 0 and not errors:
            errors.append(RowError(1, f"{filename} has no rows under the header: "
                                      "add one row per person"))
    except csv.Error as exc:
        detected = f" (found on line {reader.line_num})" if reader.line_num != start else ""
        errors.append(RowError(start, f"the row starting here cannot be read{detected}: {exc}. "
                                      "A value containing a comma, a double quote or a line "
                                      "break must be wrapped in double quotes, and a double "
                                      'quote inside it written twice ("")'))
    return ([] if errors else rows), errors


def _header(cells: list[str]) -> tuple[list[str], dict[str, str], list[RowError]]:
    """The column of each position ("" for an unnamed one), how the file names each
    column in messages (项目成功率 (success_rate) for a Chinese header), or the errors."""
    names, columns = column_names(cells, CHINESE_COLUMNS)
    labels = {c: (f"{n} ({c})" if n in CHINESE_COLUMNS else c)
              for n, c in zip(names, columns, strict=True) if c in COLUMNS}
    allowed = (f"{', '.join(COLUMNS)} (or in Chinese "
               f"{', '.join(CHINESE_COLUMNS)})")
    if not any(names):
        return columns, labels, [RowError(1, f"the first line is empty: it must name the columns, "
                                     f"e.g. {EXAMPLE_HEADER}")]
    errors: list[RowError] = []
    unknown = [n for n, c in zip(names, columns, strict=True) if c and c not in COLUMNS]
    if unknown:
        hint = ""
        if len(names) == 1 and re.search(r"[;\t]", names[0]):
            hint = "; separate the columns with commas, not semicolons or tabs"
        errors.append(RowError(1, f"unknown column(s) {', '.join(_q(n) for n in unknown)}: "
                                  f"the columns are {allowed}{hint}"))
    for column in COLUMNS:
        spelled = [n for n, c in zip(names, columns, strict=True) if c == column]
        if len(spelled) > 1:
            errors.append(RowError(1, f"column {column} appears {len(spelled)} times (as "
                                      f"{', '.join(_q(n) for n in spelled)}): keep one"))
    if "email" not in columns:
        errors.append(RowError(1, f"missing column email (邮箱): the first line must name the "
                                  f"columns, e.g. {EXAMPLE_HEADER}"))
    if not any(f in columns for f in FIGURES) and not unknown:
        errors.append(RowError(1, "missing columns: give success_rate (项目成功率), "
                                  "satisfaction (客户满意度) or both"))
    return columns, labels, errors


def _row(line: int, columns: list[str], labels: dict[str, str], cells: list[str],
         ) -> tuple[PerformanceRow | None, list[RowError]]:
    errors: list[RowError] = []
    stray = [i + 1 for i, c in enumerate(cells)
             if c.strip() and (i >= len(columns) or not columns[i])]
    if stray:
        errors.append(RowError(line, f"a value in column(s) {', '.join(map(str, stray))}, "
                                     "which the header does not name (a comma inside a value "
                                     "needs double quotes around the value)"))
    value = {c: _cell(columns, cells, c) for c in COLUMNS}
    email = value["email"].lower()
    if not email:
        errors.append(RowError(line, f"{labels['email']} is empty: write the person's "
                                     "email address"))
    elif not _EMAIL.fullmatch(email):
        errors.append(RowError(line, f"{labels['email']} {_q(value['email'])} is not an email "
                                     "address: write one address, e.g. li.wei@example.com"))
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


def _cell(columns: list[str], cells: list[str], column: str) -> str:
    if column not in columns:
        return ""
    i = columns.index(column)
    return cells[i].strip() if i < len(cells) else ""


def _percentage(line: int, column: str, text: str, errors: list[RowError],
                out_of_five: bool = False) -> Decimal | None:
    """A percentage with at most two decimals, or None when the cell is empty."""
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).strip()  # full-width ８５％ is 85%
    what = ("a percentage between 0 and 100, e.g. 84 or 84%, or a score from 1 to 5 written "
            "like 4.2/5") if out_of_five else "a percentage between 0 and 100, e.g. 85 or 85%"
    if out_of_five and (m := _OUT_OF_FIVE.fullmatch(plain)):
        score = Decimal(m.group(1))
        if not Decimal(1) <= score <= Decimal(5):
            errors.append(RowError(line, f"{column} {_q(text)}: a score out of 5 must be "
                                         "between 1 and 5, e.g. 4.2/5"))
            return None
        return rounded(score * 20)  # x/5 as a percentage, rounded half up
    m = _PERCENT.fullmatch(plain)
    if not m or not Decimal(0) <= Decimal(m.group(1)) <= Decimal(100):
        errors.append(RowError(line, f"{column} {_q(text)} must be {what}"))
        return None
    value = Decimal(m.group(1))
    if "%" not in plain and out_of_five and Decimal(0) < value <= Decimal(5):
        errors.append(RowError(line, f"{column} {_q(text)} is ambiguous: write {plain}/5 for a "
                                     f"score out of 5, or {plain}% for a percentage"))
        return None
    if "%" not in plain and Decimal(0) < value < Decimal(1):
        percent = format((value * 100).normalize(), "f")
        errors.append(RowError(line, f"{column} {_q(text)} looks like a fraction: write "
                                     f"{percent} or {percent}% (or add the % sign if you "
                                     "do mean less than one percent)"))
        return None
    if value != rounded(value):
        errors.append(RowError(line, f"{column} {_q(text)} has more than two decimals: "
                                     f"round it, e.g. {rounded(value)}"))
        return None
    return rounded(value)


def _q(text: str) -> str:
    return f'"{text}"'
