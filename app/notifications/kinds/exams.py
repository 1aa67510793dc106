"""Exam notices: an exam opens, it closes soon, a result is ready, answers wait for marking.

Who is told, and when, is :mod:`app.exams.notices`; here is what each notice says and where
its link goes. A link leads only to a page the reader may open: the exam's start page while
it is published and the reader is in its audience, their own result, the marking queue for
who may mark.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from app.auth.models import User
from app.auth.permissions import Permission, can
from app.exams import notices
from app.exams.attempts import in_audience
from app.exams.models import Attempt, Exam
from app.extensions import db
from app.notifications.kinds import Kind, register
from app.notifications.models import Notification
from app.templating import display_datetime


def _exam(notification: Notification) -> Exam | None:
    return db.session.get(Exam, int(notification.object_id))


def _attempt(notification: Notification) -> Attempt | None:
    return db.session.get(Attempt, int(notification.object_id))


def _start_page(notification: Notification, reader: User) -> str | None:
    exam = _exam(notification)
    if exam is None or exam.published_at is None or not in_audience(exam, reader):
        return None
    return url_for("exams.start_page", exam_id=exam.id)


def _opened_text(notification: Notification) -> str:
    exam = _exam(notification)
    if exam is None:
        return _("An exam opened for you; it has since been deleted.")
    return _("The exam “%(title)s” is open for you until %(closes)s.", title=exam.title,
             closes=display_datetime(exam.closes_at))


def _closing_text(notification: Notification) -> str:
    exam = _exam(notification)
    if exam is None:
        return _("An exam you had not started was closing; it has since been deleted.")
    return _("The exam “%(title)s” closes on %(closes)s and you have not started it.",
             title=exam.title, closes=display_datetime(exam.closes_at))


def _result_text(notification: Notification) -> str:
    attempt = _attempt(notification)
    if attempt is None:
        return _("Your exam result was ready; the attempt has since been deleted.")
    return _("Your result of the exam “%(title)s” is ready.", title=attempt.exam.title)


def _result_page(notification: Notification, reader: User) -> str | None:
    attempt = _attempt(notification)
    if attempt is None or attempt.user_id != reader.id:
        return None
    return url_for("exams.result", attempt_id=attempt.id)


def _marking_text(notification: Notification) -> str:
    exam = _exam(notification)
    if exam is None:
        return _("Written answers waited for marking in an exam that has since been deleted.")
    return _("Written answers of the exam “%(title)s” wait for marking.", title=exam.title)


def _marking_queue(notification: Notification, reader: User) -> str | None:
    if _exam(notification) is None or not can(reader, Permission.MANAGE_EXAMS):
        return None
    return url_for("exam_results.marking_queue")


register(Kind(key="exam.opened", audience="learner", label=lambda: _("An exam opens for me"),
              text=_opened_text, link=_start_page))
register(Kind(key="exam.closing", audience="learner",
              label=lambda: _("An exam I have not started closes within a day"),
              text=_closing_text, link=_start_page))
register(Kind(key="exam.result", audience="learner",
              label=lambda: _("My exam result is ready"), text=_result_text,
              link=_result_page))
register(Kind(key="exam.marking", audience="trainer",
              label=lambda: _("Written answers wait for my marking"), text=_marking_text,
              link=_marking_queue))


def due(now: datetime) -> int:
    """Exams opened since the last run, closing within a day, results shown after the close."""
    return notices.due(now)
