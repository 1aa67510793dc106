"""The one check for every new password, and the refusal the person reads.

How guessable a password is, is judged by :mod:`app.auth.passwords` (pure); this
module says so in the person's language.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.errors import AccountError
from app.auth.passwords import MIN_LENGTH, Weakness, password_weakness

MIN_PASSWORD_LENGTH = MIN_LENGTH


class PasswordRefused(AccountError):
    """The new password is too easy to guess; the message belongs at the password field."""

    def __init__(self, message: object, field: str | None = "password"):
        super().__init__(message, field)


def _refusal_message(weakness: Weakness) -> str:
    instead = _("Write three or four unrelated words instead, such as a phrase only you "
                "would think of.")
    if weakness is Weakness.TOO_SHORT:
        return _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if weakness is Weakness.PERSONAL:
        return _("This password is built from the person's name or email address, or from "
                 "this site's name. %(instead)s", instead=instead)
    if weakness is Weakness.COMMON:
        return _("This is one of the most common passwords, or is built from one "
                 "(like password, 123456 or qwerty). %(instead)s", instead=instead)
    if weakness is Weakness.PATTERN:
        return _("This password repeats characters or follows a sequence, a keyboard row "
                 "or a date (like aaaa, abcd or 1234). %(instead)s", instead=instead)
    return _("This password is too easy to guess. %(instead)s", instead=instead)


def check_new_password(password: str, *, email: str | None, name: str | None) -> None:
    """The one check for every new password (ASVS 6.2.4, 6.2.11): PasswordRefused if weak.

    ``email`` and ``name`` are the account's, so a password built from them is refused.
    """
    weakness = password_weakness(password, email=email, name=name)
    if weakness is not None:
        raise PasswordRefused(_refusal_message(weakness))
