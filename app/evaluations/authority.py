"""Who may coordinate an evaluation of whom, counting delegations (§1.3.1, §3.1.4).

The rule itself is :func:`app.auth.permissions.evaluation_authority`; this module
supplies what it needs from the database (who delegated the professionalism rating
to whom, for which days) and answers for a coordinator, a person and a moment.
Reads only: delegating and revoking are workflow steps in :mod:`app.evaluations.services`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.auth.models import User
from app.auth.permissions import Authority, evaluation_authority
from app.database import utcnow
from app.evaluations.models import Delegation, Evaluation
from app.extensions import db


def _day(moment: datetime) -> date:
    """The calendar day an evaluation belongs to, as the assessment periods count days."""
    return moment.astimezone(UTC).date()


def delegators(delegate: User, person: User, kind: str, on: date) -> frozenset[int]:
    """Who delegated the rating of ``person`` to ``delegate`` for the day ``on``."""
    if kind != "professionalism":
        return frozenset()
    rows = db.session.execute(sa.select(Delegation.manager_id).where(
        Delegation.person_id == person.id, Delegation.delegate_id == delegate.id,
        Delegation.kind == kind, Delegation.revoked_at.is_(None),
        Delegation.starts_on <= on, Delegation.ends_on >= on)).scalars()
    return frozenset(rows)


def authority_for(user: User, person: User, kind: str, at: datetime) -> Authority | None:
    """The basis on which ``user`` may coordinate a ``kind`` evaluation of ``person`` at ``at``."""
    return evaluation_authority(user, person, kind,
                                delegated_by=delegators(user, person, kind, _day(at)))


def authority_of(evaluation: Evaluation) -> Authority | None:
    """Whether the evaluation's coordinator holds that authority now: the fold's check."""
    return authority_for(evaluation.coordinator, evaluation.subject, evaluation.kind,
                         evaluation.scheduled_at)


def delegations_of(person: User, starts_on: date, ends_on: date) -> list[Delegation]:
    """Delegations of the person's rating that overlap these days, newest first."""
    return list(db.session.execute(sa.select(Delegation).where(
        Delegation.person_id == person.id, Delegation.starts_on <= ends_on,
        Delegation.ends_on >= starts_on).order_by(Delegation.id.desc())).scalars())


def delegated_people(delegate: User) -> set[int]:
    """Ids of the people whose rating is delegated to ``delegate`` and not over yet."""
    return set(db.session.execute(sa.select(Delegation.person_id).where(
        Delegation.delegate_id == delegate.id, Delegation.revoked_at.is_(None),
        Delegation.ends_on >= _day(utcnow()))).scalars())
