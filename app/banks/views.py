"""Trainers' pages: banks, the question browser, a question with its history, uploads."""

from __future__ import annotations

import base64
import binascii

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.permissions import Permission, require
from app.banks import readers
from app.banks.editor_views import bp as editor_bp
from app.banks.forms import (
    CHANGE_LABELS,
    DIFFICULTY_LABELS,
    TYPE_LABELS,
    ConfirmImportForm,
    QuestionFilterForm,
    UploadForm,
)
from app.banks.models import Question, QuestionAsset, QuestionBank, QuestionVersion
from app.banks.services import BankChange, ImportRefused, import_banks
from app.content.dry_run import dry_run_import
from app.downloads import stored_file
from app.extensions import db
from app.main.labels import label_lookups

bp = Blueprint("banks", __name__, url_prefix="/banks")
bp.register_blueprint(editor_bp)  # the editor's pages, under /banks too
bp.app_context_processor(label_lookups(type_label=TYPE_LABELS, change_label=CHANGE_LABELS,
                                       difficulty_label=DIFFICULTY_LABELS))


@bp.route("/")
@require(Permission.MANAGE_BANKS)
def index():
    counts = dict(db.session.execute(
        sa.select(Question.bank_pk, sa.func.count()).where(Question.retired_at.is_(None))
        .group_by(Question.bank_pk)).all())
    banks = db.session.execute(sa.select(QuestionBank).order_by(QuestionBank.title)).scalars()
    return render_template("banks/index.html", banks=list(banks), counts=counts)


def _filtered(form: QuestionFilterForm) -> sa.Select:
    stmt = (sa.select(Question).join(QuestionBank).where(Question.retired_at.is_(None))
            .order_by(QuestionBank.title, Question.position))
    if form.bank.data:
        stmt = stmt.where(QuestionBank.bank_id == form.bank.data)
    if form.type.data:
        stmt = stmt.where(Question.type == form.type.data)
    if form.difficulty.data:
        stmt = stmt.where(Question.difficulty == form.difficulty.data)
    if form.tag.data:
        stmt = stmt.where(Question.tag_list.contains(f",{form.tag.data.strip().lower()},"))
    if form.q.data:
        stmt = stmt.where(Question.search_text.ilike(f"%{form.q.data.strip()}%"))
    return stmt


@bp.route("/questions")
@require(Permission.MANAGE_BANKS)
def questions():
    form = QuestionFilterForm(request.args)
    form.bank.choices = [SelectChoice("", _("All banks"))] + [
        SelectChoice(bank_id, title) for bank_id, title in db.session.execute(
            sa.select(QuestionBank.bank_id, QuestionBank.title).order_by(QuestionBank.title))]
    form.validate()
    page = db.paginate(_filtered(form), per_page=50, error_out=False)
    stems = _stems([q.id for q in page.items], [q.version for q in page.items])
    return render_template("banks/questions.html", form=form, page=page, stems=stems)


def _stems(pks: list[int], versions: list[int]) -> dict[int, str]:
    """The stem text of each listed question's current version, in one query."""
    if not pks:
        return {}
    rows = db.session.execute(
        sa.select(QuestionVersion.question_pk, QuestionVersion.content)
        .where(sa.tuple_(QuestionVersion.question_pk, QuestionVersion.version)
               .in_(list(zip(pks, versions, strict=True))))).all()
    return {pk: content["stem"] for pk, content in rows}


@bp.route("/questions/<question_id>")
@require(Permission.MANAGE_BANKS)
def question(question_id: str):
    stored = db.one_or_404(sa.select(Question).where(Question.question_id == question_id))
    history = db.session.execute(sa.select(QuestionVersion).where(
        QuestionVersion.question_pk == stored.id).order_by(QuestionVersion.version.desc())
    ).scalars().all()
    wanted = request.args.get("version", type=int) or stored.version
    shown = next((v for v in history if v.version == wanted), None)
    if shown is None:
        abort(404)
    return render_template("banks/question.html", question=stored, version=shown,
                           history=history)


