"""Why an attempt cannot start or change: the messages are for the person."""

from __future__ import annotations


class AttemptRefused(Exception):
    """The person may not start or change this attempt; the message says why."""


class SaveRefused(AttemptRefused):
    """A save was refused (too late, or older than what is stored); nothing was lost."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # "closed", "stale"
