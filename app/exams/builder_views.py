"""Trainers build exams (blueprint ``exam_admin``): settings, sections, audience,
accommodations, publishing.

Every route needs ``Permission.MANAGE_EXAMS``. Views parse the form, call a builder
service, flash and redirect (the request commits); a refused change re-renders the page with the
service's message on the field it concerns. What freezes once attempts exist is decided
(and documented) in ``app.exams.builder``. The question picker and a random rule's live
count are in ``app.exams.picker_views``; the page's steps are tabs over one settings form
(``exam_admin/_settings.html``).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.auth.models import Team
from app.auth.permissions import Permission, require
from app.banks.models import QuestionBank
from app.database import utcnow
from app.exams import builder, picker
from app.exams import builder_rules as rules
from app.exams.builder import BuilderError
from app.exams.builder_forms import (
    AUDIENCE_LABELS,
    COMBINE_LABELS,
    REVIEW_TIME_LABELS,
    SCORING_LABELS,
    AccommodationForm,
    ActionForm,
    ExamForm,
    FixedSectionForm,
    MoveForm,
    RandomSectionForm,
    ReasonForm,
)
from app.exams.models import Accommodation, Attempt, Exam, ExamRule
from app.extensions import db
from app.main.actions import CONFLICT, is_unique_violation

bp = Blueprint("exam_admin", __name__, url_prefix="/exam-admin")


@bp.context_processor
def _labels() -> dict:
    return {"audience_label": lambda v: AUDIENCE_LABELS.get(v, v),
            "combine_label": lambda v: COMBINE_LABELS.get(v, v),
            "scoring_label": lambda v: SCORING_LABELS.get(v, v),
            "review_time_label": lambda v: REVIEW_TIME_LABELS.get(v, v),
            "zone_name": str(get_timezone())}


# --- Helpers -------------------------------------------------------------------------------
def exam_or_404(exam_id: int) -> Exam:
    return db.session.get(Exam, exam_id) or abort(404)


def _rule_or_404(exam: Exam, rule_id: int) -> ExamRule:
    rule = db.session.get(ExamRule, rule_id)
    if rule is None or rule.exam_id != exam.id:
        abort(404)
    return rule


def _refused(error: BuilderError, form=None) -> None:
    """Roll back, then put the service's refusal on the field it names, or flash it."""
    db.session.rollback()
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "error")


def saved_change(change: Callable[[], object], form=None, message: str = "") -> bool:
    """Run a builder change: flash on success (the request commits), roll back and explain
    on refusal."""
    try:
        change()
        db.session.flush()
    except BuilderError as error:
        _refused(error, form)
        return False
    except IntegrityError as error:  # e.g. the same accommodation saved at the same moment
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        flash(str(CONFLICT), "error")
        return False
    if message:
        flash(message, "success")
    return True


def _confirmed(form=None) -> None:
    """One-button actions carry only a CSRF token (and maybe a choice); refuse anything else."""
    if not (form or ActionForm()).validate_on_submit():
        abort(400)


def _to_exam(exam: Exam, anchor: str = ""):
    return redirect(url_for(".exam", exam_id=exam.id) + (f"#{anchor}" if anchor else ""))


def _formdata(bound: bool) -> dict:
    """Forms shown beside the one just posted must not read that post: ``bound=False``."""
    return {} if bound else {"formdata": None}


def _exam_form(exam: Exam | None = None, bound: bool = True) -> ExamForm:
    """The settings form, prefilled from the exam, without the fields frozen by attempts."""
    form = ExamForm(obj=exam, **_formdata(bound))
    form.teams.choices = [(t.id, t.name) for t in db.session.execute(
        sa.select(Team).order_by(Team.name)).scalars()]
    if exam is not None and not (bound and form.is_submitted()):
        choice = builder.audience_of(exam)
        form.teams.data, form.people.data = list(choice.team_ids), "\n".join(choice.emails)
    if exam is not None and rules.attempts_started(exam):
        for name in builder.FROZEN_FIELDS:
            del form[name]
    return form


def _chosen_bank(form: RandomSectionForm, banks: list[tuple[int, str]],
                 bound: bool) -> int | None:
    """The bank whose tags the form offers: the one posted, asked for (?bank=), or saved."""
    known = [pk for pk, _title in banks]
    wanted = form.bank.data if bound and form.is_submitted() else (
        request.args.get("bank", type=int) or form.bank.data)
    return wanted if wanted in known else (known[0] if known else None)


