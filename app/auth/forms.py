"""Sign-in and own-account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.models import Role
from app.auth.password_policy import MIN_PASSWORD_LENGTH

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("zh_CN", "简体中文")]

ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.TRAINER: _l("Trainer"),
    Role.REVIEWER: _l("Reviewer"),
    Role.MANAGER: _l("Manager"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
}

PASSWORD_LENGTH = Length(min=MIN_PASSWORD_LENGTH, max=1024, message=_l(
    "The password must have at least %(min)d characters."))
# services.check_new_password decides; this only tells people beforehand what it wants.
PASSWORD_HINT = _l("At least %(n)d characters, not a common password and nothing built from "
                   "the name or email: three or four unrelated words work well.",
                   n=MIN_PASSWORD_LENGTH)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), PASSWORD_LENGTH],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))
