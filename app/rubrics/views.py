"""Rubric pages: the list of rubrics, one rubric with its versions, and uploads."""

from __future__ import annotations

import base64
import binascii
import json

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import Permission, require
from app.content.dry_run import dry_run_import
from app.extensions import db
from app.main.labels import label_of
from app.rubrics.format import errors_only, read_rubric_file
from app.rubrics.forms import MAX_FILES, ConfirmRubricImportForm, RubricFilterForm, RubricUploadForm
from app.rubrics.models import Rubric as RubricRow
from app.rubrics.models import RubricVersion
from app.rubrics.services import (
    KIND_LABELS,
    ImportRefused,
    RubricChange,
    import_rubrics,
    rubric_by_id,
)

bp = Blueprint("rubrics", __name__, url_prefix="/rubrics")

DEFAULT_MAX_BYTES = 256 * 1024  # per file; a rubric is a few KB


# -- labels ----------------------------------------------------------------------------------


def change_text(change: RubricChange) -> str:
    """One line saying what an import does to a rubric, for the dry run and the flash."""
    if change.status == "added":
        return _("%(id)s: new rubric (version %(after)d).", id=change.rubric_id,
                 after=change.after)
    if change.status == "changed":
        return _("%(id)s: changed (version %(before)d → %(after)d).", id=change.rubric_id,
                 before=change.before, after=change.after)
    return _("%(id)s: unchanged (version %(after)d).", id=change.rubric_id, after=change.after)


@bp.app_context_processor
def _labels() -> dict:
    return {"rubric_kind_label": label_of(KIND_LABELS), "rubric_change_text": change_text}


# -- pages -----------------------------------------------------------------------------------


def _current_join():
    return sa.and_(RubricVersion.rubric_pk == RubricRow.id,
                   RubricVersion.version == RubricRow.version)


@bp.route("/")
@require(Permission.VIEW_RUBRICS)
def index():
    form = RubricFilterForm(request.args)
    form.validate()
    stmt = (sa.select(RubricRow, RubricVersion.content).join(RubricVersion, _current_join())
            .order_by(RubricRow.kind, RubricRow.title, RubricRow.rubric_id))
    if form.kind.data and not form.kind.errors:
        stmt = stmt.where(RubricRow.kind == form.kind.data)
    rows = [(row, len(content["criteria"])) for row, content in db.session.execute(stmt)]
    return render_template("rubrics/index.html", form=form, rows=rows)


@bp.route("/<rubric_id>")
@require(Permission.VIEW_RUBRICS)
def rubric(rubric_id: str):
    row = rubric_by_id(rubric_id)
    if row is None:
        abort(404)
    wanted = request.args.get("version", type=int) or row.version
    shown = db.session.execute(sa.select(RubricVersion).where(
        RubricVersion.rubric_pk == row.id, RubricVersion.version == wanted)).scalar_one_or_none()
    if shown is None:
        abort(404)
    history = db.session.execute(
        sa.select(RubricVersion.version, RubricVersion.created_at, RubricVersion.created_by)
        .where(RubricVersion.rubric_pk == row.id).order_by(RubricVersion.version.desc())).all()
    return render_template("rubrics/rubric.html", rubric=row, version=shown, history=history)


# -- upload: a dry run first, then the import on confirmation ---------------------------------


def _max_bytes() -> int:
    return int(current_app.config.get("RUBRIC_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read(files: list[tuple[str, bytes]]):
    """Parse each uploaded file; returns (rubrics, issues)."""
    rubrics, issues = [], []
    for name, data in files:
        rubric, found = read_rubric_file(name, data)
        issues += found
        if rubric is not None:
            rubrics.append(rubric)
    issues.sort(key=lambda issue: (issue.path, issue.line))
    return rubrics, issues


@bp.route("/upload", methods=["GET", "POST"])
@require(Permission.MANAGE_RUBRICS)
def upload():
    """Step 1: check the files and show what an import would change (a dry run)."""
    form = RubricUploadForm()
    if not form.validate_on_submit():
        return render_template("rubrics/upload.html", form=form, result=None)
    if len(form.files.data) > MAX_FILES:
        form.files.errors.append(_("%(n)d files chosen; upload at most %(max)d at a time.",
                                   n=len(form.files.data), max=MAX_FILES))
        return render_template("rubrics/upload.html", form=form, result=None)
    files = _uploaded_files(form)
    if form.files.errors:
        return render_template("rubrics/upload.html", form=form, result=None)
    payload = json.dumps([[name, base64.b64encode(data).decode("ascii")]
                          for name, data in files])
    confirm = ConfirmRubricImportForm(formdata=None, payload=payload)
    return render_template("rubrics/upload.html", form=form, result=_dry_run(files),
                           confirm=confirm)


def _uploaded_files(form: RubricUploadForm) -> list[tuple[str, bytes]]:
    """(base name, bytes) of each chosen file; one too large gets an error on the field."""
    files, limit = [], _max_bytes()
    for storage in form.files.data:
        name = (storage.filename or "upload.md").replace("\\", "/").rsplit("/", 1)[-1][-200:]
        data = storage.read(limit + 1)
        if len(data) > limit:
            form.files.errors.append(_("%(name)s is larger than %(limit)d KB: a rubric file is "
                                       "much smaller; check that it is the right file.",
                                       name=name, limit=limit // 1024))
        files.append((name, data))
    return files


def _dry_run(files: list[tuple[str, bytes]]) -> dict:
    """Check, then import inside a savepoint that is always rolled back."""
    rubrics, issues = _read(files)
    result = {"issues": issues, "errors": errors_only(issues), "report": None,
              "rubrics": len(rubrics),
              "criteria": sum(len(rubric.criteria) for rubric in rubrics)}
    return dry_run_import(result, "report",
                          lambda: import_rubrics(rubrics, actor=current_user), ImportRefused)


def _payload(text: str) -> list[tuple[str, bytes]]:
    """The files of a confirmation form, exactly as they were checked; 400 if tampered."""
    try:
        items = json.loads(text)
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_FILES:
            raise ValueError
        files = []
        for name, encoded in items:
            if not isinstance(name, str) or not isinstance(encoded, str) or len(name) > 200:
                raise ValueError
            files.append((name, base64.b64decode(encoded, validate=True)))
    except (ValueError, TypeError, binascii.Error):
        abort(400)
    if any(len(data) > _max_bytes() for _name, data in files):
        abort(413)
    return files


@bp.route("/upload/confirm", methods=["POST"])
@require(Permission.MANAGE_RUBRICS)
def confirm_upload():
    """Step 2: the trainer confirmed; check again and import the very files that were checked."""
    form = ConfirmRubricImportForm()
    if not form.validate_on_submit():
        abort(400)
    rubrics, issues = _read(_payload(form.payload.data))
    if errors_only(issues):
        flash(_("The files have errors; nothing was imported."), "error")
        return redirect(url_for("rubrics.upload"))
    try:
        report = import_rubrics(rubrics, actor=current_user)
    except ImportRefused as refused:
        db.session.rollback()
        flash(_("Nothing was imported: %(why)s", why=str(refused)), "error")
        return redirect(url_for("rubrics.upload"))
    for change in report.changes:
        flash(change_text(change), "success")
    return redirect(url_for("rubrics.index"))
