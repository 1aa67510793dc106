"""Moodle XML, in and out. Pure: no Flask, no database.

:func:`read_moodle_xml` reads a Moodle question export (parsed with a hardened parser,
:mod:`.tree`) into the question-bank model; :func:`export_moodle_xml` writes a bank as a
file Moodle's importer reads. docs/moodle-formats.md says what maps to what.
"""

from __future__ import annotations

import json

from app.banks.moodle import IssueLog, check_bank_arguments
from app.banks.moodle_xml.reader import XmlReader
from app.banks.moodle_xml.tree import MAX_BYTES, XmlProblem, parse_xml
from app.banks.moodle_xml.writer import export_moodle_xml
from app.banks.questions import Bank
from app.content.authoring import Issue

__all__ = ["MAX_BYTES", "export_moodle_xml", "read_moodle_xml"]

_EMPTY_HINT = ("a Moodle XML export holds `<question type=\"...\">` elements inside `<quiz>`: "
               "export the questions from Moodle's question bank as Moodle XML format")


def read_moodle_xml(data: bytes, path: str, bank_id: str, *, title: str | None = None,
                    area: str = "product", language: str = "en", keep_good: bool = False,
                    max_bytes: int = MAX_BYTES) -> tuple[Bank | None, list[Issue]]:
    """Read a Moodle XML export. The bank when there is no error (warnings allowed), else
    None; with every issue found, in line order.

    ``keep_good``: questions with errors are left out (still reported as errors) and the bank
    of the good ones is returned, unless the file itself is wrong (not XML, too big, bank
    arguments, no questions at all).
    """
    log = IssueLog(path)
    title = title or bank_id
    check_bank_arguments(log, bank_id, title, area, language)
    file_errors = log.error_count()
    root = parse_xml(data, max_bytes)
    reader = XmlReader(log, bank_id, language)
    if isinstance(root, XmlProblem):
        log.error(root.line, root.message)
        file_errors += 1
    elif root.tag != "quiz":
        log.error(root.line, f"the file's root element is `<{root.tag}>`, not `<quiz>`: this "
                             "is not a Moodle question export")
        file_errors += 1
    else:
        reader.read(root)
        if not reader.questions and file_errors == log.error_count():
            log.error(1, f"no questions found: {_EMPTY_HINT}")
            file_errors += 1
    linked = "".join(json.dumps(q.content(), ensure_ascii=False) for q in reader.questions)
    assets = tuple(a for a in reader.store.assets.values() if a.url in linked)  # kept questions'
    bank = Bank(id=bank_id, title=title, area=area, language=language, tags=tuple(reader.tags),
                questions=reader.questions, path=path, assets=assets)
    issues = sorted(log.issues, key=lambda issue: issue.line)
    refused = file_errors if keep_good else log.error_count()
    return (None if refused or not bank.questions else bank), issues
