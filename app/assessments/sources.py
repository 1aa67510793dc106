"""Collecting a record's sources: exams, evaluations and the manager's figures, the four
indicators and comprehensive result computed from them (§3.1), and the person's earlier
published records.

The arithmetic is in the pure :mod:`app.assessments.indicators`; this module reads the
database for it. It only reads: nothing here writes or commits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.assessments import indicators as ind
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    PerformanceEntry,
    RecordState,
)
from app.auth.models import User
from app.evaluations import services as evaluation_services
from app.evaluations.models import Evaluation, EvaluationState
from app.exams.models import Attempt, AttemptState, Exam
from app.extensions import db
from app.rubrics.models import Rubric, RubricVersion


def decimals(values: Mapping[str, str]) -> dict[str, Decimal]:
    """Plan numbers (stored as strings) as decimals."""
    return {k: Decimal(v) for k, v in values.items()}


def _bounds(period: AssessmentPeriod) -> tuple[datetime, datetime]:
    """The period as a UTC interval: from its first day's start to its last day's end."""
    start = datetime.combine(period.starts_on, time.min, tzinfo=UTC)
    return start, datetime.combine(period.ends_on, time.min, tzinfo=UTC) + timedelta(days=1)


def _graded_attempts(period: AssessmentPeriod, person: User) -> dict[Exam, list[Attempt]]:
    """The person's graded attempts at the counted exams in the period, by exam."""
    start, end = _bounds(period)
    rows = db.session.execute(
        sa.select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == person.id, Attempt.exam_id.in_(period.exam_ids),
               Attempt.state == AttemptState.GRADED, Attempt.finished_at >= start,
               Attempt.finished_at < end, Attempt.max_score > 0)
        .order_by(Attempt.exam_id, Attempt.number)).all()
    by_exam: dict[Exam, list[Attempt]] = {}
    for attempt, exam in rows:
        by_exam.setdefault(exam, []).append(attempt)
    return by_exam


def _counted_attempt(exam: Exam, attempts: Sequence[Attempt]) -> Attempt:
    """The attempt the exam's rule counts: the last one, or the best (the earliest of equals)."""
    if exam.combine == "last":
        return attempts[-1]
    return max(attempts, key=lambda a: ((a.score or 0) / a.max_score, -a.number))


def exam_sources(period: AssessmentPeriod, person: User) -> list[ind.Source]:
    """Each counted exam's result in the period, after the exam's rule for several attempts."""
    if not period.exam_ids:
        return []
    sources = []
    for exam, attempts in _graded_attempts(period, person).items():
        chosen = _counted_attempt(exam, attempts)
        value = Decimal(str(chosen.score)) * 100 / Decimal(str(chosen.max_score))
        sources.append(ind.Source("attempt", chosen.id, exam.title, ind.rounded(value),
                                  chosen.finished_at))
    return sources


def _released_evaluations(period: AssessmentPeriod, person: User,
                          kinds: Iterable[str]) -> list[Evaluation]:
    start, end = _bounds(period)
    return list(db.session.execute(
        sa.select(Evaluation).where(
            Evaluation.subject_id == person.id, Evaluation.kind.in_(list(kinds)),
            Evaluation.state == EvaluationState.RELEASED, Evaluation.result.is_not(None),
            Evaluation.scheduled_at >= start, Evaluation.scheduled_at < end)
        .order_by(Evaluation.scheduled_at)).scalars())


def _left_out(evaluation: Evaluation) -> dict[str, Any]:
    return {"kind": "evaluation", "id": evaluation.id,
            "label": evaluation.rubric_version.rubric.title,
            "coordinator": evaluation.coordinator.display_name, "reason": "no_authority"}


