"""Trainers' bank editor: a question's Markdown checked, previewed and saved; a new
question from a template; a new empty bank; a bank downloaded as Markdown.

Registered inside the ``banks`` blueprint (endpoints ``banks.editor.*``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import Permission, require
from app.banks import exports
from app.banks.editing import (
    EditRefused,
    Saved,
    check_text,
    create_bank,
    current_model,
    save_question,
    update_bank,
)
from app.banks.editor import Checked, question_source
from app.banks.editor_forms import BankSettingsForm, EditorForm, NewBankForm, NewQuestionForm
from app.banks.models import Question, QuestionBank
from app.banks.rendering import render_question
from app.banks.services import bank_model
from app.banks.templates_per_type import next_question_id, template_for
from app.content.authoring import Issue
from app.downloads import attachment
from app.extensions import db

bp = Blueprint("editor", __name__)



def _bank_or_404(bank_id: str) -> QuestionBank:
    return db.one_or_404(sa.select(QuestionBank).where(QuestionBank.bank_id == bank_id))


def _preview(checked: Checked | None) -> dict[str, Any] | None:
    """What the preview shows: the content and its HTML, as a stored version has them."""
    if checked is None or checked.question is None:
        return None
    return {"content": checked.question.content(), "rendered": render_question(checked.question)}


def _issue_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    return [{"line": issue.line, "message": issue.message, "severity": issue.severity,
             "question_id": issue.question_id} for issue in issues]


def _editor_page(form: EditorForm, bank: QuestionBank, question: Question | None,
                 checked: Checked | None, status: int = 200):
    issues = _issue_rows(checked.issues) if checked else []
    page = render_template("banks/editor.html", form=form, bank=bank, question=question,
                           issues=issues, checked=checked, preview=_preview(checked))
    return page, status


@bp.route("/questions/<question_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_BANKS)
def edit(question_id: str):
    stored = db.one_or_404(sa.select(Question).where(Question.question_id == question_id))
    form = EditorForm()
    if request.method == "GET":
        form.text.data = question_source(current_model(stored))
        form.base_version.data = str(stored.version)
        return _editor_page(form, stored.bank, stored, None)
    return _check_or_save(form, stored.bank, stored)


@bp.route("/bank/<bank_id>/new-question", methods=["GET", "POST"])
@require(Permission.MANAGE_BANKS)
def new_question(bank_id: str):
    bank = _bank_or_404(bank_id)
    form = EditorForm()
    if request.method == "POST":
        return _check_or_save(form, bank, None)
    chooser = NewQuestionForm(request.args)
    if "type" not in request.args or not chooser.validate():
        return render_template("banks/new_question.html", bank=bank, chooser=chooser)
    form.text.data = template_for(chooser.type.data, _free_id(bank))
    return _editor_page(form, bank, None, check_text(bank, form.text.data, None))


def _free_id(bank: QuestionBank) -> str:
    taken = db.session.execute(sa.select(Question.question_id).where(
        Question.bank_pk == bank.id)).scalars()
    return next_question_id(bank.bank_id, taken)


def _check_or_save(form: EditorForm, bank: QuestionBank, stored: Question | None):
    if not form.validate_on_submit():
        return _editor_page(form, bank, stored, None, 400)
    text, question_id = form.text.data or "", stored.question_id if stored else None
    if not form.save.data:
        return _editor_page(form, bank, stored, check_text(bank, text, question_id))
    base = int(form.base_version.data) if form.base_version.data else None
    try:
        saved = save_question(bank, text, question_id=question_id, base_version=base,
                              actor=current_user)
    except EditRefused as refused:
        db.session.rollback()
        flash(_("Nothing was saved: correct the problems below and save again."), "error")
        checked = Checked(None, refused.issues)
        return _editor_page(form, bank, stored, checked)
    _flash_saved(saved)
    return redirect(url_for("banks.question", question_id=saved.question_id))


def _flash_saved(saved: Saved) -> None:
    if saved.changed:
        flash(_("%(id)s saved as version %(version)d.", id=saved.question_id,
                version=saved.version), "success")
    else:
        flash(_("%(id)s is unchanged: nothing was saved.", id=saved.question_id), "info")


@bp.route("/bank/<bank_id>/check", methods=["POST"])
@require(Permission.MANAGE_BANKS)
def check(bank_id: str):
    """The editor's lint as you type: the problems of the posted text, as JSON."""
    bank = _bank_or_404(bank_id)
    text = request.form.get("text", "")
    if len(text) > 50_000:
        abort(413)
    question_id = request.form.get("question_id") or None
    checked = check_text(bank, text, question_id)
    return jsonify(ok=not checked.errors, issues=_issue_rows(checked.issues))


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.MANAGE_BANKS)
def new_bank():
    form = NewBankForm()
    if not form.validate_on_submit():
        return render_template("banks/bank_form.html", form=form, bank=None)
    try:
        create_bank(form.bank_id.data, form.title.data, form.area.data, form.language.data,
                    form.tags.data or "", actor=current_user)
    except EditRefused as refused:
        db.session.rollback()
        _errors_on_fields(form, refused.issues)
        return render_template("banks/bank_form.html", form=form, bank=None)
    flash(_("The bank %(id)s was created: add its first question.", id=form.bank_id.data),
          "success")
    return redirect(url_for("banks.editor.new_question", bank_id=form.bank_id.data))


@bp.route("/bank/<bank_id>/settings", methods=["GET", "POST"])
@require(Permission.MANAGE_BANKS)
def bank_settings(bank_id: str):
    """The bank's title, area, language and tags (its ID never changes)."""
    bank = _bank_or_404(bank_id)
    form = BankSettingsForm(data={"title": bank.title, "area": bank.area,
                                  "language": bank.language, "tags": ", ".join(bank.tags)})
    if not form.validate_on_submit():
        return render_template("banks/bank_form.html", form=form, bank=bank)
    try:
        change = update_bank(bank, form.title.data, form.area.data, form.language.data,
                             form.tags.data or "", actor=current_user)
    except EditRefused as refused:
        db.session.rollback()
        _errors_on_fields(form, refused.issues)
        return render_template("banks/bank_form.html", form=form, bank=bank)
    flash(_("The bank's details were saved.") if change.status != "unchanged"
          else _("Nothing changed."), "success")
    return redirect(url_for("banks.questions", bank=bank.bank_id))


def _errors_on_fields(form: BankSettingsForm, issues: list[Issue]) -> None:
    fields = {"id": getattr(form, "bank_id", form.title), "title": form.title,
              "area": form.area, "language": form.language, "tags": form.tags}
    for issue in issues:
        field = fields.get(issue.path, fields["id"])
        field.errors = [*field.errors, issue.message]


@bp.route("/bank/<bank_id>/download")
@require(Permission.MANAGE_BANKS)
def download(bank_id: str):
    """The bank's current questions as Markdown (to go back into git, the default), Moodle
    XML (``?format=moodle-xml``, back to Moodle) or GIFT (``?format=gift``)."""
    bank = _bank_or_404(bank_id)
    fmt = request.args.get("format", "markdown")
    if fmt not in exports.FORMATS:
        abort(404)
    exported = exports.export(bank_model(bank), fmt)
    return attachment(exported.data, exported.filename, exported.media_type)

