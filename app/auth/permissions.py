"""Who may do what to which object: the one place that decides.

Views never test roles themselves; they call :func:`can`, :func:`require` or
:func:`ensure`. Templates get ``can`` too, so navigation shows only what the
person's roles allow.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from app.auth.models import Role, User


class Permission(enum.StrEnum):
    MANAGE_USERS = "users.manage"
    READ_AUDIT = "audit.read"
    VIEW_PERSON = "person.view"
    VIEW_COURSE_STATS = "courses.stats"
    MANAGE_BANKS = "banks.manage"
    MANAGE_EXAMS = "exams.manage"


ROLE_GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    # §4.1: the supervision group reads everything.
    Permission.READ_AUDIT: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Permission.VIEW_PERSON: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # §2.5: trainers evaluate their courses' effectiveness.
    Permission.VIEW_COURSE_STATS: frozenset({Role.TRAINER, Role.ADMIN}),
    # Question banks hold exam answer keys: trainers and admins only.
    Permission.MANAGE_BANKS: frozenset({Role.TRAINER, Role.ADMIN}),
    # Building, marking and analysing exams (§3.2.1, §2.5.1).
    Permission.MANAGE_EXAMS: frozenset({Role.TRAINER, Role.ADMIN}),
}


def _may_view_person(user: User, person: User) -> bool:
    """A person is seen by themselves, their manager, supervisors and admins."""
    return person.id == user.id or person.manager_id == user.id


# Object rules widen a role grant for a particular object; the role grant
# always applies too.
OBJECT_RULES: dict[Permission, Callable[[User, Any], bool]] = {
    Permission.VIEW_PERSON: _may_view_person,
}


def can(user: Any, permission: Permission, obj: Any = None) -> bool:
    """True when ``user`` may exercise ``permission`` (on ``obj`` when given)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.roles & ROLE_GRANTS.get(permission, frozenset()):
        return True
    rule = OBJECT_RULES.get(permission)
    return obj is not None and rule is not None and rule(user, obj)


def ensure(permission: Permission, obj: Any = None) -> None:
    """Abort with 403 unless the current user may act; for object checks in views."""
    if not can(current_user, permission, obj):
        abort(403)


def require(permission: Permission):
    """View decorator for a role-level permission.

    The permission is recorded on the view so tests can walk the URL map and
    prove every restricted route refuses people without it.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            ensure(permission)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def public(view):
    """Mark a view as reachable without signing in (login, health, language)."""
    view.is_public = True
    return view
