"""Administering accounts: list, create, edit, reset passwords, import HR lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.admin.forms import (
    ImportUsersForm,
    NewUserForm,
    ResetPasswordForm,
    UserFilterForm,
    UserForm,
)
from app.auth import services
from app.auth.models import Team, User, UserRole
from app.auth.permissions import Permission, require
from app.auth.user_csv import parse_people
from app.content.csv_upload import UnreadableFile, decode
from app.extensions import db
from app.main.actions import CONFLICT, is_unique_violation

T = TypeVar("T")

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _filtered_users(form: UserFilterForm) -> sa.Select:
    stmt = sa.select(User).outerjoin(Team).order_by(User.display_name, User.id)
    if form.q.data:
        like = f"%{form.q.data.strip()}%"
        stmt = stmt.where(sa.or_(User.email.ilike(like), User.display_name.ilike(like),
                                 Team.name.ilike(like)))
    if form.role.data:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id)
                                      .where(UserRole.role == form.role.data)))
    if form.status.data:
        stmt = stmt.where(User.active.is_(form.status.data == "active"))
    return stmt


@bp.route("/users")
@require(Permission.MANAGE_USERS)
def users():
    form = UserFilterForm(request.args)
    form.validate()
    page = db.paginate(_filtered_users(form), per_page=current_app.config["USERS_PAGE_SIZE"],
                       error_out=False)
    return render_template("admin/users.html", page=page, form=form)


def _changes(form: UserForm) -> services.AccountChanges:
    return services.AccountChanges(
        email=form.email.data, display_name=form.display_name.data, team=form.team.data or "",
        manager_email=form.manager_email.data or "", roles=form.roles.data,
        locale=form.locale.data, active=form.active.data,
    )


def _refused(form: UserForm, error: services.AccountError) -> None:
    """Undo the step; show why beside the field to blame, or at the top."""
    db.session.rollback()
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "error")


def _conflict(form: UserForm, user_id: int | None, error: IntegrityError) -> None:
    """Someone saved the same email (or created the same team) at the same moment."""
    if not is_unique_violation(error):
        raise error
    db.session.rollback()
    other = services.user_by_email(form.email.data or "")
    if other is not None and other.id != user_id:
        form.email.errors = [*form.email.errors, _("Another account already uses %(email)s.",
                                                   email=other.email)]
    else:
        flash(str(CONFLICT), "error")


def _saved(form: UserForm, user_id: int | None, step: Callable[[], T]) -> T | None:
    """Run an account step and flush; on a refusal or a simultaneous save, explain it on
    the form (keeping what was typed) and give ``None``."""
    try:
        result = step()
        db.session.flush()  # a simultaneous save of the same email fails here
    except services.AccountError as exc:
        _refused(form, exc)
    except IntegrityError as error:
        _conflict(form, user_id, error)
    else:
        return result
    return None


def _create(form: NewUserForm) -> User:
    user = services.create_user(
        form.email.data, form.display_name.data, roles=form.roles.data,
        password=form.password.data or None, team=form.team.data,
        manager_email=form.manager_email.data, locale=form.locale.data,
        actor=current_user,
    )
    if not form.active.data:
        services.update_user(user, services.AccountChanges(active=False), actor=current_user)
    return user


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit() and (user := _saved(form, None, lambda: _create(form))):
        flash(_("Account %(email)s created.", email=user.email), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.team.data = user.team.name if user.team else ""
        form.manager_email.data = user.manager.email if user.manager else ""
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        changed = _saved(form, user_id, lambda: services.update_user(
            user, _changes(form), actor=current_user))
        if changed is not None:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            keep = current_user.get_id() if user.id == current_user.id else None
            services.set_password(user, form.password.data, actor=current_user, keep_token=keep)
        except services.AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            flash(_("Password set for %(email)s; their sessions have ended.", email=user.email),
                  "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/reset_password.html", form=form, user=user)


@bp.route("/users/import", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def import_users():
    form = ImportUsersForm()
    outcome = None
    if form.validate_on_submit():
        try:
            parsed = parse_people(decode(form.file.data.read(), form.file.data.filename))
        except UnreadableFile as unreadable:  # reported like the rows' problems
            outcome = services.ImportOutcome(errors=[unreadable.error])
        else:
            try:
                outcome = services.import_people(parsed, actor=current_user)
                db.session.flush()
            except IntegrityError as error:  # a simultaneous save took an email or team
                if not is_unique_violation(error):
                    raise
                db.session.rollback()
                form.file.errors.append(str(CONFLICT))
                outcome = None
            if outcome is not None and outcome.ok:
                flash(_("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.",
                        c=outcome.created, u=outcome.updated, n=outcome.unchanged), "success")
                return redirect(url_for("admin.users"))
            db.session.rollback()
    return render_template("admin/import_users.html", form=form, outcome=outcome)
