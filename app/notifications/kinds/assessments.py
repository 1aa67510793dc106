"""Notices of assessment records: to the person (their record is published and waits for
their answer; an item of their improvement plan is due within 7 days) and to their
manager (the person recorded disagreement).

No notice carries a total, a band or a comment: the record page shows them to whoever
may open it. Created by :mod:`app.assessments.services` and :mod:`app.assessments.changes`
(publish, respond, an approved change) and, for plan items, by :func:`due`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from app.assessments import presenter
from app.assessments import services as svc
from app.assessments.models import (
    AssessmentRecord,
    ImprovementItem,
    Interview,
    PeriodState,
    RecordState,
)
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.extensions import db
from app.notifications.kinds import Kind, register
from app.notifications.models import Notification
from app.notifications.services import notify
from app.templating import display_date

PLAN_ITEM_NOTICE_DAYS = 7


RecordPart = type[ImprovementItem] | type[Interview]


def _get(model: type[AssessmentRecord] | RecordPart, n: Notification):
    return db.session.get(model, int(n.object_id)) if n.object_id.isdigit() else None


def record_link(record: AssessmentRecord | None, reader: User) -> str | None:
    """The record page, when the reader may open it (as its view decides: the period
    visible to them, the person still covered, the record visible)."""
    if record is None or not can(reader, Permission.VIEW_RECORD, record):
        return None
    period = record.period
    period_visible = presenter.sees_every_period(reader) or (
        period.state != PeriodState.PLANNING and svc.covers(period, reader))
    if not period_visible or not svc.covers(period, record.person):
        return None
    return url_for("assessments.record", period_id=period.id, person_id=record.person_id)


def _record_link(n: Notification, reader: User) -> str | None:
    return record_link(_get(AssessmentRecord, n), reader)


def _published_text(n: Notification) -> str:
    record = _get(AssessmentRecord, n)
    if record is None:
        return _("Your assessment record was published; it no longer exists.")
    if n.params.get("changed"):
        return _("Your assessment record for %(period)s was changed by an approved request: "
                 "read it and answer again.", period=record.period.name)
    return _("Your assessment record for %(period)s is published: read it, then acknowledge "
             "it or say what you disagree with.", period=record.period.name)


def _disputed_text(n: Notification) -> str:
    record = _get(AssessmentRecord, n)
    if record is None:
        return _("Someone disagreed with their assessment record; it no longer exists.")
    return _("%(name)s disagrees with their assessment record for %(period)s.",
             name=record.person.display_name, period=record.period.name)


def _interview_text(n: Notification) -> str:
    interview = _get(Interview, n)
    record = (db.session.get(AssessmentRecord, interview.record_id)
              if interview is not None else None)
    if interview is None or record is None:
        return _("Your performance interview was scheduled; it no longer exists.")
    return _("Your performance interview for %(period)s is on %(day)s.",
             period=record.period.name, day=display_date(interview.held_on))


def _of_record_link(model: RecordPart) -> Callable[[Notification, User], str | None]:
    """The link of a notice about a row of ``model`` that belongs to a record."""
    def link(n: Notification, reader: User) -> str | None:
        row = _get(model, n)
        return record_link(db.session.get(AssessmentRecord, row.record_id)
                           if row is not None else None, reader)
    return link


def _plan_item_text(n: Notification) -> str:
    item = _get(ImprovementItem, n)
    if item is None:
        return _("An item of your improvement plan was due soon; it no longer exists.")
    return _("An item of your improvement plan is due on %(day)s: %(goal)s.",
             day=display_date(item.due_on), goal=item.goal)


register(Kind(key="assessment.published", audience="learner",
              label=lambda: _("My assessment record is published"),
              text=_published_text, link=_record_link))
register(Kind(key="assessment.plan_item_due", audience="learner",
              label=lambda: _("An item of my improvement plan is due within 7 days"),
              text=_plan_item_text, link=_of_record_link(ImprovementItem)))
register(Kind(key="assessment.interview", audience="learner",
              label=lambda: _("My performance interview is scheduled"),
              text=_interview_text, link=_of_record_link(Interview)))
register(Kind(key="assessment.disputed", audience="coordinator",
              label=lambda: _("Someone I manage disagrees with their assessment record"),
              text=_disputed_text, link=_record_link))


def _local_day(now: datetime) -> date:
    """The day ``now`` falls on where people count days (DISPLAY_TIMEZONE)."""
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def due(now: datetime) -> int:
    """Improvement-plan items not done and due within 7 days: the person is told once."""
    today = _local_day(now)
    rows = db.session.execute(
        sa.select(ImprovementItem, AssessmentRecord)
        .join(AssessmentRecord, AssessmentRecord.id == ImprovementItem.record_id)
        .where(ImprovementItem.done_at.is_(None), ImprovementItem.due_on >= today,
               ImprovementItem.due_on <= today + timedelta(days=PLAN_ITEM_NOTICE_DAYS),
               AssessmentRecord.state != RecordState.DRAFT)
        .order_by(ImprovementItem.id)).all()
    return sum(len(notify([record.person], "assessment.plan_item_due", item,
                          dedupe_key=f"assessment.plan_item_due:{item.id}"))
               for item, record in rows)
