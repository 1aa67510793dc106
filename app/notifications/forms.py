"""The notification settings form: one choice per kind the person can receive."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField

from app.auth.models import Role, User
from app.notifications import services
from app.notifications.kinds import AUDIENCES, KINDS, Kind
from app.notifications.models import Delivery

# Which roles make a person an audience of a group of kinds (learners are everyone).
AUDIENCE_ROLES: dict[str, frozenset[Role] | None] = {
    "learner": None,
    "reviewer": frozenset({Role.REVIEWER, Role.MANAGER, Role.TRAINER}),
    "coordinator": frozenset({Role.MANAGER, Role.TRAINER, Role.ADMIN}),
    "trainer": frozenset({Role.TRAINER, Role.ADMIN}),
    "supervision": frozenset({Role.SUPERVISOR}),
}

AUDIENCE_LABELS = {
    "learner": _l("For me as a learner"),
    "reviewer": _l("As a reviewer"),
    "coordinator": _l("As a coordinator or manager"),
    "trainer": _l("As a trainer"),
    "supervision": _l("As a member of the supervision group"),
}

DELIVERY_LABELS = {
    Delivery.IMMEDIATE: _l("E-mail at once"),
    Delivery.DIGEST: _l("In the daily digest"),
    Delivery.OFF: _l("In the app only"),
}


@dataclass(frozen=True)
class Row:
    audience: str
    kind: Kind
    field_name: str


def kinds_for(user: User) -> list[Kind]:
    """The kinds the person can receive, grouped by audience in page order."""
    def reaches(audience: str) -> bool:
        roles = AUDIENCE_ROLES[audience]
        return roles is None or bool(user.roles & roles)
    return [k for a in AUDIENCES if reaches(a)
            for k in sorted(KINDS.values(), key=lambda k: k.key) if k.audience == a]


class PreferencesForm(FlaskForm):
    submit = SubmitField(_l("Save my settings"))
    _rows: list[Row]

    def choices(self) -> dict[str, Delivery]:
        return {row.kind.key: Delivery(self[row.field_name].data) for row in self._rows}


def preferences_form(user: User) -> tuple[PreferencesForm, list[Row]]:
    """The form for this person, each kind's select set to their current choice."""
    rows = [Row(k.audience, k, "kind_" + k.key.replace(".", "__")) for k in kinds_for(user)]

    class _Form(PreferencesForm):
        pass

    options = [SelectChoice(d.value, DELIVERY_LABELS[d]) for d in Delivery]
    for row in rows:
        setattr(_Form, row.field_name, SelectField(
            row.kind.label(), choices=options,
            default=services.delivery(user.id, row.kind.key).value))
    form = _Form()
    form._rows = rows
    return form, rows
