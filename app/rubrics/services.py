"""Importing rubrics into the database (versioned, all-or-nothing) and reading them back.

The files are read and checked by :mod:`app.rubrics.format`; this module
stores them. A rubric is stored once by its ``id`` (:class:`~app.rubrics.models.Rubric`)
with one :class:`~app.rubrics.models.RubricVersion` per distinct content: a new version
is written only when the content fingerprint changes, and old versions are never changed,
because reviews keep the exact version they were scored against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import log as audit
from app.banks.rendering import render_pieces
from app.content.authoring import Issue
from app.content.markdown import MarkdownTooLarge
from app.database import utcnow
from app.extensions import db
from app.rubrics.format import Rubric, content_fingerprint
from app.rubrics.models import Rubric as RubricRow
from app.rubrics.models import RubricVersion

__all__ = [
    "KIND_LABELS",
    "ImportRefused",
    "ImportReport",
    "RubricChange",
    "current_version",
    "import_rubrics",
    "render_rubric",
    "rubric_by_id",
    "rubric_choices",
    "version_by_id",
]

# Any constant: the key of the PostgreSQL advisory lock that serialises rubric imports
# (audit.py uses 7_243_001, the bank importer 7_243_002).
_IMPORT_LOCK_KEY = 7_243_003

KIND_LABELS = {
    "demo": _l("Product demonstration"),
    "interview": _l("Interview"),
    "project-review": _l("Project review"),
    "professionalism": _l("Professionalism"),
}


# -- rendering -------------------------------------------------------------------------------


def render_rubric(content: dict[str, Any]) -> dict[str, Any]:
    """The sanitised HTML of every Markdown piece of a rubric's content (``Rubric.content()``).

    ``{"description": html, "criteria": {key: {"guidance": html,
    "levels": {str(value): html}}}}``; an empty description or guidance is ``""``.
    Raises :class:`~app.content.markdown.MarkdownTooLarge` for an oversized rubric.
    """
    pieces = [content["description"]]
    for criterion in content["criteria"]:
        pieces.append(criterion["guidance"])
        pieces += [level["description"] for level in criterion["levels"]]
    html = iter(render_pieces(pieces))  # all through render_markdown, in one call when it can
    description = next(html)
    criteria = {criterion["key"]: _criterion_html(criterion, html)
                for criterion in content["criteria"]}
    return {"description": description if content["description"].strip() else "",
            "criteria": criteria}


def _criterion_html(criterion: dict[str, Any], html: Iterator[str]) -> dict[str, Any]:
    """One criterion's guidance and levels, taken from the rendered pieces in order."""
    guidance = next(html)
    return {"guidance": guidance if criterion["guidance"].strip() else "",
            "levels": {str(level["value"]): next(html) for level in criterion["levels"]}}


# -- importing -------------------------------------------------------------------------------


@dataclass
class RubricChange:
    """What an import did (or, in a dry run, would do) to one rubric."""

    rubric_id: str
    title: str
    status: str  # added, changed, unchanged
    before: int | None  # the current version number before the import (None: new rubric)
    after: int  # the current version number after it
    path: str = ""

    def __str__(self) -> str:
        if self.status == "added":
            return f"{self.rubric_id}: added (version {self.after})"
        if self.status == "changed":
            return f"{self.rubric_id}: changed (version {self.before} → {self.after})"
        return f"{self.rubric_id}: unchanged (version {self.after})"


@dataclass
class ImportReport:
    changes: list[RubricChange] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged."


class ImportRefused(ValueError):
    """The import would break a rule; nothing was written.

    ``issues`` are :class:`~app.content.authoring.Issue` objects (``path:line: message``);
    ``messages`` the same as text.
    """

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        self.messages = [str(issue) for issue in self.issues]
        super().__init__("; ".join(self.messages))


@dataclass
class _Plan:
    source: Rubric
    row: RubricRow | None
    change: RubricChange
    content: dict[str, Any] | None = None  # set when a version is to be written
    fingerprint: str = ""
    rendered: dict[str, Any] | None = None


def import_rubrics(rubrics: list[Rubric], actor=None,
                   actor_label: str | None = None) -> ImportReport:
    """Bring every rubric up to date in the current transaction (the caller commits).

    A new ``id`` creates the rubric and its version 1; a changed content fingerprint adds
    the next version (earlier versions stay as they are); an unchanged rubric writes
    nothing. Every rubric is checked before anything is written: raises
    :class:`ImportRefused`, having written nothing, when a rubric ID is given twice, an
    existing rubric would change its kind, or a rubric is too large to render. One audit
    entry is recorded per added or changed rubric.
    """
    _one_import_at_a_time()
    plans, issues = _plan(rubrics)
    if issues:
        raise ImportRefused(issues)
    who = actor_label or getattr(actor, "email", None) or "system"
    for plan in plans:
        if plan.content is not None:
            _write(plan, who, actor, actor_label)
    return ImportReport([plan.change for plan in plans])


