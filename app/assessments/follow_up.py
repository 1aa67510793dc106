"""After publication: the performance interview, the improvement plan, the use of results.

§3.3.5: the manager records the interview and an improvement plan of items (goal,
action, due date, linked courses), tracked to done. §3.4: the app proposes what to
do with the result (see :mod:`app.assessments.recommendations`); the manager
confirms or changes each part with a comment, and the decision is recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments import recommendations as rec
from app.assessments.models import (
    AssessmentRecord,
    Decision,
    ImprovementItem,
    Interview,
    RecordState,
)
from app.assessments.services import AssessmentRefused
from app.assessments.sources import snapshot_values
from app.audit import log as audit
from app.auth.models import User
from app.banks.models import Question, QuestionBank, QuestionVersion
from app.courses.models import Course
from app.courses.services import (
    completed_lesson_ids,
    course_progress,
    current_lessons,
    percent,
)
from app.database import utcnow
from app.evaluations.models import CriterionScore, Evaluation, Review, ReviewState
from app.exams.models import AttemptItem
from app.extensions import db
from app.i18n import local_today
from app.notifications.services import notify

MAX_ITEMS = 20


def _published(record: AssessmentRecord) -> None:
    if record.state == RecordState.DRAFT:
        raise AssessmentRefused(_l("Publish the record first: the interview discusses the "
                                   "published result."))


# -- interview and improvement plan ------------------------------------------------------------


def interview_of(record: AssessmentRecord) -> Interview | None:
    return db.session.execute(sa.select(Interview).where(
        Interview.record_id == record.id)).scalar_one_or_none()


def record_interview(record: AssessmentRecord, held_on: date, notes: str,
                     actor: User) -> Interview:
    _published(record)
    notes = (notes or "").strip()
    if not notes:
        raise AssessmentRefused(_l("Write the interview notes: what you analysed together."))
    interview = interview_of(record)
    before = None
    if interview is None:
        interview = Interview(record_id=record.id, held_on=held_on, notes=notes,
                              recorded_by_id=actor.id)
        db.session.add(interview)
    else:
        before = {"held_on": interview.held_on.isoformat(), "notes": interview.notes}
        interview.held_on, interview.notes, interview.recorded_at = held_on, notes, utcnow()
    db.session.flush()
    audit.record("assessment.interview", record, actor=actor, before=before,
                 after={"held_on": held_on.isoformat(), "notes": notes})
    if held_on >= local_today() and (before is None or before["held_on"] != held_on.isoformat()):
        notify([record.person], "assessment.interview", interview)  # a day still to come
    return interview


def plan_items(record: AssessmentRecord) -> list[ImprovementItem]:
    return list(db.session.execute(sa.select(ImprovementItem).where(
        ImprovementItem.record_id == record.id)
        .order_by(ImprovementItem.due_on, ImprovementItem.id)).scalars())


def add_item(record: AssessmentRecord, goal: str, action: str, due_on: date,
             course_ids: list[int], actor: User) -> ImprovementItem:
    _published(record)
    if not (goal or "").strip():
        raise AssessmentRefused(_l("Give the item a goal."))
    if len(plan_items(record)) >= MAX_ITEMS:
        raise AssessmentRefused(_l("An improvement plan has at most %(n)d items.", n=MAX_ITEMS))
    known = set(db.session.execute(sa.select(Course.id).where(
        Course.id.in_(course_ids or [-1]))).scalars())
    item = ImprovementItem(record_id=record.id, goal=goal.strip()[:300],
                           action=(action or "").strip(), due_on=due_on,
                           course_ids=[c for c in course_ids if c in known])
    db.session.add(item)
    db.session.flush()
    audit.record("assessment.plan.add", record, actor=actor,
                 after={"goal": item.goal, "due_on": due_on.isoformat(),
                        "courses": item.course_ids})
    return item


def mark_done(item: ImprovementItem, actor: User, done: bool = True) -> None:
    item.done_at = utcnow() if done else None
    db.session.flush()
    audit.record("assessment.plan.done" if done else "assessment.plan.reopen", item,
                 actor=actor, after={"goal": item.goal})


@dataclass(frozen=True)
class LinkedCourse:
    course: Course
    percent: int
    completed: bool


def linked_courses(person: User, items: list[ImprovementItem]) -> dict[int, LinkedCourse]:
    """The person's progress in every course the plan links to, by course id."""
    ids = {c for item in items for c in item.course_ids}
    courses = db.session.execute(sa.select(Course).where(Course.id.in_(ids or [-1]))
                                 ).scalars()
    result = {}
    for course in courses:
        progress = course_progress(person.id, course.id)
        lessons = {lesson.id for lesson in current_lessons(course.id)}
        done = len(completed_lesson_ids(person.id, course.id) & lessons)
        result[course.id] = LinkedCourse(course, percent(done, len(lessons)),
                                         bool(progress and progress.completed_at))
    return result


# -- use of results ----------------------------------------------------------------------------


@dataclass
class _Tally:
    """Points obtained out of points possible, over ``count`` questions or scores."""

    obtained: Decimal = Decimal(0)
    possible: Decimal = Decimal(0)
    count: int = 0

    def add(self, obtained: Decimal, possible: Decimal) -> None:
        self.obtained += obtained
        self.possible += possible
        self.count += 1

    def weakness(self, name: str) -> rec.Weakness:
        return rec.Weakness(name, self.obtained / self.possible, self.count)


