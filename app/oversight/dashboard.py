"""The supervision group's overview (§4.1): read-only figures from every part of the app.

Figures are counted in the database or in one pass over narrow rows; the page costs
a few queries per period shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.assessments import services as assessments
from app.assessments.indicators import rounded
from app.assessments.models import AssessmentPeriod, AssessmentRecord
from app.assessments.states import PeriodState, RecordState
from app.auth.models import Team, User
from app.complaints.models import Complaint, ComplaintState
from app.evaluations.models import Evaluation, EvaluationState
from app.exams import exports as exam_results
from app.exams.models import Attempt, Exam
from app.extensions import db

AGE_BUCKETS = ((7, "under_7"), (30, "under_30"), (None, "over_30"))


@dataclass
class PeriodProgress:
    period: AssessmentPeriod
    covered: int
    states: Counter = field(default_factory=Counter)  # record state -> count
    complete: int = 0  # published records with a comprehensive result


def period_progress() -> list[PeriodProgress]:
    periods = db.session.execute(sa.select(AssessmentPeriod).where(
        AssessmentPeriod.state != PeriodState.PLANNING)
        .order_by(AssessmentPeriod.starts_on.desc())).scalars().all()
    counts: dict[int, Counter] = defaultdict(Counter)
    complete: Counter = Counter()
    for period_id, state, total in db.session.execute(sa.select(
            AssessmentRecord.period_id, AssessmentRecord.state, AssessmentRecord.total)):
        counts[period_id][state] += 1
        if state != "draft" and total is not None:
            complete[period_id] += 1
    return [PeriodProgress(p, len(assessments.people_covered(p)), counts[p.id], complete[p.id])
            for p in periods]


@dataclass
class GroupResult:
    name: str
    count: int
    mean: Decimal
    bands: Counter


def results_by(period: AssessmentPeriod, grouping: str) -> list[GroupResult]:
    """Published totals of a period per team or per manager: how many, mean, bands."""
    key = User.team_id if grouping == "team" else User.manager_id
    rows = db.session.execute(
        sa.select(key, AssessmentRecord.total, AssessmentRecord.band)
        .join(User, User.id == AssessmentRecord.person_id)
        .where(AssessmentRecord.period_id == period.id, AssessmentRecord.state != RecordState.DRAFT,
               AssessmentRecord.total.is_not(None))).all()
    groups: dict[int | None, list] = defaultdict(list)
    for group, total, band in rows:
        if total is not None:  # the query wants a total: this tells the type checker
            groups[group].append((Decimal(total), band))
    names = _group_names(grouping, [g for g in groups if g is not None])
    return sorted((GroupResult(names.get(group, "—"), len(values),
                               rounded(sum((v for v, _ in values), Decimal(0)) / len(values)),
                               Counter(b for _, b in values))
                   for group, values in groups.items()), key=lambda g: g.name.casefold())


def _group_names(grouping: str, ids: list[int]) -> dict[int | None, str]:
    """Each team's name, or each manager's display name, by id."""
    if grouping == "team":
        teams = db.session.execute(sa.select(Team).where(Team.id.in_(ids))).scalars()
        return {team.id: team.name for team in teams}
    managers = db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars()
    return {manager.id: manager.display_name for manager in managers}


def late_evaluations(now: datetime) -> list[Evaluation]:
    return list(db.session.execute(sa.select(Evaluation).where(
        Evaluation.state == EvaluationState.OPEN, Evaluation.due_at < now)
        .order_by(Evaluation.due_at)).scalars())


def complaints_by_age(today: date) -> dict[str, int]:
    """Open complaints and suggestions by days open: under 7, under 30, 30 or more."""
    ages: Counter[str] = Counter()
    for (received,) in db.session.execute(sa.select(Complaint.received_on).where(
            Complaint.state.in_([ComplaintState.RECEIVED, ComplaintState.INVESTIGATING]))):
        days = (today - received).days
        ages[next(name for limit, name in AGE_BUCKETS if limit is None or days < limit)] += 1
    return {name: ages[name] for _, name in AGE_BUCKETS}


@dataclass(frozen=True)
class QuestionFlag:
    exam: Exam
    question_id: str
    stem_html: str
    facility: float | None
    discrimination: float | None


def question_flags(exams: int = 5) -> list[QuestionFlag]:
    """Questions with negative discrimination in the most recent exams that have finished
    attempts (item analysis is a few queries per exam, so only the latest few are read)."""
    recent = db.session.execute(
        sa.select(Exam).where(Exam.id.in_(
            sa.select(Attempt.exam_id).where(Attempt.state.in_(exam_results.COUNTED_STATES))))
        .order_by(Exam.closes_at.desc(), Exam.id.desc()).limit(exams)).scalars().all()
    flags = []
    for exam in recent:
        for question in exam_results.question_statistics(exam_results.result_rows(exam)):
            if question.negative:
                flags.append(QuestionFlag(exam, question.question_id, question.stem_html,
                                          question.facility, question.discrimination))
    return flags
