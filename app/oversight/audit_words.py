"""The audit log in words: each recorded action as a sentence in the reader's language, the
kinds of object by name, and before/after as a table of changed fields.

Sentences name who acted (``%(actor)s``) and what they acted on (``%(object)s``); the
object may be a link, so :func:`sentence` builds Markup in which every value is escaped.
An action key not in :data:`ACTIONS` (a feature added later) falls back to the key itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

ACTIONS: dict[str, Any] = {
    "user.create": _l("%(actor)s created the account of %(object)s"),
    "user.update": _l("%(actor)s changed the account of %(object)s"),
    "user.password_change": _l("%(actor)s changed the password of %(object)s"),
    "user.password_reset": _l("%(actor)s reset the password of %(object)s"),
    "plan_item.create": _l("%(actor)s added %(object)s to the training plan"),
    "plan_item.update": _l("%(actor)s edited the training plan item %(object)s"),
    "plan_item.status": _l("%(actor)s changed the status of the training plan item %(object)s"),
    "plan_item.attendance": _l("%(actor)s recorded attendance for %(object)s"),
    "plan_item.certificate": _l("%(actor)s attached a certificate to %(object)s"),
    "need.plan": _l("%(actor)s planned the training need %(object)s"),
    "need.decline": _l("%(actor)s declined the training need %(object)s"),
    "need.reopen": _l("%(actor)s reopened the training need %(object)s"),
    "rubric.import": _l("%(actor)s imported the rubric %(object)s"),
    "bank.import": _l("%(actor)s imported the question bank %(object)s"),
    "bank.question_save": _l("%(actor)s saved a new version of question %(object)s"),
    "course.added": _l("%(actor)s added the course %(object)s"),
    "course.changed": _l("%(actor)s loaded a new version of the course %(object)s"),
    "course.retired": _l("%(actor)s retired the course %(object)s"),
    "course.restored": _l("%(actor)s restored the course %(object)s"),
    "assessment.period.create": _l("%(actor)s opened the assessment period %(object)s"),
    "assessment.period.plan": _l("%(actor)s changed the plan of the assessment period %(object)s"),
    "assessment.period.correct": _l("%(actor)s corrected the plan of the assessment period "
                                    "%(object)s"),
    "assessment.period.advance": _l("%(actor)s moved the assessment period %(object)s on"),
    "assessment.performance": _l("%(actor)s entered the work performance figures of %(object)s"),
    "assessment.record.publish": _l("%(actor)s published the assessment record of %(object)s"),
    "assessment.record.respond": _l("%(actor)s responded to the assessment record of %(object)s"),
    "assessment.interview": _l("%(actor)s recorded the feedback interview of %(object)s"),
    "assessment.plan.add": _l("%(actor)s added an improvement goal to the record of %(object)s"),
    "assessment.plan.done": _l("%(actor)s marked the improvement goal %(object)s done"),
    "assessment.plan.reopen": _l("%(actor)s reopened the improvement goal %(object)s"),
    "assessment.decision": _l("%(actor)s recorded the decision on the record of %(object)s"),
    "assessment.change.request": _l("%(actor)s asked to change the record of %(object)s"),
    "assessment.change.approve": _l("%(actor)s approved a change to the record of %(object)s"),
    "assessment.change.reject": _l("%(actor)s rejected a change to the record of %(object)s"),
    "exam.update": _l("%(actor)s changed the settings of the exam %(object)s"),
    "exam.sections": _l("%(actor)s changed the sections of the exam %(object)s"),
    "exam.publish": _l("%(actor)s published the exam %(object)s"),
    "exam.unpublish": _l("%(actor)s unpublished the exam %(object)s"),
    "exam.accommodation": _l("%(actor)s changed an accommodation in the exam %(object)s"),
    "exam.blind_marking": _l("%(actor)s changed blind marking in the exam %(object)s"),
    "exam.mark": _l("%(actor)s marked %(object)s"),
    "exam.regrade": _l("%(actor)s regraded %(object)s"),
    "exam.regrade_question": _l("%(actor)s regraded question %(object)s"),
    "complaint.file": _l("%(actor)s filed the complaint %(object)s"),
    "complaint.handle": _l("%(actor)s handled the complaint %(object)s"),
    "suggestion.file": _l("%(actor)s made the suggestion %(object)s"),
    "suggestion.handle": _l("%(actor)s handled the suggestion %(object)s"),
    "evaluation.schedule": _l("%(actor)s scheduled the evaluation %(object)s"),
    "evaluation.add_reviewer": _l("%(actor)s added a reviewer to the evaluation %(object)s"),
    "evaluation.attach": _l("%(actor)s added evidence to the evaluation %(object)s"),
    "evaluation.moderate": _l("%(actor)s moderated the evaluation %(object)s"),
    "evaluation.release": _l("%(actor)s released the result of the evaluation %(object)s"),
    "evaluation.amend": _l("%(actor)s amended a review in the evaluation %(object)s"),
    "evaluation.delegate": _l("%(actor)s delegated %(object)s"),
    "evaluation.delegation_revoke": _l("%(actor)s withdrew the delegation of %(object)s"),
}

KINDS: dict[str, Any] = {
    "users": _l("Person"), "plan_items": _l("Training plan item"),
    "training_needs": _l("Training need"), "rubrics": _l("Rubric"),
    "question_banks": _l("Question bank"), "questions": _l("Question"),
    "assessment_periods": _l("Assessment period"),
    "assessment_records": _l("Assessment record"),
    "assessment_performance": _l("Work performance figures"),
    "assessment_improvements": _l("Improvement goal"), "exams": _l("Exam"),
    "exam_attempts": _l("Exam attempt"), "exam_attempt_items": _l("Answer in an attempt"),
    "complaints": _l("Complaint or suggestion"), "evaluations": _l("Evaluation"),
    "evaluation_delegations": _l("Delegation"), "courses": _l("Course"),
}


def kind_name(object_type: str) -> str:
    """The kind of object in words; an unknown kind as recorded."""
    return str(KINDS[object_type]) if object_type in KINDS else object_type


def action_name(action: str) -> str:
    """The action as a sentence without its people, for lists ("… regraded question …")."""
    if action not in ACTIONS:
        return action
    return str(ACTIONS[action]) % {"actor": _("Someone"), "object": "…"}


def sentence(action: str, actor: str | Markup, obj: str | Markup) -> Markup:
    """One entry as a sentence; ``actor`` and ``obj`` are escaped unless already Markup."""
    if action not in ACTIONS:
        return Markup("{actor}: <code>{action}</code> {obj}").format(
            actor=actor, action=action, obj=obj)
    return escape(str(ACTIONS[action])) % {"actor": actor, "object": obj}


def plain_sentence(action: str, actor: str, obj: str) -> str:
    """The same sentence as text (for the CSV file)."""
    if action not in ACTIONS:
        return f"{actor}: {action} {obj}"
    return str(ACTIONS[action]) % {"actor": actor, "object": obj}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def changed_fields(before: Any, after: Any) -> list[FieldChange]:
    """The fields whose value differs, one level of nesting flattened (``plan.weights``).

    A field only before was removed ("" after); only after, added. Values that are lists or
    deeper objects are shown as compact JSON. Not-a-dict values (never written by record,
    but the column allows them) are one field named "value".
    """
    old, new = _flat(before), _flat(after)
    rows = [FieldChange(key, _text(old.get(key)), _text(new.get(key)))
            for key in dict.fromkeys([*old, *new])]
    return [row for row in rows if row.before != row.after]  # None and "" read the same


def changes_text(changes: list[FieldChange]) -> str:
    """The changed fields on one line (the CSV file): ``field: before → after; …``."""
    return "; ".join(f"{c.field}: {c.before or '—'} → {c.after or '—'}" for c in changes)


def _flat(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return {"value": value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict) and item:
            flat.update({f"{key}.{inner}": v for inner, v in item.items()})
        else:
            flat[str(key)] = item
    return flat


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
