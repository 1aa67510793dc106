"""Why an evaluation step is not possible: the workflow's domain errors.

Apart from :mod:`app.evaluations.services` so that every evaluation module can refuse
without importing the workflow.
"""

from __future__ import annotations


class EvaluationRefused(Exception):
    """The step is not possible now; the message says why."""


class NoAuthority(EvaluationRefused):
    """The coordinator holds no authority over the person for this kind (a field error)."""