def _random_form(rule: ExamRule | None = None, bound: bool = True) -> RandomSectionForm:
    """The random section form, offering only the chosen bank's tags."""
    data = None if rule is None else {
        "section_title": rule.title, "bank": rule.bank_pk, "count": rule.count,
        "tags": rule.tags, "difficulty": rule.difficulty or "",
        "question_type": rule.question_type or "", "points_each": rule.points_each}
    form = RandomSectionForm(data=data, **_formdata(bound))
    banks = [(pk, title) for pk, title in db.session.execute(
        sa.select(QuestionBank.id, QuestionBank.title).order_by(QuestionBank.title))]
    chosen = _chosen_bank(form, banks, bound)
    if not (bound and form.is_submitted()):
        form.bank.data = chosen
    form.set_banks(banks, rules.bank_tags(chosen).get(chosen, []) if chosen else [])
    return form


def draw_summary(form: RandomSectionForm) -> int | None:
    """How many questions the form's bank, tags, difficulty and type match (None: no bank)."""
    if not form.bank.data or not any(form.bank.data == c.value for c in form.bank.choices):
        return None
    known = set(rules.bank_tags(form.bank.data).get(form.bank.data, []))
    tags = tuple(t for t in form.tags.data or () if t in known)
    return picker.draw_count(form.bank.data, tags, form.difficulty.data or None,
                             form.question_type.data or None)


def _fixed_form(rule: ExamRule | None = None, bound: bool = True) -> FixedSectionForm:
    data = None if rule is None else {"section_title": rule.title,
                                      "question_ids": "\n".join(rule.question_ids)}
    return FixedSectionForm(data=data, **_formdata(bound))


def _exam_page(exam: Exam, **forms):
    """The exam page: settings, sections with their counts, accommodations, actions."""
    started = rules.attempts_started(exam)
    random_form = forms.get("random_form") or _random_form(bound=False)
    return render_template(
        "exam_admin/exam.html", exam=exam, started=started,
        form=forms.get("form") or _exam_form(exam, bound=False),
        composition=rules.composition(exam),
        fixed_form=forms.get("fixed_form") or _fixed_form(bound=False),
        random_form=random_form, available=draw_summary(random_form),
        accommodation_form=forms.get("accommodation_form") or AccommodationForm(formdata=None),
        accommodations=builder.accommodations_of(exam),
        banks_by_pk=dict(db.session.execute(
            sa.select(QuestionBank.id, QuestionBank.title)).all()))


# --- Exams ---------------------------------------------------------------------------------
@bp.route("/")
@require(Permission.MANAGE_EXAMS)
def index():
    page = db.paginate(sa.select(Exam).order_by(Exam.opens_at.desc(), Exam.id.desc()),
                       per_page=50, error_out=False)
    started = dict(db.session.execute(
        sa.select(Attempt.exam_id, sa.func.count()).where(
            Attempt.exam_id.in_([exam.id for exam in page.items]))
        .group_by(Attempt.exam_id)).all())
    return render_template("exam_admin/index.html", page=page, started=started)


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.MANAGE_EXAMS)
def new_exam():
    form = _exam_form()
    if form.validate_on_submit():
        try:
            exam = builder.create_exam(form.settings(), form.audience_choice(),
                                       actor=current_user)
        except BuilderError as error:
            _refused(error, form)
        else:
            flash(_("Exam created. Now add its sections."), "success")
            return _to_exam(exam, "sections")
    return render_template("exam_admin/new.html", form=form)