def evaluation_sources(period: AssessmentPeriod, person: User, kinds: Iterable[str]
                       ) -> tuple[list[ind.Source], list[dict[str, Any]]]:
    """Released evaluations of these kinds that took place in the period: those that
    count, and those left out because their coordinator holds no authority over the
    person for that kind (app.auth.permissions.evaluation_authority), with why."""
    counted, excluded = [], []
    for e in _released_evaluations(period, person, kinds):
        assert e.result is not None  # the query asks for evaluations with a result
        if evaluation_services.authority_of(e) is None:
            excluded.append(_left_out(e))
        else:
            counted.append(ind.Source("evaluation", e.id, e.rubric_version.rubric.title,
                                      Decimal(e.result), e.scheduled_at))
    return counted, excluded


def _with_excluded(indicator: ind.Indicator, *excluded: list[dict]) -> ind.Indicator:
    """The indicator, recording the sources left out (the record says why)."""
    left_out = [item for group in excluded for item in group]
    if not left_out:
        return indicator
    return dataclasses.replace(indicator, detail={**indicator.detail, "excluded": left_out})


def performance_entry(period: AssessmentPeriod, person: User) -> PerformanceEntry | None:
    return db.session.execute(sa.select(PerformanceEntry).where(
        PerformanceEntry.period_id == period.id,
        PerformanceEntry.person_id == person.id)).scalar_one_or_none()


def professionalism_rubric(language: str) -> RubricVersion | None:
    """The current version of a professionalism rubric, in this language when there is one."""
    rows = db.session.execute(
        sa.select(RubricVersion, Rubric.language)
        .join(Rubric, sa.and_(Rubric.id == RubricVersion.rubric_pk,
                              Rubric.version == RubricVersion.version))
        .where(Rubric.kind == "professionalism").order_by(Rubric.rubric_id)).all()
    return next((v for v, lang in rows if lang == language), rows[0][0] if rows else None)


def _figure(entry: PerformanceEntry | None, name: str) -> ind.Source | None:
    """One of the manager's figures as a source; its label is the part's key, translated
    when shown, in the reader's language."""
    value = getattr(entry, name) if entry is not None else None
    if entry is None or value is None:
        return None
    return ind.Source("entry", entry.id, name, Decimal(value), entry.entered_at)


def compute(period: AssessmentPeriod, person: User) -> ind.Result:
    """The four indicators from their sources, and the comprehensive result."""
    entry = performance_entry(period, person)
    capability, capability_out = evaluation_sources(period, person, period.capability_kinds)
    reviews, reviews_out = evaluation_sources(period, person, ["project-review"])
    ratings, ratings_out = evaluation_sources(period, person, ["professionalism"])
    performance = ind.performance(reviews, _figure(entry, "success_rate"),
                                  _figure(entry, "satisfaction"),
                                  decimals(period.performance_formula))
    indicators = {
        "knowledge": ind.knowledge(exam_sources(period, person), period.exam_combine),
        "capability": _with_excluded(ind.capability(capability), capability_out),
        "performance": _with_excluded(performance, reviews_out),
        "professionalism": _with_excluded(ind.professionalism(ratings), ratings_out),
    }
    return ind.comprehensive(indicators, decimals(period.weights), decimals(period.bands))


def published_history(person: User) -> list[AssessmentRecord]:
    """The person's published records, oldest period first."""
    return list(db.session.execute(
        sa.select(AssessmentRecord).join(AssessmentPeriod)
        .where(AssessmentRecord.person_id == person.id,
               AssessmentRecord.state != RecordState.DRAFT)
        .order_by(AssessmentPeriod.starts_on)).scalars())


def previous_record(period: AssessmentPeriod, person: User) -> AssessmentRecord | None:
    """The person's latest published record of a period that ended before this one began."""
    earlier = [r for r in published_history(person) if r.period.ends_on < period.starts_on]
    return earlier[-1] if earlier else None


def snapshot_values(view: dict[str, Any]) -> dict[str, Decimal | None]:
    """The indicator values of a snapshot, as decimals (None: missing)."""
    return {k: Decimal(v["value"]) if v["value"] is not None else None
            for k, v in view["indicators"].items()}
