"""Tokens and rules the Markdown bank format's reader and writer share. Pure: stdlib only.

The grammar is documented in ``docs/question-bank-format.md``.
"""

from __future__ import annotations

import math
import re
import unicodedata

QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# The markers of an answer list's items: a box for the choice types, a number for ordering.
TASK_ITEM = re.compile(r"[-*+][ \t]+\[([ xX])\](?=[ \t]|$)[ \t]*")
NUMBERED_ITEM = re.compile(r"\d{1,9}[.)][ \t]+")

CHOICE_TYPES = frozenset(("single", "multiple", "truefalse"))

ANSWER_FORMS = {
    "single": "'- [x] right option' and '- [ ] wrong option' lines",
    "multiple": "'- [x] right option' and '- [ ] wrong option' lines",
    "truefalse": "'- [x] True' and '- [ ] False' (mark the right one)",
    "short": "'- accepted answer' lines",
    "numeric": "'- 42', '- 42 ± 0.5' or '- 40 .. 45' lines",
    "matching": "'- left -> right' lines",
    "ordering": "'1. first', '2. second', ... in the right order",
    "essay": "'- marking point' lines",
}


def norm(text: str) -> str:
    """Text as compared for duplicates: NFKC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def num(value: float) -> str:
    """A number as written in a bank file: no trailing '.0' when it is whole."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
