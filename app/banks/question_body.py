"""A question's body in the Markdown bank format: stem, answer list and explanation.

Pure: stdlib only. The body is read from its end: the trailing run of '>' lines is the
explanation, the list right above it the answers, and the rest the stem. The answer list's
items are then read for the question's type (:mod:`app.banks.answer_lists`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.content.authoring import BULLET_ITEM, Reporter, trim_blank
from app.content.sections import (
    BLANK,
    FIRST_FREE_KIND,
    ITEM,
    OTHER,
    is_list_item,
    last_filled,
    line_kinds,
)

from .answer_lists import ANSWER_READERS, AnswerItem, AnswerList
from .content_types import AnswerFields
from .markdown_grammar import ANSWER_FORMS, CHOICE_TYPES, NUMBERED_ITEM, TASK_ITEM

_FEEDBACK = re.compile(r"(?: {2,}|\t)[ \t]*> ?")
_QUOTE = re.compile(r" ?> ?")
_BOX_TEXT = re.compile(r"\[[ xX]\](?:[ \t]|$)")
_LONG_STEM = 5000
# Line kinds of a question's body, besides BLANK, ITEM and OTHER.
_FEEDBACK_LINE, _QUOTE_LINE = FIRST_FREE_KIND, FIRST_FREE_KIND + 1
_NO_ANSWERS = {
    "single": "no options", "multiple": "no options", "truefalse": "no options",
    "short": "no accepted answers", "numeric": "no accepted numbers", "matching": "no pairs",
    "ordering": "no items",
}


@dataclass(frozen=True)
class QuestionBody:
    """What a question's body holds once read."""

    stem: str  # Markdown
    explanation: str  # Markdown, may be empty
    answers: AnswerFields


@dataclass(frozen=True)
class _Body:
    """A body's lines and their kinds, and where its parts are (offsets into them)."""

    lines: Sequence[str]
    start: int  # index of the body's first line in the file
    kinds: bytearray
    item: re.Pattern[str]  # the marker of the type's answer items
    last: int  # the last line that is not blank
    tail: int  # the last line before the explanation
    block: int  # the first line of the answer list; tail + 1 when there is none

    def line(self, offset: int) -> str:
        return self.lines[self.start + offset]

    def number(self, offset: int) -> int:
        return self.start + offset + 1


def _item_marker(qtype: str) -> re.Pattern[str]:
    if qtype in CHOICE_TYPES:
        return TASK_ITEM
    return NUMBERED_ITEM if qtype == "ordering" else BULLET_ITEM


def _kind_reader(item: re.Pattern[str]) -> Callable[[str], int]:
    """The kind of a body line that is neither blank nor code, for that item marker."""
    def kind_of(line: str) -> int:
        if is_list_item(line, item):
            return ITEM
        if line[0] in " \t" and _FEEDBACK.match(line):
            return _FEEDBACK_LINE
        return _QUOTE_LINE if _QUOTE.match(line) else OTHER
    return kind_of


def _layout(lines: Sequence[str], fenced: bytearray, start: int, end: int,
            qtype: str) -> _Body:
    """Where the explanation, the answer list and the stem are."""
    item = _item_marker(qtype)
    kinds = line_kinds(lines, fenced, start, end, _kind_reader(item))
    last = tail = last_filled(kinds)
    while tail >= 0 and kinds[tail] in (BLANK, _QUOTE_LINE):
        tail -= 1
    first = tail
    while first >= 0 and kinds[first] in (ITEM, _FEEDBACK_LINE, BLANK):
        first -= 1
    block = first + 1
    while block <= tail and kinds[block] != ITEM:
        block += 1
    return _Body(lines, start, kinds, item, last, tail, block)


def _after(pattern: re.Pattern[str], line: str) -> str:
    """The line after what ``pattern`` matches at its start."""
    match = pattern.match(line)
    return line[match.end():] if match else line


def _explanation(body: _Body) -> str:
    """The trailing run of '>' lines (blank lines between them allowed)."""
    texts = ["" if body.kinds[offset] == BLANK else _after(_QUOTE, body.line(offset))
             for offset in range(body.tail + 1, body.last + 1)]
    return "\n".join(trim_blank(texts))


