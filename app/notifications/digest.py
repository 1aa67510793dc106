"""The daily digest (``flask notifications digest``): one e-mail per person with what
waits for it.

A notice whose kind the person gets "in the daily digest" is stored with
``digest_pending``; this gathers each person's pending notices into one outbox message
and clears the mark in the same transaction, so running it twice queues nothing twice
(and two runs at once cannot both take the same notice: the clearing UPDATE only counts
rows still pending). A notice already read in the app is dropped from the digest; one not
yet visible (an anonymous suggestion's, until its hour) waits for the next digest.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification, OutboxMessage


def queue_digests(now: datetime) -> int:
    """Queue one digest message per person with pending notices; how many were queued.

    Flushes, never commits: the caller (the CLI) commits, so the messages and the cleared
    marks are kept or dropped together.
    """
    pending = db.session.execute(
        sa.select(Notification.user_id, Notification.id, Notification.read_at)
        .where(Notification.digest_pending.is_(True), Notification.visible_from <= now)
        .order_by(Notification.user_id, Notification.visible_from, Notification.id)).all()
    unread: dict[int, list[int]] = {}
    for user_id, notification_id, read_at in pending:
        if read_at is None:
            unread.setdefault(user_id, []).append(notification_id)
    queued = 0
    for user_id, ids in unread.items():
        taken = _take(ids)
        if taken:
            db.session.add(OutboxMessage(user_id=user_id, notification_ids=taken,
                                         digest=True, next_attempt_at=now))
            queued += 1
    read = [nid for _user, nid, read_at in pending if read_at is not None]
    _take(read)
    db.session.flush()
    return queued


def _take(ids: list[int]) -> list[int]:
    """Clear the mark on those of ``ids`` still pending; the ids this run cleared."""
    if not ids:
        return []
    cleared = db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.digest_pending.is_(True))
        .values(digest_pending=False)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)).scalars()
    taken = set(cleared)
    return [i for i in ids if i in taken]
