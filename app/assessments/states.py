"""The states of an assessment period, a person's record and a change request.

Pure: the permissions module compares these members, so they import nothing of the app.
"""

from __future__ import annotations

import enum


class PeriodState(enum.StrEnum):
    """planning → open → scoring → published → closed."""

    PLANNING = "planning"    # the plan is being written; nobody covered sees it yet
    OPEN = "open"            # people see the plan; exams and evaluations happen
    SCORING = "scoring"      # managers complete and publish records
    PUBLISHED = "published"  # every record is out; interviews and follow-up
    CLOSED = "closed"        # archived: nothing changes without an approved change


class RecordState(enum.StrEnum):
    DRAFT = "draft"                # computed live from the sources
    PUBLISHED = "published"        # frozen and visible to the person
    ACKNOWLEDGED = "acknowledged"  # the person accepted it
    DISPUTED = "disputed"          # the person recorded disagreement


class ChangeState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
