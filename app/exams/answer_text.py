"""Reading what a learner typed: short answers as they are compared, and numbers.

Pure: stdlib only. :mod:`app.exams.grading` judges the answers these functions read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from numbers import Real

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def normalise_text(text: str) -> str:
    """A short answer as compared: NFKC (full-width → half-width), case-folded, surrounding
    whitespace removed and inner runs of whitespace collapsed to one space.

    ``normalise_text("  ＭＬＰＳ  ２.０ ") == "mlps 2.0"``
    """
    if text.isascii():
        return " ".join(text.lower().split())
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


@lru_cache(maxsize=4096)
def literal_key(text: str) -> str:
    """What a literal answer is compared by: normalised, without any spaces."""
    return normalise_text(text).replace(" ", "")


@lru_cache(maxsize=1024)
def compiled_regex(pattern: str) -> re.Pattern[str] | None:
    """A regex answer, compiled once per pattern; None when it does not compile."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, TypeError, ValueError, RecursionError):
        return None


def parse_number(text: str) -> float | None:
    """A learner's number: ``"42"``, ``" 3.5 "``, ``"-1e3"``, ``"3,5"`` (a decimal comma) or
    full-width ``"４２"``; None when it is not one finite number.

    No thousands separators: ``"1,000"`` is 1.0, ``"1,000,000"`` and ``"1.000,5"`` are None.
    ``inf``, ``nan`` and ``1_000`` (which ``float()`` would accept) are None.
    """
    if not isinstance(text, str):
        return None
    plain = _with_decimal_point(text)
    if plain is None or _NUMBER.fullmatch(plain) is None:
        return None
    try:
        value = float(plain)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _with_decimal_point(text: str) -> str | None:
    """The text stripped, half-width, with a decimal comma made a point; None when it has
    more than one separator."""
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    if "," not in text:
        return text
    if "." in text or text.count(",") > 1:
        return None
    return text.replace(",", ".")


def as_number(response: object) -> float | None:
    """A typed or sent number as a finite float; None for anything else (bools included)."""
    if isinstance(response, str):
        return parse_number(response)
    if isinstance(response, bool) or not isinstance(response, Real):
        return None
    try:
        value = float(response)
    except (ValueError, OverflowError, TypeError):
        return None
    return value if math.isfinite(value) else None
