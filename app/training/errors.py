"""The one refusal of the training services."""

from __future__ import annotations


class TrainingRefused(Exception):
    """The step is not possible; the message says why. ``field`` names the form field."""

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.field = field
