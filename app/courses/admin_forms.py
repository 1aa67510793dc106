"""Forms of the trainers' course pages: a zip, one lesson's file, confirm, retire/restore."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.courses.loader import SLUG_RE


class CourseZipForm(FlaskForm):
    file = FileField(_l("Course zip"), validators=[
        FileRequired(_l("Choose the course's zip file.")),
        FileAllowed(["zip"], _l("Upload a .zip file: the course folder, zipped."))])
    slug = StringField(
        _l("Course slug (only for a zip without a folder)"),
        validators=[Optional(), Length(max=60),
                    Regexp(SLUG_RE, message=_l("Write 3–60 lowercase letters, digits and "
                                               "'-', e.g. discovery-calls."))],
        description=_l("Default: the folder in the zip, or else the zip's own name."))
    submit = SubmitField(_l("Check the course"))


class LessonFileForm(FlaskForm):
    lesson = SelectField(_l("Lesson to replace"), validators=[DataRequired()])
    file = FileField(_l("New lesson file"), validators=[
        FileRequired(_l("Choose the lesson's Markdown file.")),
        FileAllowed(["md"], _l("Upload a .md file."))])
    submit = SubmitField(_l("Check the lesson"))


class ConfirmCourseForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Apply these changes"))


class CourseStateForm(FlaskForm):
    """Retire or restore: a button with CSRF."""

    submit = SubmitField()
