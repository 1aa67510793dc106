"""The Markdown question-bank format: read, check and write banks. Pure: stdlib only.

The grammar is documented in ``docs/question-bank-format.md``; this module and the ones
it names are its reference implementation. A file is read line by line in one pass (front
matter, then question headings, tracking fenced code blocks), and each question is then
split into key lines (:mod:`app.banks.question_keys`), stem, answer list and explanation
(:mod:`app.banks.question_body`, :mod:`app.banks.answer_lists`) from its own lines, so the
work is linear in the size of the file. :mod:`app.banks.markdown_export` writes banks.

Every problem is reported as an :class:`~app.content.authoring.Issue` with its 1-based
line, the question ID when known, and a message that says what is wrong and what
to write instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.content.authoring import (
    CommonKeys,
    FrontMatter,
    FrontMatterRules,
    Issue,
    Reporter,
    clashes,
    decode,
    heading_text,
    known_value,
    read_front_matter,
    read_key_lines,
    split_lines,
)
from app.content.sections import Section, report_unclosed, scan_sections

from .markdown_export import export_bank
from .markdown_grammar import QUESTION_ID
from .question_body import read_body
from .question_keys import QUESTION_KEY_LINES, check_question_id, check_question_keys, read_tags
from .questions import AREAS, Bank, Question

__all__ = ["check_banks", "export_bank", "lint_texts", "parse_bank", "read_bank_file"]


# -- reading ---------------------------------------------------------------------------------


def read_bank_file(data: bytes, path: str) -> tuple[Bank | None, list[Issue]]:
    """Decode a bank file (UTF-8, optional BOM, any line endings), then parse it."""
    text, issues = decode(data, path)
    return (None, issues) if text is None else parse_bank(text, path)


def parse_bank(text: str, path: str) -> tuple[Bank | None, list[Issue]]:
    """Parse one bank file. The bank is returned only when there is no error."""
    lines = split_lines(text)
    report = Reporter(path)
    front = _front_matter(lines, report)
    questions = _questions(lines, front, report)
    if not questions and not report.errors:
        report.warning(max(1, len(lines)),
                       "the bank has no questions: add one starting with a line '## ID'")
    issues = report.in_line_order()
    if report.errors:
        return None, issues
    bank = Bank(id=front.id, title=front.title, area=front.area, language=front.language,
                tags=front.tags, questions=questions, path=path)
    return bank, issues


# -- front matter ----------------------------------------------------------------------------


@dataclass
class _BankFront(FrontMatter):
    area: str = ""
    tags: tuple[str, ...] = ()
    # The tags questions may use; None: unknown (the front matter has errors), do not check.
    declared_tags: tuple[str, ...] | None = None


def _check_area(front: _BankFront, value: str, number: int, report: Reporter) -> None:
    if known_value(value, AREAS, "area", "one of " + ", ".join(AREAS), number, report):
        front.area = value


def _check_tags(front: _BankFront, value: str, number: int, report: Reporter) -> None:
    front.tags, ok = read_tags(value, number, None, report)
    if ok:
        front.declared_tags = front.tags


_COMMON = CommonKeys(noun="bank", id_example="datahub-product")
_FRONT_MATTER = FrontMatterRules[_BankFront](
    checks={"id": _COMMON.id, "title": _COMMON.title, "area": _check_area,
            "language": _COMMON.language, "tags": _check_tags},
    examples={"id": "datahub-product", "title": "DataHub product knowledge",
              "area": "product", "language": "en"})


def _front_matter(lines: list[str], report: Reporter) -> _BankFront:
    front = read_front_matter(lines, report, _FRONT_MATTER, _BankFront())
    if front.present and "tags" not in front.lines:
        front.declared_tags = ()
    return front


# -- questions -------------------------------------------------------------------------------


def _heading_id(line: str) -> str | None:
    raw = heading_text(line)
    return raw if QUESTION_ID.fullmatch(raw) else None


def _questions(lines: list[str], front: _BankFront, report: Reporter) -> list[Question]:
    """Find the question headings (outside fenced code), then parse each question."""
    preamble_reported = not front.present  # the missing front matter says it already

    def before_first(index: int) -> None:
        nonlocal preamble_reported
        if not preamble_reported:
            report.error(index + 1, "text before the first question: start each question with "
                                    "a line '## ID' (e.g. '## DH-001'), or remove the text")
            preamble_reported = True

    sections = scan_sections(lines, front.start, before_first)
    report_unclosed(lines, sections, report, _heading_id)
    first_line: dict[str, int] = {}
    questions = (_question(lines, sections.fenced, section, front.declared_tags, first_line,
                           report) for section in sections.spans())
    return [question for question in questions if question is not None]


def _question(lines: Sequence[str], fenced: bytearray, section: Section,
              bank_tags: tuple[str, ...] | None, first_line: dict[str, int],
              report: Reporter) -> Question | None:
    """One question; None when it has an error (reported)."""
    number = section.heading + 1
    errors_before = report.errors
    qid = check_question_id(heading_text(lines[section.heading]), number, first_line, report)
    values, body_start = read_key_lines(lines, fenced, section.heading, section.end, report,
                                        qid, QUESTION_KEY_LINES)
    keys = check_question_keys(values, number, qid, bank_tags, report)
    if keys.type is None or section.cut:
        return None
    body = read_body(lines, fenced, body_start, section.end, keys.type, number, qid, report)
    if report.errors > errors_before or qid is None or body is None:
        return None
    return Question(id=qid, type=keys.type, stem=body.stem, points=keys.points,
                    difficulty=keys.difficulty, tags=keys.tags, explanation=body.explanation,
                    word_limit=keys.word_limit, line=number, **body.answers)


# -- checks across files -------------------------------------------------------------------


def check_banks(banks: list[Bank]) -> list[Issue]:
    """Bank IDs and question IDs must be unique across all banks; each clash names both places.

    A bank's ID is located at line 1 of its file (the start of its front matter).
    """
    issues = [Issue(bank.path, 1, f"duplicate bank ID '{bank_id}': "
                                  f"{', '.join(f'{other.path}:1' for other in others)} has the "
                                  "same ID; give each bank its own ID")
              for bank_id, bank, others in clashes(banks, lambda bank: bank.id)]
    placed = [(bank, question) for bank in banks for question in bank.questions]
    for question_id, (bank, question), others in clashes(placed, lambda pair: pair[1].id):
        where = ", ".join(f"{other_bank.path}:{other.line}" for other_bank, other in others)
        issues.append(Issue(bank.path, question.line,
                            f"duplicate question ID '{question_id}': also at {where}; "
                            "question IDs must be unique across all banks, rename one",
                            question_id))
    return issues


def lint_texts(files: list[tuple[str, bytes]]) -> tuple[list[Bank], list[Issue]]:
    """Read every file, then check across the banks that parsed; issues sorted by (path, line)."""
    banks: list[Bank] = []
    issues: list[Issue] = []
    for path, data in files:
        bank, found = read_bank_file(data, path)
        issues.extend(found)
        if bank is not None:
            banks.append(bank)
    issues.extend(check_banks(banks))
    issues.sort(key=lambda issue: (issue.path, issue.line))
    return banks, issues