def read_body(lines: Sequence[str], fenced: bytearray, start: int, end: int, qtype: str,
              number: int, qid: str | None, report: Reporter) -> QuestionBody | None:
    """Split the body into stem, answer list and explanation, then read the answers.

    None when the answers cannot be read at all (reported).
    """
    body = _layout(lines, fenced, start, end, qtype)
    explanation = _explanation(body)
    stem = "\n".join(trim_blank(list(lines[start:start + body.block])))
    _check_stem(stem, number, qid, report)
    answers = AnswerList(qtype, qid, report)
    if body.block > body.tail:
        if qtype != "essay":
            _report_missing_answers(body, qtype, number, answers)
        return QuestionBody(stem, explanation, {"guidance": ()})
    items = _answer_items(body, qtype, answers)
    if _misplaced_boxes(items, answers):
        return None
    return QuestionBody(stem, explanation, ANSWER_READERS[qtype](items, answers))


def _check_stem(stem: str, number: int, qid: str | None, report: Reporter) -> None:
    if not stem.strip():
        report.error(number, "empty stem: write the question text between the key lines and the "
                             "answers", qid)
    elif len(stem) > _LONG_STEM:
        report.warning(number, f"the stem is {len(stem):,} characters long (more than "
                               f"{_LONG_STEM:,}): shorten it, or move background material into a "
                               "course", qid)


def _answer_items(body: _Body, qtype: str, answers: AnswerList) -> list[AnswerItem]:
    """The answer list's items with their feedback lines; a blank line inside is reported."""
    items: list[AnswerItem] = []
    blank_at = 0
    for offset in range(body.block, body.tail + 1):
        kind, line = body.kinds[offset], body.line(offset)
        if kind == ITEM:
            match = body.item.match(line)
            end = match.end() if match else 0
            box = match.group(1) if match and qtype in CHOICE_TYPES else None
            items.append(AnswerItem(body.number(offset), box, line[end:].strip()))
        elif kind == _FEEDBACK_LINE:
            items[-1].feedback.append(_after(_FEEDBACK, line))
        elif not blank_at:
            blank_at = body.number(offset)
    if blank_at:
        answers.error(blank_at, "blank line inside the answer list: write the answers as one "
                                "list without blank lines (if the list above is part of the "
                                "question text, end the question text with a sentence)")
    return items


def _misplaced_boxes(items: list[AnswerItem], answers: AnswerList) -> bool:
    """Whether a type without options has '[ ]' or '[x]' boxes (reported)."""
    if answers.qtype in CHOICE_TYPES:
        return False
    boxed = next((item.line for item in items if _BOX_TEXT.match(item.text)), 0)
    if boxed and answers.qtype == "essay":
        answers.error(boxed, "an essay has no options: write marking guidance as '- point' "
                             "lines without [ ] or [x], or use type: single or multiple")
    elif boxed:
        answers.error(boxed, "'[ ]' and '[x]' boxes are only for single, multiple and "
                             f"truefalse questions: write {ANSWER_FORMS[answers.qtype]}")
    return bool(boxed)


def _report_missing_answers(body: _Body, qtype: str, number: int, answers: AnswerList) -> None:
    """No answer list ends the body: say what is in the way, or what to write."""
    offset = body.tail
    while offset >= 0 and body.kinds[offset] != ITEM:
        offset -= 1
    if offset >= 0:
        _report_text_after_answers(body, offset, answers)
        return
    last_line = body.line(body.tail) if body.tail >= 0 else ""
    if qtype in CHOICE_TYPES and BULLET_ITEM.match(last_line):
        answers.error(body.number(body.tail), "options need a box: write '- [x] right option' "
                                              "or '- [ ] wrong option'")
    elif qtype == "ordering" and BULLET_ITEM.match(last_line):
        answers.error(body.number(body.tail), "ordering items are numbered: write them in the "
                                              "right order as '1. first', '2. second', ...")
    elif qtype != "ordering" and NUMBERED_ITEM.match(last_line):
        answers.error(body.number(body.tail), f"{qtype} answers are bullet items: write "
                                              f"{ANSWER_FORMS[qtype]}")
    else:
        answers.error(number, f"{_NO_ANSWERS[qtype]}: after the question text, add "
                              f"{ANSWER_FORMS[qtype]}")


def _report_text_after_answers(body: _Body, item: int, answers: AnswerList) -> None:
    """Answers (from offset ``item`` up) followed by text: point at the text."""
    after = item + 1
    while after <= body.tail and body.kinds[after] in (_FEEDBACK_LINE, BLANK, ITEM):
        after += 1
    if body.kinds[after] == _QUOTE_LINE:
        answers.error(body.number(after), "the explanation must be the last thing in the "
                                          "question: move the lines after it (indented '  > ' "
                                          "feedback or answers) up, under their answers")
        return
    answers.error(body.number(after), "text after the answer list: the answers must come last "
                                      "(only '>' explanation lines may follow them); move this "
                                      "text above the answers, or start it with '> '")
