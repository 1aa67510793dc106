"""The audit log page's queries: its filters, pages of 50, the CSV file of a filtered view and
the chain check behind the "verify the chain" button (the same as ``flask audit verify``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_timezone, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.audit import checkpoints
from app.audit.log import verify_chain
from app.audit.models import AuditEntry
from app.auth.models import User
from app.database.concurrency import write_intent
from app.exams.exports import table_csv
from app.extensions import db
from app.oversight import audit_words as words
from app.oversight.audit_objects import describe
from app.templating import display_date

_LIKE_ESCAPE = "/"


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    person = SelectField(_l("Person"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False)
    kind = SelectField(_l("Kind of object"), validate_choice=False)
    object_id = StringField(_l("Object ID"), validators=[Optional(), Length(max=80)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    q = StringField(_l("Text"), validators=[Optional(), Length(max=200)])

    def validate_person(self, person: SelectField) -> None:
        if person.data and person.data not in {c[0] for c in _pairs(person.choices)}:
            raise ValidationError(_l("No person has the ID “%(id)s”: choose someone from "
                                     "the list, or “Anyone”.", id=person.data))

    def validate_action(self, action: SelectField) -> None:
        if action.data and action.data not in {c[0] for c in _pairs(action.choices)}:
            raise ValidationError(_l("No entry has the action “%(action)s”: choose one from "
                                     "the list, or “Any action”.", action=action.data))

    def validate_until(self, until: DateField) -> None:
        if until.data and self.since.data and until.data < self.since.data:
            raise ValidationError(_l("“Until” is before “From”: write a date on or after "
                                     "%(since)s.", since=display_date(self.since.data)))


def _pairs(choices) -> list[tuple[str, str]]:
    return [(c.value, c.label) if isinstance(c, SelectChoice) else (c[0], c[1])
            for c in choices or []]


def filter_form(args) -> AuditFilterForm:
    """The filter form read from the query string, with its choices from the log."""
    form = AuditFilterForm(args)
    people = db.session.execute(sa.select(User.id, User.display_name, User.email)
                                .order_by(User.display_name, User.id)).all()
    form.person.choices = [SelectChoice("", _("Anyone"))] + [
        SelectChoice(str(p.id), f"{p.display_name} ({p.email})") for p in people]
    used = db.session.execute(sa.select(AuditEntry.action).distinct()).scalars()
    actions = sorted(set(used) | set(words.ACTIONS), key=words.action_name)
    form.action.choices = [SelectChoice("", _("Any action"))] + [
        SelectChoice(a, words.action_name(a)) for a in actions]
    kinds = db.session.execute(sa.select(AuditEntry.object_type).distinct()).scalars()
    form.kind.choices = [SelectChoice("", _("Any kind"))] + [
        SelectChoice(k, words.kind_name(k)) for k in sorted(set(kinds), key=words.kind_name)]
    return form


def filtered(form: AuditFilterForm) -> sa.Select:
    """The entries the (validated) form asks for, newest first."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if form.person.data:
        stmt = stmt.where(_about_person(int(form.person.data)))
    if form.action.data:
        stmt = stmt.where(AuditEntry.action == form.action.data)
    if form.kind.data:
        stmt = stmt.where(AuditEntry.object_type == form.kind.data)
    if form.object_id.data:
        stmt = stmt.where(AuditEntry.object_id == form.object_id.data.strip())
    if form.since.data:
        stmt = stmt.where(AuditEntry.created_at >= _local_midnight(form.since.data))
    if form.until.data:
        stmt = stmt.where(AuditEntry.created_at
                          < _local_midnight(form.until.data) + timedelta(days=1))
    if form.q.data and form.q.data.strip():
        stmt = stmt.where(_text_matches(form.q.data.strip()))
    return stmt


def _about_person(person_id: int) -> sa.ColumnElement[bool]:
    """Who acted, or whose account was acted on."""
    return sa.or_(AuditEntry.actor_id == person_id,
                  sa.and_(AuditEntry.object_type == "users",
                          AuditEntry.object_id == str(person_id)))


def _local_midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=get_timezone())


def _text_matches(text: str) -> sa.ColumnElement[bool]:
    """The text in the action (its key or its words), object, who, reason or the JSON.

    The JSON columns hold non-ASCII text as \\u escapes, so the escaped form is searched too.
    """
    forms = {text, json.dumps(text)[1:-1]}
    columns = [AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
               AuditEntry.actor_label, AuditEntry.reason,
               sa.cast(AuditEntry.before, sa.Text), sa.cast(AuditEntry.after, sa.Text)]
    clauses = [column.ilike(_like(f), escape=_LIKE_ESCAPE) for f in forms for column in columns]
    named = sa.select(User.id).where(User.display_name.ilike(_like(text),
                                                             escape=_LIKE_ESCAPE))
    clauses.append(AuditEntry.actor_id.in_(named))
    in_words = [a for a in words.ACTIONS if text.casefold() in words.action_name(a).casefold()]
    if in_words:
        clauses.append(AuditEntry.action.in_(in_words))
    return sa.or_(*clauses)


