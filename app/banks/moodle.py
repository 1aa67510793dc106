"""What the two Moodle readers (GIFT and Aiken) share. Pure: no Flask, no database.

The issue log of one file, the check of the bank's identity (given on the command line, not in
the file), blank-line blocks, our tag rule and plain text as Markdown that renders literally.
The ID rules are the Markdown format's (app/banks/markdown_format.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from app.banks.questions import AREAS, Bank, Question
from app.content.authoring import LANGUAGES, Issue

_BANK_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")
QUESTION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_MD_INLINE_RE = re.compile(r"([\\`*_\[\]|])")
# What plain_to_markdown changes: a character Markdown or HTML acts on, a line break, a start.
_NEEDS_CARE_RE = re.compile(r"[\\`*_\[\]|&<>\n\r]|^\s*(?:[#+\-!=~]|\d+\.)")


class IssueLog:
    """The problems found in one file.

    Errors are counted as they come (readers ask for the count once per question, so counting
    the list each time would make reading quadratic in the number of issues). An error about
    the file itself (:meth:`file_error`) refuses the file even when the good questions are kept.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[Issue] = []
        self.errors = 0
        self.file_errors = 0

    def error(self, line: int, message: str, question_id: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, question_id))
        self.errors += 1

    def file_error(self, line: int, message: str) -> None:
        """An error no question can be left out for: the bank's identity, the file's form."""
        self.error(line, message)
        self.file_errors += 1

    def warning(self, line: int, message: str, question_id: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, question_id, "warning"))

    def error_count(self) -> int:
        return self.errors


def check_bank_arguments(log: IssueLog, bank_id: str, title: str, area: str,
                         language: str) -> None:
    """The bank's identity comes from the command line, not the file: check it once (line 1)."""
    if not _BANK_ID_RE.fullmatch(bank_id):
        log.file_error(1, f"bank ID '{bank_id}' is not valid: use 3-60 lowercase letters, digits "
                     "and '-', starting and ending with a letter or digit, such as "
                     "'datahub-product'")
    if not title.strip() or len(title) > 200:
        log.file_error(1, "the bank title must be 1-200 characters long")
    if area not in AREAS:
        log.file_error(1, f"area '{area}' is unknown: use one of {', '.join(AREAS)}")
    if language not in LANGUAGES:
        log.file_error(1, f"language '{language}' is unknown: use one of {', '.join(LANGUAGES)}")


def read_bank(path: str, bank_id: str, title: str | None, area: str, language: str,
              read: Callable[[IssueLog], tuple[list[Question], tuple[str, ...]]],
              empty_hint: str, *, keep_good: bool = False) -> tuple[Bank | None, list[Issue]]:
    """A Moodle file as a bank: its identity checked, ``read`` giving its questions and tags.

    ``read`` leaves out every question it reported an error for. The bank when there is no
    error (warnings allowed), else None; with ``keep_good`` the bank of the good questions
    unless an error concerns the file itself (see :func:`finish_bank`). Every issue found, in
    line order. ``empty_hint`` says what a question looks like, for a file without one.
    """
    log = IssueLog(path)
    title = title or bank_id
    check_bank_arguments(log, bank_id, title, area, language)
    questions, tags = read(log)
    bank = Bank(id=bank_id, title=title, area=area, language=language, tags=tags,
                questions=questions, path=path)
    return finish_bank(log, bank, empty_hint, keep_good=keep_good)


def split_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines, each line with its 1-based number."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            blocks[-1].append((number, line))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def finish_bank(log: IssueLog, bank: Bank, empty_hint: str, *,
                keep_good: bool = False) -> tuple[Bank | None, list[Issue]]:
    """The bank unless an error was found; every issue in line order.

    With ``keep_good`` (Moodle's way: import the good questions, list the refused ones) the
    bank holds the questions without an error, and is None only when an error concerns the
    file itself (:meth:`IssueLog.file_error`) or no question is left.
    """
    if not bank.questions and not log.error_count():
        log.file_error(1, f"no questions found: {empty_hint}")
    issues = sorted(log.issues, key=lambda issue: issue.line)  # stable: same-line order kept
    if keep_good:
        return (None if log.file_errors or not bank.questions else bank), issues
    return (None if log.error_count() else bank), issues


def tag_slug(text: str) -> str:
    """Our tag rule: lowercase letters of any script, digits and '-'."""
    return "-".join(re.findall(r"[^\W_]+", text.lower()))


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that renders literally: line breaks kept, nothing interpreted."""
    if not _NEEDS_CARE_RE.search(text):  # most answers: one line of words, nothing to escape
        return text.strip()
    paragraphs = re.split(r"\n[ \t]*\n", html.escape(text.strip(), quote=False))
    out = []
    for paragraph in paragraphs:
        lines = [_escape_line(line.strip()) for line in paragraph.split("\n") if line.strip()]
        if lines:
            out.append("  \n".join(lines))  # two spaces: a Markdown line break
    return "\n\n".join(out)


def _escape_line(line: str) -> str:
    line = _MD_INLINE_RE.sub(r"\\\1", line)
    line = re.sub(r"^(\d+)\.", r"\1\\.", line)  # "1." would start a list
    if line[:1] in ("#", "+", "-", "!"):  # heading, list, rule, admonition
        return "\\" + line
    if line[:1] in ("=", "~"):  # setext underline, code fence: not backslash-escapable
        return f"&#{ord(line[0])};{line[1:]}"
    return line


def id_slug(title: str) -> str:
    """An ASCII slug of a Moodle question name ("Q1: Edge tier" -> "q1-edge-tier")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class QuestionIds:
    """Distinct question IDs for one Moodle file, the same on every re-import of it.

    A Moodle name is not an ID: names that are equal, or equal once made into an ID (case,
    punctuation, accents, cut to fit), are numbered in file order (`-2`, `-3`, …) and a notice
    says which question got which ID. A question without a name gets ``<bank_id>-<n>``.
    """

    def __init__(self, log: IssueLog, bank_id: str,
                 how_to_choose: str = "give it a `// [id:...]` to choose one") -> None:
        self.log, self.bank_id, self.how_to_choose = log, bank_id, how_to_choose
        self.lines: dict[str, int] = {}  # ID (case-folded) -> line of the question that has it
        self.numbers: dict[str, int] = {}  # base (case-folded) -> the last number it was given
        self.position = 0

    def taken(self, qid: str) -> int | None:
        """The line of the question that already has this ID, if any."""
        return self.lines.get(qid.casefold())

    def claim(self, qid: str, line: int) -> None:
        self.lines[qid.casefold()] = line

    def from_name(self, name: str, line: int, position: int | None = None) -> str:
        """An ID made of the name (else of the position), numbered when already taken.

        ``position`` is the question's place in the file when the reader counts questions
        that have their own ID too (GIFT's `// [id:...]`); else the calls are counted.
        """
        self.position += 1
        slug = id_slug(name)
        place = self.position if position is None else position
        base = f"{self.bank_id}-{slug}" if slug else f"{self.bank_id}-{place}"
        qid = base[:64].rstrip("-")
        seen = self.taken(qid)
        number = self.numbers.get(base.casefold(), 1)  # so that n same names cost n, not n²
        while self.taken(qid) is not None:
            number += 1
            suffix = f"-{number}"
            qid = base[:64 - len(suffix)].rstrip("-") + suffix
        self.numbers[base.casefold()] = number
        if seen is not None:
            self.log.warning(line, f"the name '{name}' gives the same ID as the question at "
                                   f"line {seen}: this question's ID is {qid} "
                                   f"({self.how_to_choose})", qid)
        self.claim(qid, line)
        return qid
