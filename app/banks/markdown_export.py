"""Write a question bank as canonical Markdown (the bank format). Pure: stdlib only.

:func:`~app.banks.markdown_format.parse_bank` reads the text back to equal questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.content.authoring import BULLET_ITEM
from app.content.sections import is_list_item

from .markdown_grammar import CHOICE_TYPES, NUMBERED_ITEM, TASK_ITEM, num
from .questions import Bank, NumericAnswer, Question, TextAnswer

_NEEDS_ESCAPE = re.compile(r"\\*%")
_NEEDS_ESCAPE_SHORT = re.compile(r"\\*[%/]")
# How the parser (question_body.py) tells a body's lines apart, read from the body's end.
_FEEDBACK = re.compile(r"(?: {2,}|\t)[ \t]*> ?")
_QUOTE = re.compile(r" ?> ?")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _escape(text: str, *, short: bool = False) -> str:
    return "\\" + text if (_NEEDS_ESCAPE_SHORT if short else _NEEDS_ESCAPE).match(text) else text


def _weight_prefix(weight: float | None) -> str:
    return "" if weight is None else f"%{num(weight)}% "


def _feedback_lines(feedback: str) -> list[str]:
    if not feedback:
        return []
    return ["  > " + line if line else "  >" for line in feedback.split("\n")]


def _numeric_text(answer: NumericAnswer) -> str:
    if answer.low is not None and answer.high is not None:
        return f"{num(answer.low)} .. {num(answer.high)}"
    value = num(answer.value if answer.value is not None else 0.0)
    return f"{value} ± {num(answer.tolerance)}" if answer.tolerance else value


def _answer_text(answer: TextAnswer | NumericAnswer) -> str:
    if isinstance(answer, NumericAnswer):
        return _numeric_text(answer)
    return f"/{answer.text}/" if answer.regex else _escape(answer.text, short=True)


def _choice_lines(question: Question) -> list[str]:
    out: list[str] = []
    for choice in question.choices:
        box = "[x]" if choice.correct else "[ ]"
        out.append(f"- {box} {_weight_prefix(choice.weight)}{_escape(choice.text)}")
        out.extend(_feedback_lines(choice.feedback))
    return out


def _accepted_lines(question: Question) -> list[str]:
    out: list[str] = []
    for answer in question.answers:
        out.append(f"- {_weight_prefix(answer.weight)}{_answer_text(answer)}")
        out.extend(_feedback_lines(answer.feedback))
    return out


def _pair_lines(question: Question) -> list[str]:
    return [f"- {_escape(pair.left) + ' ' if pair.left else ''}-> {pair.right}"
            for pair in question.pairs]


def _sequence_lines(question: Question) -> list[str]:
    return [f"{number}. {_escape(item)}"
            for number, item in enumerate(question.sequence, start=1)]


def _guidance_lines(question: Question) -> list[str]:
    return [f"- {_escape(point)}" for point in question.guidance]


_ANSWER_WRITERS: dict[str, Callable[[Question], list[str]]] = {
    "single": _choice_lines, "multiple": _choice_lines, "truefalse": _choice_lines,
    "short": _accepted_lines, "numeric": _accepted_lines, "matching": _pair_lines,
    "ordering": _sequence_lines, "essay": _guidance_lines,
}


def _key_lines(question: Question) -> list[str]:
    """The key lines of the values that are not the defaults."""
    out = [f"type: {question.type}"]
    if question.points != 1:
        out.append(f"points: {num(question.points)}")
    if question.difficulty != "medium":
        out.append(f"difficulty: {question.difficulty}")
    if question.tags:
        out.append("tags: " + ", ".join(question.tags))
    if question.type == "essay" and question.word_limit is not None:
        out.append(f"words: {question.word_limit}")
    return out


def _line_kind(line: str, item: re.Pattern[str]) -> str:
    """As the parser sees a body line: "blank", "item", "feedback", "quote" or "other"."""
    if not line.strip():
        return "blank"
    if is_list_item(line, item):
        return "item"
    if line[0] in " \t" and _FEEDBACK.match(line):
        return "feedback"
    return "quote" if _QUOTE.match(line) else "other"


def _stem_lines(question: Question, answers_follow: bool) -> list[str]:
    """The stem's lines, written so that the parser reads them back as the stem.

    The parser reads a body from its end: a list of the type's answer items right above the
    answers (or ending an essay that has no guidance) would be read as the answers, and '>'
    lines ending such an essay as its explanation. Such a trailing list moves one column
    right and such quote lines to two (Markdown renders both the same), which the parser
    reads as text; written again, they stay as they are.
    """
    item = TASK_ITEM if question.type in CHOICE_TYPES else (
        NUMBERED_ITEM if question.type == "ordering" else BULLET_ITEM)
    lines = question.stem.split("\n")
    kinds = _stem_kinds(lines, item)
    absorbed = {"blank", "item", "feedback"} | (set() if answers_follow else {"quote"})
    start = len(lines)
    while start > 0 and kinds[start - 1] in absorbed:
        start -= 1
    if not any(kinds[k] in ("item", "quote") for k in range(start, len(lines))):
        return lines
    for k in range(start, len(lines)):
        if kinds[k] in ("item", "feedback"):
            lines[k] = " " + lines[k]
        elif kinds[k] == "quote":
            lines[k] = "  " + lines[k].lstrip(" ")
    return lines


def stem_as_written(question: Question) -> str:
    """The stem as the Markdown format reads it back once written (:func:`_stem_lines`).

    Readers of other formats give their stems this form, so that a bank exported as Markdown
    and imported again keeps every question as it was.
    """
    writer = _ANSWER_WRITERS.get(question.type)
    return "\n".join(_stem_lines(question, bool(writer(question) if writer else [])))


def _stem_kinds(lines: list[str], item: re.Pattern[str]) -> list[str]:
    """Each stem line's kind; lines of fenced code (and their fences) are "other"."""
    kinds, fence = [], None
    for line in lines:
        if found := _FENCE.match(line):
            if fence is None:
                fence = found[1][0]
            elif found[1][0] == fence:
                fence = None
            kinds.append("other")
        else:
            kinds.append("other" if fence else _line_kind(line, item))
    return kinds


def _question_lines(question: Question) -> list[str]:
    out = [f"## {question.id}", *_key_lines(question), ""]
    writer = _ANSWER_WRITERS.get(question.type)
    answers = writer(question) if writer else []
    out.extend(_stem_lines(question, bool(answers)))
    if answers:
        out.append("")
        out.extend(answers)
    if question.explanation:
        out.append("")
        out.extend("> " + line if line else ">" for line in question.explanation.split("\n"))
    return out


def export_question(question: Question) -> str:
    """One question as canonical Markdown, from its ``## ID`` heading (the browser's editor)."""
    return "\n".join(_question_lines(question)) + "\n"


def export_bank(bank: Bank) -> str:
    """The bank as canonical Markdown: front matter, then the questions in order."""
    out = ["---", f"id: {bank.id}", f"title: {bank.title}", f"area: {bank.area}",
           f"language: {bank.language}"]
    if bank.tags:
        out.append("tags: " + ", ".join(bank.tags))
    out.append("---")
    for question in bank.questions:
        out.append("")
        out.extend(_question_lines(question))
    return "\n".join(out) + "\n"
