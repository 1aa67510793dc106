"""What the assessment pages show: the period table, the record page, the export table.

Views decide who may open a page and which template renders it; the functions here
gather what that page shows for the person looking (``viewer``). They only read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms import SelectChoice

from app.assessments import changes, charts, follow_up, plan_change_pages
from app.assessments import indicators as ind
from app.assessments import services as svc
from app.assessments.forms import (
    ActionForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    DecisionForm,
    DelegationForm,
    FeedbackForm,
    ImprovementItemForm,
    InterviewForm,
    PerformanceForm,
    PerformanceImportForm,
    PeriodForm,
    PublishForm,
    ResponseForm,
)
from app.assessments.labels import BAND_LABELS, INDICATOR_LABELS, RECORD_STATE_LABELS
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    ChangeRequest,
    ChangeState,
    PeriodState,
    RecordState,
)
from app.assessments.sources import (
    compute,
    performance_entry,
    previous_record,
    published_history,
    snapshot_values,
)
from app.auth.models import Team, User
from app.auth.permissions import Permission, can
from app.courses.models import Course
from app.evaluations import services as evaluation_services
from app.exams.models import Exam
from app.extensions import db

Snapshot = dict[str, Any]  # a record's frozen values (see services.snapshot)
SORTABLE = {"name", "total", "status", *ind.INDICATORS}


def reads_all(user: User) -> bool:
    """Supervisors and admins read every record; a manager only their own team's."""
    return can(user, Permission.READ_ALL_RECORDS)


def sees_team_table(user: User) -> bool:
    return reads_all(user) or svc.manages_people(user)


def sees_every_period(user: User) -> bool:
    """Staff see every period, in planning too."""
    return sees_team_table(user) or can(user, Permission.MANAGE_PERIODS)


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


# -- the index ---------------------------------------------------------------------------------


def waiting_changes(user: User) -> list[ChangeRequest]:
    """Pending changes this person may decide (and may see)."""
    pending = db.session.execute(sa.select(ChangeRequest).where(
        ChangeRequest.state == ChangeState.PENDING).order_by(ChangeRequest.id)).scalars()
    return [c for c in pending if can(user, Permission.DECIDE_CHANGE, c)
            and can(user, Permission.VIEW_RECORD, c.record)]


