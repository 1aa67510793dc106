"""What the pages show about correcting a period's plan: whether it may be corrected, the
published records that fix it (each with its change-request path), and the corrections
made so far, in words. Only reads; the step is :mod:`app.assessments.plan_changes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms import SelectChoice

from app.assessments import plan_changes
from app.assessments.forms import PlanCorrectionForm
from app.assessments.labels import BAND_LABELS, COMBINE_LABELS, INDICATOR_LABELS, PART_LABELS
from app.assessments.models import AssessmentPeriod
from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.exams.models import Exam
from app.extensions import db
from app.rubrics.services import KIND_LABELS

_NAMES: dict[str, Mapping[str, Any]] = {
    "weights": INDICATOR_LABELS, "bands": BAND_LABELS, "performance_formula": PART_LABELS}


@dataclass(frozen=True)
class Correction:
    """One correction of the plan as the period page lists it."""

    when: datetime
    by: str
    reason: str
    lines: list[str]


def correction_form() -> PlanCorrectionForm:
    """The correction form, offering every published exam (and those the plan counts)."""
    form = PlanCorrectionForm()
    form.exams.choices = [SelectChoice(e.id, e.title) for e in db.session.execute(
        sa.select(Exam).where(Exam.published_at.is_not(None))
        .order_by(Exam.opens_at.desc())).scalars()]
    return form


def _numbers(part: str, before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    names = _NAMES[part]
    return [f"{names.get(k, k)}: {before.get(k, '—')} → {after.get(k, '—')}"
            for k in after if before.get(k) != after.get(k)]


def _titles(ids: list[int]) -> str:
    titles = dict(db.session.execute(sa.select(Exam.id, Exam.title).where(
        Exam.id.in_(ids or [-1]))).tuples().all())
    return ", ".join(titles.get(i, f"#{i}") for i in ids) or "—"


def _line(part: str, before: Any, after: Any) -> list[str]:
    if part in _NAMES:
        return _numbers(part, before or {}, after or {})
    if part == "exam_ids":
        return [_("Exams that count: %(before)s → %(after)s", before=_titles(before or []),
                  after=_titles(after or []))]
    if part == "exam_combine":
        return [_("Several exams: %(before)s → %(after)s",
                  before=COMBINE_LABELS.get(before, before),
                  after=COMBINE_LABELS.get(after, after))]
    kinds = [", ".join(str(KIND_LABELS.get(k, k)) for k in v or []) or "—"
             for v in (before, after)]
    return [_("Evaluations that count: %(before)s → %(after)s", before=kinds[0],
              after=kinds[1])]


def _correction(entry: AuditEntry) -> Correction:
    before, after = entry.before or {}, entry.after or {}
    lines = [line for part in after for line in _line(part, before.get(part), after[part])]
    by = entry.actor.display_name if entry.actor else entry.actor_label
    return Correction(entry.created_at, by, entry.reason or "", lines)


def plan_status(period: AssessmentPeriod, viewer: User) -> dict[str, Any]:
    """Whether the plan may be corrected; if a record fixes it, the published records the
    viewer may open, each with whether the viewer may request a change on it (its page
    holds the form: the person's manager); the corrections so far."""
    published = plan_changes.published_records(period)
    return {"plan_correctable": period.state in plan_changes.CORRECTABLE and not published,
            "plan_fixed_by": [(r, can(viewer, Permission.FOLLOW_UP_RECORD, r))
                              for r in published if can(viewer, Permission.VIEW_RECORD, r)],
            "plan_published_count": len(published),
            "plan_corrections": [_correction(e) for e in plan_changes.corrections(period)]}
