"""Sign in, sign out, language, and the person's own account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services, throttle
from app.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, LogoutForm
from app.auth.login_sessions import end_login_session, start_login_session
from app.auth.models import User
from app.auth.permissions import public
from app.database.concurrency import write_intent
from app.extensions import db
from app.i18n import LANG_SESSION_KEY
from app.security import is_safe_redirect

bp = Blueprint("auth", __name__)


def _too_many_attempts():
    flash(_("Too many attempts in a short time. Wait a few minutes and try again."), "error")
    return render_template("auth/login.html", form=LoginForm()), 429


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, address = services.normalise_email(form.email.data), request.remote_addr or ""
        if not throttle.reserve_attempt(email, address):
            return _too_many_attempts()
        user = _read_only_authenticate(email, form.password.data)
        if user is None:
            # One message whatever was wrong, so emails cannot be probed.
            flash(_("The email or password is wrong, or the account is disabled."), "error")
        else:
            throttle.forgive_attempt(email, address)
            return _signed_in(user, form.next.data)
    return render_template("auth/login.html", form=form)


def _read_only_authenticate(email: str, password: str) -> User | None:
    """Check the password in a read-only transaction: scrypt must not hold SQLite's write
    lock while other people sign in."""
    db.session.rollback()
    with write_intent(False):
        user = services.authenticate(email, password)
        db.session.rollback()
    return user


def _signed_in(user: User, target: str) -> ResponseReturnValue:
    """A new login session for ``user``, then on to ``target`` when it is one of ours."""
    session.clear()
    start_login_session(user)
    session.permanent = True
    login_user(user)
    return redirect(target if is_safe_redirect(target) else url_for("main.home"))


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        language = current_user.locale
        end_login_session(current_user.get_id())
        logout_user()
        session.clear()
        session[LANG_SESSION_KEY] = language  # the sign-in page keeps their language
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            services.set_locale(current_user, form.lang.data)
        session[LANG_SESSION_KEY] = form.lang.data
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        address = request.remote_addr or ""
        if not throttle.reserve_attempt(user.email, address):
            return render_template("auth/account.html", form=form), 429
        if services.authenticate(user.email, form.current_password.data) is not user:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            throttle.forgive_attempt(user.email, address)
            if _new_password_set(form, user):
                flash(_("Your password has been changed; your other sessions have ended."),
                      "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


def _new_password_set(form: ChangePasswordForm, user: User) -> bool:
    """Set the new password, keeping this session; else say why beside the field."""
    try:
        services.set_password(user, form.new_password.data, actor=user,
                              keep_token=user.get_id())
    except services.AccountError as exc:
        db.session.rollback()
        form.new_password.errors.append(str(exc))
        return False
    return True
