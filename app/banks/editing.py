"""Changing banks from the browser: one question saved, a new empty bank.

Both go through :func:`app.banks.services.import_banks`, the path uploads and the CLI
use: a saved question becomes a new version, the import is audited, and the bank's
revision moves so the next exam draw sees it. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from app.audit import log as audit
from app.banks.editor import EDITOR, Checked, check_question
from app.banks.markdown_export import export_bank
from app.banks.markdown_format import parse_bank
from app.banks.models import Question, QuestionBank, QuestionVersion
from app.banks.questions import Bank
from app.banks.questions import Question as QuestionModel
from app.banks.services import (
    BankChange,
    ImportRefused,
    bank_by_id,
    bank_model,
    import_banks,
    one_import_at_a_time,
)
from app.content.authoring import Issue
from app.extensions import db


class EditRefused(ValueError):
    """The text cannot be saved; ``issues`` say where and why (nothing was stored)."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues


def bank_meta(row: QuestionBank) -> Bank:
    """The stored bank's front matter as the pure model (no questions)."""
    return Bank(id=row.bank_id, title=row.title, area=row.area, language=row.language,
                tags=tuple(row.tags), path=row.source_name)


def current_model(stored: Question) -> QuestionModel:
    """The question's current version as the pure model."""
    content = db.session.execute(sa.select(QuestionVersion.content).where(
        QuestionVersion.question_pk == stored.id,
        QuestionVersion.version == stored.version)).scalar_one()
    return QuestionModel.from_content(content)


def check_text(row: QuestionBank, text: str, question_id: str | None) -> Checked:
    """The editor's text checked in its bank; a new question's ID must be free everywhere."""
    checked = check_question(bank_meta(row), text, expected_id=question_id)
    if question_id is None and checked.question is not None:
        owner = _owner_of(checked.question.id)
        if owner is not None:
            checked = Checked(None, [*checked.issues, Issue(
                EDITOR, 1, f"the ID {checked.question.id} is already used in bank {owner!r}: "
                           "choose another ID", checked.question.id)])
    return checked


def _owner_of(question_id: str) -> str | None:
    return db.session.execute(sa.select(QuestionBank.bank_id).join(Question).where(
        Question.question_id == question_id)).scalar_one_or_none()


@dataclass
class Saved:
    question_id: str
    version: int
    changed: bool


def save_question(row: QuestionBank, text: str, *, question_id: str | None,
                  base_version: int | None, actor) -> Saved:
    """Store the editor's question as a new version of its bank, through the import.

    ``base_version`` is the version the editor was opened on: if someone saved another
    since, the save is refused rather than silently overwriting theirs.
    """
    checked = check_text(row, text, question_id)
    if checked.errors or checked.question is None:
        raise EditRefused(checked.errors)
    one_import_at_a_time()  # before reading the version it is compared with
    stored = _stored(checked.question.id) if question_id is not None else None
    if stored is not None and base_version is not None and stored.version != base_version:
        raise EditRefused([Issue(EDITOR, 1, f"someone saved version {stored.version} of "
                                            f"{stored.question_id} while you were editing "
                                            f"version {base_version}: open it again and "
                                            "redo your change there", stored.question_id)])
    bank = _with_question(row, checked.question)
    changes = _import(bank, row, actor)
    saved = _stored(checked.question.id)
    changed = changes[0].counts["added"] + changes[0].counts["changed"] > 0
    if changed:
        audit.record("bank.question_save", object_type="questions", object_id=saved.question_id,
                     actor=actor, after={"bank": row.bank_id, "version": saved.version})
    return Saved(saved.question_id, saved.version, changed)


def _stored(question_id: str) -> Question:
    return db.session.execute(sa.select(Question).where(
        Question.question_id == question_id)).scalar_one()


def _with_question(row: QuestionBank, question: QuestionModel) -> Bank:
    """The bank's current questions with ``question`` in its place (or added at the end)."""
    bank = bank_model(row)
    ids = [q.id for q in bank.questions]
    questions = list(bank.questions)
    if question.id in ids:
        questions[ids.index(question.id)] = question
    else:
        questions.append(question)
    return replace(bank, questions=questions)


def _import(bank: Bank, row: QuestionBank, actor) -> list[BankChange]:
    try:
        return import_banks([bank], source_format=row.source_format, actor=actor)
    except ImportRefused as refused:
        raise EditRefused([replace(issue, path=EDITOR, line=1)
                           for issue in refused.issues]) from refused


_FRONT_FIELDS = ("id", "title", "area", "language", "tags")  # lines 2-6 of the front matter


def create_bank(bank_id: str, title: str, area: str, language: str, tags: str,
                *, actor) -> BankChange:
    """A new bank with no questions, its front matter checked by the bank format.

    Refusals name the form field (``Issue.path``) the problem is in.
    """
    if bank_by_id(bank_id) is not None:
        raise EditRefused([Issue("id", 0, f"a bank with the ID {bank_id!r} exists already: "
                                          "choose another ID")])
    bank = _checked_front(bank_id, title, area, language, tags)
    return import_banks([bank], source_format="markdown", actor=actor)[0]


def update_bank(row: QuestionBank, title: str, area: str, language: str, tags: str,
                *, actor) -> BankChange:
    """New title, area, language or tags for a stored bank, through the import.

    The whole bank is read again by the format's parser, so a tag its questions still
    use cannot be removed; such a refusal names the question on the ``tags`` field.
    """
    front = _checked_front(row.bank_id, title, area, language, tags)
    bank = replace(bank_model(row), title=front.title, area=front.area,
                   language=front.language, tags=front.tags)
    _, issues = parse_bank(export_bank(bank), bank.path)
    errors = [Issue("tags", 0, f"{issue.question_id}: {issue.message}", issue.question_id)
              for issue in issues if issue.severity == "error"]
    if errors:
        raise EditRefused(errors)
    return import_banks([bank], source_format=row.source_format, actor=actor)[0]


def _checked_front(bank_id: str, title: str, area: str, language: str, tags: str) -> Bank:
    """The bank (no questions) the front matter describes; refusals name their field."""
    values = [_one_line(value) for value in (bank_id, title, area, language, tags)]
    lines = ["---", *(f"{key}: {value}" for key, value in zip(_FRONT_FIELDS, values,
                                                               strict=True) if value), "---"]
    bank, issues = parse_bank("\n".join(lines) + "\n", f"{bank_id}.md")
    errors = [replace(issue, path=_field_at(issue.line)) for issue in issues
              if issue.severity == "error"]
    if bank is None or errors:
        raise EditRefused(errors)
    return bank


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _field_at(line: int) -> str:
    return _FRONT_FIELDS[line - 2] if 2 <= line < 2 + len(_FRONT_FIELDS) else "id"
