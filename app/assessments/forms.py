"""Forms of the assessment pages: the period and its plan, figures, feedback, responses."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.validators import Optional as Opt

from app.admin.forms import MultiCheckboxField
from app.assessments import indicators as ind
from app.assessments.labels import (
    BAND_LABELS,
    CADENCE_LABELS,
    COMBINE_LABELS,
    INDICATOR_LABELS,
    PART_LABELS,
    PAY_LABELS,
)
from app.assessments.models import AssessmentPeriod
from app.assessments.plan_changes import PlanCorrection
from app.assessments.services import Plan
from app.evaluations.forms import chosen_id
from app.exams.builder_forms import AUDIENCE_LABELS, split_entries
from app.rubrics.services import KIND_LABELS

BAND_KEYS = ("excellent", "good", "qualified")  # the thresholds a plan sets
# Where a refusal of a whole part of the plan is shown: under the part's last field.
PLAN_PART_FIELDS = {"weights": "weight_professionalism", "bands": "band_qualified",
                    "performance_formula": "part_satisfaction"}


def _weight(label, default) -> DecimalField:
    return DecimalField(label, places=2, default=default,
                        validators=[InputRequired(), NumberRange(0, 100)])


class PlanFieldsForm(FlaskForm):
    """What the plan counts and how: the fields a period's plan and its correction share."""

    weight_knowledge = _weight(INDICATOR_LABELS["knowledge"], 30)
    weight_capability = _weight(INDICATOR_LABELS["capability"], 30)
    weight_performance = _weight(INDICATOR_LABELS["performance"], 25)
    weight_professionalism = _weight(INDICATOR_LABELS["professionalism"], 15)
    band_excellent = _weight(BAND_LABELS["excellent"], 90)
    band_good = _weight(BAND_LABELS["good"], 75)
    band_qualified = _weight(BAND_LABELS["qualified"], 60)
    exams = MultiCheckboxField(_l("Exams that count"), coerce=int, validators=[Opt()])
    exam_combine = SelectField(_l("With several exams, professional knowledge is"),
                               choices=[SelectChoice(k, v) for k, v in COMBINE_LABELS.items()])
    capability_kinds = MultiCheckboxField(
        _l("Evaluations that count for business capability"), validators=[Opt()],
        choices=[SelectChoice(k, KIND_LABELS[k]) for k in ("demo", "interview")],
        default=["demo", "interview"])
    part_project_reviews = _weight(PART_LABELS["project_reviews"], 40)
    part_success_rate = _weight(PART_LABELS["success_rate"], 30)
    part_satisfaction = _weight(PART_LABELS["satisfaction"], 30)

    def weights(self) -> dict[str, Decimal]:
        return {k: Decimal(self[f"weight_{k}"].data) for k in ind.INDICATORS}

    def bands(self) -> dict[str, Decimal]:
        return {k: Decimal(self[f"band_{k}"].data) for k in BAND_KEYS}

    def performance_formula(self) -> dict[str, Decimal]:
        return {k: Decimal(self[f"part_{k}"].data) for k in ind.PERFORMANCE_PARTS}

    def fill_plan(self, period: AssessmentPeriod) -> None:
        """Show what the period's plan counts and how."""
        for key in ind.INDICATORS:
            self[f"weight_{key}"].data = Decimal(period.weights[key])
        for key in BAND_KEYS:
            self[f"band_{key}"].data = Decimal(period.bands[key])
        for key in ind.PERFORMANCE_PARTS:
            self[f"part_{key}"].data = Decimal(period.performance_formula.get(key, "0"))
        self.exams.data, self.exam_combine.data = period.exam_ids, period.exam_combine
        self.capability_kinds.data = period.capability_kinds


