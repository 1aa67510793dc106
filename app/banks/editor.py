"""The browser's question editor: one question's Markdown, checked by the real parser. Pure.

The editor holds one question (from its ``## ID`` heading). It is checked as the bank
format would check it inside its bank: the bank's own front matter (so its tags apply),
a blank line, then the editor's text, read by :func:`~app.banks.markdown_format.parse_bank`.
Every problem comes back with its line counted in the editor's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from app.content.authoring import Issue

from .markdown_export import export_bank, export_question
from .markdown_format import parse_bank
from .questions import Bank, Question

EDITOR = "editor"  # the path the issues name


@dataclass
class Checked:
    """What the parser made of the editor's text: the question (when it has no error)."""

    question: Question | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]


def bank_header(bank: Bank) -> str:
    """The bank's front matter, as the bank format writes it."""
    return export_bank(replace(bank, questions=[]))


def question_source(question: Question) -> str:
    return export_question(question)


def check_question(bank: Bank, text: str, *, expected_id: str | None = None) -> Checked:
    """Parse ``text`` as one question of ``bank``; an edit must keep ``expected_id``."""
    header = bank_header(bank)
    offset = header.count("\n") + 1  # the front matter and the blank line after it
    parsed, found = parse_bank(f"{header}\n{text}", EDITOR)
    issues = [_shifted(issue, offset) for issue in found if not _about_no_question(issue)]
    if parsed is None:
        return Checked(None, issues)
    if not parsed.questions:
        return Checked(None, [Issue(EDITOR, 1, "the editor is empty: start the question with "
                                               "a line '## ID' (e.g. '## DH-001')")])
    problems = _one_question(parsed.questions, offset, expected_id)
    if problems:
        return Checked(None, issues + problems)
    question = replace(parsed.questions[0], line=0)
    return Checked(question, issues)


def _one_question(questions: list[Question], offset: int,
                  expected_id: str | None) -> list[Issue]:
    """The editor holds exactly one question, and an edit keeps its ID."""
    problems = [Issue(EDITOR, extra.line - offset,
                      f"the editor holds one question: remove '## {extra.id}' and what follows, "
                      "or add it as a new question", extra.id) for extra in questions[1:]]
    first = questions[0]
    if expected_id is not None and first.id != expected_id:
        problems.insert(0, Issue(EDITOR, first.line - offset,
                                 f"the question's ID is {expected_id}: keep the heading "
                                 f"'## {expected_id}' (attempts refer to it); to write another "
                                 "question, add a new one", first.id))
    return problems


def _about_no_question(issue: Issue) -> bool:
    return issue.severity == "warning" and issue.message.startswith("the bank has no questions")


# Messages that name another line ("also line 13", "also at editor:13") count it too.
_LINE_IN_MESSAGE = re.compile(rf"(\bline |\b{EDITOR}:)(\d+)")


def _shifted(issue: Issue, offset: int) -> Issue:
    message = _LINE_IN_MESSAGE.sub(
        lambda match: f"{match[1]}{max(1, int(match[2]) - offset)}", issue.message)
    return replace(issue, line=max(1, issue.line - offset), message=message)
