"""Rubrics and their versions: what reviewers score against (see :mod:`app.evaluations`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import TableModel


class Rubric(TableModel):
    """A rubric's stable identity; what it says lives in its versions."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    language: Mapped[str] = mapped_column(sa.String(10))
    version: Mapped[int] = mapped_column(default=1)  # the current version's number
    source_name: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RubricVersion(TableModel):
    """One exact version: the parsed content, its fingerprint and its rendered HTML."""

    __tablename__ = "rubric_versions"
    __table_args__ = (sa.UniqueConstraint("rubric_pk", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_pk: Mapped[int] = mapped_column(sa.ForeignKey("rubrics.id", ondelete="CASCADE"))
    version: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # Rubric.content()
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    # description, and per criterion key: guidance and each level's description
    rendered: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(254), default="")

    rubric: Mapped[Rubric] = relationship(lazy="joined", innerjoin=True)

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return self.content["criteria"]
