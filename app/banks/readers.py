"""Choosing the reader for a bank file (Markdown, GIFT, Aiken) and reading many at once."""

from __future__ import annotations

import re
from pathlib import PurePath

from app.banks.aiken import read_aiken
from app.banks.gift import read_gift
from app.banks.markdown_format import check_banks, read_bank_file
from app.banks.questions import Bank
from app.content.authoring import Issue

SUFFIXES = (".md", ".gift", ".txt")


def format_of(name: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = PurePath(name).suffix.lower()
    return {".gift": "gift", ".txt": "aiken"}.get(suffix, "markdown")


def slug_from_name(name: str) -> str:
    """A bank ID from a file name: lowercase letters, digits and '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", PurePath(name).stem.lower()).strip("-")
    return (slug or "imported-bank")[:60].ljust(3, "x")


def read_one(name: str, data: bytes, *, fmt: str | None = None, bank_id: str | None = None,
             meta: dict | None = None) -> tuple[Bank | None, list[Issue]]:
    """One file; ``meta`` (title, area, language) describes a GIFT or Aiken bank."""
    kind = format_of(name, fmt)
    if kind == "markdown":
        return read_bank_file(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [Issue(name, line, "the file is not UTF-8 text: save it as UTF-8")]
    reader = read_gift if kind == "gift" else read_aiken
    return reader(text.replace("\r\n", "\n"), name, bank_id or slug_from_name(name),
                  **{k: v for k, v in (meta or {}).items() if v})


def read_files(files: list[tuple[str, bytes]], *, fmt: str | None = None,
               bank_id: str | None = None, meta: dict | None = None
               ) -> tuple[list[Bank], list[Issue]]:
    """Read every file; cross-file checks (duplicate IDs) over all that parsed."""
    banks: list[Bank] = []
    issues: list[Issue] = []
    for name, data in files:
        bank, found = read_one(name, data, fmt=fmt, bank_id=bank_id, meta=meta)
        issues += found
        if bank is not None:
            banks.append(bank)
    issues += check_banks(banks)
    issues.sort(key=lambda issue: (issue.path, issue.line))
    return banks, issues
