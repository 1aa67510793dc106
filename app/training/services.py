"""Needs, plan items, attendance and certificates: the rules. Functions flush; callers
commit. Steps that change the plan or someone's training history are audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

import app.uploads as uploads
from app.audit import log as audit
from app.auth import audience
from app.auth.models import Team, User
from app.content.markdown import MarkdownTooLarge, render_markdown
from app.courses.loader import AREAS
from app.courses.models import Course
from app.database import utcnow
from app.extensions import db
from app.i18n import local_today
from app.templating import display_date
from app.training.models import (
    ATTENDANCE,
    DELIVERIES,
    REASONS,
    URGENCIES,
    Attendance,
    Certificate,
    ItemStatus,
    NeedState,
    PlanAudience,
    PlanItem,
    TrainingNeed,
)

NEED_AREAS = (*AREAS, "other")
NEXT_STATUS = {
    ItemStatus.PLANNED: (ItemStatus.DELIVERED, ItemStatus.CANCELLED),
    ItemStatus.DELIVERED: (ItemStatus.PLANNED,),
    ItemStatus.CANCELLED: (ItemStatus.PLANNED,),
}


class TrainingRefused(Exception):
    """The step is not possible; the message says why. ``field`` names the form field."""

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.field = field


# -- needs (§2.1) -------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedInput:
    year: int
    area: str
    topic: str
    reason: str
    urgency: str
    details: str = ""
    for_team: bool = False


def submit_need(author: User, need: NeedInput) -> TrainingNeed:
    topic = need.topic.strip()
    if not topic:
        raise TrainingRefused(_l("Name the topic you need training on."), "topic")
    if need.area not in NEED_AREAS:
        raise TrainingRefused(_l("Choose an area from the list."), "area")
    if need.reason not in REASONS:
        raise TrainingRefused(_l("Choose a reason from the list."), "reason")
    if need.urgency not in URGENCIES:
        raise TrainingRefused(_l("Choose an urgency from the list."), "urgency")
    this_year = local_today().year
    if not this_year <= need.year <= this_year + 1:
        raise TrainingRefused(_l("Needs are collected for this year's plan or next year's."),
                              "year")
    if need.for_team and not has_reports(author):
        raise TrainingRefused(_l("Only a manager speaks for a team."), "for_team")
    row = TrainingNeed(author_id=author.id, for_team=need.for_team, year=need.year,
                       area=need.area, topic=topic[:200], reason=need.reason,
                       urgency=need.urgency, details=need.details.strip(),
                       state=NeedState.SUBMITTED, submitted_on=local_today())
    db.session.add(row)
    db.session.flush()
    return row


def has_reports(person: User) -> bool:
    return db.session.execute(sa.select(sa.exists().where(
        User.manager_id == person.id, User.active.is_(True)))).scalar()


def answer_need(need: TrainingNeed, trainer: User, *, action: str,
                item: PlanItem | None = None, response: str = "") -> None:
    """A trainer plans a need (links it to an item), declines it with reasons, or reopens it."""
    response = (response or "").strip()
    before = {"state": need.state, "item": need.plan_item_id, "response": need.response}
    if action == "plan":
        if item is None or item.status == ItemStatus.CANCELLED:
            raise TrainingRefused(_l("Choose a plan item that is not cancelled."), "item")
        need.state, need.plan_item_id = NeedState.PLANNED, item.id
    elif action == "decline":
        if not response:
            raise TrainingRefused(_l("Say why the need is declined: the author reads it."),
                                  "response")
        need.state, need.plan_item_id = NeedState.DECLINED, None
    elif action == "reopen":
        need.state, need.plan_item_id = NeedState.SUBMITTED, None
    else:
        raise TrainingRefused(_l("Choose what to do with the need."), "action")
    need.response = response
    need.handled_by_id, need.updated_at = trainer.id, utcnow()
    db.session.flush()
    audit.record(f"need.{action}", need, actor=trainer, before=before,
                 after={"state": need.state, "item": need.plan_item_id, "response": response})


def mine(person: User) -> list[TrainingNeed]:
    return list(db.session.execute(sa.select(TrainingNeed).where(
        TrainingNeed.author_id == person.id).order_by(TrainingNeed.id.desc())).scalars())


def needs_of_year(year: int, state: str | None = None) -> list[TrainingNeed]:
    query = sa.select(TrainingNeed).where(TrainingNeed.year == year)
    if state:
        query = query.where(TrainingNeed.state == state)
    return list(db.session.execute(query.order_by(
        TrainingNeed.area, TrainingNeed.reason, TrainingNeed.id)).scalars())


@dataclass(frozen=True)
class NeedGroup:
    area: str
    counts: dict[str, int]   # reason -> how many
    total: int
    open: int                # still submitted
    urgent: int


def grouped(needs: list[TrainingNeed]) -> list[NeedGroup]:
    """Needs per area, counted by reason, most asked-for first."""
    groups: dict[str, list[TrainingNeed]] = {}
    for need in needs:
        groups.setdefault(need.area, []).append(need)
    result = [NeedGroup(area, {r: sum(n.reason == r for n in rows) for r in REASONS},
                        len(rows), sum(n.state == NeedState.SUBMITTED for n in rows),
                        sum(n.urgency == "high" for n in rows))
              for area, rows in groups.items()]
    return sorted(result, key=lambda g: (-g.total, NEED_AREAS.index(g.area)))


# -- plan items (§2.2, §2.4) --------------------------------------------------------------


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


def _resolve(choice: audience.AudienceChoice) -> audience.Resolved:
    try:
        return audience.resolve(choice)
    except audience.AudienceError as error:
        raise TrainingRefused(str(error), error.field) from error


def _set_audience(item: PlanItem, choice: audience.AudienceChoice) -> dict:
    resolved = _resolve(choice)
    db.session.execute(sa.delete(PlanAudience).where(PlanAudience.item_id == item.id))
    item.audience = resolved.kind
    db.session.add_all([PlanAudience(item_id=item.id, team_id=t.id) for t in resolved.teams]
                       + [PlanAudience(item_id=item.id, user_id=u.id)
                          for u in resolved.people])
    return resolved.describe()


def create_item(values: ItemInput, choice: audience.AudienceChoice, actor: User,
                needs: list[TrainingNeed] = ()) -> PlanItem:
    course = _check_item(values)
    _resolve(choice)  # checked before anything is written
    item = PlanItem(created_by_id=actor.id, status=ItemStatus.PLANNED)
    _apply(item, values, course)
    db.session.add(item)
    db.session.flush()
    after = {**_describe(item), **_set_audience(item, choice)}
    audit.record("plan_item.create", item, actor=actor, after=after)
    for need in needs:
        if need.state == NeedState.SUBMITTED:
            answer_need(need, actor, action="plan", item=item)
    db.session.flush()
    return item


def update_item(item: PlanItem, values: ItemInput, choice: audience.AudienceChoice,
                actor: User) -> None:
    course = _check_item(values)
    if (item.delivery != values.delivery and "online" in (item.delivery, values.delivery)
            and recorded_attendance(item)):
        raise TrainingRefused(_l("Attendance has been recorded: the item cannot become "
                                 "an online course now."), "delivery")
    if values.starts_on.year != item.year and needs_of_item(item):
        raise TrainingRefused(_l("This item answers needs of the %(year)d plan: it stays in "
                                 "%(year)d, or answer those needs with another item first.",
                                 year=item.year), "starts_on")
    before = {**_describe(item), **audience_of(item).describe()}
    _apply(item, values, course)
    after = {**_describe(item), **_set_audience(item, choice)}
    item.updated_at = utcnow()
    db.session.flush()
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        audit.record("plan_item.update", item, actor=actor,
                     before={k: before.get(k) for k in changed}, after=changed)


def set_status(item: PlanItem, status: str, actor: User, note: str = "") -> None:
    note = (note or "").strip()
    try:
        target = ItemStatus(status)
    except ValueError as error:
        raise TrainingRefused(_l("Choose a status from the list."), "status") from error
    if target not in NEXT_STATUS[ItemStatus(item.status)]:
        raise TrainingRefused(_l("The item cannot go to that status from here."), "status")
    if target == ItemStatus.CANCELLED and not note:
        raise TrainingRefused(_l("Say why it is cancelled."), "note")
    if target == ItemStatus.DELIVERED and item.starts_on > local_today():
        raise TrainingRefused(_l("It starts on %(day)s: it cannot be delivered before then.",
                                 day=display_date(item.starts_on)), "status")
    before = {"status": item.status, "note": item.status_note}
    item.status, item.status_note, item.updated_at = target, note, utcnow()
    db.session.flush()
    audit.record("plan_item.status", item, actor=actor, before=before,
                 after={"status": target.value, "note": note})
    if target == ItemStatus.CANCELLED:  # its needs are open again, and their authors see why
        for need in needs_of_item(item):
            answer_need(need, actor, action="reopen",
                        response=str(_l("The plan item “%(title)s” was cancelled: %(note)s",
                                        title=item.title, note=note)))


def audience_of(item: PlanItem) -> audience.Resolved:
    rows = db.session.execute(sa.select(PlanAudience).where(
        PlanAudience.item_id == item.id)).scalars().all()
    teams = db.session.execute(sa.select(Team).where(Team.id.in_(
        [r.team_id for r in rows if r.team_id] or [-1])).order_by(Team.name)).scalars().all()
    people = db.session.execute(sa.select(User).where(User.id.in_(
        [r.user_id for r in rows if r.user_id] or [-1])).order_by(User.email)).scalars().all()
    return audience.Resolved(item.audience, list(teams), list(people))


def members(item: PlanItem) -> list[User]:
    """The active people the item is for."""
    resolved = audience_of(item)
    return list(db.session.execute(audience.members(
        item.audience, [t.id for t in resolved.teams],
        [u.id for u in resolved.people])).scalars())


def _names(person: User) -> sa.ColumnElement[bool]:
    """An audience row that names the person or their team."""
    return sa.or_(PlanAudience.user_id == person.id,
                  sa.and_(PlanAudience.team_id.is_not(None),
                          PlanAudience.team_id == person.team_id))


def meant_for(items: list[PlanItem], person: User) -> set[int]:
    """Which of ``items`` are for the person, in one query."""
    chosen = [i.id for i in items if i.audience != "everyone"]
    admitted = set(db.session.execute(sa.select(PlanAudience.item_id).where(
        PlanAudience.item_id.in_(chosen), _names(person))).scalars()) if chosen else set()
    return {i.id for i in items if i.audience == "everyone" or i.id in admitted}


def is_for(item: PlanItem, person: User) -> bool:
    return audience.admits(item.audience, PlanAudience, PlanAudience.item_id, item.id, person)


def upcoming_for(person: User, days: int = 30) -> list[PlanItem]:
    """Items for the person, not cancelled, running now or starting within ``days``."""
    today = local_today()
    named = sa.exists().where(PlanAudience.item_id == PlanItem.id, _names(person))
    return list(db.session.execute(sa.select(PlanItem).where(
        PlanItem.status != ItemStatus.CANCELLED, PlanItem.ends_on >= today,
        PlanItem.starts_on <= today + timedelta(days=days),
        sa.or_(PlanItem.audience == "everyone", named))
        .order_by(PlanItem.starts_on, PlanItem.id)).scalars())


def plan_of(year: int) -> list[PlanItem]:
    return list(db.session.execute(sa.select(PlanItem).where(PlanItem.year == year)
                                   .order_by(PlanItem.starts_on, PlanItem.id)).scalars())


def years() -> list[int]:
    """Years that have a plan or needs, and this year and the next, newest first."""
    this_year = local_today().year
    found = set(db.session.execute(sa.select(PlanItem.year).distinct()).scalars())
    found |= set(db.session.execute(sa.select(TrainingNeed.year).distinct()).scalars())
    return sorted(found | {this_year, this_year + 1}, reverse=True)


def needs_of_item(item: PlanItem) -> list[TrainingNeed]:
    return list(db.session.execute(sa.select(TrainingNeed).where(
        TrainingNeed.plan_item_id == item.id).order_by(TrainingNeed.id)).scalars())


# -- attendance and certificates (§2.4) ---------------------------------------------------


def recorded_attendance(item: PlanItem) -> dict[int, Attendance]:
    return {row.user_id: row for row in db.session.execute(sa.select(Attendance).where(
        Attendance.item_id == item.id)).scalars()}


def record_attendance(item: PlanItem, marks: dict[int, str], actor: User,
                      notes: dict[int, str] | None = None) -> int:
    """Set attended / absent / excused for the people given (``""`` clears a mark).

    Only people the item is for, or already marked, may be marked. Returns how many
    marks changed; each change is audited with before and after.
    """
    notes = notes or {}
    if not item.sessions:
        raise TrainingRefused(_l("Online items count course completions; there is no "
                                 "attendance to take."))
    if item.status == ItemStatus.CANCELLED:
        raise TrainingRefused(_l("The item is cancelled: nobody attended it."))
    if item.starts_on > local_today():
        raise TrainingRefused(_l("It starts on %(day)s: take attendance once it has begun.",
                                 day=display_date(item.starts_on)))
    existing = recorded_attendance(item)
    allowed = {u.id for u in members(item)} | set(existing)
    changed = 0
    for user_id, status in marks.items():
        if status and status not in ATTENDANCE:
            raise TrainingRefused(_l("Mark each person attended, absent or excused."))
        if user_id not in allowed:
            raise TrainingRefused(_l("Only people the item is for can be marked."))
        row, note = existing.get(user_id), (notes.get(user_id) or "").strip()[:300]
        before = (row.status, row.note) if row else ("", "")
        if before == (status, note if status else ""):
            continue
        if not status:
            db.session.delete(row)
        elif row is None:
            db.session.add(Attendance(item_id=item.id, user_id=user_id, status=status,
                                      note=note, recorded_by_id=actor.id))
        else:
            row.status, row.note = status, note
            row.recorded_by_id, row.recorded_at = actor.id, utcnow()
        changed += 1
        audit.record("plan_item.attendance", item, actor=actor,
                     before={"person": user_id, "status": before[0] or None},
                     after={"person": user_id, "status": status or None, "note": note})
    db.session.flush()
    return changed


def attach_certificate(item: PlanItem, person: User, filename: str, data: bytes,
                       actor: User) -> Certificate:
    """An external item's certificate or report, for someone who attended it."""
    if item.delivery != "external":
        raise TrainingRefused(_l("Certificates are kept for external courses and seminars."))
    mark = recorded_attendance(item).get(person.id)
    if mark is None or mark.status != "attended":
        raise TrainingRefused(_l("Only someone marked as attended can have a certificate "
                                 "for it."))
    try:
        values = uploads.stored(filename, data, actor)
    except uploads.UploadRefused as refused:
        raise TrainingRefused(str(refused), "file") from refused
    stored = Certificate(item_id=item.id, user_id=person.id, **values)
    db.session.add(stored)
    db.session.flush()
    audit.record("plan_item.certificate", item, actor=actor,
                 after={"person": person.id, "file": stored.filename, "sha256": stored.sha256})
    return stored


def certificates(item: PlanItem, person: User | None = None) -> list[Certificate]:
    query = sa.select(Certificate).where(Certificate.item_id == item.id)
    if person is not None:
        query = query.where(Certificate.user_id == person.id)
    return list(db.session.execute(query.order_by(Certificate.id)).scalars())
