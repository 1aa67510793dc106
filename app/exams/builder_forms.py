"""Forms of the exam builder: settings, sections, accommodations, one-button actions.

The forms only parse input into the plain values the builder services take; the rules
themselves (windows, freezing, unknown IDs and emails) are the services' to enforce.
Field names differ across the forms shown together on the exam page, so their ids do too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, NumberRange
from wtforms.validators import Optional as Opt

from app.admin.forms import MultiCheckboxField
from app.banks.forms import DIFFICULTY_LABELS, TYPE_LABELS
from app.banks.questions import DIFFICULTIES, QUESTION_TYPES
from app.exams.builder import (
    MAX_START_SPREAD,
    MAX_TIME_LIMIT,
    AudienceChoice,
    ExamSettings,
)
from app.exams.builder_rules import FixedSection, RandomSection
from app.exams.grading import ALL_OR_NOTHING, PARTIAL
from app.exams.models import Exam

AUDIENCE_LABELS = {"everyone": _l("Everyone"), "teams": _l("Chosen teams"),
                   "people": _l("Named people")}
COMBINE_LABELS = {"highest": _l("The highest attempt counts"),
                  "last": _l("The last attempt counts")}
SCORING_LABELS = {PARTIAL: _l("Partial credit"), ALL_OR_NOTHING: _l("All or nothing")}
REVIEW_TIME_LABELS = {"after_submit": _l("Right after submitting"),
                      "after_close": _l("After the window closes")}
# The browser's datetime-local value ("2026-12-01T09:00"), with seconds accepted too.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
_SEPARATORS = re.compile(r"[\s,;]+")


def display_zone() -> ZoneInfo:
    """The display time zone as a zoneinfo zone.

    flask-babel gives a pytz zone, which must never be attached with ``replace()``:
    that picks local mean time (+08:06 for Shanghai). zoneinfo zones attach correctly.
    """
    return ZoneInfo(str(get_timezone()))


def split_entries(text: str | None) -> tuple[str, ...]:
    """Entries one per line or separated by commas, blanks dropped, repeats removed."""
    return tuple(dict.fromkeys(e for e in _SEPARATORS.split(text or "") if e))


def _int_or_none(value) -> int | None:
    """A select's value as a primary key; empty or not a number: none chosen."""
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class ExamForm(FlaskForm):
    """The exam's settings and audience. Frozen fields are deleted from it by the view."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    instructions = TextAreaField(
        _l("Instructions"), validators=[Opt(), Length(max=20_000)],
        description=_l("Markdown. Examinees read them before they start."))
    audience = SelectField(_l("Who may sit it"), choices=_choices(AUDIENCE_LABELS))
    teams = MultiCheckboxField(_l("Teams (when chosen teams may sit it)"), coerce=int,
                               validators=[Opt()])
    people = TextAreaField(_l("People (when named people may sit it)"),
                           validators=[Opt(), Length(max=50_000)],
                           description=_l("Email addresses, one per line."))
    opens_at = DateTimeLocalField(_l("Opens"), format=DATETIME_FORMATS, tz=display_zone,
                                  validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=DATETIME_FORMATS, tz=display_zone,
                                   validators=[DataRequired()])
    time_limit_minutes = IntegerField(_l("Time limit (minutes)"), default=60, validators=[
        InputRequired(), NumberRange(1, MAX_TIME_LIMIT)])
    start_spread_seconds = IntegerField(
        _l("Spread the starts over (seconds)"), default=0,
        validators=[Opt(), NumberRange(0, MAX_START_SPREAD)],
        description=_l("For an exam that many people start at the same moment (a whole "
                       "company at 10:00): each person's Start opens up to this many seconds "
                       "after the opening, the same for them on every page, so that every "
                       "page loads quickly. Their time starts when they start. 0: everyone "
                       "at once."))
    attempts_allowed = IntegerField(_l("Attempts allowed"), default=1, validators=[
        InputRequired(), NumberRange(1, 20)])
    combine = SelectField(_l("With several attempts"), choices=_choices(COMBINE_LABELS))
    pass_mark = FloatField(_l("Pass mark (percent)"), default=60.0, validators=[
        InputRequired(), NumberRange(0, 100)])
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_options = BooleanField(_l("Shuffle the options of each question"))
    scoring = SelectField(_l("Multiple-choice scoring"), choices=_choices(SCORING_LABELS),
                          description=_l("Partial credit gives part of the points for a "
                                         "partly right answer; all or nothing gives none."))
    review_score = BooleanField(_l("Their score"), default=True)
    review_correctness = BooleanField(_l("Which of their answers were right"))
    review_answers = BooleanField(_l("The right answers"))
    review_explanations = BooleanField(_l("The explanations"))
    review_when = SelectField(_l("Shown"), choices=_choices(REVIEW_TIME_LABELS),
                              default="after_close")

    def settings(self, exam: Exam | None = None) -> ExamSettings:
        """The settings entered; a field deleted from the form (frozen) keeps the exam's."""
        values = {name: self[name].data if name in self else getattr(exam, name)
                  for name in ExamSettings.__dataclass_fields__}
        values["instructions"] = values["instructions"] or ""
        values["start_spread_seconds"] = values["start_spread_seconds"] or 0  # empty: at once
        return ExamSettings(**values)

    def audience_choice(self) -> AudienceChoice:
        return AudienceChoice(self.audience.data, tuple(self.teams.data or ()),
                              split_entries(self.people.data))


