"""A question's heading and key lines in the Markdown bank format. Pure: stdlib only.

``## ID`` names the question; the ``key: value`` lines under it say its type, points,
difficulty, tags and word limit. Each key has a check in :data:`_KEY_CHECKS` that reads
its value or reports what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from app.content.authoring import (
    KeyLineRules,
    KeyValue,
    Reporter,
    known_value,
    one_of,
    quote,
)

from .markdown_grammar import QUESTION_ID
from .questions import DIFFICULTIES, QUESTION_TYPES

# Lowercase letters of any script, digits and '-', starting and ending with a letter or
# digit (no '_': the documented alphabet is letters, digits and '-').
_TAG = re.compile(r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?")
_POINTS = re.compile(r"\d+(?:\.\d{1,2})?")
_WORDS = re.compile(r"\d+")


def check_question_id(raw_id: str, number: int, first_line: dict[str, int],
                      report: Reporter) -> str | None:
    """The ID of a '## ID' heading; None when there is none or it is not valid (reported).

    A repeated ID is reported too, but still names the question in later messages.
    """
    if not raw_id:
        report.error(number, "the heading has no question ID: write '## ID', e.g. '## DH-001'")
        return None
    if not QUESTION_ID.fullmatch(raw_id):
        report.error(number, f"question ID {quote(raw_id)} is not valid: use letters, digits, "
                             "'-', '_' and '.' (up to 64, starting with a letter or digit), "
                             "e.g. '## DH-001'")
        return None
    if raw_id in first_line:
        report.error(number, f"duplicate question ID '{raw_id}' (also line {first_line[raw_id]}):"
                             " give each question its own ID", raw_id)
    else:
        first_line[raw_id] = number
    return raw_id


def read_tags(value: str, number: int, question_id: str | None,
              report: Reporter) -> tuple[tuple[str, ...], bool]:
    """Split a comma-separated tag list; reports malformed and repeated tags.

    Returns the valid tags, and whether every tag was valid.
    """
    tags: list[str] = []
    ok = True
    for raw in value.split(",") if value else ():
        tag = raw.strip()
        problem = _tag_problem(tag, value)
        if problem:
            report.error(number, problem, question_id)
            ok = False
        elif tag in tags:
            report.warning(number, f"tag '{tag}' is listed twice: remove one", question_id)
        else:
            tags.append(tag)
    return tuple(tags), ok


def _tag_problem(tag: str, tags: str) -> str | None:
    """What is wrong with one tag of the list ``tags``, if anything."""
    if not tag:
        return (f"empty tag in {quote(tags)}: separate tags with single commas, e.g. "
                "'tags: architecture, agents'")
    if not _TAG.fullmatch(tag) or tag != tag.lower():
        suggestion = "-".join(re.split(r"[\W_]+", tag.lower())).strip("-") or "my-tag"
        return (f"tag {quote(tag)} is not valid: use lowercase letters, digits and '-', e.g. "
                f"'{suggestion}'")
    return None


@dataclass
class QuestionKeys:
    """What a question's key lines say, with the defaults of the lines left out."""

    type: str | None = None  # None: missing or unknown (reported)
    points: float = 1.0
    difficulty: str = "medium"
    tags: tuple[str, ...] = ()
    word_limit: int | None = None  # essays only


@dataclass(frozen=True)
class _Question:
    """The question whose key lines are checked, and its bank's declared tags."""

    qid: str | None
    bank_tags: tuple[str, ...] | None  # None: unknown (the front matter has errors)
    report: Reporter

    def error(self, line: int, message: str) -> None:
        self.report.error(line, message, self.qid)

    def known(self, value: KeyValue, allowed: tuple[str, ...], noun: str, listed: str) -> bool:
        return known_value(value.text, allowed, noun, listed, value.line, self.report, self.qid)


def _check_type(keys: QuestionKeys, value: KeyValue, question: _Question) -> None:
    if question.known(value, QUESTION_TYPES, "type", "one of " + ", ".join(QUESTION_TYPES)):
        keys.type = value.text


def _check_points(keys: QuestionKeys, value: KeyValue, question: _Question) -> None:
    if _POINTS.fullmatch(value.text) and float(value.text) > 0:
        keys.points = float(value.text)
    else:
        question.error(value.line, f"points {quote(value.text)} is not valid: write a positive "
                                   "number with at most two decimals, e.g. 'points: 2' or "
                                   "'points: 1.5'")


def _check_difficulty(keys: QuestionKeys, value: KeyValue, question: _Question) -> None:
    if question.known(value, DIFFICULTIES, "difficulty", one_of(DIFFICULTIES)):
        keys.difficulty = value.text


def _check_tags(keys: QuestionKeys, value: KeyValue, question: _Question) -> None:
    keys.tags, _ok = read_tags(value.text, value.line, question.qid, question.report)
    declared = question.bank_tags
    if declared is None:
        return
    for tag in keys.tags:
        if tag in declared:
            continue
        if declared:
            question.error(value.line, f"tag '{tag}' is not in the bank's tags: use one of "
                                       f"{', '.join(declared)}, or add '{tag}' to the front "
                                       "matter's 'tags:' line")
        else:
            question.error(value.line, f"tag '{tag}' is not declared: this bank has no tags, "
                                       f"add 'tags: {tag}' to the front matter")


def _check_words(keys: QuestionKeys, value: KeyValue, question: _Question) -> None:
    if keys.type is not None and keys.type != "essay":
        question.error(value.line, f"'words' applies only to essays, not to {keys.type} "
                                   "questions: remove the line, or use 'type: essay'")
    elif _WORDS.fullmatch(value.text) and int(value.text) > 0:
        keys.word_limit = int(value.text)
    else:
        question.error(value.line, f"words {quote(value.text)} is not valid: write the word "
                                   "limit as a whole number, e.g. 'words: 300'")


# In this order: 'words' depends on the type.
_KEY_CHECKS: dict[str, Callable[[QuestionKeys, KeyValue, _Question], None]] = {
    "type": _check_type, "points": _check_points, "difficulty": _check_difficulty,
    "tags": _check_tags, "words": _check_words,
}

QUESTION_KEY_LINES = KeyLineRules(
    keys=tuple(_KEY_CHECKS),
    unknown=f"unknown key '{{key}}': use {one_of(_KEY_CHECKS)} (and leave a blank line before "
            "the question text)",
    before="the question text")


def check_question_keys(values: dict[str, KeyValue], number: int, qid: str | None,
                        bank_tags: tuple[str, ...] | None, report: Reporter) -> QuestionKeys:
    """Check the key lines read under the heading on line ``number``."""
    keys = QuestionKeys()
    if "type" not in values:
        report.error(number, "missing 'type: ...' line: write it right after the heading, with "
                             f"one of {', '.join(QUESTION_TYPES)}", qid)
    question = _Question(qid, bank_tags, report)
    for key, check in _KEY_CHECKS.items():
        if key in values:
            check(keys, values[key], question)
    return keys
