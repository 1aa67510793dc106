"""Choosing the reader for a bank file (Markdown, GIFT, Aiken, Moodle XML) and reading many.

Strict reading (the default) refuses a file with any error. ``keep_good`` is Moodle's way for
its three formats: the questions with errors are refused, each one listed, and the good ones
are imported; a problem with the file itself (not UTF-8, not XML, a wrong bank ID, no
question) still refuses it. Markdown banks are ours and are always read strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from app.banks.aiken import read_aiken
from app.banks.gift import read_gift
from app.banks.markdown_format import check_banks, read_bank_file
from app.banks.moodle_xml import read_moodle_xml
from app.banks.questions import Bank
from app.banks.rendering import question_pieces
from app.content.authoring import Issue, errors_only, text_too_long

SUFFIXES = (".md", ".gift", ".txt", ".xml")
FORMATS = ("markdown", "gift", "aiken", "moodle-xml")
MOODLE_FORMATS = frozenset({"gift", "aiken", "moodle-xml"})


def format_of(name: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = PurePath(name).suffix.lower()
    return {".gift": "gift", ".txt": "aiken", ".xml": "moodle-xml"}.get(suffix, "markdown")


def slug_from_name(name: str) -> str:
    """A bank ID from a file name: lowercase letters, digits and '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", PurePath(name).stem.lower()).strip("-")
    return (slug or "imported-bank")[:60].ljust(3, "x")


def read_one(name: str, data: bytes, *, fmt: str | None = None, bank_id: str | None = None,
             meta: dict | None = None, keep_good: bool = False
             ) -> tuple[Bank | None, list[Issue]]:
    """One file; ``meta`` (title, area, language) describes a GIFT, Aiken or XML bank."""
    kind = format_of(name, fmt)
    if kind == "markdown":
        return read_bank_file(data, name)
    options = {k: v for k, v in (meta or {}).items() if v}
    bank_id = bank_id or slug_from_name(name)
    if kind == "moodle-xml":
        return read_moodle_xml(data, name, bank_id, keep_good=keep_good, **options)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [Issue(name, line, "the file is not UTF-8 text: save it as UTF-8")]
    reader = read_gift if kind == "gift" else read_aiken
    return reader(text.replace("\r\n", "\n"), name, bank_id, keep_good=keep_good, **options)


def read_files(files: list[tuple[str, bytes]], *, fmt: str | None = None,
               bank_id: str | None = None, meta: dict | None = None
               ) -> tuple[list[Bank], list[Issue]]:
    """Read every file strictly; cross-file checks (duplicate IDs) over all that parsed."""
    reading = read_for_import(files, fmt=fmt, bank_id=bank_id, meta=meta)
    return reading.banks, reading.issues


@dataclass
class Reading:
    """What an import would take: the banks, every issue, and which errors stop it."""

    banks: list[Bank]
    issues: list[Issue]
    blocking: list[Issue]  # errors that refuse the import
    refused: list[Issue]  # keep-the-good: errors of questions left out (imported without them)

    @property
    def questions(self) -> int:
        return sum(len(bank.questions) for bank in self.banks)


def read_for_import(files: list[tuple[str, bytes]], *, fmt: str | None = None,
                    bank_id: str | None = None, meta: dict | None = None,
                    keep_good: bool = False) -> Reading:
    """Read every file; with ``keep_good``, a Moodle file's question errors refuse only those
    questions. Cross-file checks (duplicate IDs) and a question too long to render always
    refuse."""
    banks: list[Bank] = []
    issues: list[Issue] = []
    refused: list[Issue] = []
    for name, data in files:
        lenient = keep_good and format_of(name, fmt) in MOODLE_FORMATS
        bank, found = read_one(name, data, fmt=fmt, bank_id=bank_id, meta=meta,
                               keep_good=lenient)
        issues += found
        if bank is not None:
            banks.append(bank)
            refused += errors_only(found)  # the reader kept the bank: only questions refused
    across = check_banks(banks) + [
        issue for bank in banks for question in bank.questions
        if (issue := text_too_long(bank.path, question.line, question_pieces(question),
                                   question.id))]
    issues = sorted(issues + across, key=lambda issue: (issue.path, issue.line))
    left_out = {id(issue) for issue in refused}  # by identity: linear in the errors
    blocking = [issue for issue in errors_only(issues) if id(issue) not in left_out]
    return Reading(banks, issues, blocking, refused)
