"""Creating and reading notifications. Services flush and never commit.

:func:`notify` is called by the service step that causes the notice, in its transaction:
an action that is rolled back notifies nobody and queues no e-mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.permissions import Permission, can
from app.database import utcnow
from app.extensions import db
from app.notifications.kinds import KINDS
from app.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
)


def mail_enabled() -> bool:
    """E-mail is on when an SMTP host is configured; without one nothing is queued."""
    return bool(current_app.config.get("MAIL_SERVER"))


def notify(recipients: Iterable[User | None], kind: str, obj: Any = None, *,
           object_type: str | None = None, object_id: Any = None,
           params: dict[str, Any] | None = None, dedupe_key: str | None = None,
           visible_from: datetime | None = None) -> list[Notification]:
    """Tell each (active, distinct) recipient about ``obj``; queue their e-mail.

    ``obj`` is a model row (its table and id name the object) or give ``object_type``
    and ``object_id``. ``params`` are plain JSON values the kind's text reads; store keys
    and ids, never translated words. With ``dedupe_key``, a person who already has a
    notice with that key gets nothing (time-based notices run again and again).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id if object_id is None else object_id
    if not object_type or object_id is None:
        raise ValueError("a notification needs the object it is about")
    people = {p.id: p for p in recipients if p is not None and p.active}
    if dedupe_key is not None and people:
        people = _without_key(people, dedupe_key)
    moment = visible_from or utcnow()
    rows = [Notification(user_id=person.id, kind=kind, object_type=object_type,
                         object_id=str(object_id), params=params or {},
                         dedupe_key=dedupe_key, visible_from=moment)
            for person in people.values()]
    created = _create(rows)
    if created and mail_enabled():
        _queue_mail(kind, created)
    return created


def _without_key(people: dict[int, User], dedupe_key: str) -> dict[int, User]:
    told = set(db.session.execute(sa.select(Notification.user_id).where(
        Notification.dedupe_key == dedupe_key,
        Notification.user_id.in_(people))).scalars())
    return {pid: p for pid, p in people.items() if pid not in told}


def _create(rows: list[Notification]) -> list[Notification]:
    """Add the rows in one flush; with a dedupe key each in a savepoint, leaving out a
    row a concurrent run stored first."""
    if not rows or rows[0].dedupe_key is None:
        db.session.add_all(rows)
        db.session.flush()
        return rows
    created = []
    for row in rows:
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue
        created.append(row)
    return created


def delivery(user_id: int, kind: str) -> Delivery:
    """How the person gets ``kind`` by e-mail: their choice, else the kind's default."""
    chosen = db.session.get(NotificationPreference, (user_id, kind))
    return Delivery(chosen.email) if chosen is not None else KINDS[kind].email


def _queue_mail(kind: str, created: list[Notification]) -> None:
    """Each recipient's e-mail as they chose for ``kind``: their choices read in one query."""
    chosen = dict(db.session.execute(
        sa.select(NotificationPreference.user_id, NotificationPreference.email).where(
            NotificationPreference.kind == kind,
            NotificationPreference.user_id.in_([n.user_id for n in created]))).all())
    for notification in created:
        how = Delivery(chosen.get(notification.user_id, KINDS[kind].email))
        if how == Delivery.IMMEDIATE:
            db.session.add(OutboxMessage(user_id=notification.user_id,
                                         notification_ids=[notification.id],
                                         next_attempt_at=notification.visible_from))
        elif how == Delivery.DIGEST:
            notification.digest_pending = True
    db.session.flush()


def _visible(user: User):
    return sa.and_(Notification.user_id == user.id, Notification.visible_from <= utcnow())


def unread_count(user: User) -> int:
    return db.session.execute(sa.select(sa.func.count(Notification.id)).where(
        _visible(user), Notification.read_at.is_(None))).scalar_one()


def page_for(user: User, number: int, size: int):
    """The person's notices, newest first: one page (Flask-SQLAlchemy's Pagination).

    A page number past the end gives the last page, below 1 the first.
    """
    total = db.session.execute(sa.select(sa.func.count(Notification.id))
                               .where(_visible(user))).scalar_one()
    number = min(max(1, number), max(1, -(-total // size)))
    return db.paginate(sa.select(Notification).where(_visible(user))
                       .order_by(Notification.visible_from.desc(), Notification.id.desc()),
                       page=number, per_page=size, error_out=False)


def own_notification(user: User, notification_id: int) -> Notification | None:
    """The person's own notice once visible, or None (someone else's is never found)."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.visible_from > utcnow() \
            or not can(user, Permission.OWN_NOTIFICATION, found):
        return None
    return found


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    ids = list(db.session.execute(sa.select(Notification.id).where(
        _visible(user), Notification.read_at.is_(None))).scalars())
    if ids:
        db.session.execute(sa.update(Notification).where(Notification.id.in_(ids))
                           .values(read_at=utcnow()))
    return len(ids)


def set_preferences(user: User, choices: dict[str, Delivery]) -> None:
    """Store the person's e-mail choice per kind (only kinds that exist)."""
    for kind, how in choices.items():
        if kind not in KINDS:
            continue
        row = db.session.get(NotificationPreference, (user.id, kind))
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, email=how))
        else:
            row.email = how
    db.session.flush()
