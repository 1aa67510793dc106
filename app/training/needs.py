"""Training needs (§2.1): submitted by staff and managers, answered by trainers.

Functions flush; the request commits. Each answer is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit import log as audit
from app.auth.models import User
from app.courses.loader import AREAS
from app.database import utcnow
from app.extensions import db
from app.i18n import local_today
from app.training import notices
from app.training.errors import TrainingRefused
from app.training.models import REASONS, URGENCIES, PlanItem, TrainingNeed
from app.training.states import ItemStatus, NeedState

NEED_AREAS = (*AREAS, "other")
# What each of a trainer's answers makes of a need.
ANSWERS = {"plan": NeedState.PLANNED, "decline": NeedState.DECLINED,
           "reopen": NeedState.SUBMITTED}


@dataclass(frozen=True)
class NeedInput:
    year: int
    area: str
    topic: str
    reason: str
    urgency: str
    details: str = ""
    for_team: bool = False


def _check_need(author: User, need: NeedInput) -> None:
    """TrainingRefused at the first field that breaks a rule."""
    this_year = local_today().year
    checks = (
        (need.topic.strip(), _l("Name the topic you need training on."), "topic"),
        (need.area in NEED_AREAS, _l("Choose an area from the list."), "area"),
        (need.reason in REASONS, _l("Choose a reason from the list."), "reason"),
        (need.urgency in URGENCIES, _l("Choose an urgency from the list."), "urgency"),
        (this_year <= need.year <= this_year + 1,
         _l("Needs are collected for this year's plan or next year's."), "year"),
        (not need.for_team or has_reports(author),
         _l("Only a manager speaks for a team."), "for_team"),
    )
    for passed, message, field in checks:
        if not passed:
            raise TrainingRefused(message, field)


def submit_need(author: User, need: NeedInput) -> TrainingNeed:
    _check_need(author, need)
    row = TrainingNeed(author_id=author.id, for_team=need.for_team, year=need.year,
                       area=need.area, topic=need.topic.strip()[:200], reason=need.reason,
                       urgency=need.urgency, details=need.details.strip(),
                       state=NeedState.SUBMITTED, submitted_on=local_today())
    db.session.add(row)
    db.session.flush()
    return row


def has_reports(person: User) -> bool:
    return bool(db.session.execute(sa.select(sa.exists().where(
        User.manager_id == person.id, User.active.is_(True)))).scalar())


def _answer_target(action: str, item: PlanItem | None, response: str) -> NeedState:
    """The state an answer gives the need, or TrainingRefused saying what it lacks."""
    if action not in ANSWERS:
        raise TrainingRefused(_l("Choose what to do with the need."), "action")
    if action == "plan" and (item is None or item.status == ItemStatus.CANCELLED):
        raise TrainingRefused(_l("Choose a plan item that is not cancelled."), "item")
    if action == "decline" and not response:
        raise TrainingRefused(_l("Say why the need is declined: the author reads it."),
                              "response")
    return ANSWERS[action]


def _answer_of(need: TrainingNeed) -> dict:
    """The audited part of a need: its state, its item and the note to its author."""
    return {"state": need.state, "item": need.plan_item_id, "response": need.response}


def answer_need(need: TrainingNeed, trainer: User, *, action: str,
                item: PlanItem | None = None, response: str = "") -> None:
    """A trainer plans a need (links it to an item), declines it with reasons, or reopens it."""
    response = (response or "").strip()
    target = _answer_target(action, item, response)
    before = _answer_of(need)
    need.move_to(target)
    need.plan_item_id = item.id if item is not None and target == NeedState.PLANNED else None
    need.response, need.handled_by_id, need.updated_at = response, trainer.id, utcnow()
    db.session.flush()
    audit.record(f"need.{action}", need, actor=trainer, before=before, after=_answer_of(need))
    notices.need_answered(need, trainer, action)


def reopen_needs_of(item: PlanItem, actor: User, note: str) -> None:
    """A cancelled item's needs are open again, and their authors read why."""
    for need in needs_of_item(item):
        answer_need(need, actor, action="reopen",
                    response=str(_l("The plan item “%(title)s” was cancelled: %(note)s",
                                    title=item.title, note=note)))


def mine(person: User) -> list[TrainingNeed]:
    return list(db.session.execute(sa.select(TrainingNeed).where(
        TrainingNeed.author_id == person.id).order_by(TrainingNeed.id.desc())).scalars())


def needs_of_year(year: int, state: str | None = None) -> list[TrainingNeed]:
    query = sa.select(TrainingNeed).where(TrainingNeed.year == year)
    if state:
        query = query.where(TrainingNeed.state == state)
    return list(db.session.execute(query.order_by(
        TrainingNeed.area, TrainingNeed.reason, TrainingNeed.id)).scalars())


def needs_of_item(item: PlanItem) -> list[TrainingNeed]:
    return list(db.session.execute(sa.select(TrainingNeed).where(
        TrainingNeed.plan_item_id == item.id).order_by(TrainingNeed.id)).scalars())


@dataclass(frozen=True)
class NeedGroup:
    area: str
    counts: dict[str, int]   # reason -> how many
    total: int
    open: int                # still submitted
    urgent: int


def _group(area: str, rows: list[TrainingNeed]) -> NeedGroup:
    return NeedGroup(area, {r: sum(n.reason == r for n in rows) for r in REASONS}, len(rows),
                     sum(n.state == NeedState.SUBMITTED for n in rows),
                     sum(n.urgency == "high" for n in rows))


def grouped(needs: list[TrainingNeed]) -> list[NeedGroup]:
    """Needs per area, counted by reason, most asked-for first."""
    groups: dict[str, list[TrainingNeed]] = {}
    for need in needs:
        groups.setdefault(need.area, []).append(need)
    result = [_group(area, rows) for area, rows in groups.items()]
    return sorted(result, key=lambda g: (-g.total, NEED_AREAS.index(g.area)))
