"""Who something is for: everyone, chosen teams, or named people.

Exams and training-plan items share this choice. :func:`resolve` checks a choice
against the accounts and teams that exist (raising :class:`AudienceError` with the
form field to blame); :func:`members` lists the active people it covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth.models import Team, User
from app.extensions import db

AUDIENCES = ("everyone", "teams", "people")


@dataclass(frozen=True)
class AudienceChoice:
    """Everyone, the chosen teams, or the named people (by email)."""

    kind: str = "everyone"
    team_ids: tuple[int, ...] = ()
    emails: tuple[str, ...] = ()


class AudienceError(ValueError):
    """The choice names nothing that exists. ``field`` names the form field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Resolved:
    kind: str
    teams: list[Team]
    people: list[User]

    def describe(self) -> dict:
        """How the audit log records it."""
        if self.kind == "teams":
            return {"audience": "teams", "teams": [t.name for t in self.teams]}
        if self.kind == "people":
            return {"audience": "people", "people": [u.email for u in self.people]}
        return {"audience": "everyone"}


def _people(emails: tuple[str, ...]) -> list[User]:
    wanted = {email.strip().lower() for email in emails if email.strip()}
    if not wanted:
        raise AudienceError(_("Enter at least one email address."), "people")
    found = db.session.execute(sa.select(User).where(
        sa.func.lower(User.email).in_(sorted(wanted)))).scalars().all()
    unknown = sorted(wanted - {user.email.lower() for user in found})
    if unknown:
        raise AudienceError(ngettext("No account has the email %(emails)s.",
                                     "No accounts have the emails %(emails)s.",
                                     len(unknown), emails=", ".join(unknown)), "people")
    return sorted(found, key=lambda user: user.email)


def _teams(team_ids: tuple[int, ...]) -> list[Team]:
    found = db.session.execute(sa.select(Team).where(
        Team.id.in_(list(team_ids)))).scalars().all() if team_ids else []
    if not found or len(found) != len(set(team_ids)):
        raise AudienceError(_("Choose at least one existing team."), "teams")
    return sorted(found, key=lambda team: team.name)


def resolve(choice: AudienceChoice) -> Resolved:
    if choice.kind == "teams":
        return Resolved("teams", _teams(choice.team_ids), [])
    if choice.kind == "people":
        return Resolved("people", [], _people(choice.emails))
    if choice.kind != "everyone":
        raise AudienceError(_("Choose one of the listed options."), "audience")
    return Resolved("everyone", [], [])


def admits(kind: str, rows, owner_column, owner_id: int, person: User) -> bool:
    """Whether an audience of ``kind`` admits ``person``; ``rows`` is the model holding its
    chosen teams and people (``team_id`` / ``user_id``), ``owner_column`` ties them to
    the exam or item ``owner_id``."""
    if kind == "everyone":
        return True
    clause = rows.team_id == person.team_id if kind == "teams" else rows.user_id == person.id
    return bool(db.session.execute(sa.select(sa.exists().where(
        owner_column == owner_id, clause))).scalar())


def members(kind: str, team_ids: list[int], user_ids: list[int]) -> sa.Select:
    """The active people an audience covers, ordered by name."""
    query = sa.select(User).where(User.active.is_(True))
    if kind == "teams":
        query = query.where(User.team_id.in_(team_ids or [-1]))
    elif kind == "people":
        query = query.where(User.id.in_(user_ids or [-1]))
    return query.order_by(User.display_name, User.id)
