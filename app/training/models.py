"""Training needs and the annual training plan (§2.1, §2.2, §2.4).

Staff and managers submit needs; trainers answer them with items of the year's
plan. An item is delivered as an internal course, an external course or seminar,
an online course of this app, or practice on a project. Sessions record who
attended; online items count completions of their course; external ones keep each
attendee's certificate or report.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.courses.models import Course
from app.database import UTCDateTime, utcnow
from app.database.states import checked_move
from app.extensions import TableModel
from app.training.states import ITEM_MOVES, NEED_MOVES, ItemStatus, NeedState
from app.uploads import StoredFile

REASONS = ("business", "customer", "technology", "other")
URGENCIES = ("low", "normal", "high")
DELIVERIES = ("internal", "external", "online", "practice")
ATTENDANCE = ("attended", "absent", "excused")


class PlanItem(TableModel):
    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str] = mapped_column(sa.String(40))          # a curriculum area (§2.3)
    delivery: Mapped[str] = mapped_column(sa.String(20))      # one of DELIVERIES
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    provider: Mapped[str] = mapped_column(sa.String(200), default="")  # trainer or provider
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")      # Markdown
    description_html: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.String(10), default="everyone")
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="RESTRICT"))  # online items
    status: Mapped[str] = mapped_column(sa.String(20), default=ItemStatus.PLANNED, index=True)
    status_note: Mapped[str] = mapped_column(sa.Text, default="")  # why it was cancelled
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship(lazy="joined")

    @property
    def sessions(self) -> bool:
        """Attendance is taken (not for online items, which count completions)."""
        return self.delivery != "online"

    def move_to(self, target: ItemStatus) -> None:
        """Take ``target`` when the plan's steps allow it; else IllegalTransition."""
        self.status = checked_move(self.status, target, ITEM_MOVES)


class PlanAudience(TableModel):
    """Who an item whose audience is teams or named people is for."""

    __tablename__ = "plan_audience"
    __table_args__ = (
        sa.CheckConstraint("(team_id IS NULL) <> (user_id IS NULL)", name="team_or_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_items.id", ondelete="CASCADE"),
                                         index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))


class TrainingNeed(TableModel):
    __tablename__ = "training_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                           index=True)
    for_team: Mapped[bool] = mapped_column(default=False)  # a manager speaking for the team
    year: Mapped[int] = mapped_column(index=True)          # the plan year it is meant for
    area: Mapped[str] = mapped_column(sa.String(40))       # a curriculum area or "other"
    topic: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.String(20))     # one of REASONS
    urgency: Mapped[str] = mapped_column(sa.String(10))    # one of URGENCIES
    details: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(20), default=NeedState.SUBMITTED, index=True)
    plan_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_items.id", ondelete="SET NULL"), index=True)
    response: Mapped[str] = mapped_column(sa.Text, default="")  # the trainer's answer
    submitted_on: Mapped[date]
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    plan_item: Mapped[PlanItem | None] = relationship(lazy="joined")

    def move_to(self, target: NeedState) -> None:
        """Take ``target`` when a need's steps allow it; answering again in the same
        state (another item, other reasons) is no move."""
        if target != self.state:
            self.state = checked_move(self.state, target, NEED_MOVES)


class Attendance(TableModel):
    __tablename__ = "plan_attendance"
    __table_args__ = (sa.UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_items.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)
    status: Mapped[str] = mapped_column(sa.String(10))  # one of ATTENDANCE
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(StoredFile, TableModel):
    """An attendee's certificate or report from an external course (PDF, image, document)."""

    __tablename__ = "plan_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_items.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)

    item: Mapped[PlanItem] = relationship(lazy="joined")
    person: Mapped[User] = relationship(foreign_keys=[user_id])
