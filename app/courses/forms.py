"""Forms for courses: catalogue filters, completing a lesson, course feedback."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.courses.loader import FAMILIES

AREA_LABELS = {
    "product": _l("Products"),
    "industry": _l("Industry"),
    "technical": _l("Technology"),
    "communication": _l("Communication"),
    "demonstration": _l("Demonstration"),
    "project-management": _l("Project management"),
    "teamwork": _l("Teamwork"),
    "problem-solving": _l("Problem solving"),
    "professionalism": _l("Professionalism"),
}
FAMILY_LABELS = {
    "knowledge": _l("Professional knowledge"),
    "skills": _l("Skills"),
    "qualities": _l("Qualities"),
}
COURSE_LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    area = SelectField(_l("Area"), validators=[Optional()], choices=[
        SelectChoice("", _l("All areas"))] + [
        SelectChoice(area, AREA_LABELS[area], optgroup=FAMILY_LABELS[family])
        for family, areas in FAMILIES.items() for area in areas])
    language = SelectField(_l("Language"), validators=[Optional()], choices=[
        SelectChoice("", _l("All languages"))] + [
        SelectChoice(code, name) for code, name in COURSE_LANGUAGES.items()])


class CompleteLessonForm(FlaskForm):
    submit = SubmitField(_l("Mark as complete"))


class FeedbackForm(FlaskForm):
    rating = RadioField(_l("Your rating"), coerce=int, validators=[
        DataRequired(_l("Choose a rating from 1 to 5."))], choices=[
        SelectChoice(5, _l("5 — excellent")), SelectChoice(4, _l("4 — good")),
        SelectChoice(3, _l("3 — fair")), SelectChoice(2, _l("2 — poor")),
        SelectChoice(1, _l("1 — very poor"))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)],
                            description=_l("What helped you, what was missing, what to change. "
                                           "Trainers read every comment."))
    submit = SubmitField(_l("Save feedback"))
