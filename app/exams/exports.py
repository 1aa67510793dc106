"""An exam's results as rows: the results page, its item analysis and the CSV/XLSX files.

One query gives one :class:`ResultRow` per attempt; the page, the per-person summary and
both files read the same rows, so they always agree. Which attempts count:

- only finished, fully graded attempts (``COUNTED_STATES`` with a score). Attempts in
  progress or still awaiting marking are listed but neither combined nor analysed: their
  score is not final;
- a person's result combines their counted attempts by ``exam.combine``: the best
  percentage ("highest"; on a tie the earlier attempt) or the latest attempt ("last");
- item analysis uses each person's *first* counted attempt, as Moodle's statistics report
  does by default: later attempts are not independent of the first (the person has seen the
  questions), which item statistics assume.

Files neutralise spreadsheet formulas: a text cell starting with = + - @ (or a tab or carriage
return) gets a leading apostrophe, so a name such as ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from app.auth.models import Team, User
from app.banks.models import Question, QuestionVersion
from app.exams import statistics as stats
from app.exams.models import Attempt, AttemptItem, AttemptState, Exam
from app.extensions import db

COUNTED_STATES = frozenset({AttemptState.GRADED})  # not while an essay waits for a marker
CHOICE_TYPES = frozenset({"single", "multiple", "truefalse"})
STATE_LABELS: dict[str, object] = {
    AttemptState.IN_PROGRESS: _l("In progress"),
    AttemptState.AWAITING_MARKING: _l("Awaiting marking"), AttemptState.GRADED: _l("Graded"),
}
ENDED_LABELS = {"person": _l("Submitted by the person"),
                "deadline": _l("Time ran out: submitted automatically")}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ResultRow:
    """One attempt with its person, as the results page and the files show it."""

    attempt_id: int
    user_id: int
    name: str
    email: str
    team: str
    number: int
    state: str
    started_at: datetime
    finished_at: datetime | None
    score: float | None
    max_score: float
    pass_mark: float
    expired: bool = False  # the deadline, not the person, ended the attempt

    @property
    def ended_label(self) -> str:
        """How the attempt ended, for people: empty while it runs."""
        if self.finished_at is None:
            return ""
        return str(ENDED_LABELS["deadline" if self.expired else "person"])

    @property
    def counted(self) -> bool:
        return self.state in COUNTED_STATES and self.score is not None

    @property
    def percent(self) -> float | None:
        return stats.percent(self.score, self.max_score) if self.counted else None

    @property
    def passed(self) -> bool | None:
        return stats.passed(self.score, self.max_score, self.pass_mark) if self.counted else None

    @property
    def seconds_used(self) -> int | None:
        if self.finished_at is None:
            return None
        return max(0, int((self.finished_at - self.started_at).total_seconds()))


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def result_rows(exam: Exam) -> list[ResultRow]:
    """Every attempt at ``exam`` (and only at it), ordered by person, then attempt number."""
    rows = db.session.execute(
        sa.select(Attempt, User, Team.name).join(User, User.id == Attempt.user_id)
        .outerjoin(Team, Team.id == User.team_id).where(Attempt.exam_id == exam.id)
        .order_by(User.display_name, User.id, Attempt.number)).all()
    return [ResultRow(a.id, u.id, u.display_name, u.email, team or "", a.number, a.state,
                      a.started_at, a.finished_at, a.score, a.max_score, exam.pass_mark,
                      a.expired)
            for a, u, team in rows]


def combine_per_person(rows: list[ResultRow], how: str) -> list[ResultRow]:
    """Each person's counted attempt by the exam's rule: "highest" percentage or "last"."""
    chosen: dict[int, ResultRow] = {}
    for row in rows:
        if not row.counted:
            continue
        best = chosen.get(row.user_id)
        if best is None or _better(row, best, how):
            chosen[row.user_id] = row
    return list(chosen.values())


def _better(row: ResultRow, best: ResultRow, how: str) -> bool:
    if how == "last":
        return row.number > best.number
    mine, theirs = row.percent or 0.0, best.percent or 0.0
    return mine > theirs + 1e-9 or (abs(mine - theirs) <= 1e-9 and row.number < best.number)


def first_attempts(rows: list[ResultRow]) -> list[ResultRow]:
    """Each person's first counted attempt: what item analysis uses."""
    first: dict[int, ResultRow] = {}
    for row in rows:
        if row.counted and (row.user_id not in first or row.number < first[row.user_id].number):
            first[row.user_id] = row
    return list(first.values())


# --- item analysis --------------------------------------------------------------------------

@dataclass
class OptionCount:
    label_html: str  # from QuestionVersion.rendered (render_markdown output)
    count: int = 0
    correct: bool = False


