"""Importing banks into the database (versioned, all-or-nothing) and reading them back."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit import log as audit
from app.banks.models import Question, QuestionAsset, QuestionBank, QuestionVersion
from app.banks.questions import ASSET_URL_PREFIX, Asset, Bank
from app.banks.questions import Question as QuestionModel
from app.banks.readers import format_of
from app.banks.rendering import render_question
from app.content.authoring import Issue
from app.database import utcnow
from app.extensions import db

# Fields whose change a version records, in the order shown in the history.
TRACKED_FIELDS = ("stem", "type", "points", "difficulty", "tags", "choices", "answers", "pairs",
                  "sequence", "guidance", "word_limit", "explanation")


_IMPORT_LOCK_KEY = 7_243_002


@dataclass
class BankChange:
    bank_id: str
    status: str  # added, changed, unchanged
    counts: dict[str, int] = field(default_factory=lambda: {
        "added": 0, "changed": 0, "unchanged": 0, "retired": 0})

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"{self.bank_id}: {self.status} ({counts})"


class ImportRefused(ValueError):
    """The import would break a rule across banks; nothing was changed."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


def _foreign_question_ids(banks: list[Bank]) -> list[Issue]:
    """Question IDs that already belong to a bank other than the one importing them."""
    wanted = {q.id: (bank, q) for bank in banks for q in bank.questions}
    if not wanted:
        return []
    issues = []
    owners = db.session.execute(
        sa.select(Question.question_id, QuestionBank.bank_id).join(QuestionBank)
        .where(Question.question_id.in_(list(wanted)))).all()
    for question_id, owner in owners:
        bank, question = wanted[question_id]
        if owner != bank.id:
            issues.append(Issue(bank.path, question.line,
                                f"ID {question_id} already belongs to bank {owner!r}: give this "
                                "question another ID", question_id))
    return issues


def import_banks(banks: list[Bank], *, source_format: str | None = None, actor=None,
                 actor_label: str | None = None,
                 refused: list[Issue] | None = None) -> list[BankChange]:
    """Bring every bank up to date in the current transaction (the caller commits).

    Raises ImportRefused, having changed nothing, when a question ID belongs to
    another bank. ``source_format`` defaults to what each file's ending says.
    ``refused``: the errors of questions a keep-the-good import left out; each bank's audit
    record lists its own (line and ID), so the log says what was not imported.
    """
    one_import_at_a_time()
    issues = _foreign_question_ids(banks)
    if issues:
        raise ImportRefused(issues)
    who = actor_label or getattr(actor, "email", None) or "system"
    changes = []
    _store_assets([asset for bank in banks for asset in bank.assets])
    for bank in banks:
        change = _import_bank(bank, source_format or format_of(bank.path, None), who)
        changes.append(change)
        left_out = [{"line": issue.line, "id": issue.question_id, "error": issue.message[:300]}
                    for issue in refused or () if issue.path == bank.path]
        if change.status != "unchanged" or left_out:
            after: dict[str, Any] = dict(change.counts)
            if left_out:
                after |= {"mode": "keep-good", "refused": left_out}
            audit.record("bank.import", object_type="question_banks", object_id=bank.id,
                         actor=actor, actor_label=actor_label, after=after)
    return changes


def _store_assets(assets: list[Asset]) -> None:
    """Keep each file the questions link, once by content (an import never removes one)."""
    wanted = {asset.sha256: asset for asset in assets}
    if not wanted:
        return
    stored = set(db.session.execute(sa.select(QuestionAsset.sha256).where(
        QuestionAsset.sha256.in_(list(wanted)))).scalars())
    for sha256, asset in wanted.items():
        if sha256 not in stored:
            db.session.add(QuestionAsset(sha256=sha256, name=asset.name[:200],
                                         media_type=asset.media_type, size=len(asset.data),
                                         data=asset.data))


_ASSET_LINK_RE = re.compile(re.escape(ASSET_URL_PREFIX) + r"([0-9a-f]{64})/")


def linked_assets(bank: Bank) -> tuple[Asset, ...]:
    """The stored files the bank's questions link, for an export that carries them."""
    shas = {sha for question in bank.questions
            for sha in _ASSET_LINK_RE.findall(json.dumps(question.content()))}
    if not shas:
        return ()
    rows = db.session.execute(sa.select(QuestionAsset).options(sa.orm.undefer(QuestionAsset.data))
                              .where(QuestionAsset.sha256.in_(sorted(shas)))
                              .order_by(QuestionAsset.sha256)).scalars()
    return tuple(Asset(row.name, row.media_type, row.data) for row in rows)


