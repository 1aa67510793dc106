"""Complaints and suggestions about training and assessment (§4.2).

A complaint always has its author. A suggestion may be anonymous: then nothing
stored ties it to a person — no author, no audit entry, and only the day it was
received (a time of day could be matched against other activity).

People, URLs and the audit log know a matter by its ``reference``, a random code:
the row id counts up, so a gap between two signed complaints' numbers would date
an anonymous suggestion filed between them.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.complaints.states import COMPLAINT_MOVES, OPEN_STATES, ComplaintState
from app.database import UTCDateTime
from app.database.states import checked_move
from app.extensions import TableModel


class Complaint(TableModel):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)  # internal only: never shown
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True)  # random, public
    kind: Mapped[str] = mapped_column(sa.String(20))    # "complaint" or "suggestion"
    topic: Mapped[str] = mapped_column(sa.String(20))   # "training" or "assessment"
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)  # None: anonymous
    # What it is about, when it concerns the author's own result:
    # ("attempt", id), ("evaluation", id) or ("record", id).
    subject_type: Mapped[str | None] = mapped_column(sa.String(20))
    subject_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(20), default=ComplaintState.RECEIVED,
                                       index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    response: Mapped[str] = mapped_column(sa.Text, default="")   # shown to the author
    action_taken: Mapped[str] = mapped_column(sa.Text, default="")
    linked_path: Mapped[str] = mapped_column(sa.String(300), default="")  # e.g. a regrade
    received_on: Mapped[date]
    closed_on: Mapped[date | None]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")

    @property
    def anonymous(self) -> bool:
        return self.author_id is None

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    def move_to(self, target: ComplaintState) -> None:
        """Take ``target`` when a matter's steps allow it; staying in the same state while
        the owner or the response changes is no move."""
        if target != self.state:
            self.state = checked_move(self.state, target, COMPLAINT_MOVES)
