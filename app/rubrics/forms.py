"""Forms of the rubric pages: the list's filter, the upload and its confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileRequired, MultipleFileField
from wtforms import HiddenField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, Optional

from app.rubrics.format import KINDS
from app.rubrics.services import KIND_LABELS

MAX_FILES = 20  # files in one upload


class RubricFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    kind = SelectField(_l("Kind"), validators=[Optional()], choices=[
        SelectChoice("", _l("All kinds"))] + [SelectChoice(k, KIND_LABELS[k]) for k in KINDS])


class RubricUploadForm(FlaskForm):
    files = MultipleFileField(_l("Rubric files"), validators=[
        FileRequired(_l("Choose one or more .md files.")),
        FileAllowed(["md"], _l("Upload rubric files ending in .md."))],
        description=_l("One rubric per file; you can choose several files at once."))
    submit = SubmitField(_l("Check the files"))


class ConfirmRubricImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])  # JSON: [[file name, base64 bytes], ...]
    submit = SubmitField(_l("Import"))
