"""Question banks, questions and their versions (attempts refer to exact versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import TableModel


class QuestionBank(TableModel):
    __tablename__ = "question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    area: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(10))
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source_format: Mapped[str] = mapped_column(sa.String(20), default="markdown")
    source_name: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moves on every import that adds, changes, retires or brings back a question: exam
    # draws compare it (exams.attempts.banks_stamp), whatever the hosts' clocks say.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")


class Question(TableModel):
    """A question's stable identity; what it says lives in its versions."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    bank_pk: Mapped[int] = mapped_column(sa.ForeignKey("question_banks.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int]
    # Copies of the current version's facets, for filtering without JSON queries.
    type: Mapped[str] = mapped_column(sa.String(20), index=True)
    difficulty: Mapped[str] = mapped_column(sa.String(10))
    points: Mapped[float]
    tag_list: Mapped[str] = mapped_column(sa.String(1000), default=",")  # ",a,b,"
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bank: Mapped[QuestionBank] = relationship(lazy="joined", innerjoin=True)
    versions: Mapped[list[QuestionVersion]] = relationship(
        order_by="QuestionVersion.version", lazy="raise", viewonly=True)


class QuestionVersion(TableModel):
    """One exact version of a question: its content, rendered once, and what changed."""

    __tablename__ = "question_versions"
    __table_args__ = (sa.UniqueConstraint("question_pk", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_pk: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    version: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    rendered: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source_line: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")

    question: Mapped[Question] = relationship(lazy="raise")


class QuestionAsset(TableModel):
    """A file question text shows (an image from a Moodle XML export), stored once by content.

    Question Markdown links it as /banks/assets/<sha256>/<name> (questions.Asset.url), so the
    link is part of the question's content and its versions; the row is never deleted while a
    version may still show it.
    """

    __tablename__ = "question_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
