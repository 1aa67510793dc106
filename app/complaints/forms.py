"""Forms for filing and handling complaints and suggestions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as Opt

from app.complaints.states import ComplaintState

KIND_LABELS = {"complaint": _l("A complaint"), "suggestion": _l("A suggestion")}
TOPIC_LABELS = {"training": _l("Training"), "assessment": _l("Assessment")}
STATE_LABELS: dict[str, object] = {
    ComplaintState.RECEIVED: _l("Received"), ComplaintState.INVESTIGATING: _l("Investigating"),
    ComplaintState.RESOLVED: _l("Resolved"), ComplaintState.REJECTED: _l("Rejected")}


class FileForm(FlaskForm):
    kind = RadioField(_l("What is it?"), choices=[SelectChoice(k, v)
                                                  for k, v in KIND_LABELS.items()],
                      validators=[InputRequired()], default="complaint")
    topic = RadioField(_l("About"), choices=[SelectChoice(k, v)
                                             for k, v in TOPIC_LABELS.items()],
                       validators=[InputRequired()], default="assessment")
    subject = SelectField(_l("One of your results (optional)"), validators=[Opt()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("What happened, and what you would like"),
                         validators=[DataRequired(), Length(max=10_000)])
    anonymous = BooleanField(
        _l("File this suggestion anonymously"),
        description=_l("Nothing stored will tie it to you, so you will not see its answer "
                       "here. Complaints cannot be anonymous."))


class HandleForm(FlaskForm):
    state = SelectField(_l("State"))
    owner = SelectField(_l("Owner"), coerce=int, validators=[Opt()])
    response = TextAreaField(_l("Response to the author"), validators=[Opt(), Length(max=10_000)])
    action_taken = TextAreaField(_l("Action taken"), validators=[Opt(), Length(max=10_000)])
    linked_path = StringField(_l("Link to the resulting change (optional)"),
                              validators=[Opt(), Length(max=300)],
                              description=_l("A page of this application, for example the "
                                             "regrade or the record's change request."))