def weak_exam_parts(record: AssessmentRecord) -> tuple[list[rec.Weakness], list[rec.Weakness]]:
    """Bank areas and question tags of the counted attempts, by share of points obtained."""
    ids = [s["id"] for s in record_sources(record, "knowledge") if s["kind"] == "attempt"]
    rows = db.session.execute(
        sa.select(AttemptItem.score, AttemptItem.points, Question.tag_list, QuestionBank.area)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_pk)
        .join(QuestionBank, QuestionBank.id == Question.bank_pk)
        .where(AttemptItem.attempt_id.in_(ids or [-1]), AttemptItem.points > 0)).all()
    areas: dict[str, _Tally] = defaultdict(_Tally)
    tags: dict[str, _Tally] = defaultdict(_Tally)
    for score, points, tag_list, area in rows:
        for tally in [areas[area]] + [tags[t] for t in tag_list.strip(",").split(",") if t]:
            tally.add(Decimal(str(score or 0)), Decimal(str(points)))
    return ([t.weakness(k) for k, t in areas.items()],
            [t.weakness(k) for k, t in tags.items()])


def _submitted_scores(evaluation: Evaluation) -> Iterable[CriterionScore]:
    return db.session.execute(
        sa.select(CriterionScore).join(Review, Review.id == CriterionScore.review_id)
        .where(Review.evaluation_id == evaluation.id,
               Review.state == ReviewState.SUBMITTED)).scalars()


def weak_criteria(record: AssessmentRecord) -> list[rec.Weakness]:
    """Rubric criteria of the counted evaluations, by share of the top level reached."""
    ids = {s["id"] for key in ("capability", "performance", "professionalism")
           for s in record_sources(record, key) if s["kind"] == "evaluation"}
    shares: dict[str, _Tally] = defaultdict(_Tally)
    for evaluation in db.session.execute(sa.select(Evaluation).where(
            Evaluation.id.in_(ids or [-1]))).scalars():
        criteria = {c["key"]: c for c in evaluation.rubric_version.criteria}
        for score in _submitted_scores(evaluation):
            criterion = criteria.get(score.criterion_key)
            if criterion is None or score.level is None:
                continue
            top = max(int(level["value"]) for level in criterion["levels"])
            shares[criterion["title"]].add(Decimal(score.level) / Decimal(top), Decimal(1))
    return [t.weakness(name) for name, t in shares.items()]


def record_sources(record: AssessmentRecord, key: str) -> list[dict]:
    return (record.snapshot or {}).get("indicators", {}).get(key, {}).get("sources", [])


def proposal(record: AssessmentRecord) -> rec.Proposal:
    _published(record)
    values = snapshot_values(record.published_snapshot)
    areas, tags = weak_exam_parts(record)
    return rec.propose(record.band, values, areas, tags, weak_criteria(record))


def suggested_courses(proposal_: rec.Proposal, limit: int = 6) -> list[Course]:
    if not proposal_.training_areas:
        return []
    courses = db.session.execute(sa.select(Course).where(
        Course.area.in_(proposal_.training_areas), Course.retired_at.is_(None))
        .order_by(Course.title)).scalars().all()
    order = {area: i for i, area in enumerate(proposal_.training_areas)}
    return sorted(courses, key=lambda c: (order[c.area], c.title))[:limit]


def decision_of(record: AssessmentRecord) -> Decision | None:
    return db.session.execute(sa.select(Decision).where(
        Decision.record_id == record.id)).scalar_one_or_none()


def _check_decision(proposed: rec.Proposal, pay: str, promotion_priority: bool,
                    position_review: bool, comment: str) -> None:
    if pay not in rec.PAY_CHOICES:
        raise AssessmentRefused(_l("Choose a pay adjustment: raise, keep or review."))
    differs = (pay != proposed.pay or promotion_priority != proposed.promotion_priority
               or position_review != proposed.position_review)
    if differs and not comment:
        raise AssessmentRefused(_l("Your decision differs from the proposal: say why in the "
                                   "comment."))


def _decision_view(decision: Decision) -> dict[str, Any]:
    return {"pay": decision.pay, "promotion_priority": decision.promotion_priority,
            "position_review": decision.position_review, "courses": decision.course_ids,
            "comment": decision.comment}


def decide(record: AssessmentRecord, actor: User, *, pay: str, promotion_priority: bool,
           course_ids: list[int], position_review: bool, comment: str) -> Decision:
    """Record the manager's decision next to what the app proposed; changes need a comment."""
    proposed = proposal(record)
    comment = (comment or "").strip()
    _check_decision(proposed, pay, promotion_priority, position_review, comment)
    decision = decision_of(record)
    before = _decision_view(decision) if decision is not None else None
    if decision is None:
        decision = Decision(record_id=record.id, decided_by_id=actor.id, pay=pay)
        db.session.add(decision)
    decision.proposed, decision.pay = proposed.as_dict(), pay
    decision.promotion_priority, decision.position_review = promotion_priority, position_review
    decision.course_ids, decision.comment = list(course_ids), comment
    decision.decided_by_id, decision.decided_at = actor.id, utcnow()
    db.session.flush()
    audit.record("assessment.decision", record, actor=actor, before=before, after={
        "proposed": proposed.as_dict(), **_decision_view(decision)})
    return decision
