"""Forms for training needs, plan items, attendance and certificates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.validators import Optional as Opt

from app.admin.forms import MultiCheckboxField
from app.auth.audience import AudienceChoice
from app.courses.forms import AREA_LABELS, FAMILY_LABELS
from app.courses.loader import FAMILIES
from app.exams.builder_forms import AUDIENCE_LABELS, split_entries
from app.training.needs import NeedInput
from app.training.services import ItemInput
from app.training.states import ItemStatus, NeedState

REASON_LABELS = {"business": _l("Business development"), "customer": _l("Customer feedback"),
                 "technology": _l("Technology update"), "other": _l("Other")}
URGENCY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High")}
DELIVERY_LABELS = {"internal": _l("Internal course"),
                   "external": _l("External course or seminar"),
                   "online": _l("Online course in this app"),
                   "practice": _l("Practice on a project")}
DELIVERY_SHORT_LABELS = {"internal": _l("Internal"), "external": _l("External"),
                         "online": _l("Online"), "practice": _l("Practice")}  # for charts
STATUS_LABELS: dict[str, object] = {
    ItemStatus.PLANNED: _l("Planned"), ItemStatus.DELIVERED: _l("Delivered"),
    ItemStatus.CANCELLED: _l("Cancelled")}
NEED_STATE_LABELS: dict[str, object] = {
    NeedState.SUBMITTED: _l("Submitted"), NeedState.PLANNED: _l("In the plan"),
    NeedState.DECLINED: _l("Declined")}
ATTENDANCE_LABELS = {"attended": _l("Attended"), "absent": _l("Absent"),
                     "excused": _l("Excused")}


def _area_choices(other: bool = False) -> list[SelectChoice]:
    choices = [SelectChoice(area, AREA_LABELS[area], optgroup=FAMILY_LABELS[family])
               for family, areas in FAMILIES.items() for area in areas]
    return choices + ([SelectChoice("other", _l("Other"))] if other else [])


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class NeedForm(FlaskForm):
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)],
                        description=_l("What you need to learn, in a few words."))
    area = SelectField(_l("Area"), choices=_area_choices(other=True))
    reason = SelectField(_l("Reason"), choices=_choices(REASON_LABELS))
    urgency = SelectField(_l("Urgency"), choices=_choices(URGENCY_LABELS), default="normal")
    year = SelectField(_l("For the plan of"), coerce=int)
    details = TextAreaField(_l("Details"), validators=[Opt(), Length(max=5_000)],
                            description=_l("The situation: a customer's question, a new "
                                           "product, a gap you noticed."))
    for_team = BooleanField(_l("On behalf of my team"))

    def values(self) -> NeedInput:
        return NeedInput(year=self.year.data, area=self.area.data, topic=self.topic.data or "",
                         reason=self.reason.data, urgency=self.urgency.data,
                         details=self.details.data or "",
                         for_team=bool(self.for_team.data) if "for_team" in self else False)


class AnswerNeedForm(FlaskForm):
    action = SelectField(_l("Answer"), choices=[
        SelectChoice("plan", _l("Answer it with a plan item")),
        SelectChoice("decline", _l("Decline it")),
        SelectChoice("reopen", _l("Reopen it"))])
    item = SelectField(_l("Plan item"), coerce=int, validators=[Opt()])
    response = TextAreaField(_l("Note to the author"), validators=[Opt(), Length(max=5_000)],
                             description=_l("Required when declining."))


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    area = SelectField(_l("Area"), choices=_area_choices())
    delivery = SelectField(_l("Delivery"), choices=_choices(DELIVERY_LABELS))
    course_id = SelectField(_l("Course (for an online item)"), coerce=int, validators=[Opt()])
    starts_on = DateField(_l("Starts"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends"), validators=[DataRequired()])
    provider = StringField(_l("Trainer or provider"), validators=[Opt(), Length(max=200)])
    location = StringField(_l("Place or link"), validators=[Opt(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Opt(), Length(max=20_000)],
                                description=_l("Markdown: goals, agenda, preparation."))
    audience = SelectField(_l("Who it is for"), choices=_choices(AUDIENCE_LABELS))
    teams = MultiCheckboxField(_l("Teams (when it is for chosen teams)"), coerce=int,
                               validators=[Opt()])
    people = TextAreaField(_l("People (when it is for named people)"),
                           validators=[Opt(), Length(max=50_000)],
                           description=_l("Email addresses, one per line."))
    needs = MultiCheckboxField(_l("Needs it answers"), coerce=int, validators=[Opt()])

    def values(self) -> ItemInput:
        return ItemInput(title=self.title.data or "", area=self.area.data,
                         delivery=self.delivery.data, starts_on=self.starts_on.data,
                         ends_on=self.ends_on.data, provider=(self.provider.data or "").strip(),
                         location=(self.location.data or "").strip(),
                         description=self.description.data or "",
                         course_id=self.course_id.data or None)

    def audience_choice(self) -> AudienceChoice:
        return AudienceChoice(self.audience.data, tuple(self.teams.data or ()),
                              split_entries(self.people.data))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"))
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=2_000)],
                         description=_l("Required when cancelling."))


class CertificateForm(FlaskForm):
    person = SelectField(_l("Attendee"), coerce=int, validators=[InputRequired()])
    file = FileField(_l("Certificate or report"), validators=[FileRequired()],
                     description=_l("PDF, image or Office document, up to 10 MB."))

