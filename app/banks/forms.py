"""Forms of the trainers' question-bank pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from app.banks.questions import AREAS, DIFFICULTIES, QUESTION_TYPES
from app.courses.forms import AREA_LABELS

TYPE_LABELS = {
    "single": _l("Single choice"), "multiple": _l("Multiple choice"),
    "truefalse": _l("True or false"), "short": _l("Short answer"), "numeric": _l("Numeric"),
    "matching": _l("Matching"), "ordering": _l("Ordering"), "essay": _l("Essay"),
}
# The fields a version's history names (see services.TRACKED_FIELDS).
CHANGE_LABELS = {
    "stem": _l("question text"), "type": _l("type"), "points": _l("points"),
    "difficulty": _l("difficulty"), "tags": _l("tags"), "choices": _l("options or key"),
    "answers": _l("accepted answers"), "pairs": _l("pairs"), "sequence": _l("order"),
    "guidance": _l("marking guidance"), "word_limit": _l("word limit"),
    "explanation": _l("explanation"),
}
DIFFICULTY_LABELS = {"easy": _l("Easy"), "medium": _l("Medium"), "hard": _l("Hard")}
FORMAT_CHOICES = [SelectChoice("", _l("By file ending (.md Markdown, .gift GIFT, .txt Aiken, "
                                         ".xml Moodle XML)")),
                  SelectChoice("markdown", "Markdown"), SelectChoice("gift", "Moodle GIFT"),
                  SelectChoice("aiken", "Moodle Aiken"), SelectChoice("moodle-xml", "Moodle XML")]
ON_ERRORS = ("refuse", "keep-good")
ON_ERRORS_CHOICES = [
    SelectChoice("refuse", _l("Refuse the whole file (nothing is imported)")),
    SelectChoice("keep-good", _l("Import the good questions and list the refused ones "
                                 "(as Moodle does)"))]
EXPORT_FORMATS = {"markdown": "Markdown", "moodle-xml": "Moodle XML", "gift": "Moodle GIFT"}
BANK_ID = Regexp(r"^$|^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$",
                 message=_l("Use 3–60 lowercase letters, digits and '-'."))


class QuestionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Text or ID"), validators=[Optional(), Length(max=100)])
    bank = SelectField(_l("Bank"), validators=[Optional()])
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=60)])
    type = SelectField(_l("Type"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any type"))] + [SelectChoice(t, TYPE_LABELS[t])
                                             for t in QUESTION_TYPES])
    difficulty = SelectField(_l("Difficulty"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any difficulty"))] + [SelectChoice(d, DIFFICULTY_LABELS[d])
                                                   for d in DIFFICULTIES])


class UploadForm(FlaskForm):
    file = FileField(_l("Bank file"), validators=[
        FileRequired(),
        FileAllowed(["md", "gift", "txt", "xml"], _l("Upload a .md, .gift, .txt or .xml file."))])
    format = SelectField(_l("Format"), choices=FORMAT_CHOICES, validators=[Optional()])
    bank_id = StringField(_l("Bank ID (Moodle files)"), validators=[Optional(), BANK_ID],
                          description=_l("Default: made from the file name."))
    title = StringField(_l("Bank title (Moodle files)"), validators=[Optional(),
                                                                     Length(max=200)])
    area = SelectField(_l("Policy area (Moodle files)"), validators=[Optional()],
                       choices=[SelectChoice(a, AREA_LABELS.get(a, a)) for a in AREAS])
    language = SelectField(_l("Language (Moodle files)"), validators=[Optional()],
                           choices=[SelectChoice("en", "English"),
                                    SelectChoice("zh_CN", "简体中文")])
    on_errors = SelectField(_l("Questions with errors (Moodle files)"), default="refuse",
                            choices=ON_ERRORS_CHOICES, validators=[AnyOf(ON_ERRORS)],
                            description=_l("A Markdown bank is always refused whole."))
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    content = HiddenField(validators=[DataRequired()])
    format = HiddenField(validators=[Optional(),
                                     AnyOf(["markdown", "gift", "aiken", "moodle-xml"])])
    bank_id = HiddenField(validators=[Optional(), BANK_ID])
    title = HiddenField(validators=[Optional(), Length(max=200)])
    area = HiddenField()
    language = HiddenField()
    on_errors = HiddenField(default="refuse", validators=[AnyOf(ON_ERRORS)])
    submit = SubmitField(_l("Import"))