@bp.route("/assets/<sha256>/<path:name>")
def asset(sha256: str, name: str):
    """An image a question shows, to anyone signed in: its address is its content's SHA-256,
    which only the question's text gives (decision 143); never active content."""
    stored = db.session.execute(sa.select(QuestionAsset).where(
        QuestionAsset.sha256 == sha256)).scalar_one_or_none()
    if stored is None:
        abort(404)
    return stored_file(stored.data, stored.media_type, stored.sha256, max_age=86400,
                       policy="default-src 'none'; sandbox")


@bp.route("/upload", methods=["GET", "POST"])
@require(Permission.MANAGE_BANKS)
def upload():
    """Step 1: lint the file and show what an import would change (a dry run)."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("banks/upload.html", form=form, result=None)
    data = form.file.data.read()
    name = (form.file.data.filename or "upload.md")[-200:]
    limit = current_app.config["BANK_UPLOAD_MAX_BYTES"]
    if len(data) > limit:
        form.file.errors.append(_("The file is %(size)d KB; the limit is %(limit)d KB: split "
                                  "the bank into several files.", size=len(data) // 1024,
                                  limit=limit // 1024))
        return render_template("banks/upload.html", form=form, result=None)
    meta = _meta(form)
    keep_good = form.on_errors.data == "keep-good"
    result = _dry_run(name, data, form.format.data or None, form.bank_id.data or None, meta,
                      keep_good)
    confirm = ConfirmImportForm(formdata=None, filename=name, format=form.format.data or "",
                                bank_id=form.bank_id.data or "", on_errors=form.on_errors.data,
                                content=base64.b64encode(data).decode("ascii"), **meta)
    return render_template("banks/upload.html", form=form, result=result, confirm=confirm)


@bp.route("/upload/confirm", methods=["POST"])
@require(Permission.MANAGE_BANKS)
def confirm_upload():
    """Step 2: the trainer confirmed; import the very file that was checked."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    name, fmt = form.filename.data, form.format.data or None
    reading = readers.read_for_import([(name, _checked_file(form))], fmt=fmt,
                                      bank_id=form.bank_id.data or None, meta=_meta(form),
                                      keep_good=form.on_errors.data == "keep-good")
    if reading.blocking:
        flash(_("The file has errors; nothing was imported."), "error")
        return redirect(url_for("banks.upload"))
    try:
        changes = import_banks(reading.banks, source_format=readers.format_of(name, fmt),
                               actor=current_user, refused=reading.refused)
    except ImportRefused as refused:
        db.session.rollback()
        flash(_("Nothing was imported: %(why)s", why=str(refused)), "error")
        return redirect(url_for("banks.upload"))
    _flash_changes(changes)
    if reading.refused:
        flash(ngettext("The question with %(num)d error was left out; the others were "
                       "imported.", "The questions with %(num)d errors were left out; the "
                       "others were imported.", len(reading.refused)), "warning")
    return redirect(url_for("banks.index"))


def _checked_file(form: ConfirmImportForm) -> bytes:
    """The file as the dry run checked it, carried by the form; 400 if tampered, 413 if big."""
    try:
        data = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    if len(data) > current_app.config["BANK_UPLOAD_MAX_BYTES"]:
        abort(413)
    return data


def _flash_changes(changes: list[BankChange]) -> None:
    for change in changes:
        flash(_("%(bank)s: %(a)d added, %(c)d changed, %(u)d unchanged, %(r)d retired.",
                bank=change.bank_id, a=change.counts["added"], c=change.counts["changed"],
                u=change.counts["unchanged"], r=change.counts["retired"]), "success")


def _meta(form) -> dict:
    """Title, area and language for GIFT and Aiken files (Markdown files name their own)."""
    return {"title": form.title.data or "", "area": form.area.data or "",
            "language": form.language.data or ""}


def _dry_run(name: str, data: bytes, fmt: str | None, bank_id: str | None,
             meta: dict, keep_good: bool) -> dict:
    """Lint, then import inside a savepoint that is always rolled back."""
    reading = readers.read_for_import([(name, data)], fmt=fmt, bank_id=bank_id, meta=meta,
                                      keep_good=keep_good)
    result = {"issues": reading.issues, "errors": reading.blocking, "changes": [],
              "refused": reading.refused, "questions": reading.questions}
    return dry_run_import(result, "changes",
                          lambda: import_banks(reading.banks, actor=current_user,
                                               refused=reading.refused), ImportRefused)
