"""Preview as a learner (blueprint ``exam_preview``): the attempt page on a fresh draw, and
the trainer's key, recording nothing (:mod:`app.exams.preview`).

Every route needs ``MANAGE_EXAMS``. The attempt page is the learner's own template and
script (``exams/attempt.html``, ``js/attempt/``) given the preview's addresses; its saves
are acknowledged here and stored nowhere, and "submit" leads to the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.auth.permissions import Permission, require
from app.database import utcnow
from app.database.concurrency import reads_first
from app.exams import preview as svc
from app.exams.finishing import DEFAULT_GRACE
from app.exams.models import Exam
from app.extensions import db

bp = Blueprint("exam_preview", __name__, url_prefix="/exam-preview")


@dataclass(frozen=True)
class PreviewPage:
    """Stands in for the attempt on the learner's page: a key for the page's local store."""

    id: str


def _secret() -> str:
    return str(current_app.secret_key)


def _preview(exam_id: int, token: str) -> tuple[Exam, svc.Preview]:
    """The exam and the preview its token carries; 404 for anything else."""
    exam = db.get_or_404(Exam, exam_id)
    found = svc.read_preview(exam, token, _secret())
    if found is None:
        abort(404)
    return exam, found


def _urls(exam_id: int, token: str) -> dict[str, str]:
    return {"save": url_for(".save", exam_id=exam_id, token=token),
            "form": url_for(".save_form", exam_id=exam_id, token=token),
            "submit": url_for(".submit", exam_id=exam_id, token=token),
            "result": url_for(".key", exam_id=exam_id, token=token)}


@bp.route("/<int:exam_id>/")
@require(Permission.MANAGE_EXAMS)
def start(exam_id: int):
    """A fresh draw ("draw again" comes here too); drawing only reads."""
    exam = db.get_or_404(Exam, exam_id)
    token = svc.new_preview(exam, utcnow(), _secret())
    return redirect(url_for(".attempt", exam_id=exam.id, token=token))


@bp.route("/<int:exam_id>/<token>")
@require(Permission.MANAGE_EXAMS)
def attempt(exam_id: int, token: str):
    exam, found = _preview(exam_id, token)
    return render_template(
        "exam_preview/attempt.html", exam=exam, attempt=PreviewPage(f"preview-{token[-16:]}"),
        questions=svc.served_questions(found), seq_base=0,
        remaining=found.remaining_seconds(exam, utcnow()), form=FlaskForm(),
        page_urls=_urls(exam_id, token), token=token)


@bp.route("/<int:exam_id>/<token>/answers", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
@reads_first  # writes nothing: no write lock on SQLite
def save(exam_id: int, token: str):
    """The page's autosave: acknowledged as a learner's would be, and stored nowhere."""
    exam, found = _preview(exam_id, token)
    sent = request.get_json(silent=True)
    if not isinstance(sent, dict):
        sent = {}
    position, seq = sent.get("position"), sent.get("seq")
    if not isinstance(position, int) or not isinstance(seq, int) or found.item(position) is None:
        return jsonify(error="bad_request", message=_("The save was not understood.")), 400
    now = utcnow()
    if found.remaining_seconds(exam, now - DEFAULT_GRACE) == 0:  # as a learner's late save
        return jsonify(error="closed", remaining=0, message=_(
            "Time is up: this answer was not saved. Everything saved before the deadline is "
            "kept and graded.")), 410
    return jsonify(saved=True, seq=seq, preview=True, remaining=found.remaining_seconds(exam, now))


@bp.route("/<int:exam_id>/<token>/form", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
@reads_first
def save_form(exam_id: int, token: str):
    """Without JavaScript: nothing is stored; "submit" leads to the key."""
    _preview(exam_id, token)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "submit":
        return redirect(url_for(".key", exam_id=exam_id, token=token))
    flash(_("This is a preview: answers are not stored."), "warning")
    return redirect(url_for(".attempt", exam_id=exam_id, token=token))


@bp.route("/<int:exam_id>/<token>/submit", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
@reads_first
def submit(exam_id: int, token: str):
    _preview(exam_id, token)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return redirect(url_for(".key", exam_id=exam_id, token=token))


@bp.route("/<int:exam_id>/<token>/key")
@require(Permission.MANAGE_EXAMS)
def key(exam_id: int, token: str):
    """The same draw for the trainer: each question with its key and feedback."""
    exam, found = _preview(exam_id, token)
    return render_template("exam_preview/key.html", exam=exam, entries=svc.key_entries(found),
                           token=token, total=sum(item.points for item in found.items))
