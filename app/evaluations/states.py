"""The states of an evaluation and of a reviewer's scorecard, each with its transition
table (checked by :func:`app.database.states.checked_move`).

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


# Staying put is listed where a step does it on purpose. A reviewer added, or a re-score
# asked for, reopens the evaluation from any state before release.
EVALUATION_MOVES: dict[EvaluationState, frozenset[EvaluationState]] = {
    # another reviewer joins (stays open); the last review comes in
    EvaluationState.OPEN: frozenset({EvaluationState.OPEN, EvaluationState.MODERATION,
                                     EvaluationState.READY}),
    # the coordinator accepts the totals, or asks for a re-score
    EvaluationState.MODERATION: frozenset({EvaluationState.READY, EvaluationState.OPEN}),
    # accepted again; a re-score or a new reviewer reopens it; release
    EvaluationState.READY: frozenset({EvaluationState.READY, EvaluationState.OPEN,
                                      EvaluationState.RELEASED}),
    # final: an amendment changes scores, never the state
    EvaluationState.RELEASED: frozenset(),
}


class ReviewState(enum.StrEnum):
    """pending → draft (→ draft …) → submitted → superseded."""

    PENDING = "pending"        # assigned, nothing saved yet
    DRAFT = "draft"            # saved, not submitted: only the reviewer sees it
    SUBMITTED = "submitted"    # locked
    SUPERSEDED = "superseded"  # the coordinator asked for a re-score; kept as history


# A re-score does not reopen a submitted review: it supersedes it and starts a new round
# (a draft copied from it), so the first score stays in history.
REVIEW_MOVES: dict[ReviewState, frozenset[ReviewState]] = {
    ReviewState.PENDING: frozenset({ReviewState.DRAFT}),                       # first save
    ReviewState.DRAFT: frozenset({ReviewState.DRAFT, ReviewState.SUBMITTED}),  # save again
    ReviewState.SUBMITTED: frozenset({ReviewState.SUPERSEDED}),
    ReviewState.SUPERSEDED: frozenset(),
}

# A scorecard its reviewer still owes: nothing submitted yet in this round.
OWED_REVIEW_STATES = frozenset({ReviewState.PENDING, ReviewState.DRAFT})
# A scorecard that was submitted, whether it stands or was re-scored since.
SUBMITTED_REVIEW_STATES = frozenset({ReviewState.SUBMITTED, ReviewState.SUPERSEDED})


class ModerationOutcome(enum.StrEnum):
    """What a coordinator decided on moderation (not a state: one row per decision)."""

    ACCEPTED = "accepted"  # the totals stand as they are
    RESCORE = "rescore"    # one reviewer scores again
