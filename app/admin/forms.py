"""Forms for administering accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from app.auth.forms import LANGUAGE_CHOICES, PASSWORD_HINT, PASSWORD_LENGTH, ROLE_LABELS
from app.auth.models import Role


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    team = StringField(_l("Team"), validators=[Optional(), Length(max=120)],
                       description=_l("A new name creates the team."))
    manager_email = EmailField(_l("Manager's email"),
                               validators=[Optional(), Email(), Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"),
                               choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
                               validators=[DataRequired(_l("Give the person at least one role."))])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active (may sign in)"), default=True)
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), PASSWORD_LENGTH],
        description=_l("Leave empty to create the account without a password; "
                       "set one later with “Reset password”. %(hint)s", hint=PASSWORD_HINT),
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), PASSWORD_LENGTH],
                             description=PASSWORD_HINT)
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(),
                                        EqualTo("password", message=_l("The passwords differ."))])
    submit = SubmitField(_l("Set password and end their sessions"))


class ImportUsersForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])
    submit = SubmitField(_l("Import"))


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("Any role"))]
                       + [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role],
                       validators=[Optional()])
    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any")),
                                                 SelectChoice("active", _l("Active")),
                                                 SelectChoice("inactive", _l("Deactivated"))],
                         validators=[Optional()])
