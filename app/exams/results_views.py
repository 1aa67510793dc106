"""Trainers mark essays, regrade after a key correction, and read results and statistics.

Every route needs ``MANAGE_EXAMS``. Views parse the request, call :mod:`app.exams.marking`,
:mod:`app.exams.regrade` or :mod:`app.exams.exports`, and render or redirect (the request commits).
The forms live here because they belong to these pages only.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.auth.permissions import Permission, require
from app.banks.models import Question
from app.database import utcnow
from app.downloads import CSV_TYPE, XLSX_TYPE, attachment
from app.exams import blind, exports, item_exports, marking, regrade
from app.exams import statistics as stats
from app.exams.models import Attempt, AttemptState, Exam
from app.extensions import db

bp = Blueprint("exam_results", __name__, url_prefix="/exam-results")

COMBINE_LABELS = {"highest": _l("highest attempt"), "last": _l("last attempt")}
ITEM_STATUS_LABELS = {
    "correct": _l("correct"), "partial": _l("partly correct"), "wrong": _l("wrong"),
    "unanswered": _l("unanswered"), "needs_marking": _l("needs marking"),
    "marked": _l("marked by hand"),
}


class MarkForm(FlaskForm):
    """Points (0 … the item's points, steps of 0.01) and a comment for one essay."""

    points = DecimalField(_l("Points"), places=2, validators=[
        InputRequired(message=_l("Give the points."))])
    comment = TextAreaField(_l("Comment for the learner"),
                            validators=[Optional(), Length(max=4000)])
    back = HiddenField()  # "attempt": return to the attempt page; otherwise the queue
    submit = SubmitField(_l("Save the mark"))

    max_points: float = 0.0

    def validate_points(self, field) -> None:
        value = field.data
        if value is None:
            return
        if not value.is_finite() or value < 0 or value > Decimal(str(self.max_points)):
            raise ValidationError(_("Give between 0 and %(max)s points.",
                                    max=f"{self.max_points:g}"))
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimals."))


class RegradeForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Kept in the audit log with every changed score."))
    submit = SubmitField(_l("Regrade these attempts"))


class BlindMarkingForm(FlaskForm):
    """The exam's blind-marking setting, switched from its results page."""

    blind_marking = BooleanField(_l("Blind marking: markers see candidate numbers, not names, "
                                    "until an attempt's marks are saved"))
    submit = SubmitField(_l("Save the marking setting"))


def _mark_form(found: marking.Entry, back: str = "", submitted: bool = False) -> MarkForm:
    """The item's form, with ids unique on a page that lists many items."""
    item = found.item
    if submitted:
        form = MarkForm()
    else:
        points = None if item.score is None else Decimal(str(item.score))
        form = MarkForm(formdata=None, points=points, comment=item.marker_comment, back=back)
    form.max_points = item.points
    form.points.render_kw = {"min": 0, "max": f"{item.points:g}", "step": "0.01"}
    form.points.description = _("From 0 to %(max)s, in steps of 0.01.", max=f"{item.points:g}")
    for name in ("points", "comment"):
        form[name].id = f"{name}-{item.id}"
        form[name].label.field_id = form[name].id
    return form


@bp.context_processor
def _labels() -> dict:
    """Labels for this blueprint's pages only."""
    return {"exam_state_label": exports.state_label,
            "item_status_label": lambda status: str(ITEM_STATUS_LABELS.get(status,
                                                                           status or "—"))}


@bp.route("/")
@require(Permission.MANAGE_EXAMS)
def index():
    counts = dict(db.session.execute(sa.select(Attempt.exam_id, sa.func.count())
                                     .group_by(Attempt.exam_id)).all())
    waiting = dict(db.session.execute(
        sa.select(Attempt.exam_id, sa.func.count())
        .where(Attempt.state == AttemptState.AWAITING_MARKING).group_by(Attempt.exam_id)).all())
    exams = db.session.execute(sa.select(Exam).order_by(Exam.opens_at.desc())).scalars().all()
    return render_template("exam_results/index.html", exams=exams, counts=counts,
                           waiting=waiting, queued=marking.queue(limit=0)[1])


@bp.route("/marking")
@require(Permission.MANAGE_EXAMS)
def marking_queue():
    return _render_queue()


def _render_queue(failed: MarkForm | None = None, failed_item: int | None = None):
    entries, total = marking.queue()
    forms = {e.item.id: failed if e.item.id == failed_item else _mark_form(e, "queue")
             for e in entries}
    names = blind.shown_names([(e.attempt, e.person) for e in entries])
    return render_template("exam_results/marking.html", entries=entries, total=total,
                           forms=forms, names=names)


@bp.route("/marking/items/<int:item_id>", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def mark(item_id: int):
    found = _markable(item_id)
    form = _mark_form(found, submitted=True)
    back_to_attempt = form.back.data == "attempt"
    if not form.validate_on_submit():
        if back_to_attempt:
            return _render_attempt(found.attempt, form, item_id)
        return _render_queue(form, item_id)
    _save_mark(found, form)
    if back_to_attempt:
        return redirect(url_for(".attempt", attempt_id=found.attempt.id))
    return redirect(url_for(".marking_queue"))


def _markable(item_id: int) -> marking.Entry:
    """The item to mark: 404 when there is none, 409 when it is not markable."""
    found = marking.entry(item_id)
    if found is None:
        abort(404)
    if not marking.can_mark(found):
        abort(409)
    return found


def _save_mark(found: marking.Entry, form: MarkForm) -> None:
    try:
        changed = marking.mark_item(found, form.points.data, form.comment.data,
                                    current_user._get_current_object(), utcnow())
    except marking.MarkingRefused:
        abort(409)
    if changed:
        flash(_("Mark saved: %(name)s, %(score)s of %(max)s points.",
                name=blind.shown_name(found.attempt, found.person), score=f"{found.item.score:g}",
                max=f"{found.item.points:g}"), "success")


@bp.route("/attempts/<int:attempt_id>")
@require(Permission.MANAGE_EXAMS)
def attempt(attempt_id: int):
    found = db.session.get(Attempt, attempt_id)
    if found is None:
        abort(404)
    return _render_attempt(found)


def _render_attempt(found: Attempt, failed: MarkForm | None = None,
                    failed_item: int | None = None):
    entries = marking.attempt_entries(found)
    forms = {e.item.id: failed if e.item.id == failed_item else _mark_form(e, "attempt")
             for e in entries if marking.can_mark(e)}
    answers = {e.item.id: marking.describe_response(e.version.content, e.item.response)
               for e in entries}
    person = entries[0].person if entries else None
    return render_template("exam_results/attempt.html", attempt=found, entries=entries,
                           forms=forms, answers=answers, person=person,
                           person_name=person and blind.shown_name(found, person),
                           percent=stats.percent(found.score, found.max_score))


@bp.route("/questions/<question_id>/regrade", methods=["GET", "POST"])
@require(Permission.MANAGE_EXAMS)
def regrade_question(question_id: str):
    """GET: the dry run. POST: apply it, with a reason, if the key is still the one shown."""
    question = db.session.execute(sa.select(Question).where(
        Question.question_id == question_id)).scalar_one_or_none()
    if question is None:
        abort(404)
    plan = regrade.plan(question)
    form = RegradeForm(version=plan.target.version)
    if form.validate_on_submit():
        _apply_regrade(plan, form)
        return redirect(url_for(".regrade_question", question_id=question_id))
    return render_template("exam_results/regrade.html", question=question, plan=plan,
                           form=form)


def _apply_regrade(plan: regrade.Plan, form: RegradeForm) -> None:
    try:
        changed = regrade.apply(plan, confirmed_version=form.version.data,
                                actor=current_user._get_current_object(),
                                reason=form.reason.data)
    except regrade.RegradeRefused:
        db.session.rollback()
        flash(_("Nothing was regraded: the question changed since the dry run, or no "
                "attempt needs it. Check the list again."), "error")
        return
    flash(_("Regraded: %(n)d attempt(s) changed score.", n=changed), "success")


@bp.route("/exams/<int:exam_id>")
@require(Permission.MANAGE_EXAMS)
def exam(exam_id: int):
    found = db.get_or_404(Exam, exam_id)
    rows = _blinded(found, exports.result_rows(found))
    people = exports.combine_per_person(rows, found.combine)
    percents = [row.percent for row in people if row.percent is not None]
    return render_template(
        "exam_results/exam.html", exam=found, rows=rows, people=people,
        summary=_summary(rows, people, percents),
        attempts_per_person=_attempts_per_person(rows),
        chart=_chart(stats.histogram(percents), found.pass_mark),
        questions=exports.question_statistics(rows),
        combine_label=COMBINE_LABELS.get(found.combine, found.combine),
        blind_form=BlindMarkingForm(formdata=None, blind_marking=found.blind_marking))


def _blinded(exam: Exam, rows: list[exports.ResultRow]) -> list[exports.ResultRow]:
    """Rows of attempts not yet graded name the candidate only when marking is blind."""
    if not exam.blind_marking:
        return rows
    labels = blind.candidate_labels(exam)
    return [replace(row, name=labels[row.attempt_id], email="", team="")
            if row.state != AttemptState.GRADED else row for row in rows]


@bp.route("/exams/<int:exam_id>/blind-marking", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def blind_marking(exam_id: int):
    found = db.get_or_404(Exam, exam_id)
    form = BlindMarkingForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or expired CSRF token fails a checkbox
    if blind.set_blind_marking(found, bool(form.blind_marking.data),
                               current_user._get_current_object()):
        flash(_("Blind marking is on: markers see candidate numbers until the marks are "
                "saved.") if found.blind_marking else _("Blind marking is off."), "success")
    return redirect(url_for(".exam", exam_id=exam_id))


def _summary(rows: list[exports.ResultRow], people: list[exports.ResultRow],
             percents: list[float]) -> dict[str, float | int | None]:
    """The figures above the results: each person's counted result, and who still waits."""
    return {"people": len(people), "mean": stats.mean(percents),
            "median": stats.median(percents), "sd": stats.standard_deviation(percents),
            "pass_rate": stats.pass_rate(row.passed for row in people),
            "awaiting": sum(1 for r in rows if r.state == AttemptState.AWAITING_MARKING)}


def _attempts_per_person(rows: list[exports.ResultRow]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.user_id] = counts.get(row.user_id, 0) + 1
    return counts


def _chart(counts: list[int], pass_mark: float) -> dict:
    """Geometry of the distribution chart (an inline SVG: no script, no inline style)."""
    width, height, left, top, bottom = 600, 250, 30, 34, 40
    plot_w, plot_h = width - 2 * left, height - top - bottom
    bars = stats.histogram_bars(counts, left, top, plot_w, plot_h, 4)
    pass_x = stats.percent_x(pass_mark, left, plot_w)  # the scale of the bars and ticks
    return {"width": width, "height": height, "left": left, "base": top + plot_h,
            "right": width - left, "bars": bars, "pass_x": pass_x,
            "ticks": stats.histogram_axis(len(counts), left, plot_w),
            "pass_label_x": min(max(pass_x, left + 40), width - left - 40)}


# The results of an exam as a file: how to build it and its media type, by extension.
RESULT_FILES = {"csv": (exports.results_csv, CSV_TYPE), "xlsx": (exports.results_xlsx, XLSX_TYPE)}


@bp.route("/exams/<int:exam_id>/results.csv")
@require(Permission.MANAGE_EXAMS)
def results_csv(exam_id: int):
    return _results_file(exam_id, "csv")


@bp.route("/exams/<int:exam_id>/results.xlsx")
@require(Permission.MANAGE_EXAMS)
def results_xlsx(exam_id: int):
    return _results_file(exam_id, "xlsx")


def _results_file(exam_id: int, extension: str):
    found = db.get_or_404(Exam, exam_id)
    build, mimetype = RESULT_FILES[extension]
    return attachment(build(_blinded(found, exports.result_rows(found))),
                      f"exam-{found.id}-results.{extension}", mimetype)


# One row per attempt and served question: how to build it and its media type.
ITEM_FILES = {"csv": (item_exports.items_csv, CSV_TYPE),
              "xlsx": (item_exports.items_xlsx, XLSX_TYPE)}


@bp.route("/exams/<int:exam_id>/items.csv")
@require(Permission.MANAGE_EXAMS)
def items_csv(exam_id: int):
    return _items_file(exam_id, "csv")


@bp.route("/exams/<int:exam_id>/items.xlsx")
@require(Permission.MANAGE_EXAMS)
def items_xlsx(exam_id: int):
    return _items_file(exam_id, "xlsx")


def _items_file(exam_id: int, extension: str):
    found = db.get_or_404(Exam, exam_id)
    build, mimetype = ITEM_FILES[extension]
    return attachment(build(item_exports.item_rows(found)),
                      f"exam-{found.id}-items.{extension}", mimetype)
