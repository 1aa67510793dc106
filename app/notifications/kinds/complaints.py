"""Complaint notices: one arrived (the supervision group), mine changed state or was
answered (its author), one is open too long (the supervision group).

Who is told, and when, is :mod:`app.complaints.notices`. A notice names its matter by the
random reference; the words never say who filed it, and the link is the matter's page only
for a reader who may open it (``Permission.VIEW_COMPLAINT``: its author, the group).
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth.models import User
from app.auth.permissions import Permission, can
from app.complaints import notices
from app.complaints import services as complaints
from app.complaints.forms import STATE_LABELS, TOPIC_LABELS
from app.complaints.models import Complaint
from app.notifications.kinds import Kind, register
from app.notifications.models import Notification


def _matter(notification: Notification) -> Complaint | None:
    return complaints.by_reference(notification.object_id)


def _page(notification: Notification, reader: User) -> str | None:
    complaint = _matter(notification)
    if complaint is None or not can(reader, Permission.VIEW_COMPLAINT, complaint):
        return None
    return url_for("complaints.show", reference=complaint.reference)


def _arrived_text(notification: Notification) -> str:
    complaint = _matter(notification)
    if complaint is None:
        return _("A complaint or suggestion arrived; it has since been removed.")
    topic = str(TOPIC_LABELS.get(complaint.topic, complaint.topic))
    if complaint.kind == "complaint":
        return _("A complaint arrived (%(topic)s): “%(title)s”.", topic=topic,
                 title=complaint.title)
    if complaint.anonymous:
        return _("An anonymous suggestion arrived (%(topic)s): “%(title)s”.", topic=topic,
                 title=complaint.title)
    return _("A suggestion arrived (%(topic)s): “%(title)s”.", topic=topic,
             title=complaint.title)


def _changed_text(notification: Notification) -> str:
    complaint = _matter(notification)
    if complaint is None:
        return _("Your complaint or suggestion was handled; it has since been removed.")
    state = str(STATE_LABELS.get(notification.params.get("state", ""), complaint.state))
    answered = bool(notification.params.get("answered"))
    if complaint.kind == "suggestion":
        if answered:
            return _("Your suggestion “%(title)s” has an answer (%(state)s).",
                     title=complaint.title, state=state)
        return _("Your suggestion “%(title)s” is now: %(state)s.", title=complaint.title,
                 state=state)
    if answered:
        return _("Your complaint “%(title)s” has an answer (%(state)s).",
                 title=complaint.title, state=state)
    return _("Your complaint “%(title)s” is now: %(state)s.", title=complaint.title,
             state=state)


def _overdue_text(notification: Notification) -> str:
    complaint = _matter(notification)
    if complaint is None:
        return _("A complaint was open too long; it has since been removed.")
    if not complaint.open:
        return _("The complaint “%(title)s” was open too long; it is closed now.",
                 title=complaint.title)
    days = complaints.days_open(complaint)
    return ngettext("The complaint “%(title)s” has been open for %(num)d day.",
                    "The complaint “%(title)s” has been open for %(num)d days.", days,
                    title=complaint.title)


register(Kind(key="complaint.arrived", audience="supervision",
              label=lambda: _("A complaint or suggestion arrives"), text=_arrived_text,
              link=_page))
register(Kind(key="complaint.changed", audience="learner",
              label=lambda: _("My complaint or suggestion changes state or is answered"),
              text=_changed_text, link=_page))
register(Kind(key="complaint.overdue", audience="supervision",
              label=lambda: _("A complaint has been open too long"), text=_overdue_text,
              link=_page))


def due(now: datetime) -> int:
    """Yesterday's anonymous suggestions; complaints open longer than COMPLAINT_OPEN_DAYS
    days."""
    group = complaints.supervisors()
    return notices.anonymous_arrivals(now, group) + notices.overdue(now, group)