def one_import_at_a_time() -> None:
    """Concurrent imports of the same bank would race on versions: PostgreSQL takes a lock
    until the transaction ends (SQLite's writing transactions are already serialised)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_IMPORT_LOCK_KEY)))


def _import_bank(source: Bank, source_format: str, who: str) -> BankChange:
    row, change = _bank_row(source, source_format)
    existing = {q.question_id: q for q in db.session.execute(
        sa.select(Question).where(Question.bank_pk == row.id)).scalars()}
    current = _current_contents(row.id)
    for position, question in enumerate(source.questions, start=1):
        kind = _import_question(row, existing.get(question.id), current, question, position,
                                who)
        change.counts[kind] += 1
    now = utcnow()
    _retire_missing(existing, {q.id for q in source.questions}, change, now)
    if any(change.counts[k] for k in ("added", "changed", "retired")):
        # The stamp exam draws check (exams.attempts.banks_stamp): a question added,
        # changed, retired or brought back must be seen by the next draw.
        row.updated_at, row.revision = now, (row.revision or 0) + 1
        if change.status == "unchanged":
            change.status = "changed"
    db.session.flush()
    return change


def _bank_row(source: Bank, source_format: str) -> tuple[QuestionBank, BankChange]:
    """The bank's row, added or with its title, area, language and tags brought up to date."""
    row = bank_by_id(source.id)
    change = BankChange(source.id, "added" if row is None else "unchanged")
    if row is None:
        row = QuestionBank(bank_id=source.id)
        db.session.add(row)
    meta = (source.title, source.area, source.language, list(source.tags))
    if (row.title, row.area, row.language, row.tags) != meta:
        row.title, row.area, row.language, row.tags = meta
        row.updated_at = utcnow()
        change.status = "changed" if change.status == "unchanged" else change.status
    row.source_format, row.source_name = source_format, source.path[-300:]
    db.session.flush()
    return row, change


def _retire_missing(existing: dict[str, Question], wanted: set[str], change: BankChange,
                    now: datetime) -> None:
    """Questions the file no longer holds are retired, never deleted: attempts refer to them."""
    for question_id, stored in existing.items():
        if question_id not in wanted and stored.retired_at is None:
            stored.retired_at = now
            change.counts["retired"] += 1


def _current_contents(bank_pk: int) -> dict[int, tuple[str, dict[str, Any]]]:
    """question pk → (hash, content) of each question's current version, in one query."""
    rows = db.session.execute(
        sa.select(QuestionVersion.question_pk, QuestionVersion.content_hash,
                  QuestionVersion.content)
        .join(Question, sa.and_(Question.id == QuestionVersion.question_pk,
                                Question.version == QuestionVersion.version))
        .where(Question.bank_pk == bank_pk)).all()
    return {pk: (digest, content) for pk, digest, content in rows}


def _import_question(bank: QuestionBank, stored: Question | None,
                     current: dict[int, tuple[str, dict[str, Any]]], question: QuestionModel,
                     position: int, who: str) -> str:
    """Add, update or keep one question; "added", "changed" or "unchanged" for the counts."""
    digest = question.content_hash()
    previous: dict[str, Any] | None = None
    if stored is None:
        stored = Question(question_id=question.id, bank_pk=bank.id, version=0)
        db.session.add(stored)
        kind = "added"
    else:
        previous_hash, previous = current.get(stored.id, (None, None))
        kind = _kind_of_change(stored, previous_hash == digest)
    _copy_facets(stored, question, position)
    stored.retired_at = None
    if kind == "changed" or (kind == "added" and previous is None):
        _add_version(stored, question, digest, previous, who)
    return kind


def _kind_of_change(stored: Question, same_content: bool) -> str:
    """A stored question whose content is the same is unchanged, or added back if retired."""
    if not same_content:
        return "changed"
    return "unchanged" if stored.retired_at is None else "added"


def _add_version(stored: Question, question: QuestionModel, digest: str,
                 previous: dict[str, Any] | None, who: str) -> None:
    stored.version += 1
    content = question.content()
    db.session.add(QuestionVersion(
        question=stored, version=stored.version, content=content, content_hash=digest,
        rendered=render_question(question), changes=_changed_fields(previous, content),
        source_line=question.line, created_by=who))


def _copy_facets(stored: Question, question: QuestionModel, position: int) -> None:
    stored.position, stored.type, stored.difficulty = position, question.type, question.difficulty
    stored.points = question.points
    stored.tag_list = "," + ",".join(question.tags) + ","
    stored.search_text = f"{question.id} {question.stem}"[:4000]


def _changed_fields(previous: dict[str, Any] | None, content: dict[str, Any]) -> list[str]:
    if previous is None:
        return []
    return [name for name in TRACKED_FIELDS if previous.get(name) != content.get(name)]


def bank_model(row: QuestionBank, *, include_retired: bool = False) -> Bank:
    """A stored bank as the pure model (current versions), e.g. for export."""
    stmt = (sa.select(QuestionVersion.content)
            .join(Question, sa.and_(Question.id == QuestionVersion.question_pk,
                                    Question.version == QuestionVersion.version))
            .where(Question.bank_pk == row.id).order_by(Question.position))
    if not include_retired:
        stmt = stmt.where(Question.retired_at.is_(None))
    questions = [QuestionModel.from_content(content)
                 for content in db.session.execute(stmt).scalars()]
    bank = Bank(id=row.bank_id, title=row.title, area=row.area, language=row.language,
                tags=tuple(row.tags), questions=questions, path=row.source_name)
    bank.assets = linked_assets(bank)
    return bank


def bank_by_id(bank_id: str) -> QuestionBank | None:
    return db.session.execute(sa.select(QuestionBank).where(
        QuestionBank.bank_id == bank_id)).scalar_one_or_none()
