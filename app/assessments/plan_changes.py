"""Correcting a period's plan after it opens (issue 15).

While the period is open or being scored and no record of it is published, the
manager may correct what the plan counts and how: the counted exams and evaluation
kinds, the four weights, the grade bands and the work-performance formula. Each
correction names its reason and is audited with the values before and after. Records
not yet published are computed from the plan on every read
(:func:`app.assessments.sources.compute`), so they follow the corrected plan at once.

Once one record is published the plan is fixed: a published record changes only
through a change request (:mod:`app.assessments.changes`). The period row is locked
while correcting, and publishing locks it too (:func:`app.assessments.plan_rules.lock_period`), so a
record cannot be published from the old plan while the plan changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments.errors import AssessmentRefused
from app.assessments.models import AssessmentPeriod, AssessmentRecord, PeriodState, RecordState
from app.assessments.plan_rules import check_numbers, lock_period, plan_strings
from app.audit import log as audit
from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db

CORRECTABLE = frozenset({PeriodState.OPEN, PeriodState.SCORING})
ACTION = "assessment.period.correct"
PLAN_KEYS = ("weights", "bands", "performance_formula", "exam_ids", "exam_combine",
             "capability_kinds")


@dataclass(frozen=True)
class PlanCorrection:
    """The parts of a plan that may be corrected after the period opens."""

    weights: dict[str, Decimal]
    bands: dict[str, Decimal]
    performance_formula: dict[str, Decimal]
    exam_ids: list[int]
    exam_combine: str
    capability_kinds: list[str]


def published_records(period: AssessmentPeriod) -> list[AssessmentRecord]:
    """The period's records that are published (whatever the person answered since)."""
    return list(db.session.execute(
        sa.select(AssessmentRecord).where(AssessmentRecord.period_id == period.id,
                                          AssessmentRecord.state != RecordState.DRAFT)
        .join(AssessmentRecord.person).order_by(User.display_name)).scalars())


def correctable(period: AssessmentPeriod) -> bool:
    """Whether the plan may be corrected now (the period planning is edited instead)."""
    return period.state in CORRECTABLE and not published_records(period)


def corrections(period: AssessmentPeriod) -> list[AuditEntry]:
    """The plan's corrections, newest first, as the audit log holds them."""
    return list(db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.action == ACTION,
                                    AuditEntry.object_type == AssessmentPeriod.__tablename__,
                                    AuditEntry.object_id == str(period.id))
        .order_by(AuditEntry.id.desc())).scalars())


def _correctable_now(period: AssessmentPeriod) -> None:
    if period.state == PeriodState.PLANNING:
        raise AssessmentRefused(_l("The period is still being planned: edit the plan "
                                   "instead."))
    if period.state not in CORRECTABLE:
        raise AssessmentRefused(_l("The period's records are published: the plan is fixed. "
                                   "Request a change on a record instead."))
    if published := published_records(period):
        raise AssessmentRefused(_l(
            "%(name)s's record is published: the plan is fixed. Request a change on the "
            "record instead.", name=published[0].person.display_name))


def plan_of(period: AssessmentPeriod) -> dict[str, Any]:
    """The correctable part of the plan as stored (numbers as strings)."""
    return {key: getattr(period, key) for key in PLAN_KEYS}


def _stored(correction: PlanCorrection) -> dict[str, Any]:
    return {"weights": plan_strings(correction.weights),
            "bands": plan_strings(correction.bands),
            "performance_formula": plan_strings(correction.performance_formula),
            "exam_ids": sorted(correction.exam_ids), "exam_combine": correction.exam_combine,
            "capability_kinds": sorted(correction.capability_kinds)}


def correct_plan(period: AssessmentPeriod, correction: PlanCorrection, reason: str,
                 actor: User) -> list[str]:
    """Store the corrected plan and audit it with ``reason``; the parts that changed."""
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentRefused(_l("Give the reason for the correction: it is recorded in "
                                   "the audit log."), "reason")
    lock_period(period)
    _correctable_now(period)
    check_numbers(correction.weights, correction.bands, correction.performance_formula,
                  correction.exam_combine)
    before, after = plan_of(period), _stored(correction)
    changed = [k for k in PLAN_KEYS if _comparable(before[k]) != _comparable(after[k])]
    if not changed:
        raise AssessmentRefused(_l("Nothing changed: the plan is already like this."))
    for key in changed:
        setattr(period, key, after[key])
    db.session.flush()
    audit.record(ACTION, period, actor=actor, reason=reason,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return changed


def _comparable(value: Any) -> Any:
    """Lists compare as sets (the order of ticked boxes means nothing)."""
    return sorted(value) if isinstance(value, list) else value