class FixedSectionForm(FlaskForm):
    section_title = StringField(_l("Section title (optional)"), id="fixed_title",
                                validators=[Opt(), Length(max=200)])
    question_ids = TextAreaField(
        _l("Question IDs"), validators=[DataRequired(), Length(max=20_000)],
        description=_l("One per line, or separated by commas; served in this order "
                       "unless the exam shuffles questions."))

    def section(self) -> FixedSection:
        return FixedSection(self.section_title.data or "", split_entries(self.question_ids.data))


class RandomSectionForm(FlaskForm):
    section_title = StringField(_l("Section title (optional)"), id="random_title",
                                validators=[Opt(), Length(max=200)])
    bank = SelectField(_l("Bank"), coerce=int, validators=[InputRequired()])
    count = IntegerField(_l("Number of questions"), default=5,
                         validators=[InputRequired(), NumberRange(1, 500)])
    tags = SelectMultipleField(_l("Tags (questions must carry all of them)"),
                               validators=[Opt()],
                               description=_l("Optional. Only the chosen bank's tags apply."))
    difficulty = SelectField(_l("Difficulty"), validators=[Opt()], choices=[
        SelectChoice("", _l("Any difficulty"))] + [SelectChoice(d, DIFFICULTY_LABELS[d])
                                                   for d in DIFFICULTIES])
    question_type = SelectField(_l("Type"), validators=[Opt()], choices=[
        SelectChoice("", _l("Any type"))] + [SelectChoice(t, TYPE_LABELS[t])
                                             for t in QUESTION_TYPES])
    points_each = FloatField(_l("Points each (optional)"),
                             validators=[Opt(), NumberRange(0.1, 100)],
                             description=_l("Empty: each question keeps its own points."))

    def set_banks(self, banks: Sequence[tuple[int, str]], tags: Sequence[str]) -> None:
        """Offer every bank, and the tags of the chosen one only (once each)."""
        self.bank.choices = [SelectChoice(pk, title) for pk, title in banks]
        self.tags.choices = [SelectChoice(tag, tag) for tag in dict.fromkeys(tags)]

    def section(self) -> RandomSection:
        return RandomSection(self.section_title.data or "", self.bank.data, self.count.data,
                             tuple(dict.fromkeys(self.tags.data or ())),
                             self.difficulty.data or None, self.points_each.data,
                             self.question_type.data or None)


class PickerSearchForm(FlaskForm):
    """The picker's search (GET): text or ID, bank, tag, type, difficulty."""

    class Meta:
        csrf = False  # a search changes nothing

    q = StringField(_l("Text or ID"), validators=[Opt(), Length(max=100)])
    bank = SelectField(_l("Bank"), coerce=_int_or_none, validators=[Opt()])
    tag = SelectField(_l("Tag"), validators=[Opt()])
    type = SelectField(_l("Type"), validators=[Opt()], choices=[
        SelectChoice("", _l("Any type"))] + [SelectChoice(t, TYPE_LABELS[t])
                                             for t in QUESTION_TYPES])
    difficulty = SelectField(_l("Difficulty"), validators=[Opt()], choices=[
        SelectChoice("", _l("Any difficulty"))] + [SelectChoice(d, DIFFICULTY_LABELS[d])
                                                   for d in DIFFICULTIES])

    def set_choices(self, banks: Sequence[tuple[int, str]], tags: Sequence[str]) -> None:
        self.bank.choices = [SelectChoice("", _l("All banks"))] + [
            SelectChoice(pk, title) for pk, title in banks]
        self.tag.choices = [SelectChoice("", _l("Any tag"))] + [
            SelectChoice(tag, tag) for tag in dict.fromkeys(tags)]


class PickForm(FlaskForm):
    """The questions ticked in the picker, and the section they go to (0: a new one)."""

    pick = SelectMultipleField(_l("Questions"), validate_choice=False)
    target = SelectField(_l("Add them to"), coerce=int, default=0)
    section_title = StringField(_l("Title of the new section (optional)"), id="pick_title",
                                validators=[Opt(), Length(max=200)])

    def set_targets(self, sections: Sequence[tuple[int, int, str]]) -> None:
        """(rule id, position, title) of each fixed section the picks may join."""
        self.target.choices = [SelectChoice(0, _l("A new section"))] + [
            SelectChoice(pk, _("Section %(n)d", n=position) + (f": {title}" if title else ""))
            for pk, position, title in sections]

    def picked(self) -> list[str]:
        return list(dict.fromkeys(qid.strip() for qid in self.pick.data or () if qid.strip()))


class AccommodationForm(FlaskForm):
    email = EmailField(_l("Person's email"), validators=[DataRequired(), Email(),
                                                          Length(max=254)])
    extra_minutes = IntegerField(_l("Extra minutes"), default=0,
                                 validators=[InputRequired(), NumberRange(0, MAX_TIME_LIMIT)])
    extra_attempts = IntegerField(_l("Extra attempts"), default=0,
                                  validators=[InputRequired(), NumberRange(0, 10)])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason: it is recorded in the audit log.")), Length(max=1000)])


class ReasonForm(FlaskForm):
    """Removing an accommodation: the reason is required."""

    reason = StringField(_l("Reason"), validators=[
        DataRequired(_l("Give the reason: it is recorded in the audit log.")), Length(max=1000)])


class ActionForm(FlaskForm):
    """A one-button action (publish, duplicate, remove): only the CSRF token."""


class MoveForm(FlaskForm):
    direction = StringField(validators=[AnyOf(["up", "down"])])