class PeriodForm(PlanFieldsForm):
    name = StringField(_l("Period name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("For example: 2026 Q4."))
    cadence = SelectField(_l("Cadence"), choices=[SelectChoice(k, v)
                                                  for k, v in CADENCE_LABELS.items()])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    audience = SelectField(_l("Who it covers"), choices=[SelectChoice(k, v)
                                                         for k, v in AUDIENCE_LABELS.items()])
    teams = MultiCheckboxField(_l("Teams (when chosen teams)"), coerce=int, validators=[Opt()])
    people = TextAreaField(_l("People (when named people)"), validators=[Opt()],
                           description=_l("Email addresses, one per line."))
    description = TextAreaField(_l("Dates and methods"), validators=[Opt(), Length(max=20_000)],
                                description=_l("Markdown. What happens when, and how people "
                                               "are assessed (§3.3.1)."))

    def plan(self, user_ids: list[int]) -> Plan:
        return Plan(
            name=self.name.data, cadence=self.cadence.data, starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, weights=self.weights(), bands=self.bands(),
            performance_formula=self.performance_formula(),
            exam_ids=list(self.exams.data or []), exam_combine=self.exam_combine.data,
            capability_kinds=list(self.capability_kinds.data or []),
            description=self.description.data or "", audience=self.audience.data,
            team_ids=list(self.teams.data or []), user_ids=user_ids)

    def emails(self) -> tuple[str, ...]:
        return split_entries(self.people.data)

    def fill(self, period: AssessmentPeriod, emails: list[str]) -> None:
        """Show the period's plan; ``emails`` are the people it names one by one."""
        self.name.data, self.cadence.data = period.name, period.cadence
        self.starts_on.data, self.ends_on.data = period.starts_on, period.ends_on
        self.audience.data = period.audience
        self.teams.data = [m.team_id for m in period.members if m.team_id is not None]
        self.people.data = "\n".join(emails)
        self.fill_plan(period)
        self.description.data = period.description


class PlanCorrectionForm(PlanFieldsForm):
    """A correction of an open period's plan, with its reason (app.assessments.plan_changes)."""

    reason = TextAreaField(_l("Reason for the correction"), validators=[
        DataRequired(_l("Give the reason for the correction: it is recorded in the audit "
                        "log.")), Length(max=2000)],
        description=_l("For example: the second exam was cancelled. The reason is shown "
                       "with the plan to everyone the period covers."))

    def correction(self) -> PlanCorrection:
        return PlanCorrection(
            weights=self.weights(), bands=self.bands(),
            performance_formula=self.performance_formula(),
            exam_ids=list(self.exams.data or []), exam_combine=self.exam_combine.data,
            capability_kinds=list(self.capability_kinds.data or []))


class PerformanceForm(FlaskForm):
    success_rate = DecimalField(_l("Project success rate (%)"), places=2,
                                validators=[Opt(), NumberRange(0, 100)])
    satisfaction = DecimalField(_l("Customer satisfaction (%)"), places=2,
                                validators=[Opt(), NumberRange(0, 100)])
    note = StringField(_l("Note"), validators=[Opt(), Length(max=500)])


class PerformanceImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()],
                     description=_l("Columns: email, success_rate, satisfaction, note."))


class FeedbackForm(FlaskForm):
    went_well = TextAreaField(_l("What went well"), validators=[Opt(), Length(max=10_000)])
    problems = TextAreaField(_l("Problems found"), validators=[Opt(), Length(max=10_000)])


class PublishForm(FlaskForm):
    reason = TextAreaField(_l("Reason, if the record is incomplete"),
                           validators=[Opt(), Length(max=2000)],
                           description=_l("For example: on leave for most of the period."))


class ResponseForm(FlaskForm):
    response = RadioField(_l("Your response"), choices=[
        SelectChoice("agree", _l("I have read the record and acknowledge it")),
        SelectChoice("disagree", _l("I disagree"))], validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Opt(), Length(max=5000)],
                            description=_l("Required when you disagree: say with what."))


class ActionForm(FlaskForm):
    """A one-button action: only the CSRF token."""


class DelegationForm(FlaskForm):
    delegate = SelectField(_l("Delegate the professionalism rating to"), coerce=chosen_id,
                           validators=[InputRequired()],
                           description=_l("For this period only. It is recorded, and you "
                                          "can withdraw it until the rating is released."))


class InterviewForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[DataRequired()])
    notes = TextAreaField(_l("Notes"), validators=[DataRequired(), Length(max=20_000)],
                          description=_l("What you analysed together and what you agreed."))


class ImprovementItemForm(FlaskForm):
    goal = StringField(_l("Goal"), validators=[DataRequired(), Length(max=300)])
    action = TextAreaField(_l("Action"), validators=[Opt(), Length(max=5000)])
    due_on = DateField(_l("Due"), validators=[DataRequired()])
    courses = MultiCheckboxField(_l("Linked courses"), coerce=int, validators=[Opt()])


class DecisionForm(FlaskForm):
    pay = SelectField(_l("Pay adjustment"), choices=[SelectChoice(k, v)
                                                     for k, v in PAY_LABELS.items()])
    promotion_priority = BooleanField(_l("Priority for promotion"))
    courses = MultiCheckboxField(_l("Targeted training"), coerce=int, validators=[Opt()])
    position_review = BooleanField(_l("Position review"))
    comment = TextAreaField(_l("Comment"), validators=[Opt(), Length(max=5000)],
                            description=_l("Required when you depart from the proposal."))


class ChangeRequestForm(FlaskForm):
    knowledge = DecimalField(INDICATOR_LABELS["knowledge"], places=2,
                             validators=[Opt(), NumberRange(0, 100)])
    capability = DecimalField(INDICATOR_LABELS["capability"], places=2,
                              validators=[Opt(), NumberRange(0, 100)])
    performance = DecimalField(INDICATOR_LABELS["performance"], places=2,
                               validators=[Opt(), NumberRange(0, 100)])
    professionalism = DecimalField(INDICATOR_LABELS["professionalism"], places=2,
                                   validators=[Opt(), NumberRange(0, 100)])
    went_well = TextAreaField(_l("What went well"), validators=[Opt(), Length(max=10_000)])
    problems = TextAreaField(_l("Problems found"), validators=[Opt(), Length(max=10_000)])
    reason = TextAreaField(_l("Reason for the change"), validators=[
        DataRequired(_l("Give the reason: it is recorded in the audit log.")),
        Length(max=2000)])


class ChangeDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[
        SelectChoice("approve", _l("Approve: the change takes effect")),
        SelectChoice("reject", _l("Reject"))], validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=2000)],
                         description=_l("Required when you reject."))
