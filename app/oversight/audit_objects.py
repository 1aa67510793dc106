"""What an audit entry acted on, in words, with a link when the reader may open its page.

Objects are loaded in one query per kind for a whole page of entries. Each kind knows its
model, how the entry names it (the row id, a question ID, a complaint reference), a label
and its page; the page is offered only when the reader passes that page's own check
(``can``). An object that is gone, or of a kind not listed here, is shown as kind + id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.assessments import presenter as assessment_pages
from app.assessments.models import (
    AssessmentPeriod,
    AssessmentRecord,
    ImprovementItem,
    PerformanceEntry,
)
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.banks.models import Question, QuestionBank
from app.complaints.models import Complaint
from app.courses.models import Course
from app.evaluations.models import Delegation, Evaluation
from app.exams.models import Attempt, AttemptItem, Exam
from app.extensions import db
from app.oversight.audit_words import kind_name
from app.rubrics.models import Rubric
from app.rubrics.services import KIND_LABELS
from app.training.models import PlanItem, TrainingNeed


@dataclass(frozen=True)
class ObjectRef:
    label: str
    url: str | None = None


@dataclass(frozen=True)
class Kind:
    model: Any
    key: str  # the column the entry's object_id names
    label: Callable[[Any], str]
    link: Callable[[User, Any], str | None] = lambda _reader, _obj: None


def _person_link(reader: User, person: User) -> str | None:
    if can(reader, Permission.MANAGE_USERS):
        return url_for("admin.edit_user", user_id=person.id)
    if can(reader, Permission.VIEW_PERSON, person):
        return url_for("main.archive", person_id=person.id)
    return None


def _if(allowed: bool, endpoint: str, **args: Any) -> str | None:
    return url_for(endpoint, **args) if allowed else None


def _record_label(record: AssessmentRecord) -> str:
    return _("%(person)s in %(period)s", person=record.person.display_name,
             period=record.period.name)


def _record_link(reader: User, record: AssessmentRecord) -> str | None:
    return _if(can(reader, Permission.VIEW_RECORD, record), "assessments.record",
               period_id=record.period_id, person_id=record.person_id)


def _attempt_label(attempt: Attempt) -> str:
    person = db.session.get(User, attempt.user_id)
    return _("attempt %(number)d of %(person)s in %(exam)s", number=attempt.number,
             person=person.display_name if person else attempt.user_id,
             exam=attempt.exam.title)


def _answer_label(item: AttemptItem) -> str:
    attempt = db.session.get(Attempt, item.attempt_id)
    where = _attempt_label(attempt) if attempt else str(item.attempt_id)
    return _("answer %(position)d in %(attempt)s", position=item.position, attempt=where)


def _performance_label(entry: PerformanceEntry) -> str:
    person, period = db.session.get(User, entry.person_id), \
        db.session.get(AssessmentPeriod, entry.period_id)
    return _("%(person)s in %(period)s", person=person.display_name if person else "?",
             period=period.name if period else "?")


def _goal_link(reader: User, goal: ImprovementItem) -> str | None:
    record = db.session.get(AssessmentRecord, goal.record_id)
    return _record_link(reader, record) if record else None


def _complaint_label(complaint: Complaint) -> str:
    """The reference only: a title may say who wrote an anonymous suggestion."""
    return complaint.reference


def _delegation_label(delegation: Delegation) -> str:
    return _("the %(kind)s rating of %(person)s, from %(manager)s to %(delegate)s",
             kind=KIND_LABELS.get(delegation.kind, delegation.kind),
             person=delegation.person.display_name, manager=delegation.manager.display_name,
             delegate=delegation.delegate.display_name)


def _evaluation_label(evaluation: Evaluation) -> str:
    return _("%(kind)s of %(person)s", kind=KIND_LABELS.get(evaluation.kind, evaluation.kind),
             person=evaluation.subject.display_name)


KINDS: dict[str, Kind] = {
    "users": Kind(User, "id", lambda u: u.display_name, _person_link),
    "exams": Kind(Exam, "id", lambda e: e.title, lambda r, e: _if(
        can(r, Permission.MANAGE_EXAMS), "exam_admin.exam", exam_id=e.id)),
    "exam_attempts": Kind(Attempt, "id", _attempt_label, lambda r, a: _if(
        can(r, Permission.MANAGE_EXAMS), "exam_results.attempt", attempt_id=a.id)),
    "exam_attempt_items": Kind(AttemptItem, "id", _answer_label, lambda r, i: _if(
        can(r, Permission.MANAGE_EXAMS), "exam_results.attempt", attempt_id=i.attempt_id)),
    "questions": Kind(Question, "question_id",
                      lambda q: _("%(id)s in %(bank)s", id=q.question_id, bank=q.bank.title),
                      lambda r, q: _if(can(r, Permission.MANAGE_BANKS), "banks.question",
                                       question_id=q.question_id)),
    "question_banks": Kind(QuestionBank, "id", lambda b: b.title),
    "rubrics": Kind(Rubric, "id", lambda r: r.title, lambda reader, r: _if(
        can(reader, Permission.VIEW_RUBRICS), "rubrics.rubric", rubric_id=r.rubric_id)),
    "plan_items": Kind(PlanItem, "id", lambda i: i.title, lambda r, i: _if(
        can(r, Permission.READ_TRAINING), "training.item", item_id=i.id)),
    "training_needs": Kind(TrainingNeed, "id", lambda n: n.topic, lambda r, n: _if(
        can(r, Permission.VIEW_NEED, n), "training.need", need_id=n.id)),
    "assessment_periods": Kind(AssessmentPeriod, "id", lambda p: p.name, lambda r, p: _if(
        assessment_pages.sees_every_period(r), "assessments.period", period_id=p.id)),
    "assessment_records": Kind(AssessmentRecord, "id", _record_label, _record_link),
    "assessment_performance": Kind(PerformanceEntry, "id", _performance_label,
                                   lambda r, e: _if(can(r, Permission.READ_ALL_RECORDS),
                                                    "assessments.record",
                                                    period_id=e.period_id,
                                                    person_id=e.person_id)),
    "assessment_improvements": Kind(ImprovementItem, "id", lambda g: g.goal, _goal_link),
    "complaints": Kind(Complaint, "reference", _complaint_label, lambda r, c: _if(
        can(r, Permission.VIEW_COMPLAINT, c), "complaints.show", reference=c.reference)),
    "evaluations": Kind(Evaluation, "id", _evaluation_label, lambda r, e: _if(
        can(r, Permission.VIEW_EVALUATION, e), "evaluations.show", evaluation_id=e.id)),
    "evaluation_delegations": Kind(Delegation, "id", _delegation_label),
    "courses": Kind(Course, "id", lambda c: c.title, lambda _r, c: url_for(
        "courses.course", slug=c.slug)),
}


def _loaded(object_type: str, ids: set[str]) -> dict[str, Any]:
    kind = KINDS[object_type]
    column = getattr(kind.model, kind.key)
    keys: Iterable[Any] = ids
    if kind.key == "id":
        keys = {int(i) for i in ids if i.isdigit() and len(i) < 19}
    rows = db.session.execute(sa.select(kind.model).where(column.in_(keys))).scalars()
    return {str(getattr(row, kind.key)): row for row in rows}


def describe(objects: Iterable[tuple[str, str]],
             reader: User) -> dict[tuple[str, str], ObjectRef]:
    """Each (object_type, object_id) of audit entries, in words, as ``reader`` may see it."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in objects:
        wanted[object_type].add(object_id)
    refs: dict[tuple[str, str], ObjectRef] = {}
    for object_type, ids in wanted.items():
        found = _loaded(object_type, ids) if object_type in KINDS else {}
        for object_id in ids:
            obj = found.get(object_id)
            refs[object_type, object_id] = (_ref(object_type, obj, reader) if obj is not None
                                            else ObjectRef(_unknown(object_type, object_id)))
    return refs


def _ref(object_type: str, obj: Any, reader: User) -> ObjectRef:
    kind = KINDS[object_type]
    return ObjectRef(str(kind.label(obj)), kind.link(reader, obj))


def _unknown(object_type: str, object_id: str) -> str:
    return f"{kind_name(object_type)} {object_id}".strip()