def _one_import_at_a_time() -> None:
    """Two concurrent imports of a rubric would race on its version numbers: PostgreSQL takes
    a lock until the transaction ends (SQLite's writing transactions are already serialised)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_IMPORT_LOCK_KEY)))


def _plan(rubrics: list[Rubric]) -> tuple[list[_Plan], list[Issue]]:
    """Decide what to do with each rubric, and find every reason to refuse, reading only."""
    first, issues = _first_of_each_id(rubrics)
    rows: dict[str, RubricRow] = {}
    if first:
        rows = {row.rubric_id: row for row in db.session.execute(
            sa.select(RubricRow).where(RubricRow.rubric_id.in_(list(first)))).scalars()}
    fingerprints = _current_fingerprints([row.id for row in rows.values()])
    plans = [_plan_one(rubric, rows.get(rubric.id), fingerprints, issues) for rubric in rubrics]
    return plans, issues


def _first_of_each_id(rubrics: list[Rubric]) -> tuple[dict[str, Rubric], list[Issue]]:
    """The first rubric of each ID, and an issue for every later one with the same ID."""
    issues: list[Issue] = []
    first: dict[str, Rubric] = {}
    for rubric in rubrics:
        if (other := first.get(rubric.id)) is not None:
            issues.append(Issue(rubric.path, rubric.line,
                                f"duplicate rubric ID '{rubric.id}': {other.path}:{other.line} "
                                "has the same ID; give each rubric its own ID"))
        else:
            first[rubric.id] = rubric
    return first, issues


def _plan_one(rubric: Rubric, row: RubricRow | None, fingerprints: dict[int, str],
              issues: list[Issue]) -> _Plan:
    """What to do with one rubric; a reason to refuse goes to ``issues``."""
    fingerprint = content_fingerprint(rubric)
    change = _change(rubric, row, fingerprints.get(row.id) if row else None, fingerprint)
    if change.status == "changed" and row is not None and rubric.kind != row.kind:
        issues.append(Issue(rubric.path, rubric.line,
                            f"rubric '{rubric.id}' is a {row.kind} rubric; this file makes it "
                            f"a {rubric.kind} rubric: an evaluation kind must not silently "
                            "change; give it a new id instead"))
    plan = _Plan(rubric, row, change)
    if change.status != "unchanged":
        plan.content, plan.fingerprint = rubric.content(), fingerprint
        try:
            plan.rendered = render_rubric(plan.content)
        except MarkdownTooLarge as exc:
            issues.append(Issue(rubric.path, 1, f"the rubric is too large to show ({exc})"))
    return plan


def _change(rubric: Rubric, row: RubricRow | None, stored: str | None,
            fingerprint: str) -> RubricChange:
    """Added (no row), unchanged (same fingerprint) or changed (the next version)."""
    if row is None:
        return RubricChange(rubric.id, rubric.title, "added", None, 1, rubric.path)
    if stored == fingerprint:
        return RubricChange(rubric.id, rubric.title, "unchanged", row.version, row.version,
                            rubric.path)
    return RubricChange(rubric.id, rubric.title, "changed", row.version, row.version + 1,
                        rubric.path)


def _current_fingerprints(rubric_pks: list[int]) -> dict[int, str]:
    """rubric pk → fingerprint of its current version, in one query."""
    if not rubric_pks:
        return {}
    rows = db.session.execute(
        sa.select(RubricVersion.rubric_pk, RubricVersion.fingerprint)
        .join(RubricRow, sa.and_(RubricRow.id == RubricVersion.rubric_pk,
                                 RubricRow.version == RubricVersion.version))
        .where(RubricVersion.rubric_pk.in_(rubric_pks))).all()
    return dict(rows)


def _write(plan: _Plan, who: str, actor, actor_label: str | None) -> None:
    source, change, now = plan.source, plan.change, utcnow()
    row = plan.row
    if row is None:
        row = RubricRow(rubric_id=source.id, created_at=now)
        db.session.add(row)
    row.title, row.kind, row.language = source.title, source.kind, source.language
    row.version, row.source_name, row.updated_at = change.after, source.path[-300:], now
    db.session.flush()
    db.session.add(RubricVersion(rubric_pk=row.id, version=change.after, content=plan.content,
                                 fingerprint=plan.fingerprint, rendered=plan.rendered,
                                 created_at=now, created_by=who[:254]))
    db.session.flush()
    audit.record("rubric.import", object_type="rubrics", object_id=source.id, actor=actor,
                 actor_label=actor_label,
                 before=None if change.before is None else {"version": change.before},
                 after={"version": change.after, "fingerprint": plan.fingerprint,
                        "title": source.title, "kind": source.kind})


# -- reading ---------------------------------------------------------------------------------


def rubric_by_id(rubric_id: str) -> RubricRow | None:
    return db.session.execute(sa.select(RubricRow).where(
        RubricRow.rubric_id == rubric_id)).scalar_one_or_none()


def current_version(rubric_pk: int) -> RubricVersion | None:
    """The rubric's current version (the one new evaluations use)."""
    return db.session.execute(
        sa.select(RubricVersion).join(RubricRow, sa.and_(
            RubricRow.id == RubricVersion.rubric_pk, RubricRow.version == RubricVersion.version))
        .where(RubricVersion.rubric_pk == rubric_pk)).scalar_one_or_none()


def version_by_id(version_id: int) -> RubricVersion | None:
    """A version by its primary key (what an evaluation stores), or None."""
    return db.session.get(RubricVersion, version_id)


def rubric_choices(kind: str | None = None) -> list[tuple[int, str]]:
    """(RubricVersion id, label) of every rubric's current version, by kind then title.

    For the select list of a form that schedules an evaluation; ``kind`` keeps one kind.
    """
    stmt = (sa.select(RubricVersion.id, RubricRow.rubric_id, RubricRow.title, RubricRow.kind,
                      RubricRow.version)
            .join(RubricRow, sa.and_(RubricRow.id == RubricVersion.rubric_pk,
                                     RubricRow.version == RubricVersion.version))
            .order_by(RubricRow.kind, RubricRow.title, RubricRow.rubric_id))
    if kind is not None:
        stmt = stmt.where(RubricRow.kind == kind)
    return [(pk, _("%(title)s (%(id)s, version %(version)d)", title=title, id=rubric_id,
                   version=version))
            for pk, rubric_id, title, _kind, version in db.session.execute(stmt)]
