"""Who is told what about complaints and suggestions, and when (issue 16, §4.2; the words
are in :mod:`app.notifications.kinds.complaints`).

- *A complaint or suggestion arrived*: to the supervision group (every active holder of the
  supervisor role, the author too if they hold it: leaving them out would single them out).
  A signed one is told as it is filed. An anonymous suggestion is told by the time-based
  run, the day after it was received, all of a day's together in the order of their random
  references: filing it writes nothing but its own row (a notice's counting id or moment,
  placed among those of signed matters, would date it), and its notice carries nothing of
  its author (no params but its kind) and, like the suggestion itself, only its day.
  It shows from the next whole hour after that run.
- *Your complaint changed state or was answered*: to its author (never for an anonymous
  suggestion, which has none), unless they handled it themselves.
- *A complaint has been open longer than COMPLAINT_OPEN_DAYS days*: the time-based run tells
  the supervision group, once per complaint.

Notices name a matter by its random reference, as pages and the audit log do, never by
its row id (which counts up). Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.complaints.models import Complaint
from app.complaints.states import OPEN_STATES
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify

OBJECT_TYPE = "complaints"


def next_whole_hour(moment: datetime) -> datetime:
    """``moment`` rounded up to the hour (a moment on the hour stays)."""
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(hours=1)


def matter_arrived(complaint: Complaint, group: Sequence[User]) -> int:
    """Tell the supervision group that a signed complaint or suggestion was filed (an
    anonymous one is told only by :func:`anonymous_arrivals`, a day later)."""
    if complaint.anonymous:
        return 0
    return len(_arrived(complaint, group, None))


def anonymous_arrivals(now: datetime, group: Sequence[User]) -> int:
    """Open anonymous suggestions received before today that the group has not been told
    of: told now, in the order of their references, shown from the next whole hour."""
    if not group:
        return 0
    told = sa.exists().where(  # (user, key) is the notices' unique index
        Notification.user_id.in_([person.id for person in group]),
        Notification.dedupe_key == sa.literal("complaint.arrived:") + Complaint.reference)
    waiting = db.session.execute(sa.select(Complaint).where(
        Complaint.author_id.is_(None), Complaint.state.in_(sorted(OPEN_STATES)),
        Complaint.received_on < local_day(now), ~told)
        .order_by(Complaint.reference)).scalars().all()
    when = next_whole_hour(now)
    return sum(len(_arrived(complaint, group, when)) for complaint in waiting)


def _arrived(complaint: Complaint, group: Sequence[User],
             when: datetime | None) -> list[Notification]:
    return notify(group, "complaint.arrived", object_type=OBJECT_TYPE,
                  object_id=complaint.reference, params={"kind": complaint.kind},
                  dedupe_key=f"complaint.arrived:{complaint.reference}", visible_from=when)


def matter_handled(complaint: Complaint, handler: User, *, moved: bool, answered: bool) -> int:
    """Its author hears that it moved on or has a (new) answer."""
    if complaint.author_id is None or complaint.author_id == handler.id \
            or not (moved or answered):
        return 0
    return len(notify([db.session.get(User, complaint.author_id)], "complaint.changed",
                      object_type=OBJECT_TYPE, object_id=complaint.reference,
                      params={"kind": complaint.kind, "state": complaint.state,
                              "answered": answered}))


def local_day(now: datetime) -> date:
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def overdue(now: datetime, group: Sequence[User]) -> int:
    """Open complaints received more than COMPLAINT_OPEN_DAYS days ago: the group is told
    once per complaint."""
    days = current_app.config["COMPLAINT_OPEN_DAYS"]
    received_before = local_day(now) - timedelta(days=days)
    late = db.session.execute(sa.select(Complaint).where(
        Complaint.kind == "complaint", Complaint.state.in_(sorted(OPEN_STATES)),
        Complaint.received_on < received_before).order_by(Complaint.reference)).scalars()
    return sum(len(notify(group, "complaint.overdue", object_type=OBJECT_TYPE,
                          object_id=complaint.reference, params={"days": days},
                          dedupe_key=f"complaint.overdue:{complaint.reference}"))
               for complaint in late)
