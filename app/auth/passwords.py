"""How guessable a new password is (pure: no Flask, no database).

ASVS 6.2.4 (refuse the most common passwords) and 6.2.11 (refuse passwords built
from context-specific words): zxcvbn ranks the password against its lists of
about 30,000 common passwords, names and words, and against the person's own
email and name, and estimates how many guesses an attacker needs.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 10
# zxcvbn's score 3: at least 10^8 guesses ("safely unguessable" against a slow hash).
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching is quadratic); a longer password is judged
# by its first characters, which only errs towards refusing.
ANALYSED_LENGTH = 72
# Words every account here shares (ASVS 6.2.11's context-specific words).
CONTEXT_WORDS = ("presales", "academy", "presalesacademy", "presales academy",
                 "presales-academy")
# Pieces of a name or address shorter than this are too common to strip from a password.
MIN_PERSONAL_PIECE = 3

# zxcvbn keeps the person's words in a module-level dictionary while it works.
_ZXCVBN_LOCK = threading.Lock()


class Weakness(enum.Enum):
    """Why a password is refused; the caller words the message."""

    TOO_SHORT = "too_short"
    PERSONAL = "personal"  # built from the person's email or name, or the site's name
    COMMON = "common"  # one of the common passwords, or built from one
    PATTERN = "pattern"  # repeats, sequences, keyboard rows, dates
    GUESSABLE = "guessable"  # otherwise too few guesses


def personal_words(email: str | None, name: str | None) -> list[str]:
    """The email and name, whole and in pieces, plus the site's own words."""
    words: list[str] = list(CONTEXT_WORDS)
    if email:
        email = email.strip().lower()
        local, _at, domain = email.partition("@")
        words += [email, local, *re.split(r"[._+\-]+", local)]
        words += domain.split(".")[:-1]  # the organisation's name, not ".com"
    if name:
        name = name.strip().lower()
        pieces = [p for p in re.split(r"[\s._\-]+", name) if p]
        words += [name, "".join(pieces), ".".join(pieces), *pieces]
    seen: dict[str, None] = {}
    for word in words:
        if word:
            seen.setdefault(word, None)
    return list(seen)


def _analyse(password: str, words: Iterable[str]) -> dict:
    with _ZXCVBN_LOCK:
        return zxcvbn(password[:ANALYSED_LENGTH], user_inputs=list(words))


def _without(password: str, words: Iterable[str]) -> str:
    """The password with every long enough personal word cut out (any case)."""
    rest = password
    for word in sorted(words, key=len, reverse=True):
        if len(word) >= MIN_PERSONAL_PIECE:
            rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
    return rest


def _main_reason(sequence: list[dict]) -> Weakness:
    """The weakness of the longest part an attacker would guess first."""
    if any(m.get("dictionary_name") == "user_inputs" for m in sequence):
        return Weakness.PERSONAL
    guessed = [m for m in sequence if m["pattern"] != "bruteforce"]
    if not guessed:
        return Weakness.GUESSABLE
    longest = max(guessed, key=lambda m: len(m["token"]))
    if longest["pattern"] == "dictionary":
        return Weakness.COMMON
    return Weakness.PATTERN


def password_weakness(password: str, *, email: str | None = None,
                      name: str | None = None) -> Weakness | None:
    """Why ``password`` is too easy to guess for this person, or None when it will do."""
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    words = personal_words(email, name)
    result = _analyse(password, words)
    if result["score"] < MIN_SCORE:
        return _main_reason(result["sequence"])
    # Strong only thanks to separators around a name ("presales-academy-2024"):
    # what is left once the personal words are cut out must hold up by itself.
    rest = _without(password, words)
    if rest != password and (len(rest) < MIN_LENGTH or _analyse(rest, words)["score"] < MIN_SCORE):
        return Weakness.PERSONAL
    return None
