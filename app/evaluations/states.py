"""The states of an evaluation and of a reviewer's scorecard.

Pure: the permissions module compares these members, so they import nothing of the app.
"""

from __future__ import annotations

import enum


class EvaluationState(enum.StrEnum):
    """open → (moderation ⇄ open) → ready → released."""

    OPEN = "open"              # reviewers are scoring
    MODERATION = "moderation"  # every review is in, but they disagree too much
    READY = "ready"            # every review is in and accepted: waiting for release
    RELEASED = "released"      # the person sees the result


class ReviewState(enum.StrEnum):
    PENDING = "pending"        # assigned, nothing saved yet
    DRAFT = "draft"            # saved, not submitted: only the reviewer sees it
    SUBMITTED = "submitted"    # locked
    SUPERSEDED = "superseded"  # the coordinator asked for a re-score; kept as history
