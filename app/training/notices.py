"""Who is told what about the training plan, and when (issue 16; the words are in
:mod:`app.notifications.kinds.training`).

- *A training item is planned for you*: to the item's audience (:mod:`app.training.audiences`)
  when it is added, and to whoever a change of audience admits; only for an item still
  planned and not over.
- *It starts tomorrow*: the time-based run, the day before in the display time zone; moved
  to another day, it is told again.
- *Your training need was answered*: to the need's author when a trainer plans, declines or
  reopens it (a cancelled item reopens its needs), unless they answered it themselves.

Functions flush; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.extensions import db
from app.notifications.services import notify
from app.training.audiences import members
from app.training.models import PlanItem, TrainingNeed
from app.training.states import ItemStatus


def local_day(now: datetime) -> date:
    """The day ``now`` falls on where the people using the app count days."""
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def item_planned(item: PlanItem, today: date) -> int:
    """Tell the item's audience it is planned for them (once each); how many were told."""
    if item.status != ItemStatus.PLANNED or item.ends_on < today:
        return 0
    return len(notify(members(item), "training.planned", item,
                      dedupe_key=f"training.planned:{item.id}"))


def starts_tomorrow(item: PlanItem) -> int:
    return len(notify(members(item), "training.tomorrow", item,
                      dedupe_key=f"training.tomorrow:{item.id}:{item.starts_on:%Y%m%d}"))


def need_answered(need: TrainingNeed, trainer: User, action: str) -> int:
    """The need's author reads the answer (``action``: plan, decline or reopen)."""
    if need.author_id == trainer.id:
        return 0
    return len(notify([db.session.get(User, need.author_id)], "training.need_answered", need,
                      params={"action": action, "item_id": need.plan_item_id}))


def due(now: datetime) -> int:
    """Planned items that start tomorrow: their audience is reminded."""
    tomorrow = local_day(now) + timedelta(days=1)
    items = db.session.execute(sa.select(PlanItem).where(
        PlanItem.status == ItemStatus.PLANNED, PlanItem.starts_on == tomorrow)
        .order_by(PlanItem.id)).scalars().all()
    return sum(starts_tomorrow(item) for item in items)
