"""The builder's question picker and the live count of a random rule (blueprint
``exam_picker``, under ``/exam-admin`` like the builder).

The picker is a GET search form and a POST of the ticked questions: it works without
JavaScript, and ``static/js/builder/`` only enhances it. Every route needs
``Permission.MANAGE_EXAMS``; the answer key in the preview shows only to those who may
manage banks. The count endpoint reads only and answers JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.permissions import Permission, require
from app.banks.models import QuestionBank
from app.banks.questions import DIFFICULTIES, QUESTION_TYPES
from app.exams import builder_rules as rules
from app.exams import picker
from app.exams.builder_forms import PickerSearchForm, PickForm
from app.exams.builder_views import exam_or_404, saved_change
from app.exams.models import Exam
from app.extensions import db

bp = Blueprint("exam_picker", __name__, url_prefix="/exam-admin")


def _banks() -> list[tuple[int, str]]:
    return [(pk, title) for pk, title in db.session.execute(
        sa.select(QuestionBank.id, QuestionBank.title).order_by(QuestionBank.title))]


def _search_form() -> PickerSearchForm:
    """The search as the query string gives it; a value that is not offered is ignored."""
    form = PickerSearchForm(request.args)
    chosen = form.bank.data
    tags = rules.bank_tags(chosen)
    form.set_choices(_banks(), sorted({t for found in tags.values() for t in found}))
    form.validate()
    for name in ("bank", "tag", "type", "difficulty"):
        if form[name].errors:
            form[name].data, form[name].errors = form[name].default, []
    return form


def _filters(form: PickerSearchForm) -> picker.PickerFilters:
    return picker.PickerFilters(form.q.data or "", form.bank.data, form.tag.data or "",
                                form.type.data or "", form.difficulty.data or "")


def _pick_form(exam: Exam) -> PickForm:
    form = PickForm()
    form.set_targets([(r.id, r.position, r.title) for r in
                      sorted(exam.rules, key=lambda r: r.position) if r.kind == "fixed"])
    section = request.args.get("section", 0, type=int)
    if section and not form.is_submitted():
        form.target.data = section
    return form


def _add_picked(exam: Exam, form: PickForm) -> bool:
    """Put the ticked questions in the chosen section; False (with the reason) if refused."""
    if not form.picked():
        form.pick.errors = [_("Tick at least one question to add.")]
        return False
    rule = next((r for r in exam.rules if r.id == form.target.data), None)
    return saved_change(lambda: rules.add_picked(exam, form.picked(), title=form.section_title.data
                                           or "", rule=rule, actor=current_user),
                  form, ngettext("%(num)d question added.", "%(num)d questions added.",
                                 len(form.picked())))


@bp.route("/<int:exam_id>/picker", methods=["GET", "POST"])
@require(Permission.MANAGE_EXAMS)
def pick(exam_id: int):
    """Search current questions, tick several, add them to a new or an existing section."""
    exam = exam_or_404(exam_id)
    search = _search_form()
    form = _pick_form(exam)
    if form.validate_on_submit() and _add_picked(exam, form):
        return redirect(url_for("exam_admin.exam", exam_id=exam.id, _anchor="sections"))
    page = request.args.get("page", 1, type=int)
    return render_template("exam_admin/picker.html", exam=exam, search=search, form=form,
                           found=picker.search(exam, _filters(search), max(page, 1)),
                           started=rules.attempts_started(exam))


@bp.route("/draw-count")
@require(Permission.MANAGE_EXAMS)
def draw_count():
    """JSON: how many questions a random rule could draw, and the bank's tags.

    ``?bank=<id>&tags=a&tags=b&difficulty=hard&type=single``; tags the bank does not have
    are named under ``unknown_tags`` (the rule would be refused) and match nothing.
    """
    bank = db.session.get(QuestionBank, request.args.get("bank", type=int) or 0)
    if bank is None:
        abort(404)
    difficulty = request.args.get("difficulty") or None
    question_type = request.args.get("type") or None
    if (difficulty is not None and difficulty not in DIFFICULTIES) or (
            question_type is not None and question_type not in QUESTION_TYPES):
        abort(400)
    known = rules.bank_tags(bank.id).get(bank.id, [])
    tags = tuple(dict.fromkeys(t for t in request.args.getlist("tags") if t))
    unknown = [t for t in tags if t not in known]
    count = 0 if unknown else picker.draw_count(bank.id, tags, difficulty, question_type)
    return jsonify(count=count, tags=known, unknown_tags=unknown,
                   label=ngettext("%(num)d question to draw from",
                                  "%(num)d questions to draw from", count))
