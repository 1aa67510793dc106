"""Who a plan item is for: everyone, chosen teams or named people (§2.2).

Functions flush; the request commits.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.auth import audience
from app.auth.models import Team, User
from app.extensions import db
from app.i18n import local_today
from app.training.errors import TrainingRefused
from app.training.models import PlanAudience, PlanItem
from app.training.states import ItemStatus


def resolve(choice: audience.AudienceChoice) -> audience.Resolved:
    """The teams and people chosen, or TrainingRefused at the field that names a stranger."""
    try:
        return audience.resolve(choice)
    except audience.AudienceError as error:
        raise TrainingRefused(str(error), error.field) from error


def set_audience(item: PlanItem, choice: audience.AudienceChoice) -> dict:
    """Replace who the item is for; returns the audited description."""
    resolved = resolve(choice)
    db.session.execute(sa.delete(PlanAudience).where(PlanAudience.item_id == item.id))
    item.audience = resolved.kind
    db.session.add_all([PlanAudience(item_id=item.id, team_id=t.id) for t in resolved.teams]
                       + [PlanAudience(item_id=item.id, user_id=u.id)
                          for u in resolved.people])
    return resolved.describe()


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
