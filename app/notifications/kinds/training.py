"""Training notices: an item is planned for me, it starts tomorrow, my need was answered.

Who is told, and when, is :mod:`app.training.notices`. The plan's item pages are open to
everyone signed in; a need's page only to who may view it (its author, their manager,
the training staff).
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from app.auth.models import User
from app.auth.permissions import Permission, can
from app.extensions import db
from app.notifications.kinds import Kind, register
from app.notifications.models import Notification
from app.templating import display_date
from app.training import notices
from app.training.models import PlanItem, TrainingNeed
from app.training.states import ItemStatus


def _item(notification: Notification) -> PlanItem | None:
    return db.session.get(PlanItem, int(notification.object_id))


def _item_page(notification: Notification, reader: User) -> str | None:
    item = _item(notification)
    return url_for("training.item", item_id=item.id) if item is not None else None


def _planned_text(notification: Notification) -> str:
    item = _item(notification)
    if item is None:
        return _("A training item was planned for you; it has since been removed.")
    if item.status == ItemStatus.CANCELLED:
        return _("“%(title)s” was planned for you; it has since been cancelled.",
                 title=item.title)
    if item.starts_on == item.ends_on:
        return _("“%(title)s” is planned for you on %(day)s.", title=item.title,
                 day=display_date(item.starts_on))
    return _("“%(title)s” is planned for you from %(start)s to %(end)s.", title=item.title,
             start=display_date(item.starts_on), end=display_date(item.ends_on))


def _tomorrow_text(notification: Notification) -> str:
    item = _item(notification)
    if item is None:
        return _("A training item for you was starting; it has since been removed.")
    if item.status == ItemStatus.CANCELLED:
        return _("“%(title)s” was to start on %(day)s; it has since been cancelled.",
                 title=item.title, day=display_date(item.starts_on))
    if item.location:
        return _("Reminder: “%(title)s” starts on %(day)s, at %(place)s.", title=item.title,
                 day=display_date(item.starts_on), place=item.location)
    return _("Reminder: “%(title)s” starts on %(day)s.", title=item.title,
             day=display_date(item.starts_on))


def _need(notification: Notification) -> TrainingNeed | None:
    return db.session.get(TrainingNeed, int(notification.object_id))


def _need_text(notification: Notification) -> str:
    need = _need(notification)
    if need is None:
        return _("Your training need was answered; it has since been deleted.")
    action = notification.params.get("action")
    item_id = notification.params.get("item_id")
    item = db.session.get(PlanItem, int(item_id)) if item_id else None
    if action == "plan" and item is not None:
        return _("Your training need “%(topic)s” is answered: it is planned as “%(item)s”.",
                 topic=need.topic, item=item.title)
    if action == "plan":
        return _("Your training need “%(topic)s” was planned.", topic=need.topic)
    if action == "decline":
        return _("Your training need “%(topic)s” was declined; the answer gives the reasons.",
                 topic=need.topic)
    return _("Your training need “%(topic)s” is open again; the answer says why.",
             topic=need.topic)


def _need_page(notification: Notification, reader: User) -> str | None:
    need = _need(notification)
    if need is None or not can(reader, Permission.VIEW_NEED, need):
        return None
    return url_for("training.need", need_id=need.id)


register(Kind(key="training.planned", audience="learner",
              label=lambda: _("A training item is planned for me"), text=_planned_text,
              link=_item_page))
register(Kind(key="training.tomorrow", audience="learner",
              label=lambda: _("A training item for me starts tomorrow"), text=_tomorrow_text,
              link=_item_page))
register(Kind(key="training.need_answered", audience="learner",
              label=lambda: _("My training need is answered"), text=_need_text,
              link=_need_page))


def due(now: datetime) -> int:
    """Planned items starting tomorrow."""
    return notices.due(now)
