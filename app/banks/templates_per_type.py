"""A new question's starting text, one per question type. Pure.

Each template is valid Markdown of the bank format once its ID is filled in (the tests
parse every one), so a trainer starts from a question that passes "Check" and edits it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .questions import QUESTION_TYPES

_ANSWERS = {
    "single": "- [x] The right option\n- [ ] A wrong option\n- [ ] Another wrong option",
    "multiple": "- [x] A right option\n- [x] Another right option\n- [ ] A wrong option",
    "truefalse": "- [x] True\n- [ ] False",
    "short": "- The accepted answer\n- Another accepted spelling",
    "numeric": "- 42 ± 0.5",
    "matching": "- First term -> What the first term means\n"
                "- Second term -> What the second term means\n"
                "- -> A meaning that matches no term",
    "ordering": "1. First step\n2. Second step\n3. Third step",
    "essay": "- A point a good answer makes\n- Another point markers look for",
}
_STEMS = {
    "single": "Write the question. Mark the one right option with [x].",
    "multiple": "Write the question. Mark every right option with [x].",
    "truefalse": "Write a statement that is true or false. Mark the right answer with [x].",
    "short": "Write the question. List every accepted answer.",
    "numeric": "Write the question. Give the answer, with a tolerance or a range.",
    "matching": "Match each term to its meaning.",
    "ordering": "Put the steps in order (write them here in the right order).",
    "essay": "Write the task. The list is guidance for markers.",
}
_EXTRA_KEYS = {"essay": "points: 5\nwords: 300\n"}
_EXPLANATION = "> Why the answer is right (shown at review)."


def template_for(kind: str, question_id: str) -> str:
    """The starting text of a new ``kind`` question with ID ``question_id``."""
    if kind not in QUESTION_TYPES:
        raise ValueError(f"unknown question type {kind!r}")
    return (f"## {question_id}\ntype: {kind}\n{_EXTRA_KEYS.get(kind, '')}\n{_STEMS[kind]}\n\n"
            f"{_ANSWERS[kind]}\n\n{_EXPLANATION}\n")


_NUMBERED = re.compile(r"(.*?)(\d+)")


def next_question_id(bank_id: str, taken: Iterable[str]) -> str:
    """A free ID following the bank's pattern (DH-014 → DH-015), or BANK-001 for a new bank."""
    taken = set(taken)
    best: tuple[int, str, int] | None = None  # number, prefix, width
    for existing in taken:
        match = _NUMBERED.fullmatch(existing)
        if match and (best is None or int(match[2]) > best[0]):
            best = (int(match[2]), match[1], len(match[2]))
    number, prefix, width = best or (0, _prefix(bank_id), 3)
    candidate = f"{prefix}{number + 1:0{width}d}"
    while candidate in taken:
        number += 1
        candidate = f"{prefix}{number + 1:0{width}d}"
    return candidate


def _prefix(bank_id: str) -> str:
    letters = "".join(part[0] for part in bank_id.split("-") if part).upper()
    return f"{letters[:4] or 'Q'}-"
