"""One outbox row as an e-mail: plain text plus HTML, in the recipient's language.

Written outside any request (by ``flask notifications send``), so the words and links are
made inside a request context built on ``PUBLIC_URL``: ``url_for`` works, and each link is
made absolute against that address. A digest lists several notices in one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications.models import Notification, OutboxMessage
from app.notifications.words import describe

SUBJECT_LIMIT = 150  # characters of the notice's sentence in a single notice's subject


class NothingToSend(Exception):
    """The message no longer tells anything (its notices are gone, or the account is off)."""


@dataclass(frozen=True)
class Entry:
    text: str
    link: str | None  # absolute, or None when the reader may not open the page now


def sender_address(app: Flask) -> str:
    """MAIL_FROM, else a no-reply address at PUBLIC_URL's host."""
    configured = app.config.get("MAIL_FROM", "")
    if configured:
        return configured
    host = urlsplit(app.config["PUBLIC_URL"]).hostname or "localhost"
    return f"noreply@{host}"


def compose(app: Flask, message: OutboxMessage) -> EmailMessage:
    """The e-mail for ``message``, in its recipient's language (call in an app context)."""
    user = message.user
    if not user.active:
        raise NothingToSend("the account is deactivated")
    notices = _notices(message)
    if not notices:
        raise NothingToSend("its notices no longer exist")
    public_url = app.config["PUBLIC_URL"]
    with app.test_request_context(base_url=public_url + "/"), force_locale(user.locale):
        entries = [_entry(public_url, n, user) for n in notices]
        centre = _absolute(public_url, url_for("notifications.index"))
        settings = _absolute(public_url, url_for("notifications.settings"))
        if message.digest:
            subject = _("Presales Academy: your daily digest") + " · " + ngettext(
                "%(num)d notice", "%(num)d notices", len(entries))
        else:
            subject = _("Presales Academy: %(text)s", text=_shorten(entries[0].text))
        context = {"user": user, "entries": entries, "digest": message.digest,
                   "centre": centre, "settings": settings, "subject": subject,
                   "lang": "zh-CN" if user.locale == "zh_CN" else "en"}
        text = render_template("notifications/email/message.txt", **context)
        html = render_template("notifications/email/message.html", **context)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender_address(app)
    mail["To"] = Address(display_name=user.display_name, addr_spec=user.email)
    mail["Date"] = formatdate(utcnow().timestamp(), usegmt=True)
    domain = parseaddr(sender_address(app))[1].rpartition("@")[2] or "localhost"
    mail["Message-ID"] = make_msgid(f"outbox-{message.id}", domain=domain)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    mail["Content-Language"] = context["lang"]  # after the body: set_content clears it
    return mail


def _notices(message: OutboxMessage) -> list[Notification]:
    ids = [int(i) for i in message.notification_ids]
    if not ids:
        return []
    found = db.session.execute(sa.select(Notification).where(
        Notification.id.in_(ids), Notification.user_id == message.user_id)).scalars()
    order = {nid: position for position, nid in enumerate(ids)}
    return sorted(found, key=lambda n: order[n.id])


def _entry(public_url: str, notification: Notification, reader: User) -> Entry:
    said = describe(notification, reader)
    return Entry(said.text, _absolute(public_url, said.link) if said.link else None)


def _absolute(public_url: str, link: str) -> str:
    """``link`` (a path from url_for, which already carries PUBLIC_URL's own path) made
    absolute on PUBLIC_URL's scheme and host; an absolute link stays as it is."""
    return urljoin(public_url + "/", link)


def _shorten(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_LIMIT else line[:SUBJECT_LIMIT - 1].rstrip() + "…"
