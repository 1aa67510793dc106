"""Evaluations, reviews, scores, moderation, evidence and delegations.

An evaluation is scored by one or more reviewers against one exact rubric version
(:class:`~app.rubrics.models.RubricVersion`). Each reviewer's scorecard is a
:class:`Review`; asking a reviewer to re-score supersedes their review with a new round,
so the first score stays in history. Amendments after release go to the audit log with
before and after.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.database.states import checked_move
from app.evaluations.states import (  # noqa: F401 - the states are re-exported with the models
    EVALUATION_MOVES,
    REVIEW_MOVES,
    EvaluationState,
    ModerationOutcome,
    ReviewState,
)
from app.extensions import TableModel
from app.rubrics.models import RubricVersion
from app.uploads import StoredFile

SCORE = sa.Numeric(6, 2)  # 0.00 .. 100.00, exact: results decide pay and promotion


class Evaluation(TableModel):
    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                            index=True)
    coordinator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    rubric_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rubric_versions.id", ondelete="RESTRICT"))
    scenario: Mapped[str] = mapped_column(sa.Text)
    scenario_html: Mapped[str] = mapped_column(sa.Text, default="")
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    evidence_links: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    state: Mapped[str] = mapped_column(sa.String(20), default=EvaluationState.OPEN, index=True)
    spread_limit: Mapped[Decimal] = mapped_column(SCORE)
    show_reviewer_names: Mapped[bool] = mapped_column(default=False)
    result: Mapped[Decimal | None] = mapped_column(SCORE)  # mean of the reviewers' totals
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subject: Mapped[User] = relationship(foreign_keys=[subject_id], lazy="joined",
                                         innerjoin=True)
    coordinator: Mapped[User] = relationship(foreign_keys=[coordinator_id], lazy="joined",
                                             innerjoin=True)
    rubric_version: Mapped[RubricVersion] = relationship(lazy="joined", innerjoin=True)
    reviews: Mapped[list[Review]] = relationship(
        back_populates="evaluation", order_by="Review.id", lazy="selectin",
        cascade="all, delete-orphan")

    def move_to(self, target: EvaluationState) -> None:
        """Take ``target`` when :data:`EVALUATION_MOVES` allows it; else IllegalTransition."""
        self.state = checked_move(self.state, target, EVALUATION_MOVES)


class Review(TableModel):
    """One reviewer's scorecard for one evaluation, in one round."""

    __tablename__ = "evaluation_reviews"
    __table_args__ = (sa.UniqueConstraint("evaluation_id", "reviewer_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                             index=True)
    round: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(sa.String(20), default=ReviewState.PENDING)
    overall_comment: Mapped[str] = mapped_column(sa.Text, default="")
    total: Mapped[Decimal | None] = mapped_column(SCORE)  # 0-100, set on submit
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    evaluation: Mapped[Evaluation] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    scores: Mapped[list[CriterionScore]] = relationship(
        order_by="CriterionScore.id", lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_current(self) -> bool:
        return self.state != ReviewState.SUPERSEDED

    @property
    def submitted(self) -> bool:
        return self.state == ReviewState.SUBMITTED

    def move_to(self, target: ReviewState) -> None:
        """Take ``target`` when :data:`REVIEW_MOVES` allows it; else IllegalTransition."""
        self.state = checked_move(self.state, target, REVIEW_MOVES)


class CriterionScore(TableModel):
    """The level a reviewer chose for one criterion, with a comment."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (sa.UniqueConstraint("review_id", "criterion_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation_reviews.id", ondelete="CASCADE"))
    criterion_key: Mapped[str] = mapped_column(sa.String(40))
    level: Mapped[int | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")


class Moderation(TableModel):
    """A coordinator's decision on a flagged evaluation: accept, or ask for a re-score."""

    __tablename__ = "evaluation_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    outcome: Mapped[str] = mapped_column(sa.String(20))  # a ModerationOutcome
    rescore_reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"))
    spread: Mapped[Decimal] = mapped_column(SCORE)
    note: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined",
                                        innerjoin=True)
    rescore_reviewer: Mapped[User | None] = relationship(foreign_keys=[rescore_reviewer_id],
                                                         lazy="joined")


class EvidenceFile(StoredFile, TableModel):
    """A small attachment (PDF, slides, image), served only to those who may see it."""

    __tablename__ = "evaluation_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)


class Delegation(TableModel):
    """A line manager names someone to rate a person's professionalism for some days.

    §3.1.4 gives professionalism to the person's manager; the manager may hand one
    period's rating to somebody else (a project lead who worked with the person), and
    that is on the record: who delegated, to whom, for which days, and when it was
    withdrawn. It counts only while the delegator is still the person's manager.
    """

    __tablename__ = "evaluation_delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                           index=True)
    manager_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"),
                                             index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="professionalism")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined",
                                        innerjoin=True)
    manager: Mapped[User] = relationship(foreign_keys=[manager_id], lazy="joined",
                                         innerjoin=True)
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id], lazy="joined",
                                          innerjoin=True)
