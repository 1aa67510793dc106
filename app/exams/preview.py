"""Preview as a learner: one draw of an exam, served as an attempt is, recording nothing.

A preview is not an attempt. Its draw (the served versions, their points and option orders)
and the moment it started travel in a signed token in the preview's address, so no row is
written anywhere: no attempt, no answer, nothing in results, statistics or records. Answers
given in a preview are acknowledged by its save endpoint and forgotten (the page keeps them
while it is open). The trainer's key view lists the same draw with each correct answer and
its feedback. Drawing only reads (:func:`app.exams.draws.prepare_draw`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer

from app.banks.models import Question, QuestionVersion
from app.exams.draws import prepare_draw
from app.exams.learner_pages import ServedQuestion, served_question
from app.exams.models import AttemptItem, Exam
from app.extensions import db

SALT = "exam-preview"


@dataclass(frozen=True)
class PreviewItem:
    position: int
    version_id: int
    points: float
    option_order: list[int]


@dataclass(frozen=True)
class Preview:
    """One preview draw of an exam and when it started (the clock runs from then)."""

    exam_id: int
    started_at: int  # seconds since the epoch, UTC
    items: list[PreviewItem]

    def remaining_seconds(self, exam: Exam, now: datetime) -> int:
        """The full time limit from the start: a preview ignores the exam's window."""
        used = int(now.timestamp()) - self.started_at
        return max(0, exam.time_limit_minutes * 60 - used)

    def item(self, position: int) -> PreviewItem | None:
        return next((i for i in self.items if i.position == position), None)


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def new_preview(exam: Exam, now: datetime, secret_key: str) -> str:
    """Draw the exam once, as for a learner; the token that carries the draw."""
    draw = prepare_draw(exam)
    payload = {"e": exam.id, "t": int(now.timestamp()),
               "i": [[d["question_version_id"], d["points"], d["option_order"]]
                     for d in draw.items]}
    return str(_serializer(secret_key).dumps(payload))


def read_preview(exam: Exam, token: str, secret_key: str) -> Preview | None:
    """The preview a token carries, or None when it is not one of this exam's."""
    try:
        payload = _serializer(secret_key).loads(token)
        if payload["e"] != exam.id:
            return None
        items = [PreviewItem(position, int(vid), float(points), [int(i) for i in order])
                 for position, (vid, points, order) in enumerate(payload["i"], start=1)]
        return Preview(exam.id, int(payload["t"]), items)
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def _versions(preview: Preview) -> dict[int, QuestionVersion]:
    ids = [item.version_id for item in preview.items]
    return {v.id: v for v in db.session.execute(
        sa.select(QuestionVersion).where(QuestionVersion.id.in_(ids))).scalars()}


def served_questions(preview: Preview) -> list[ServedQuestion]:
    """The drawn questions exactly as the attempt page shows them, with no answers yet."""
    versions = _versions(preview)
    served = []
    for item in preview.items:
        version = versions[item.version_id]
        # A transient row, never added to the session: it only shapes the page.
        row = AttemptItem(position=item.position, question_version_id=item.version_id,
                          points=item.points, option_order=item.option_order,
                          response=None, flagged=False)
        served.append(served_question(row, version.content, version.rendered))
    return served


@dataclass(frozen=True)
class KeyEntry:
    """One drawn question for the trainer's key: the version with its key and feedback."""

    position: int
    question_id: str
    version: QuestionVersion
    points: float


def key_entries(preview: Preview) -> list[KeyEntry]:
    versions = _versions(preview)
    question_ids: dict[int, str] = {pk: qid for pk, qid in db.session.execute(
        sa.select(Question.id, Question.question_id).where(
            Question.id.in_([v.question_pk for v in versions.values()])))}
    return [KeyEntry(item.position, question_ids[versions[item.version_id].question_pk],
                     versions[item.version_id], item.points) for item in preview.items]
