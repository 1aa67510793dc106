"""Learners' side of exams (blueprint ``exams``): my exams, the start page, the attempt
page, saves, results. The trainers' pages are :mod:`app.exams.builder_views` (building)
and :mod:`app.exams.results_views` (marking, regrading, results)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.database import utcnow
from app.database.concurrency import begin_write_phase, end_write_phase, reads_first, writes_on_get
from app.exams import attempt_html, learner_pages, review_policy, statistics
from app.exams import attempts as svc
from app.exams.models import Attempt, AttemptItem, AttemptState, Exam
from app.extensions import db

bp = Blueprint("exams", __name__, url_prefix="/exams")

MAX_TEXT_ANSWER = 20_000  # characters; an essay of several thousand words fits


@bp.context_processor
def _attempt_states() -> dict[str, object]:
    """Templates compare an attempt's state with the members, never with raw strings."""
    return {"AttemptState": AttemptState}


def _own_attempt(attempt_id: int) -> Attempt:
    """Nobody reads or changes another person's attempt (404: IDs reveal nothing)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/")
@writes_on_get
def my_exams():
    groups = learner_pages.my_exams(current_user, utcnow())
    page = render_template("exams/my_exams.html", groups=groups, now=utcnow(),
                           review_visible=review_policy.review_visible)
    return page  # expired attempts found on the way were finalised: the request commits


bp.add_app_template_global(attempt_html.section, "question_section")


@bp.route("/<int:exam_id>/")
def start_page(exam_id: int):
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.published_at is None or not svc.in_audience(exam, current_user):
        abort(404)
    attempts = svc.attempts_of(exam, current_user)
    extra = svc.accommodation(exam, current_user)
    now, start_at = utcnow(), svc.start_opens_at(exam, current_user)
    return render_template("exams/start.html", exam=exam, attempts=attempts, extra=extra,
                           form=FlaskForm(), now=now, start_at=start_at,
                           opens_in=max(0.0, (start_at - now).total_seconds()),
                           delay=svc.start_delay(exam, current_user).total_seconds())


@bp.route("/<int:exam_id>/start", methods=["POST"])
@reads_first
def start(exam_id: int):
    # The CSRF token was checked before the view, as for every POST (CSRFProtect).
    exam = db.session.get(Exam, exam_id, options=[joinedload(Exam.rules)])
    if exam is None:
        abort(404)
    try:
        # Refused before the draw: a person pressing Start early costs one read.
        svc.refuse_early(exam, current_user, utcnow())
        # Drawing the questions only reads: it happens before the write lock is taken.
        draw = svc.prepare_draw(exam) if exam.published_at is not None else None
        begin_write_phase()
        try:
            attempt = svc.start_attempt(exam, current_user, utcnow(), draw)
            db.session.flush()
        except IntegrityError:  # the same person started in another tab at that moment
            db.session.rollback()
            attempt = svc.start_attempt(exam, current_user, utcnow())
    except svc.AttemptRefused as refused:  # any attempt finalised on the way is kept
        flash(str(refused), "error")
        return redirect(url_for("exams.start_page", exam_id=exam_id))
    return redirect(url_for("exams.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int):
    """The attempt page. Writes one counter (the page revision) in a short transaction,
    then reads and renders outside the write lock: on exam day everyone loads it at once."""
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    begin_write_phase()
    if svc.finalise_if_expired(attempt, now) or attempt.state != AttemptState.IN_PROGRESS:
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    seq_base = learner_pages.next_revision(attempt)
    end_write_phase()
    return render_template(
        "exams/attempt.html", attempt=attempt, exam=attempt.exam,
        questions=learner_pages.attempt_view(attempt), seq_base=seq_base,
        remaining=learner_pages.remaining_seconds(attempt, now), form=FlaskForm())


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@reads_first
def save(attempt_id: int):
    """Autosave (JSON) of one answer; the reply carries the server's remaining time.

    The busiest endpoint of exam day: one read (the served question), then the
    write phase's share-lock and conditional UPDATE.
    """
    sent = _read_save(request.get_json(silent=True) or {})
    if sent is None:
        return jsonify(error="bad_request", message=_("The save was not understood.")), 400
    now = utcnow()
    target = svc.answer_target(attempt_id, current_user.id, sent.position)
    begin_write_phase()
    try:
        if target is None:
            svc.refuse_save(_own_attempt(attempt_id), now, missing=True)
        svc.store_answer(attempt_id, target, sent.position, sent.response, sent.seq, now,
                         flagged=sent.flagged, displayed=True)
    except svc.SaveRefused as refused:
        return _refused_save(attempt_id, refused, now)
    end_write_phase()  # acknowledged only once it is committed
    return jsonify(saved=True, seq=sent.seq,
                   remaining=learner_pages.seconds_until(target.deadline_at, now))


@dataclass(frozen=True)
class SentAnswer:
    """One autosave as the page sent it, checked and bounded."""

    position: int
    seq: int
    response: object
    flagged: bool | None  # None: the flag is left as it is


def _read_save(data: object) -> SentAnswer | None:
    """The save in the request body; None when it cannot be one (a list, a number...)."""
    if not isinstance(data, dict):
        return None
    position, seq = data.get("position"), data.get("seq")
    if not isinstance(position, int) or not isinstance(seq, int) or seq < 0:
        return None
    flagged = data.get("flagged")
    return SentAnswer(position, seq, _clean_response(data.get("response")),
                      flagged if isinstance(flagged, bool) else None)


def _refused_save(attempt_id: int, refused: svc.SaveRefused, now: datetime) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    remaining = learner_pages.remaining_seconds(attempt, now)
    end_write_phase()  # an expired attempt was finalised: keep that despite the 4xx
    status = 409 if refused.reason == "stale" else 410
    return jsonify(error=refused.reason, message=str(refused), remaining=remaining), status


def _clean_response(value: object) -> object:
    """Bounded, JSON-shaped data only; graders treat anything odd as wrong."""
    if isinstance(value, str):
        return value[:MAX_TEXT_ANSWER]
    if isinstance(value, list):
        return [v for v in value[:200] if isinstance(v, int)]
    if isinstance(value, dict):
        return {str(k)[:10]: v for k, v in list(value.items())[:200]
                if isinstance(v, int) or v is None}
    if isinstance(value, int | float) or value is None:
        return value
    return None


@bp.route("/attempts/<int:attempt_id>/form", methods=["POST"])
def save_form(attempt_id: int):
    """Without JavaScript: the whole page is posted; it counts as the newest page."""
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    now = utcnow()
    seq = learner_pages.next_revision(attempt)
    try:
        for question in learner_pages.attempt_view(attempt):
            response = _form_response(question)
            if response is not None:
                svc.save_answer(attempt, question.position, response, seq, now, displayed=True)
    except svc.SaveRefused as refused:  # an attempt finalised on the way is kept
        flash(str(refused), "error")
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    if request.form.get("action") == "submit":
        svc.submit_attempt(attempt, now)
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    flash(_("Your answers are saved."), "success")
    return redirect(url_for("exams.attempt", attempt_id=attempt.id))


def _form_response(question: learner_pages.ServedQuestion):
    name, form = f"q-{question.position}", request.form
    if question.type in ("single", "truefalse"):
        value = form.get(name)
        return int(value) if value and value.isdigit() else None
    if question.type == "multiple":
        return [int(v) for v in form.getlist(name) if v.isdigit()] or None
    if question.type == "matching":
        chosen = {str(i): int(v) for i, _ in question.lefts
                  if (v := form.get(f"{name}-{i}", "")).isdigit()}
        return chosen or None
    if question.type == "ordering":
        ranks = [(form.get(f"{name}-{i}", ""), i) for i, _ in question.options]
        if not all(rank.isdigit() for rank, _ in ranks):
            return None
        order = [i for _, i in sorted(ranks, key=lambda pair: int(pair[0]))]
        untouched = question.response is None and order == sorted(order)
        return None if untouched else order
    value = form.get(name, "").strip()
    return value[:MAX_TEXT_ANSWER] or None


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    """Submitting twice is harmless; after the deadline the attempt counts as expired.

    The page's own submission when its countdown runs out says so (``ended=deadline``).
    """
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    svc.submit_attempt(attempt, utcnow(), at_deadline=request.form.get("ended") == "deadline")
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@writes_on_get
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    svc.finalise_if_expired(attempt, now)
    end_write_phase()  # the review below only reads: not under SQLite's write lock
    if attempt.state == AttemptState.IN_PROGRESS:
        return redirect(url_for("exams.attempt", attempt_id=attempt.id))
    exam = attempt.exam
    visible = review_policy.review_visible(exam, now)
    items: Sequence[AttemptItem] = []
    if visible and (exam.review_correctness or exam.review_answers or exam.review_explanations):
        items = db.session.execute(
            sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
            .order_by(AttemptItem.position)).scalars().all()
    return render_template("exams/result.html", attempt=attempt, exam=exam, visible=visible,
                           review=learner_pages.review_items(
                               attempt, items, svc.can_sit_again(exam, current_user, now))
                           if items else [],
                           passed=statistics.passed(attempt.score, attempt.max_score,
                                                    exam.pass_mark))
