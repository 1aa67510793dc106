"""The rules a period's plan meets, shared by creating, editing and correcting it
(app.assessments.services, app.assessments.plan_changes), and the period's row lock."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments import indicators as ind
from app.assessments.errors import AssessmentRefused
from app.assessments.models import AssessmentPeriod
from app.extensions import db


def plan_strings(values: Mapping[str, Decimal]) -> dict[str, str]:
    """Plan numbers as short canonical strings: "30", "92.5"."""
    return {k: format(Decimal(v).normalize(), "f") for k, v in values.items()}


def lock_period(period: AssessmentPeriod) -> None:
    """Hold the period's row until the transaction ends (PostgreSQL; SQLite's writing
    transactions hold the whole database already), read afresh: correcting the plan and
    publishing a record from it take turns (app.assessments.plan_changes)."""
    db.session.execute(sa.select(AssessmentPeriod).where(AssessmentPeriod.id == period.id)
                       .with_for_update().execution_options(populate_existing=True)).scalar_one()


def _weight_problem(weights: Mapping[str, Decimal]) -> str | None:
    if any(Decimal(weights[k]) < 0 for k in ind.INDICATORS):
        return str(_l("Weights cannot be negative: write 0 or more."))
    total = sum((Decimal(weights[k]) for k in ind.INDICATORS), Decimal(0))
    if total != 100:
        return str(_l("The four weights must total 100 (they total %(total)s).",
                      total=format(total.normalize(), "f")))
    return None


def check_numbers(weights: Mapping[str, Decimal], bands: Mapping[str, Decimal],
                  formula: Mapping[str, Decimal], exam_combine: str) -> None:
    """The plan's numbers, refused beside the part they concern (``field``: weights, bands,
    performance_formula, exam_combine)."""
    if message := _weight_problem(weights):
        raise AssessmentRefused(message, "weights")
    if ind.check_bands(bands):
        raise AssessmentRefused(_l("Bands must fall: excellent above good above qualified, "
                                   "within 0-100."), "bands")
    parts = [Decimal(v) for v in formula.values()]
    if any(v < 0 for v in parts) or sum(parts, Decimal(0)) <= 0:
        raise AssessmentRefused(_l("Give at least one work-performance part a weight "
                                   "(0 or more each)."), "performance_formula")
    if exam_combine not in ind.EXAM_COMBINE:
        raise AssessmentRefused(_l("Choose how several exams combine."), "exam_combine")
