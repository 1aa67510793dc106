"""The refusal every account rule raises."""

from __future__ import annotations


class AccountError(ValueError):
    """A rule about accounts was broken; the message is shown to the person.

    ``field`` names the form field it belongs beside, when there is one.
    """

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.field = field
