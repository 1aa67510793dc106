"""Blind marking: while an exam's attempts are not fully marked, markers see candidates.

With ``Exam.blind_marking`` on, every page a marker works from (the marking queue, the
attempt page, the results page's attempt list and the item-level export) names a person
whose attempt is not yet graded "Candidate N" instead: N is the attempt's place among the
exam's attempts in the order they were started, so it never changes. Once the last mark of
the attempt is saved (the attempt is graded) the name shows again. Switching the setting is
audited ("exam.blind_marking"). Functions flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import log as audit
from app.auth.models import User
from app.exams.models import Attempt, AttemptState, Exam
from app.extensions import db


def hides_person(exam: Exam, attempt: Attempt) -> bool:
    """Whether a marker sees this attempt's candidate label instead of the person."""
    return exam.blind_marking and attempt.state != AttemptState.GRADED


def candidate_number(attempt: Attempt) -> int:
    """The attempt's place (1, 2…) among its exam's attempts, in the order started."""
    return db.session.execute(sa.select(sa.func.count(Attempt.id)).where(
        Attempt.exam_id == attempt.exam_id, Attempt.id <= attempt.id)).scalar_one()


def candidate_label(number: int) -> str:
    return _("Candidate %(n)d", n=number)


def candidate_labels(exam: Exam) -> dict[int, str]:
    """Every attempt of ``exam`` with its candidate label (one query)."""
    ids = db.session.execute(sa.select(Attempt.id).where(Attempt.exam_id == exam.id)
                             .order_by(Attempt.id)).scalars()
    return {attempt_id: candidate_label(n) for n, attempt_id in enumerate(ids, start=1)}


def shown_name(attempt: Attempt, person: User) -> str:
    """What a marker sees for the person who sat ``attempt``."""
    if hides_person(attempt.exam, attempt):
        return candidate_label(candidate_number(attempt))
    return person.display_name


def set_blind_marking(exam: Exam, on: bool, actor: User) -> bool:
    """Switch blind marking for ``exam``; False when it already was so. Audited."""
    if exam.blind_marking == on:
        return False
    audit.record("exam.blind_marking", exam, actor=actor,
                 before={"blind_marking": exam.blind_marking}, after={"blind_marking": on})
    exam.blind_marking = on
    db.session.flush()
    return True


def shown_names(exam_attempts: list[tuple[Attempt, User]]) -> dict[int, str]:
    """What a marker sees for each attempt's person, by attempt id (a query per exam)."""
    labels: dict[int, dict[int, str]] = {}
    names = {}
    for attempt, person in exam_attempts:
        if hides_person(attempt.exam, attempt):
            if attempt.exam_id not in labels:
                labels[attempt.exam_id] = candidate_labels(attempt.exam)
            names[attempt.id] = labels[attempt.exam_id][attempt.id]
        else:
            names[attempt.id] = person.display_name
    return names
