"""Write a question bank as canonical Markdown (the bank format). Pure: stdlib only.

:func:`~app.banks.markdown_format.parse_bank` reads the text back to equal questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .markdown_grammar import num
from .questions import Bank, NumericAnswer, Question, TextAnswer

_NEEDS_ESCAPE = re.compile(r"\\*%")
_NEEDS_ESCAPE_SHORT = re.compile(r"\\*[%/]")


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


def _question_lines(question: Question) -> list[str]:
    out = [f"## {question.id}", *_key_lines(question), ""]
    out.extend(question.stem.split("\n"))
    writer = _ANSWER_WRITERS.get(question.type)
    answers = writer(question) if writer else []
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