@dataclass
class QuestionStats:
    """Moodle-style item statistics of one question over people's first attempts."""

    question_id: str
    type: str
    stem_html: str
    attempts: int
    facility: float | None
    discrimination: float | None
    options: list[OptionCount] = field(default_factory=list)
    unanswered: int = 0

    @property
    def negative(self) -> bool:
        return stats.is_negative(self.discrimination)


def question_statistics(rows: list[ResultRow]) -> list[QuestionStats]:
    """Facility, discrimination and option counts per question, in the order served."""
    ids = [row.attempt_id for row in first_attempts(rows)]
    if not ids:
        return []
    items = db.session.execute(
        sa.select(AttemptItem, QuestionVersion, Question.question_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_pk)
        .where(AttemptItem.attempt_id.in_(ids))
        .order_by(AttemptItem.position, AttemptItem.attempt_id)).all()
    totals: dict[int, float] = defaultdict(float)
    for item, _version, _qid in items:
        totals[item.attempt_id] += item.score or 0.0
    groups: dict[str, list[tuple[AttemptItem, QuestionVersion]]] = {}
    for item, version, question_id in items:
        groups.setdefault(question_id, []).append((item, version))
    return [_question_stats(qid, entries, totals) for qid, entries in groups.items()]


def _question_stats(question_id: str, entries: list[tuple[AttemptItem, QuestionVersion]],
                    totals: dict[int, float]) -> QuestionStats:
    newest = max((version for _, version in entries), key=lambda v: v.version)
    scores = [item.score or 0.0 for item, _ in entries]
    result = QuestionStats(
        question_id=question_id, type=newest.content["type"],
        stem_html=newest.rendered.get("stem", ""), attempts=len(entries),
        facility=stats.facility_index(scores, [item.points for item, _ in entries]),
        discrimination=stats.discrimination_index(
            scores, [totals[item.attempt_id] for item, _ in entries]))
    if result.type in CHOICE_TYPES:
        result.options, result.unanswered = _option_counts(entries, newest)
    return result


def _option_counts(entries: list[tuple[AttemptItem, QuestionVersion]],
                   newest: QuestionVersion) -> tuple[list[OptionCount], int]:
    """Count choices by option *text*, each response read against the version it was served
    (indices are original positions in that version), labelled and keyed as the newest."""
    slots: dict[str, OptionCount] = {}
    for index, choice in enumerate(newest.content.get("choices") or ()):
        slots[choice["text"]] = OptionCount(newest.rendered["choices"][index], 0,
                                            bool(choice.get("correct")))
    unanswered = 0
    for version, responses in _responses_by_version(entries):
        choices = version.content.get("choices") or ()
        counts, blank = stats.choice_frequencies(responses, len(choices))
        unanswered += blank
        for index, count in enumerate(counts):
            slot = slots.setdefault(choices[index]["text"],
                                    OptionCount(version.rendered["choices"][index]))
            slot.count += count
    return list(slots.values()), unanswered


def _responses_by_version(entries: list[tuple[AttemptItem, QuestionVersion]]
                          ) -> list[tuple[QuestionVersion, list[object]]]:
    """The responses to each served version, versions in the order first served."""
    by_version: dict[int, tuple[QuestionVersion, list[object]]] = {}
    for item, version in entries:
        by_version.setdefault(version.id, (version, []))[1].append(item.response)
    return list(by_version.values())


# --- files ------------------------------------------------------------------------------------

def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _headers() -> list[str]:
    tz = str(get_timezone())
    return [_("Name"), _("Email"), _("Team"), _("Attempt"), _("State"), _("How it ended"),
            _("Started (%(tz)s)", tz=tz), _("Finished (%(tz)s)", tz=tz), _("Score"), _("Max"),
            _("Percent"), _("Passed")]


def _local(value: datetime | None) -> datetime | None:
    """Display time zone, without tzinfo (spreadsheets have no time zones)."""
    return None if value is None else to_user_timezone(value).replace(tzinfo=None, microsecond=0)


def _cells(row: ResultRow) -> list:
    percent = row.percent
    verdict = "" if row.passed is None else _("yes") if row.passed else _("no")
    return [neutralise(v) for v in (
        row.name, row.email, row.team, row.number, state_label(row.state), row.ended_label,
        _local(row.started_at), _local(row.finished_at), row.score, row.max_score,
        None if percent is None else round(percent, 2), verdict)]


def results_csv(rows: list[ResultRow]) -> bytes:
    return table_csv(_headers(), [_cells(row) for row in rows])


def results_xlsx(rows: list[ResultRow]) -> bytes:
    """One sheet, a header row and one row per attempt; dates as real dates."""
    return table_xlsx(_("Results"), _headers(), [_cells(row) for row in rows],
                      date_columns=("G", "H"))


def table_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads Chinese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(title: str, headers: list[str], rows: list[list],
               date_columns: tuple[str, ...] = ()) -> bytes:
    """One sheet with a frozen header row; text that looks like a formula stays text."""
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    sheet.append(headers)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for column in date_columns:
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
