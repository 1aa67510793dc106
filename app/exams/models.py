"""Exams, their composition rules, accommodations, attempts and the served questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.database.states import checked_move
from app.exams.states import ATTEMPT_MOVES, AttemptState
from app.extensions import TableModel

__all__ = ["Accommodation", "Attempt", "AttemptItem", "AttemptState", "Exam", "ExamAudience",
           "ExamRule"]


class Exam(TableModel):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    instructions: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    instructions_html: Mapped[str] = mapped_column(sa.Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_limit_minutes: Mapped[int]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    combine: Mapped[str] = mapped_column(sa.String(10), default="highest")  # or "last"
    pass_mark: Mapped[float] = mapped_column(default=60.0)  # percent
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    scoring: Mapped[str] = mapped_column(sa.String(20), default="partial")
    # Review policy: what a learner sees, and when ("after_submit" or "after_close").
    review_score: Mapped[bool] = mapped_column(default=True)
    review_correctness: Mapped[bool] = mapped_column(default=False)
    review_answers: Mapped[bool] = mapped_column(default=False)
    review_explanations: Mapped[bool] = mapped_column(default=False)
    review_when: Mapped[str] = mapped_column(sa.String(20), default="after_close")
    audience: Mapped[str] = mapped_column(sa.String(10), default="everyone")  # teams, people
    # Blind marking: markers see "Candidate 1, 2…" instead of names until marks are saved.
    blind_marking: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Starts spread over this many seconds after opening: each person's own start opens
    # at opens_at + a delay fixed per person (attempts.start_opens_at); 0 = all at once.
    start_spread_seconds: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rules: Mapped[list[ExamRule]] = relationship(
        order_by="ExamRule.position", cascade="all, delete-orphan", lazy="select")


class ExamRule(TableModel):
    """A section of an exam: fixed questions by ID, or N random ones from a bank."""

    __tablename__ = "exam_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(10))  # "fixed" or "random"
    question_ids: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # fixed
    bank_pk: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question_banks.id", ondelete="RESTRICT"))  # random
    count: Mapped[int] = mapped_column(default=0)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # all of these
    difficulty: Mapped[str | None] = mapped_column(sa.String(10))
    question_type: Mapped[str | None] = mapped_column(sa.String(20))  # random: one type or any
    points_each: Mapped[float | None]  # None: each question's own points


class ExamAudience(TableModel):
    """Who may sit an exam whose audience is teams or named people."""

    __tablename__ = "exam_audience"
    __table_args__ = (
        sa.CheckConstraint("(team_id IS NULL) <> (user_id IS NULL)", name="team_or_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="CASCADE"),
                                         index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))


class Accommodation(TableModel):
    """Extra time or attempts for one person, with the reason recorded."""

    __tablename__ = "exam_accommodations"
    __table_args__ = (sa.UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(sa.Text)


class Attempt(TableModel):
    __tablename__ = "exam_attempts"
    __table_args__ = (sa.UniqueConstraint("exam_id", "user_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="RESTRICT"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                         index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(20), default=AttemptState.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True when the deadline, not the person, ended the attempt.
    expired: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0.0)
    seed: Mapped[int]
    # Bumped each time the attempt page is served: saves carry (revision << 20) + n,
    # so any save from a newer page outranks every save from an older page or tab.
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    exam: Mapped[Exam] = relationship(lazy="joined", innerjoin=True)

    def move_to(self, target: AttemptState) -> None:
        """Take ``target`` if the transition table allows it; else ``IllegalTransition``."""
        self.state = checked_move(self.state, target, ATTEMPT_MOVES)


class AttemptItem(TableModel):
    """One served question: the exact version, its place, its option order, the answer."""

    __tablename__ = "exam_attempt_items"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question_versions.id", ondelete="RESTRICT"))
    points: Mapped[float]
    option_order: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    response: Mapped[Any | None] = mapped_column(sa.JSON)
    # The last accepted save's sequence number: (page revision << 20) + n.
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flagged: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    status: Mapped[str | None] = mapped_column(sa.String(20))  # the grader's verdict
    marker_comment: Mapped[str | None] = mapped_column(sa.Text)
    marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
