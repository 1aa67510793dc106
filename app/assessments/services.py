"""Assessment periods and records: plans, figures, publishing, responding.

The sources and the computed result are read in :mod:`app.assessments.sources`.

Views check who may act (app.auth.permissions) before calling; functions here check
the state they need and raise :class:`AssessmentRefused` with a message for the
person. They flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments import indicators as ind
from app.assessments.errors import AssessmentRefused  # callers use svc.AssessmentRefused
from app.assessments.labels import INDICATOR_LABELS
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    PerformanceEntry,
    PeriodMember,
    PeriodState,
    RecordState,
)
from app.assessments.performance_csv import PerformanceRow, parse_performance_csv
from app.assessments.plan_rules import check_numbers, lock_period, plan_strings
from app.assessments.sources import compute, performance_entry
from app.assessments.states import next_period_state
from app.audit import log as audit
from app.auth.models import User
from app.content.csv_upload import RowError
from app.content.markdown import render_markdown
from app.database import utcnow
from app.evaluations import services as evaluation_services
from app.evaluations.models import Evaluation
from app.extensions import db
from app.notifications.services import notify
from app.rubrics.models import RubricVersion

DEFAULT_CAPABILITY_KINDS = ["demo", "interview"]


# -- periods and plans -------------------------------------------------------------------------


@dataclass
class Plan:
    name: str
    cadence: str
    starts_on: date
    ends_on: date
    weights: dict[str, Decimal] = field(default_factory=lambda: dict(ind.DEFAULT_WEIGHTS))
    bands: dict[str, Decimal] = field(default_factory=lambda: dict(ind.DEFAULT_BANDS))
    performance_formula: dict[str, Decimal] = field(
        default_factory=lambda: dict(ind.DEFAULT_PERFORMANCE))
    exam_ids: list[int] = field(default_factory=list)
    exam_combine: str = "mean"
    capability_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_CAPABILITY_KINDS))
    description: str = ""
    audience: str = "everyone"
    team_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)


def name_taken_message(name: str) -> str:
    return str(_l("Another period is already called %(name)s: choose another name.",
                  name=name.strip()))


def _check(plan: Plan, period: AssessmentPeriod | None = None) -> None:
    """Every rule a plan must meet; ``period`` is the one being edited, if any."""
    same_name = sa.select(AssessmentPeriod.id).where(AssessmentPeriod.name == plan.name.strip())
    if period is not None:
        same_name = same_name.where(AssessmentPeriod.id != period.id)
    if db.session.execute(same_name).first():  # unique: say so at the field, not in a 500
        raise AssessmentRefused(name_taken_message(plan.name), "name")
    if plan.ends_on < plan.starts_on:
        raise AssessmentRefused(_l("The period cannot end before it starts."), "ends_on")
    check_numbers(plan.weights, plan.bands, plan.performance_formula, plan.exam_combine)
    if plan.audience != "everyone" and not (plan.team_ids or plan.user_ids):
        raise AssessmentRefused(_l("Choose the teams or people the period covers."),
                               "audience")


def create_period(plan: Plan, actor: User) -> AssessmentPeriod:
    _check(plan)
    period = AssessmentPeriod(created_by_id=actor.id)
    _apply(period, plan)
    db.session.add(period)
    db.session.flush()
    audit.record("assessment.period.create", period, actor=actor, after=_plan_view(period))
    return period


def update_plan(period: AssessmentPeriod, plan: Plan, actor: User) -> None:
    """The plan can change while planning; once people see it, it is their rules."""
    if period.state != PeriodState.PLANNING:
        raise AssessmentRefused(_l("The plan is fixed once the period opens."))
    _check(plan, period)
    before = _plan_view(period)
    _apply(period, plan)
    db.session.flush()
    audit.record("assessment.period.plan", period, actor=actor, before=before,
                 after=_plan_view(period))


def _apply(period: AssessmentPeriod, plan: Plan) -> None:
    period.name, period.cadence = plan.name.strip(), plan.cadence
    period.starts_on, period.ends_on = plan.starts_on, plan.ends_on
    period.weights, period.bands = plan_strings(plan.weights), plan_strings(plan.bands)
    period.performance_formula = plan_strings(plan.performance_formula)
    period.exam_ids, period.exam_combine = list(plan.exam_ids), plan.exam_combine
    period.capability_kinds = list(plan.capability_kinds)
    period.description = plan.description
    period.description_html = render_markdown(plan.description).html
    period.audience = plan.audience
    period.members = ([PeriodMember(team_id=t) for t in plan.team_ids]
                      + [PeriodMember(user_id=u) for u in plan.user_ids]
                      if plan.audience != "everyone" else [])


def _plan_view(period: AssessmentPeriod) -> dict:
    return {"name": period.name, "dates": f"{period.starts_on} – {period.ends_on}",
            "weights": period.weights, "bands": period.bands,
            "performance_formula": period.performance_formula, "exams": period.exam_ids,
            "exam_combine": period.exam_combine, "capability": period.capability_kinds,
            "audience": period.audience}


def advance(period: AssessmentPeriod, actor: User) -> PeriodState:
    """Move the period to its next state; publishing needs every record published."""
    target = next_period_state(period.state)
    if target is None:
        raise AssessmentRefused(_l("The period is closed."))
    if target == PeriodState.PUBLISHED:
        _check_all_published(period)
    before = period.state
    period.move_to(target)
    db.session.flush()
    audit.record("assessment.period.advance", period, actor=actor,
                 before={"state": before}, after={"state": target.value})
    return target


def _check_all_published(period: AssessmentPeriod) -> None:
    waiting = [p.display_name for p in people_covered(period)
               if (r := find_record(period, p)) is None or r.state == RecordState.DRAFT]
    if waiting:
        raise AssessmentRefused(_l("Records not yet published: %(names)s.",
                                   names=", ".join(waiting[:10])
                                   + ("…" if len(waiting) > 10 else "")))


def covers(period: AssessmentPeriod, person: User) -> bool:
    if period.audience == "everyone":
        return person.active
    return any(m.user_id == person.id or (m.team_id is not None and m.team_id == person.team_id)
               for m in period.members)


def manages_people(user: User) -> bool:
    """Whether anyone has ``user`` as their line manager."""
    return bool(db.session.execute(
        sa.select(sa.exists().where(User.manager_id == user.id))).scalar())


def people_covered(period: AssessmentPeriod, manager: User | None = None) -> list[User]:
    """Everyone the period covers (a manager's own team only, when ``manager`` is given)."""
    stmt = sa.select(User).where(User.active.is_(True)).order_by(User.display_name)
    if manager is not None:
        stmt = stmt.where(User.manager_id == manager.id)
    if period.audience != "everyone":
        teams = [m.team_id for m in period.members if m.team_id is not None]
        users = [m.user_id for m in period.members if m.user_id is not None]
        stmt = stmt.where(sa.or_(User.team_id.in_(teams), User.id.in_(users)))
    return list(db.session.execute(stmt).scalars())


# -- records -----------------------------------------------------------------------------------


def find_record(period: AssessmentPeriod, person: User) -> AssessmentRecord | None:
    return db.session.execute(sa.select(AssessmentRecord).where(
        AssessmentRecord.period_id == period.id,
        AssessmentRecord.person_id == person.id)).scalar_one_or_none()


def unsaved_record(period: AssessmentPeriod, person: User) -> AssessmentRecord:
    """A draft not stored yet: what pages and permission checks see before the first write."""
    record = AssessmentRecord(period_id=period.id, person_id=person.id, state=RecordState.DRAFT,
                              went_well="", problems="", incomplete_reason="",
                              response_comment="")
    record.period, record.person = period, person
    return record


def record_for(period: AssessmentPeriod, person: User) -> AssessmentRecord:
    record = find_record(period, person)
    if record is None:
        if not covers(period, person):
            raise AssessmentRefused(_l("This period does not cover %(name)s.",
                                       name=person.display_name))
        record = AssessmentRecord(period_id=period.id, person_id=person.id,
                                  state=RecordState.DRAFT)
        db.session.add(record)
        db.session.flush()
    return record


def enter_performance(period: AssessmentPeriod, person: User, success_rate: Decimal | None,
                      satisfaction: Decimal | None, note: str, actor: User,
                      source: str = "form") -> PerformanceEntry:
    _open_for_scoring(period)
    if any(v is not None and not Decimal(0) <= v <= Decimal(100)
           for v in (success_rate, satisfaction)):
        raise AssessmentRefused(_l("Figures are percentages between 0 and 100."))
    entry = performance_entry(period, person)
    before = None if entry is None else {"success_rate": str(entry.success_rate),
                                         "satisfaction": str(entry.satisfaction)}
    if entry is None:
        entry = PerformanceEntry(period_id=period.id, person_id=person.id)
        db.session.add(entry)
    entry.success_rate, entry.satisfaction, entry.note = success_rate, satisfaction, note.strip()
    entry.source, entry.entered_by_id, entry.entered_at = source, actor.id, utcnow()
    db.session.flush()
    audit.record("assessment.performance", entry, actor=actor, before=before, after={
        "person": person.email, "success_rate": str(success_rate),
        "satisfaction": str(satisfaction), "source": source})
    return entry


# -- a manager's CSV of figures ----------------------------------------------------------------


@dataclass(frozen=True)
class FiguresFile:
    """A checked CSV of figures: its rows and the team they name, or every problem found."""

    rows: list[PerformanceRow]
    errors: list[RowError]
    team: dict[str, User]


def read_figures(period: AssessmentPeriod, data: bytes, filename: str,
                 manager: User) -> FiguresFile:
    """Check the file and that every row names someone of the manager's team here."""
    rows, errors = parse_performance_csv(data, filename)
    team = {p.email: p for p in people_covered(period, manager)}
    errors += [RowError(row.line, f"{row.email} is not in your team for this period")
               for row in rows if row.email not in team]
    return FiguresFile(rows, errors, team)


def import_figures(period: AssessmentPeriod, upload: FiguresFile, actor: User) -> int:
    """Enter every row of a checked file; how many people it gave figures for.

    An empty cell keeps the figure already entered, and an empty note the note.
    """
    for row in upload.rows:
        person = upload.team[row.email]
        entry = performance_entry(period, person)
        enter_performance(
            period, person,
            row.success_rate if row.success_rate is not None
            else getattr(entry, "success_rate", None),
            row.satisfaction if row.satisfaction is not None
            else getattr(entry, "satisfaction", None),
            row.note or getattr(entry, "note", ""), actor, source="csv")
    return len(upload.rows)


# -- feedback, publication, the person's response ----------------------------------------------


def _open_for_scoring(period: AssessmentPeriod) -> None:
    if period.state not in (PeriodState.OPEN, PeriodState.SCORING):
        raise AssessmentRefused(_l("Records change only while the period is open or being "
                                   "scored."))


def save_feedback(record: AssessmentRecord, went_well: str, problems: str) -> None:
    _open_for_scoring(record.period)
    if record.state != RecordState.DRAFT:
        raise AssessmentRefused(_l("The record is published: changes need an approved change "
                                   "request."))
    record.went_well, record.problems = went_well.strip(), problems.strip()
    db.session.flush()


def _source(s: ind.Source) -> dict[str, Any]:
    return {"kind": s.kind, "id": s.id, "label": s.label, "value": str(s.value),
            "when": s.when.isoformat() if s.when else None}


def snapshot(result: ind.Result) -> dict[str, Any]:
    """The result as the record freezes it at publication (JSON: decimals as strings)."""
    return {"indicators": {k: {"value": str(i.value) if i.value is not None else None,
                               "sources": [_source(s) for s in i.sources],
                               "detail": i.detail} for k, i in result.indicators.items()},
            "total": str(result.total) if result.total is not None else None,
            "band": result.band, "missing": result.missing}


def _publishable(record: AssessmentRecord, reason: str) -> ind.Result:
    """The result to freeze, unless the record may not be published yet."""
    lock_period(record.period)
    _open_for_scoring(record.period)
    if record.state != RecordState.DRAFT:
        raise AssessmentRefused(_l("The record is already published."))
    if not (record.went_well.strip() or record.problems.strip()):
        raise AssessmentRefused(_l("Write the feedback first: what went well and the problems "
                                   "found (§3.3.4)."))
    result = compute(record.period, record.person)
    if not result.complete and not reason:
        raise AssessmentRefused(_l("Missing: %(missing)s. Publishing an incomplete record "
                                   "needs a reason (for example, on leave).",
                                   missing=", ".join(str(INDICATOR_LABELS[k])
                                                     for k in result.missing)))
    return result


def publish(record: AssessmentRecord, actor: User, reason: str = "",
            now: datetime | None = None) -> ind.Result:
    """Freeze the values and their sources; an incomplete record needs a stated reason."""
    reason = (reason or "").strip()
    result = _publishable(record, reason)
    record.snapshot = snapshot(result)
    record.total, record.band = result.total, result.band
    record.incomplete_reason = "" if result.complete else reason
    record.move_to(RecordState.PUBLISHED)
    record.published_at, record.published_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("assessment.record.publish", record, actor=actor,
                 reason=record.incomplete_reason or None,
                 after={"person": record.person.email, "total": str(record.total),
                        "band": record.band, "missing": result.missing})
    notify([record.person], "assessment.published", record)
    return result


def respond(record: AssessmentRecord, person: User, *, agree: bool, comment: str = "") -> None:
    """The person acknowledges the record, or records disagreement with a comment."""
    if record.person_id != person.id:
        raise AssessmentRefused(_l("Only the person assessed responds to a record."))
    if record.state == RecordState.DRAFT:
        raise AssessmentRefused(_l("The record is not published yet."))
    comment = (comment or "").strip()
    if not agree and not comment:
        raise AssessmentRefused(_l("Say what you disagree with."))
    record.move_to(RecordState.ACKNOWLEDGED if agree else RecordState.DISPUTED)
    record.response_comment, record.responded_at = comment, utcnow()
    db.session.flush()
    audit.record("assessment.record.respond", record, actor=person,
                 after={"state": record.state, "comment": comment})
    if not agree:  # the manager is told; the comment stays on the record page
        notify([record.person.manager], "assessment.disputed", record)


# -- the professionalism rating ----------------------------------------------------------------


def schedule_professionalism(period: AssessmentPeriod, person: User, manager: User,
                             version: RubricVersion, now: datetime) -> Evaluation:
    """§3.1.4: an evaluation of kind "professionalism" with the manager as the reviewer,
    scored on its scorecard and counted once released; due in a week."""
    scenario = _l("Professionalism in %(period)s: ethics, teamwork, responsibility.",
                  period=period.name)
    return evaluation_services.schedule(evaluation_services.Schedule(
        subject=person, rubric_version=version, scenario=str(scenario), scheduled_at=now,
        place="", due_at=now + timedelta(days=7), reviewers=[manager], evidence_links=[]),
        manager)
