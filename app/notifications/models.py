"""Notifications: what a person is told in the app, the e-mail outbox, preferences, feeds.

A notification stores keys, never translated text: its ``kind`` (see :mod:`.kinds`), the
object it is about (table name and id, as the audit log names objects) and plain ``params``
for the sentence. Pages and e-mails put it into words in the reader's language.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import TableModel


class Notification(TableModel):
    """One thing a person was told. ``dedupe_key`` makes time-based ones idempotent."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(80))
    object_id: Mapped[str] = mapped_column(sa.String(80))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Shown (and e-mailed) from this moment: an anonymous suggestion's notice waits for
    # the next whole hour, so its time does not point to who was at a desk.
    visible_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the person's daily digest (their preference for this kind).
    digest_pending: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(TableModel):
    """An e-mail waiting to be sent, sent, or given up on (``flask notifications send``).

    A sender claims a row by setting ``claim`` and ``claimed_until`` in one conditional
    UPDATE; a claim that runs out (a sender killed mid-send) lets another sender take it.
    ``notification_ids`` lists what the message tells (one, or a digest's several).
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'sent', 'failed')", name="known_state"),
        sa.Index("ix_notification_outbox_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    notification_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    digest: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(sa.String(10), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim: Mapped[str | None] = mapped_column(sa.String(40))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Delivery(enum.StrEnum):
    """How a person gets one kind by e-mail (in the app they always get it)."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class NotificationPreference(TableModel):
    """A person's choice for one kind; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        sa.CheckConstraint("email IN ('immediate', 'digest', 'off')", name="known_delivery"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(10), default=Delivery.IMMEDIATE)


class CalendarFeed(TableModel):
    """A person's private calendar address. The address's token is an HMAC (with the
    app's secret key) of the person and this row's random ``nonce``: a copy of the
    database alone does not give the addresses, and a reset (a new nonce) ends the old one.
    """

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
