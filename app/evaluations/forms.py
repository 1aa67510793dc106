"""Forms of the evaluation pages. Scorecards are built from the rubric, so their
level and comment fields are read from the request by :func:`scorecard_input`."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.validators import Optional as Opt

from app.admin.forms import MultiCheckboxField
from app.evaluations.states import EvaluationState, ReviewState
from app.exams.builder_forms import DATETIME_FORMATS, display_zone

STATE_LABELS = {
    EvaluationState.OPEN: _l("Reviewers scoring"),
    EvaluationState.MODERATION: _l("Needs moderation"),
    EvaluationState.READY: _l("Ready to release"),
    EvaluationState.RELEASED: _l("Released"),
}
REVIEW_STATE_LABELS = {
    ReviewState.PENDING: _l("Not started"),
    ReviewState.DRAFT: _l("Draft"),
    ReviewState.SUBMITTED: _l("Submitted and locked"),
    ReviewState.SUPERSEDED: _l("Superseded (re-scored)"),
}
MAX_LINKS = 20


def evidence_links(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def chosen_id(value) -> int | None:
    """A select's id, or None for its empty "choose…" entry (so nobody is a default)."""
    if value in (None, ""):
        return None
    return int(value)


class ScheduleForm(FlaskForm):
    subject = SelectField(_l("Person evaluated"), coerce=chosen_id,
                          validators=[InputRequired(_l("Choose the person evaluated."))])
    rubric = SelectField(_l("Rubric"), coerce=int, validators=[InputRequired()],
                         description=_l("The evaluation's kind is the rubric's kind; the "
                                        "evaluation keeps this version of the rubric."))
    scenario = TextAreaField(
        _l("Scenario"), validators=[DataRequired(), Length(max=10_000)],
        description=_l("Markdown. For example: demonstrate DataHub to a banking customer's "
                       "IT director."))
    scheduled_at = DateTimeLocalField(_l("Date and time"), format=DATETIME_FORMATS,
                                      tz=display_zone, validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Opt(), Length(max=200)])
    due_at = DateTimeLocalField(_l("Reviews due by"), format=DATETIME_FORMATS,
                                tz=display_zone, validators=[DataRequired()])
    reviewers = MultiCheckboxField(_l("Reviewers"), coerce=int, validators=[
        DataRequired(_l("Choose at least one reviewer."))])
    links = TextAreaField(_l("Evidence links (optional)"), validators=[Opt(), Length(max=5000)],
                          description=_l("One https:// address per line: recordings, "
                                         "documents. Files can be attached on the next page."))
    show_reviewer_names = BooleanField(_l("Show reviewers' names to the person with the "
                                          "result"))
    spread_limit = DecimalField(_l("Flag for moderation when reviewers differ by more than "
                                   "(points)"), places=2, default=20,
                                validators=[InputRequired(), NumberRange(0, 100)])

    def validate_links(self, field) -> None:
        links = evidence_links(field.data)
        if len(links) > MAX_LINKS:
            raise ValidationError(_l("At most %(n)d links.", n=MAX_LINKS))
        for number, link in enumerate(links, start=1):
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 500:
                raise ValidationError(_l("Line %(n)d is not a web address: write it as "
                                         "https://… (one per line).", n=number))

    def validate_due_at(self, field) -> None:
        if self.scheduled_at.data and field.data and field.data < self.scheduled_at.data:
            raise ValidationError(_l("Reviews cannot be due before the evaluation takes place."))


class ScorecardForm(FlaskForm):
    """CSRF and the overall comment; criterion fields come from the rubric."""

    overall = TextAreaField(_l("Overall comment"), validators=[Opt(), Length(max=5000)])


def scorecard_input(form, criteria) -> tuple[dict[str, int | None], dict[str, str]]:
    """Levels and comments per criterion key from a posted scorecard."""
    levels: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for criterion in criteria:
        key = criterion["key"]
        raw = form.get(f"level-{key}", "")
        levels[key] = int(raw) if raw.isdigit() else None
        comments[key] = form.get(f"comment-{key}", "")[:5000]
    return levels, comments


class ModerationForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("accept", _l("Accept the scores as they are")),
        SelectChoice("rescore", _l("Ask reviewers to score again"))],
        validators=[InputRequired()])
    rescore = MultiCheckboxField(_l("Who scores again"), coerce=int, validators=[Opt()])
    note = TextAreaField(_l("Moderation note"), validators=[
        DataRequired(_l("Write a moderation note: what you looked at and why you decided.")),
        Length(max=5000)])


class AmendForm(FlaskForm):
    overall = TextAreaField(_l("Overall comment"), validators=[Opt(), Length(max=5000)])
    reason = TextAreaField(_l("Reason for the amendment"), validators=[
        DataRequired(_l("Give the reason: it is recorded in the audit log.")),
        Length(max=2000)])


class ReviewerForm(FlaskForm):
    reviewer = SelectField(_l("Add a reviewer"), coerce=int, validators=[InputRequired()])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Attach a file"), validators=[FileRequired()],
                     description=_l("PDF, PowerPoint, Word, Excel, PNG or JPEG, up to 10 MB."))


class ActionForm(FlaskForm):
    """A one-button action (release): only the CSRF token."""
