"""Assessment periods with their plans, performance figures, and per-person records.

A period's plan (§3.3.1) says which exams count, which evaluation kinds count,
the weights of the four indicators, the grade bands and the work-performance
formula. A record is computed from its sources while the period runs; when the
manager publishes it, the values and their sources are frozen in ``snapshot``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.assessments.states import (
    CHANGE_MOVES,
    PERIOD_MOVES,
    RECORD_MOVES,
    ChangeState,
    PeriodState,
    RecordState,
)
from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.database.states import checked_move
from app.extensions import TableModel

__all__ = ["AssessmentPeriod", "AssessmentRecord", "ChangeRequest", "ChangeState", "Decision",
           "ImprovementItem", "Interview", "PerformanceEntry", "PeriodMember", "PeriodState",
           "RecordState"]

SCORE = sa.Numeric(6, 2)


def _of_record(*, unique: bool = False) -> Mapped[int]:
    """The record a row belongs to (one row per record when ``unique``); deleted with it."""
    target = sa.ForeignKey("assessment_records.id", ondelete="CASCADE")
    return mapped_column(target, unique=True) if unique else mapped_column(target, index=True)


def _by_user() -> Mapped[int]:
    """The account that did it, kept as long as the row is."""
    return mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class AssessmentPeriod(TableModel):
    __tablename__ = "assessment_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    cadence: Mapped[str] = mapped_column(sa.String(20))  # "monthly" or "quarterly"
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    state: Mapped[str] = mapped_column(sa.String(20), default=PeriodState.PLANNING)
    audience: Mapped[str] = mapped_column(sa.String(10), default="everyone")  # teams, people
    # The plan. Decimal values are kept as strings in JSON ("30", "92.5").
    weights: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    bands: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    performance_formula: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    exam_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    exam_combine: Mapped[str] = mapped_column(sa.String(10), default="mean")
    capability_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    description_html: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = _by_user()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[PeriodMember]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    def move_to(self, target: PeriodState) -> None:
        self.state = checked_move(self.state, target, PERIOD_MOVES)


class PeriodMember(TableModel):
    """A team or a named person a period covers (when its audience is not everyone)."""

    __tablename__ = "assessment_period_members"
    __table_args__ = (
        sa.CheckConstraint("(team_id IS NULL) <> (user_id IS NULL)", name="team_or_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))


class PerformanceEntry(TableModel):
    """A manager's work-performance figures for one person and period (§3.1.3)."""

    __tablename__ = "assessment_performance"
    __table_args__ = (sa.UniqueConstraint("period_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                           index=True)
    success_rate: Mapped[Decimal | None] = mapped_column(SCORE)  # percent
    satisfaction: Mapped[Decimal | None] = mapped_column(SCORE)  # percent
    note: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.String(20), default="form")  # or "csv"
    entered_by_id: Mapped[int] = _by_user()
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssessmentRecord(TableModel):
    __tablename__ = "assessment_records"
    __table_args__ = (sa.UniqueConstraint("period_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                           index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=RecordState.DRAFT)
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    problems: Mapped[str] = mapped_column(sa.Text, default="")
    incomplete_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Frozen at publication: indicator values, their sources, the total and band.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    total: Mapped[Decimal | None] = mapped_column(SCORE)
    band: Mapped[str | None] = mapped_column(sa.String(20))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_comment: Mapped[str] = mapped_column(sa.Text, default="")

    period: Mapped[AssessmentPeriod] = relationship(lazy="joined", innerjoin=True)
    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined",
                                        innerjoin=True)

    def move_to(self, target: RecordState) -> None:
        self.state = checked_move(self.state, target, RECORD_MOVES)

    @property
    def published_snapshot(self) -> dict[str, Any]:
        """The snapshot of a published record; a draft has none, and asking is a bug."""
        if self.snapshot is None:
            raise ValueError(f"record {self.id} is a draft: it has no snapshot")
        return self.snapshot


class Interview(TableModel):
    """The performance interview (§3.3.5): when it was held and what was said."""

    __tablename__ = "assessment_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = _of_record(unique=True)
    held_on: Mapped[date]
    notes: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = _by_user()
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImprovementItem(TableModel):
    """One item of the improvement plan agreed at the interview, tracked to done."""

    __tablename__ = "assessment_improvements"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = _of_record()
    goal: Mapped[str] = mapped_column(sa.String(300))
    action: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date]
    course_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Decision(TableModel):
    """The use of the result (§3.4): the app's proposal and the manager's decision."""

    __tablename__ = "assessment_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = _of_record(unique=True)
    proposed: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    pay: Mapped[str] = mapped_column(sa.String(10))  # raise, keep, review
    promotion_priority: Mapped[bool] = mapped_column(default=False)
    course_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    position_review: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int] = _by_user()
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChangeRequest(TableModel):
    """A change to a published record: it takes effect only once someone else approves."""

    __tablename__ = "assessment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = _of_record()
    requested_by_id: Mapped[int] = _by_user()
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    # {"indicators": {"performance": "82.5"}, "went_well": "...", "problems": "..."}
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(20), default=ChangeState.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined",
                                              innerjoin=True)
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    record: Mapped[AssessmentRecord] = relationship(lazy="joined", innerjoin=True)

    def move_to(self, target: ChangeState) -> None:
        self.state = checked_move(self.state, target, CHANGE_MOVES)
