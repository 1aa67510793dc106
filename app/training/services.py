"""The annual training plan's items (§2.2, §2.4): adding, changing, delivering and
cancelling them. Functions flush; the request commits. Steps that change the plan are
audited.

Needs, who an item is for, and attendance have their own modules; this one names
their steps too, so a caller has one place to import the training services from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit import log as audit
from app.auth.audience import AudienceChoice
from app.auth.models import User
from app.content.markdown import MarkdownTooLarge, render_markdown
from app.courses.loader import AREAS
from app.courses.models import Course
from app.database import utcnow
from app.extensions import db
from app.i18n import local_today
from app.templating import display_date
from app.training import notices
from app.training.attendance import (
    attach_certificate,
    certificates,
    record_attendance,
    recorded_attendance,
)
from app.training.audiences import (
    audience_of,
    is_for,
    meant_for,
    members,
    resolve,
    set_audience,
    upcoming_for,
)
from app.training.errors import TrainingRefused
from app.training.models import DELIVERIES, PlanItem, TrainingNeed
from app.training.needs import (
    NEED_AREAS,
    NeedGroup,
    NeedInput,
    answer_need,
    grouped,
    has_reports,
    mine,
    needs_of_item,
    needs_of_year,
    reopen_needs_of,
    submit_need,
)
from app.training.states import ITEM_MOVES, ItemStatus, NeedState

__all__ = [
    "NEED_AREAS", "ItemInput", "NeedGroup", "NeedInput", "TrainingRefused",
    "answer_need", "attach_certificate", "audience_of", "certificates", "create_item",
    "grouped", "has_reports", "is_for", "meant_for", "members", "mine", "needs_of_item",
    "needs_of_year", "plan_of", "record_attendance", "recorded_attendance", "set_status",
    "submit_need", "upcoming_for", "update_item", "years",
]


@dataclass(frozen=True)
class ItemInput:
    title: str
    area: str
    delivery: str
    starts_on: date
    ends_on: date
    provider: str = ""
    location: str = ""
    description: str = ""
    course_id: int | None = None


def _check_item(values: ItemInput) -> Course | None:
    """The course of an online item (None for others), or TrainingRefused at the field."""
    if not values.title.strip():
        raise TrainingRefused(_l("Give the item a title."), "title")
    if values.area not in AREAS:
        raise TrainingRefused(_l("Choose an area from the list."), "area")
    if values.delivery not in DELIVERIES:
        raise TrainingRefused(_l("Choose how it is delivered."), "delivery")
    if values.ends_on < values.starts_on:
        raise TrainingRefused(_l("It cannot end before it starts."), "ends_on")
    if values.starts_on.year != values.ends_on.year:
        raise TrainingRefused(_l("An item belongs to one year's plan: start and end in the "
                                 "same year, or split it into two items."), "ends_on")
    if values.delivery != "online":
        return None
    course = db.session.get(Course, values.course_id) if values.course_id else None
    if course is None or course.retired_at is not None:
        raise TrainingRefused(_l("An online item needs one of the app's courses."), "course_id")
    return course


def _describe(item: PlanItem) -> dict:
    return {"title": item.title, "area": item.area, "delivery": item.delivery,
            "starts_on": item.starts_on.isoformat(), "ends_on": item.ends_on.isoformat(),
            "provider": item.provider, "location": item.location, "course": item.course_id}


def _apply(item: PlanItem, values: ItemInput, course: Course | None) -> None:
    fields = asdict(values)
    fields["title"] = values.title.strip()[:200]
    fields["course_id"] = course.id if course else None
    for name, value in fields.items():
        setattr(item, name, value)
    try:
        item.description_html = render_markdown(values.description).html
    except MarkdownTooLarge as too_large:
        raise TrainingRefused(str(too_large), "description") from too_large
    item.year = values.starts_on.year


def create_item(values: ItemInput, choice: AudienceChoice, actor: User,
                needs: Sequence[TrainingNeed] = ()) -> PlanItem:
    """A new item of the plan, answering those of ``needs`` still waiting for an answer."""
    course = _check_item(values)
    resolve(choice)  # checked before anything is written
    item = PlanItem(created_by_id=actor.id, status=ItemStatus.PLANNED)
    _apply(item, values, course)
    db.session.add(item)
    db.session.flush()
    after = {**_describe(item), **set_audience(item, choice)}
    audit.record("plan_item.create", item, actor=actor, after=after)
    for need in needs:
        if need.state == NeedState.SUBMITTED:
            answer_need(need, actor, action="plan", item=item)
    db.session.flush()
    notices.item_planned(item, local_today())
    return item


def _check_change(item: PlanItem, values: ItemInput) -> None:
    """TrainingRefused when the change would unsettle what is recorded against the item."""
    if (item.delivery != values.delivery and "online" in (item.delivery, values.delivery)
            and recorded_attendance(item)):
        raise TrainingRefused(_l("Attendance has been recorded: the item cannot become "
                                 "an online course now."), "delivery")
    if values.starts_on.year != item.year and needs_of_item(item):
        raise TrainingRefused(_l("This item answers needs of the %(year)d plan: it stays in "
                                 "%(year)d, or answer those needs with another item first.",
                                 year=item.year), "starts_on")


def update_item(item: PlanItem, values: ItemInput, choice: AudienceChoice,
                actor: User) -> None:
    course = _check_item(values)
    _check_change(item, values)
    before = {**_describe(item), **audience_of(item).describe()}
    _apply(item, values, course)
    after = {**_describe(item), **set_audience(item, choice)}
    item.updated_at = utcnow()
    db.session.flush()
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        audit.record("plan_item.update", item, actor=actor,
                     before={k: before.get(k) for k in changed}, after=changed)
    notices.item_planned(item, local_today())  # whom a wider audience admits (once each)


def _status_target(item: PlanItem, status: str, note: str) -> ItemStatus:
    """The status asked for, or TrainingRefused saying why the item cannot take it."""
    try:
        target = ItemStatus(status)
    except ValueError as error:
        raise TrainingRefused(_l("Choose a status from the list."), "status") from error
    if target not in ITEM_MOVES[ItemStatus(item.status)]:
        raise TrainingRefused(_l("The item cannot go to that status from here."), "status")
    if target == ItemStatus.CANCELLED and not note:
        raise TrainingRefused(_l("Say why it is cancelled."), "note")
    if target == ItemStatus.DELIVERED and item.starts_on > local_today():
        raise TrainingRefused(_l("It starts on %(day)s: it cannot be delivered before then.",
                                 day=display_date(item.starts_on)), "status")
    return target


def set_status(item: PlanItem, status: str, actor: User, note: str = "") -> None:
    """Deliver, cancel (with a reason) or re-plan an item; cancelling reopens its needs."""
    note = (note or "").strip()
    target = _status_target(item, status, note)
    before = {"status": item.status, "note": item.status_note}
    item.move_to(target)
    item.status_note, item.updated_at = note, utcnow()
    db.session.flush()
    audit.record("plan_item.status", item, actor=actor, before=before,
                 after={"status": target.value, "note": note})
    if target == ItemStatus.CANCELLED:
        reopen_needs_of(item, actor, note)


def plan_of(year: int) -> list[PlanItem]:
    return list(db.session.execute(sa.select(PlanItem).where(PlanItem.year == year)
                                   .order_by(PlanItem.starts_on, PlanItem.id)).scalars())


def years() -> list[int]:
    """Years that have a plan or needs, and this year and the next, newest first."""
    this_year = local_today().year
    found = set(db.session.execute(sa.select(PlanItem.year).distinct()).scalars())
    found |= set(db.session.execute(sa.select(TrainingNeed.year).distinct()).scalars())
    return sorted(found | {this_year, this_year + 1}, reverse=True)
