"""Links on a complaint's page to other pages of the application, shown only to a reader
who may open them (a link that answers 403 tells nothing and looks broken).

The page's own rules decide, through app.auth.permissions.can: the permission its view
requires, and for a page about one object the object rule that view applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.assessments.models import AssessmentPeriod
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.evaluations.models import Evaluation
from app.extensions import db
from app.training.models import TrainingNeed


def _record(args: Mapping[str, Any]) -> object:
    from app.assessments import services as assessments

    period = db.session.get(AssessmentPeriod, args["period_id"])
    person = db.session.get(User, args["person_id"])
    return assessments.find_record(period, person) if period and person else None


# Pages about one object: the permission their view checks on it, and how to load it.
OBJECT_PAGES: dict[str, tuple[Permission, Callable[[Mapping[str, Any]], Any]]] = {
    "evaluations.show": (Permission.VIEW_EVALUATION,
                         lambda args: db.session.get(Evaluation, args["evaluation_id"])),
    "assessments.record": (Permission.VIEW_RECORD, _record),
    "main.archive": (Permission.VIEW_PERSON, lambda args: db.session.get(User, args["person_id"])),
    "training.need": (Permission.VIEW_NEED,
                      lambda args: db.session.get(TrainingNeed, args["need_id"])),
}


def _resolve(path: str) -> tuple[str | None, Mapping[str, Any]]:
    adapter = current_app.url_map.bind("localhost")
    for _attempt in range(2):  # once more after a redirect such as a missing final slash
        try:
            return adapter.match(urlsplit(path).path, method="GET")
        except RequestRedirect as moved:
            path = moved.new_url
        except HTTPException:  # no such page, or not one to open with GET
            break
    return None, {}


def may_open(user, path: str) -> bool:
    """Whether ``user`` may open ``path``, a page of this application.

    A page about one object that OBJECT_PAGES does not know is not offered: its view
    may refuse in ways this function cannot see.
    """
    endpoint, args = _resolve(path or "")
    if endpoint is None:
        return False
    required = getattr(current_app.view_functions[endpoint], "required_permission", None)
    if required is not None and not can(user, required):
        return False
    if endpoint in OBJECT_PAGES:
        permission, load = OBJECT_PAGES[endpoint]
        obj = load(args)
        return obj is not None and can(user, permission, obj)
    return not args
