"""The item-level export: one row per attempt and served question, as CSV or XLSX.

Each row names the person, the attempt, the question ID and the exact version served, the
response as the learner saw it (the options in the attempt's displayed order, lettered A, B,
C… as on the page), the score, the maximum and who gave the score (a marker, or the
automatic grader). The files neutralise formulas as the results files do
(:func:`app.exams.exports.table_csv`). With blind marking on, a person whose attempt still
waits for a marker is named only by their candidate label (:mod:`app.exams.blind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_timezone, to_user_timezone
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.banks.models import Question, QuestionVersion
from app.exams import blind
from app.exams.exports import state_label, table_csv, table_xlsx
from app.exams.finishing import MARKED
from app.exams.models import Attempt, AttemptItem, Exam
from app.extensions import db

CHOICE_TYPES = frozenset({"single", "multiple", "truefalse"})
SEPARATOR = "; "


@dataclass(frozen=True)
class ItemRow:
    """One served question of one attempt, as the files show it."""

    person: str
    email: str
    attempt_id: int
    attempt_number: int
    attempt_state: str
    position: int
    question_id: str
    version: int
    type: str
    response: str
    score: float | None
    points: float
    status: str | None
    marker: str
    marked_at: datetime | None


def item_rows(exam: Exam) -> list[ItemRow]:
    """Every served question of every attempt at ``exam``: by person, attempt, position."""
    marker = aliased(User)
    rows = db.session.execute(
        sa.select(AttemptItem, Attempt, User, QuestionVersion, Question.question_id,
                  marker.display_name)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_pk)
        .outerjoin(marker, marker.id == AttemptItem.marked_by_id)
        .where(Attempt.exam_id == exam.id)
        .order_by(User.display_name, User.id, Attempt.number, AttemptItem.position)).all()
    labels = blind.candidate_labels(exam)
    return [_item_row(exam, labels, *row) for row in rows]


def _item_row(exam: Exam, labels: dict[int, str], item: AttemptItem, attempt: Attempt,
              person: User, version: QuestionVersion, question_id: str,
              marker_name: str | None) -> ItemRow:
    hidden = blind.hides_person(exam, attempt)
    content = version.content
    return ItemRow(
        person=labels.get(attempt.id, "") if hidden else person.display_name,
        email="" if hidden else person.email, attempt_id=attempt.id,
        attempt_number=attempt.number, attempt_state=attempt.state,
        position=item.position, question_id=question_id, version=version.version,
        type=content.get("type", ""),
        response=shown_response(content, item.response, item.option_order),
        score=item.score, points=item.points, status=item.status,
        marker=_marker(item, marker_name), marked_at=item.marked_at)


def _marker(item: AttemptItem, marker_name: str | None) -> str:
    if item.status == MARKED:  # marked by hand: the marker, even if since removed
        return marker_name or _("(a removed account)")
    return _("automatic") if item.score is not None else ""


# --- the response as shown (pure) ----------------------------------------------------------

def letter(position: int) -> str:
    """A, B, … Z, then AA, AB…: the label of a displayed option."""
    text = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def shown_response(content: dict, response: object, order: list[int]) -> str:
    """A stored response (original indices) in the terms the learner saw; "" when blank."""
    if response is None or response in ("", [], {}):
        return ""
    kind = content.get("type")
    shown = order or list(range(_option_count(content)))
    if kind in CHOICE_TYPES:
        return _chosen_options(content, response, shown)
    if kind == "matching" and isinstance(response, dict):
        return _matched_pairs(content, response, shown)
    if kind == "ordering" and isinstance(response, list):
        texts = [step for step in content.get("sequence") or []]
        return SEPARATOR.join(f"{n}. {_at(texts, i)}" for n, i in enumerate(response, start=1))
    return str(response)


def _option_count(content: dict) -> int:
    return len(content.get("choices") or content.get("pairs") or content.get("sequence") or [])


def _chosen_options(content: dict, response: object, shown: list[int]) -> str:
    picked = response if isinstance(response, list) else [response]
    texts = [choice.get("text", "") for choice in content.get("choices") or []]
    lines = [f"{letter(j)}. {_at(texts, i)}" for j, i in enumerate(shown) if i in picked]
    lines += [repr(i) for i in picked if i not in shown]  # malformed: shown as stored
    return SEPARATOR.join(lines)


def _matched_pairs(content: dict, response: dict, shown: list[int]) -> str:
    pairs = content.get("pairs") or []
    lefts = [pair.get("left") or "" for pair in pairs]
    rights = [pair.get("right") or "" for pair in pairs]
    lines = []
    for key, right in sorted(response.items(), key=lambda kv: str(kv[0])):
        if right is None:
            continue
        left = _at(lefts, int(key) if str(key).isdigit() else key)
        label = f"{letter(shown.index(right))}. " if right in shown else ""
        lines.append(f"{left} → {label}{_at(rights, right)}")
    return SEPARATOR.join(lines)


def _at(texts: list, index: object) -> str:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(texts):
        return str(texts[index])
    return repr(index)


# --- files -----------------------------------------------------------------------------------

def _headers() -> list[str]:
    tz = str(get_timezone())
    return [_("Person"), _("Email"), _("Attempt ID"), _("Attempt"), _("State"),
            _("Position"), _("Question ID"), _("Served version"), _("Type"),
            _("Response as shown"), _("Score"), _("Max"), _("Marker"),
            _("Marked (%(tz)s)", tz=tz)]


def _cells(row: ItemRow) -> list:
    marked = None if row.marked_at is None else \
        to_user_timezone(row.marked_at).replace(tzinfo=None, microsecond=0)
    return [row.person, row.email, row.attempt_id, row.attempt_number,
            state_label(row.attempt_state), row.position, row.question_id, row.version,
            row.type, row.response, row.score, row.points, row.marker, marked]


def items_csv(rows: list[ItemRow]) -> bytes:
    return table_csv(_headers(), [_cells(row) for row in rows])


def items_xlsx(rows: list[ItemRow]) -> bytes:
    return table_xlsx(_("Items"), _headers(), [_cells(row) for row in rows],
                      date_columns=("N",))
