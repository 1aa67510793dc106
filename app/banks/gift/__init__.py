"""Read Moodle GIFT question files into the question-bank model. Pure: no Flask, no database.

The rules follow Moodle's documentation of the format (https://docs.moodle.org/en/GIFT_format);
docs/moodle-formats.md says what maps to what. Everything that cannot map is reported with its
line, never dropped silently. The package reads in layers: :mod:`.syntax` (escapes, source
lines, answer items), :mod:`.text` (the four text formats as our Markdown), :mod:`.answers`
(one parser per question type) and :mod:`.reader` (blocks, categories, IDs, one question).
What the Aiken reader shares with it lives in :mod:`app.banks.moodle`.
"""

from __future__ import annotations

from app.banks.gift.reader import GiftReader
from app.banks.moodle import (
    IssueLog,
    check_bank_arguments,
    finish_bank,
    plain_to_markdown,
    read_bank,
    split_blocks,
)
from app.banks.questions import Bank, Question
from app.content.authoring import Issue

# The Moodle helpers are re-exported for the Aiken reader, which imported them from here.
__all__ = ["IssueLog", "check_bank_arguments", "finish_bank", "plain_to_markdown", "read_gift",
           "split_blocks"]

_EMPTY_HINT = ("a GIFT question is text followed by an answer block in braces, such as "
               "`2+2 = {=4 ~5}`")


def read_gift(text: str, path: str, bank_id: str, *, title: str | None = None,
              area: str = "product", language: str = "en",
              keep_good: bool = False) -> tuple[Bank | None, list[Issue]]:
    """Read a Moodle GIFT file. The bank when there is no error (warnings allowed), else None;
    with every issue found, in line order. ``keep_good``: the bank of the questions without
    an error (the others reported), unless the file itself is in error (see finish_bank)."""

    def read(log: IssueLog) -> tuple[list[Question], tuple[str, ...]]:
        reader = GiftReader(log, bank_id, language)
        reader.read(text)
        return reader.questions, tuple(reader.tags)

    return read_bank(path, bank_id, title, area, language, read, _EMPTY_HINT,
                     keep_good=keep_good)