def index_page(viewer: User) -> dict[str, Any]:
    """The periods the viewer may see, their own published records, changes to decide."""
    periods = db.session.execute(sa.select(AssessmentPeriod)
                                 .order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    staff = sees_every_period(viewer)
    if not staff:  # the plans of periods that cover the person, once open
        periods = [p for p in periods
                   if p.state != PeriodState.PLANNING and svc.covers(p, viewer)]
    mine = db.session.execute(
        sa.select(AssessmentRecord).where(AssessmentRecord.person_id == viewer.id,
                                          AssessmentRecord.state != RecordState.DRAFT)
        .join(AssessmentPeriod).order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    return {"periods": periods, "mine": mine, "staff": staff,
            "waiting": waiting_changes(viewer) if staff else []}


def period_form() -> PeriodForm:
    """The plan form, offering every team and every published exam."""
    form = PeriodForm()
    form.teams.choices = [SelectChoice(t.id, t.name) for t in db.session.execute(
        sa.select(Team).order_by(Team.name)).scalars()]
    form.exams.choices = [SelectChoice(e.id, e.title) for e in db.session.execute(
        sa.select(Exam).where(Exam.published_at.is_not(None))
        .order_by(Exam.opens_at.desc())).scalars()]
    return form


def member_emails(period: AssessmentPeriod) -> list[str]:
    """The emails of the people a period names one by one."""
    people = [m.user_id for m in period.members if m.user_id is not None]
    return list(db.session.execute(
        sa.select(User.email).where(User.id.in_(people or [-1]))).scalars())


# -- the period table --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    """One person of a period as the table shows them."""

    person: User
    record: AssessmentRecord | None
    values: dict[str, Decimal | None]
    total: Decimal | None
    band: str | None
    status: str  # the record's state once published; "complete" or "incomplete" before


def _team_row(period: AssessmentPeriod, person: User) -> TeamRow:
    """Published values, or live ones while the record is a draft."""
    record = svc.find_record(period, person)
    if record is not None and record.state != RecordState.DRAFT:
        return TeamRow(person, record, snapshot_values(record.published_snapshot), record.total,
                       record.band, record.state)
    result = compute(period, person)
    return TeamRow(person, record, {k: result.indicators[k].value for k in ind.INDICATORS},
                   result.total, result.band, "complete" if result.complete else "incomplete")


def team_rows(period: AssessmentPeriod, viewer: User) -> list[TeamRow]:
    """One row per person the viewer may see (nobody, for a person without a team)."""
    if not sees_team_table(viewer):
        return []
    manager = None if reads_all(viewer) else viewer
    return [_team_row(period, person) for person in svc.people_covered(period, manager)]


def _sort_key(row: TeamRow, sort: str) -> tuple:
    if sort == "name":
        return (row.person.display_name.casefold(),)
    if sort == "status":
        return (row.status,)
    value = row.total if sort == "total" else row.values[sort]
    return (value is not None, value if value is not None else Decimal(0))


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """The rounded mean of the values given; None when there are none."""
    given = [v for v in values if v is not None]
    return ind.rounded(sum(given, Decimal(0)) / len(given)) if given else None


def _overview(period: AssessmentPeriod, rows: Sequence[TeamRow]) -> dict[str, Any]:
    """The distribution chart, the mean of each indicator and the count of each band."""
    totals = [r.total for r in rows if r.total is not None]
    return {"distribution": charts.distribution(totals, period.bands) if rows else None,
            "averages": {k: _mean([r.values[k] for r in rows]) for k in ind.INDICATORS},
            "band_counts": {b: sum(1 for r in rows if r.band == b) for b in ind.BANDS}}


def period_page(period: AssessmentPeriod, viewer: User, sort: str | None,
                direction: str | None) -> dict[str, Any]:
    """The plan, and the table of the people the viewer may see, sorted as asked."""
    rows = team_rows(period, viewer)
    sort = sort if sort in SORTABLE else "name"
    descending = direction == "desc"
    rows.sort(key=lambda r: _sort_key(r, sort), reverse=descending)
    exams = db.session.execute(sa.select(Exam).where(
        Exam.id.in_(period.exam_ids or [-1]))).scalars().all()
    return {"period": period, "rows": rows, "sort": sort, "descending": descending,
            "action_form": ActionForm(), "import_form": PerformanceImportForm(),
            "exams": exams, "bands": period.bands, "weights": period.weights,
            **_overview(period, rows), **plan_change_pages.plan_status(period, viewer)}


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _export_row(row: TeamRow, status_labels: dict[str, str]) -> list[object]:
    person, record = row.person, row.record
    return [person.display_name, person.email, person.team.name if person.team else "",
            *[_number(row.values[k]) for k in ind.INDICATORS], _number(row.total),
            str(BAND_LABELS[row.band]) if row.band else "", status_labels[row.status],
            record.went_well if record else "", record.problems if record else ""]


def export_table(rows: Iterable[TeamRow]) -> tuple[list[str], list[list[object]]]:
    """The headers and rows of the records download, labels in the reader's language."""
    headers = [_("Name"), _("Email"), _("Team"),
               *[str(INDICATOR_LABELS[k]) for k in ind.INDICATORS],
               _("Total"), _("Grade"), _("Status"), _("What went well"), _("Problems found")]
    status_labels: dict[str, str] = {"complete": _("Complete"), "incomplete": _("Incomplete"),
                                     **{k: str(v) for k, v in RECORD_STATE_LABELS.items()}}
    return headers, [_export_row(row, status_labels) for row in rows]


# -- choices of the record page's forms --------------------------------------------------------


def course_choices(preferred: Sequence[Course] = ()) -> list[SelectChoice]:
    """Every current course, the preferred ones first."""
    courses = db.session.execute(sa.select(Course).where(Course.retired_at.is_(None))
                                 .order_by(Course.title)).scalars().all()
    first = {c.id for c in preferred}
    return ([SelectChoice(c.id, c.title) for c in preferred]
            + [SelectChoice(c.id, c.title) for c in courses if c.id not in first])


def delegation_choices(person: User, viewer: User) -> list[SelectChoice]:
    """The active people the viewer may hand the person's professionalism rating to."""
    people = db.session.execute(sa.select(User).where(
        User.active.is_(True), User.id.not_in([person.id, viewer.id]))
        .order_by(User.display_name)).scalars()
    return [SelectChoice("", _("Choose a person"))] + [
        SelectChoice(p.id, f"{p.display_name} <{p.email}>") for p in people]


# -- the record page ---------------------------------------------------------------------------


@dataclass
class RecordSeen:
    """A record, and what the person looking at it may see of it."""

    period: AssessmentPeriod
    person: User
    record: AssessmentRecord
    viewer: User

    @property
    def frozen(self) -> bool:
        return self.record.state != RecordState.DRAFT

    @cached_property
    def follow(self) -> bool:
        """The viewer follows the published record up (interview, plan, decision)."""
        return self.frozen and can(self.viewer, Permission.FOLLOW_UP_RECORD, self.record)

    @property
    def staff(self) -> bool:
        """The viewer reads the published record as someone other than its person."""
        return self.follow or (self.frozen and self.person.id != self.viewer.id)

    @cached_property
    def view(self) -> Snapshot:
        """The frozen values, or those computed live for a draft."""
        if self.frozen:
            return self.record.published_snapshot
        return svc.snapshot(compute(self.period, self.person))


def _charts(seen: RecordSeen) -> dict[str, Any]:
    """The indicators beside the previous period's, and the total across periods."""
    previous = previous_record(seen.period, seen.person)
    points = [(r.period.name, r.total) for r in published_history(seen.person)]
    if not seen.frozen:
        points.append((seen.period.name, _decimal(seen.view["total"])))
    before = snapshot_values(previous.published_snapshot) if previous else None
    return {"previous": previous,
            "indicator_chart": charts.indicator_bars(snapshot_values(seen.view), before),
            "trend_chart": charts.trend(points) if len(points) > 1 else None}


def _follow_up(seen: RecordSeen) -> dict[str, Any]:
    """The interview, the improvement plan and the decision on the use of the result."""
    record, frozen, staff = seen.record, seen.frozen, seen.staff
    items = follow_up.plan_items(record) if frozen else []
    proposal = follow_up.proposal(record) if staff else None
    suggested = follow_up.suggested_courses(proposal) if proposal else []
    decision_form, item_form = DecisionForm(), ImprovementItemForm()
    decision_form.courses.choices = course_choices(suggested)
    item_form.courses.choices = course_choices(suggested)
    courses = db.session.execute(sa.select(Course)).scalars() if staff else ()
    return {"interview": follow_up.interview_of(record) if frozen else None, "items": items,
            "linked": follow_up.linked_courses(seen.person, items), "proposal": proposal,
            "suggested": suggested, "decision": follow_up.decision_of(record) if staff else None,
            "interview_form": InterviewForm(), "item_form": item_form,
            "decision_form": decision_form, "courses_by_id": {c.id: c for c in courses}}


def _changes(seen: RecordSeen) -> dict[str, Any]:
    """The change waiting for approval, earlier changes, and the forms for both."""
    pending = changes.pending(seen.record) if seen.frozen else None
    return {"pending": pending,
            "history": changes.history(seen.record) if seen.staff else [],
            "may_decide": pending is not None and can(seen.viewer, Permission.DECIDE_CHANGE,
                                                      pending),
            "change_form": ChangeRequestForm(), "change_decision_form": ChangeDecisionForm()}


def _scoring(seen: RecordSeen) -> dict[str, Any]:
    """The manager's figures, feedback and publication, and the person's response."""
    period, record = seen.period, seen.record
    entry = performance_entry(period, seen.person)
    open_now = period.state in (PeriodState.OPEN, PeriodState.SCORING)
    return {"scoring": can(seen.viewer, Permission.SCORE_RECORD, record) and not seen.frozen
            and open_now,
            "responding": record.person_id == seen.viewer.id
            and record.state == RecordState.PUBLISHED,
            "entry": entry,
            "performance_form": PerformanceForm(obj=entry) if entry else PerformanceForm(),
            "feedback_form": FeedbackForm(obj=record), "publish_form": PublishForm(),
            "response_form": ResponseForm(), "action_form": ActionForm()}


def _delegation(seen: RecordSeen) -> dict[str, Any]:
    """The professionalism delegation of this period, for the person's manager to see."""
    if not can(seen.viewer, Permission.SCORE_RECORD, seen.record):
        return {"delegations": [], "delegation_form": None}
    form = DelegationForm()
    form.delegate.choices = delegation_choices(seen.person, seen.viewer)
    return {"delegations": evaluation_services.delegations_of(
        seen.person, seen.period.starts_on, seen.period.ends_on), "delegation_form": form}


def record_page(period: AssessmentPeriod, person: User, record: AssessmentRecord,
                viewer: User) -> dict[str, Any]:
    """Everything the record page shows ``viewer``, who may view the record."""
    seen = RecordSeen(period, person, record, viewer)
    return {"period": period, "person": person, "record": record, "view": seen.view,
            "frozen": seen.frozen, "follow": seen.follow, "staff": seen.staff,
            **_charts(seen), **_follow_up(seen), **_changes(seen), **_scoring(seen),
            **_delegation(seen)}
