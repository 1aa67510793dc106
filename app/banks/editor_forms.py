"""Forms of the browser's bank editor: a question's Markdown, a new question, a new bank."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from app.banks.forms import BANK_ID, TYPE_LABELS
from app.banks.questions import AREAS, QUESTION_TYPES
from app.courses.forms import AREA_LABELS

MAX_QUESTION_CHARS = 50_000


class EditorForm(FlaskForm):
    text = TextAreaField(_l("The question in the bank's Markdown format"), validators=[
        Length(max=MAX_QUESTION_CHARS, message=_l(
            "The question is longer than %(max)d characters: shorten it."))],
        render_kw={"rows": 24, "spellcheck": "false", "autocapitalize": "off"})
    base_version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])
    check = SubmitField(_l("Check"))
    save = SubmitField(_l("Save as a new version"))


class NewQuestionForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what the editor starts with

    type = SelectField(_l("Question type"), validators=[AnyOf(QUESTION_TYPES)], choices=[
        SelectChoice(kind, TYPE_LABELS[kind]) for kind in QUESTION_TYPES])


class BankSettingsForm(FlaskForm):
    """A bank's front matter but its ID (which never changes)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    area = SelectField(_l("Policy area"), validators=[AnyOf(AREAS)],
                       choices=[SelectChoice(a, AREA_LABELS.get(a, a)) for a in AREAS])
    language = SelectField(_l("Language"), validators=[DataRequired()],
                           choices=[SelectChoice("en", "English"),
                                    SelectChoice("zh_CN", "简体中文")])
    tags = StringField(_l("Tags (optional)"), validators=[Optional(), Length(max=1000)],
                       description=_l("The tags this bank's questions may use, "
                                      "comma-separated, e.g. architecture, licensing."))
    submit = SubmitField(_l("Save the bank's details"))


class NewBankForm(BankSettingsForm):
    bank_id = StringField(_l("Bank ID"), validators=[DataRequired(), BANK_ID],
                          description=_l("Stable and unique: lowercase letters, digits and "
                                         "'-', e.g. datahub-product."))
    submit = SubmitField(_l("Create the bank"))