def _like(text: str) -> str:
    for char in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, _LIKE_ESCAPE + char)
    return f"%{text}%"


@dataclass
class PageChoice:
    number: int
    message: str | None = None


def page_number(raw: str | None, total: int, size: int) -> PageChoice:
    """The page asked for, or the nearest one there is, with a message saying why."""
    pages = max(1, math.ceil(total / size))
    if raw is None or raw == "":
        return PageChoice(1)
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        return PageChoice(1, _("“%(page)s” is not a page number: write a whole number from 1 "
                               "to %(pages)d. Showing page 1.", page=raw[:40], pages=pages))
    if int(raw) > pages:  # however long: SQLite's OFFSET would overflow past 2**63
        return PageChoice(pages, _("There is no page %(page)s: this view has %(pages)d. "
                                   "Showing the last page.", page=raw[:40], pages=pages))
    return PageChoice(int(raw))


def count(stmt: sa.Select) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()


@dataclass(frozen=True)
class EntryView:
    """One entry as the page and the file show it."""

    entry: AuditEntry
    actor: str
    actor_url: str | None
    object_label: str
    object_url: str | None
    changes: list[words.FieldChange] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return words.kind_name(self.entry.object_type)


def readable(entries: list[AuditEntry], reader: User) -> list[EntryView]:
    """Entries with their people and objects in words, and their changed fields."""
    refs = describe([(e.object_type, e.object_id) for e in entries], reader)
    people = describe([("users", str(e.actor_id)) for e in entries if e.actor_id is not None],
                      reader)
    views = []
    for entry in entries:
        ref = refs[entry.object_type, entry.object_id]
        person = people.get(("users", str(entry.actor_id)))
        views.append(EntryView(entry, person.label if person else entry.actor_label,
                               person.url if person else None, ref.label, ref.url,
                               words.changed_fields(entry.before, entry.after)))
    return views


def csv_file(stmt: sa.Select, reader: User) -> bytes:
    """Every entry of the filtered view, oldest last, as the page words it."""
    entries = list(db.session.execute(stmt).unique().scalars())
    tz = str(get_timezone())
    headers = ["#", _("When (%(tz)s)", tz=tz), _("Who"), _("What happened"), _("Action"),
               _("Kind of object"), _("Object ID"), _("Changed fields"), _("Reason"),
               _("Hash")]
    rows = [[v.entry.id,
             to_user_timezone(v.entry.created_at).replace(tzinfo=None, microsecond=0),
             v.actor, words.plain_sentence(v.entry.action, v.actor, v.object_label),
             v.entry.action, v.kind, v.entry.object_id, words.changes_text(v.changes),
             v.entry.reason or "", v.entry.hash] for v in readable(entries, reader)]
    return table_csv(headers, rows)


@dataclass(frozen=True)
class ChainCheck:
    """What ``flask audit verify`` would print, for the page."""

    ok: bool
    checked: int
    head: str | None
    problem: str | None = None  # a code: unreadable, order, edited, deleted, rewritten
    detail: str | None = None
    broken_at: int | None = None
    checkpoint_count: int = 0
    latest: checkpoints.Checkpoint | None = None


def verify() -> ChainCheck:
    """Walk the whole chain and hold it against every checkpoint in the file."""
    try:
        recorded = checkpoints.read_all(current_app.config["AUDIT_CHECKPOINT_FILE"])
    except checkpoints.CheckpointFileError as exc:
        return ChainCheck(False, 0, None, "unreadable", str(exc))
    with write_intent(False):
        report = verify_chain(positions={c.count for c in recorded})
    if not report.ok:
        code = "edited" if "content" in (report.problem or "") else "order"
        return ChainCheck(False, report.checked, None, code, report.problem, report.broken_at,
                          len(recorded))
    contradicted = checkpoints.against_report(recorded, report)
    if contradicted:
        checkpoint, problem = contradicted
        return ChainCheck(False, report.checked, report.head, problem.kind, problem.text,
                          None, len(recorded), checkpoint)
    return ChainCheck(True, report.checked, report.head, None, None, None, len(recorded),
                      recorded[-1] if recorded else None)


def _linked(label: str, url: str | None) -> Markup:
    if url is None:
        return escape(label)
    return Markup('<a href="{url}">{label}</a>').format(url=url, label=label)


def sentence_of(view: EntryView) -> Markup:
    """The entry as a sentence, its person and object linked where the reader may open them."""
    return words.sentence(view.entry.action, _linked(view.actor, view.actor_url),
                          _linked(view.object_label, view.object_url))
