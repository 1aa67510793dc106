"""The assessments' refusal: a step not possible now, with the message for the person."""

from __future__ import annotations


class AssessmentRefused(Exception):
    """The step is not possible now; the message says why. ``field`` names the form field
    it belongs beside, when there is one."""

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.field = field
