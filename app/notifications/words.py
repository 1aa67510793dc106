"""A notification in words for its reader: the sentence and, if they may open it, the link.

Used by the notification centre and by e-mails alike, in the reader's language (the
caller sets the locale: the request's, or the recipient's with ``force_locale``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from app.auth.models import User
from app.notifications.kinds import KINDS
from app.notifications.models import Notification


@dataclass(frozen=True)
class Described:
    notification: Notification
    text: str
    link: str | None


def describe(notification: Notification, reader: User) -> Described:
    kind = KINDS.get(notification.kind)
    if kind is None:  # a kind a later version removed: the row stays readable
        return Described(notification, _("A notice of a kind this version no longer "
                                         "knows (%(kind)s).", kind=notification.kind), None)
    return Described(notification, kind.text(notification), kind.link(notification, reader))