@bp.route("/<int:exam_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_EXAMS)
def exam(exam_id: int):
    exam = exam_or_404(exam_id)
    form = _exam_form(exam)
    if form.validate_on_submit() and saved_change(
            lambda: builder.update_exam(exam, form.settings(exam), form.audience_choice(),
                                        actor=current_user), form, _("Exam saved.")):
        return _to_exam(exam)
    return _exam_page(exam, form=form)


@bp.route("/<int:exam_id>/publish", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def publish(exam_id: int):
    exam = exam_or_404(exam_id)
    _confirmed()
    saved_change(lambda: builder.publish_exam(exam, utcnow(), actor=current_user),
           message=_("Published: the exam's audience can now see it."))
    return _to_exam(exam)


@bp.route("/<int:exam_id>/unpublish", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def unpublish(exam_id: int):
    exam = exam_or_404(exam_id)
    _confirmed()
    saved_change(lambda: builder.unpublish_exam(exam, actor=current_user),
           message=_("Unpublished: no one can start it until you publish it again; "
                     "attempts already running continue to their deadline."))
    return _to_exam(exam)


@bp.route("/<int:exam_id>/duplicate", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def duplicate(exam_id: int):
    exam = exam_or_404(exam_id)
    _confirmed()
    copy = builder.duplicate_exam(exam, actor=current_user)
    flash(_("This is an unpublished copy: change it as you need."), "success")
    return _to_exam(copy)


# --- Sections ------------------------------------------------------------------------------
@bp.route("/<int:exam_id>/sections/fixed", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def add_fixed_section(exam_id: int):
    exam = exam_or_404(exam_id)
    form = _fixed_form()
    if form.validate_on_submit() and saved_change(
            lambda: rules.add_section(exam, form.section(), actor=current_user), form,
            _("Section added.")):
        return _to_exam(exam, "sections")
    return _exam_page(exam, fixed_form=form)


@bp.route("/<int:exam_id>/sections/random", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def add_random_section(exam_id: int):
    exam = exam_or_404(exam_id)
    form = _random_form()
    if form.validate_on_submit() and saved_change(
            lambda: rules.add_section(exam, form.section(), actor=current_user), form,
            _("Section added.")):
        return _to_exam(exam, "sections")
    return _exam_page(exam, random_form=form)


@bp.route("/<int:exam_id>/sections/<int:rule_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_EXAMS)
def edit_section(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_or_404(exam, rule_id)
    form = _fixed_form(rule) if rule.kind == "fixed" else _random_form(rule)
    if form.validate_on_submit() and saved_change(
            lambda: rules.update_section(exam, rule, form.section(), actor=current_user),
            form, _("Section saved.")):
        return _to_exam(exam, "sections")
    return render_template("exam_admin/section.html", exam=exam, rule=rule, form=form,
                           started=rules.attempts_started(exam),
                           available=None if rule.kind == "fixed" else draw_summary(form))


@bp.route("/<int:exam_id>/sections/<int:rule_id>/remove", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def remove_section(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_or_404(exam, rule_id)
    _confirmed()
    saved_change(lambda: rules.remove_section(exam, rule, actor=current_user),
           message=_("Section removed."))
    return _to_exam(exam, "sections")


@bp.route("/<int:exam_id>/sections/<int:rule_id>/move", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def move_section(exam_id: int, rule_id: int):
    exam = exam_or_404(exam_id)
    rule = _rule_or_404(exam, rule_id)
    form = MoveForm()
    _confirmed(form)
    offset = -1 if form.direction.data == "up" else 1
    saved_change(lambda: rules.move_section(exam, rule, offset, actor=current_user))
    return _to_exam(exam, "sections")


# --- Accommodations ------------------------------------------------------------------------
@bp.route("/<int:exam_id>/accommodations", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def set_accommodation(exam_id: int):
    exam = exam_or_404(exam_id)
    form = AccommodationForm()
    if form.validate_on_submit() and saved_change(
            lambda: builder.set_accommodation(
                exam, form.email.data, form.extra_minutes.data, form.extra_attempts.data,
                form.reason.data, actor=current_user),
            form, _("Accommodation saved for %(email)s.", email=form.email.data)):
        return _to_exam(exam, "accommodations")
    return _exam_page(exam, accommodation_form=form)


@bp.route("/<int:exam_id>/accommodations/<int:accommodation_id>/remove", methods=["POST"])
@require(Permission.MANAGE_EXAMS)
def remove_accommodation(exam_id: int, accommodation_id: int):
    exam = exam_or_404(exam_id)
    row = db.session.get(Accommodation, accommodation_id)
    if row is None or row.exam_id != exam.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for removing the accommodation."), "error")
    else:
        saved_change(lambda: builder.remove_accommodation(exam, row, form.reason.data,
                                                    actor=current_user),
               message=_("Accommodation removed."))
    return _to_exam(exam, "accommodations")
