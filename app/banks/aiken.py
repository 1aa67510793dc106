"""Read Moodle Aiken question files into the question-bank model. Pure: no Flask, no database.

Aiken (https://docs.moodle.org/en/Aiken_format) holds single-choice questions only:

    Which tier runs inside the customer's network?
    A. The catalogue tier
    B) The edge tier
    ANSWER: B

As in Moodle, the space after an option's label may be left out (`A)text`) and a question
ends with its ANSWER line, so the next may follow without a blank line; a blank line before an
option or the ANSWER line does not end a question either. Our addition: the question text may
span several lines. IDs are ``<bank_id>-<n>`` (n counts questions from 1). The text is plain,
so it is escaped to show literally (see docs/moodle-formats.md).
"""

from __future__ import annotations

import re

from app.banks.moodle import IssueLog, plain_to_markdown, read_bank
from app.banks.questions import Bank, Choice, Question
from app.content.authoring import Issue

_OPTION_RE = re.compile(r"([A-Z])[.)][ \t]*(.*)")  # Moodle: the space may be missing
_ANSWER_RE = re.compile(r"ANSWER:[ \t]*(.*)")
_LABELLED_ANSWER_RE = re.compile(r"([A-Za-z])[.)][ \t]*\S.*")  # `ANSWER: B) The edge tier`
_ANSWER_LIKE_RE = re.compile(r"answer\s*[:：]", re.I)
# Near misses of an option line: a small letter, or full-width / other punctuation.
_OPTION_LIKE_RE = re.compile(r"[a-z][.)][ \t]|[A-Za-z][ \t]*[．）、：]")
_OPTION_HINT = ("options are written with a capital letter, then `.` or `)`, then a space and "
                "the text, such as `A. text` or `A) text`")
_EMPTY_HINT = "an Aiken question is a line of text, options `A. text`, and `ANSWER: A`"


class _AikenQuestion:
    """One block of lines being read: stem, options and the ANSWER line."""

    def __init__(self, log: IssueLog, qid: str, first: int) -> None:
        self.log, self.qid, self.first = log, qid, first
        self.stem: list[tuple[int, str]] = []  # line, text
        self.options: list[tuple[str, str, int]] = []  # letter, text, line
        self.answer: tuple[str, int] | None = None
        self.answer_seen = False  # an ANSWER line, even a malformed one: the question ends

    def error(self, line: int, message: str) -> None:
        self.log.error(line, message, self.qid)

    def line(self, number: int, text: str) -> None:
        if option := _OPTION_RE.fullmatch(text):
            self._option(number, option[1], (option[2] or "").strip())
        elif answer := _ANSWER_RE.fullmatch(text):
            self._answer(number, answer[1])
        elif _ANSWER_LIKE_RE.match(text):
            self.answer_seen = True
            self.error(number, "write the answer line as `ANSWER: B`: the word ANSWER in "
                               "capitals, an ASCII colon, then the option's letter")
        elif self.options:
            self._not_an_option(number, text)
        else:
            self.stem.append((number, text))

    def _not_an_option(self, number: int, text: str) -> None:
        """A line after the options that is neither an option nor the ANSWER line."""
        if _OPTION_LIKE_RE.match(text):
            self.error(number, f"this is not an option line: {_OPTION_HINT}")
        else:
            self.error(number, "expected another option (such as `C. text`) or the ANSWER line: "
                               "an option is one line, and the question text comes before the "
                               "options")

    def _option(self, number: int, letter: str, text: str) -> None:
        if not self.stem and not self.options:
            self.error(number, "the options have no question before them: write the question "
                               "on the line above the first option")
        expected = chr(ord("A") + len(self.options))
        if letter != expected:
            self.error(number, f"option {letter} is out of sequence: expected {expected}; the "
                               "letters run A, B, C, ... in order")
        if not text:
            self.error(number, f"option {letter} has no text: write it after `{letter}. `")
        self.options.append((letter, text, number))

    def _answer(self, number: int, value: str) -> None:
        self.answer_seen = True
        letters = [letter for letter, _, _ in self.options]
        value = value.strip().rstrip(".)")
        if labelled := _LABELLED_ANSWER_RE.fullmatch(value):  # Moodle reads the first letter
            self.log.warning(number, f"'ANSWER: {value}' is read as `ANSWER: {labelled[1]}`, "
                                     "as Moodle reads it: the letter alone is enough", self.qid)
            value = labelled[1]
        if len(value) != 1 or not value.isalpha():
            self.error(number, f"'ANSWER: {value}' must name one option by its letter, such as "
                               "`ANSWER: B` (Aiken questions have one right answer)")
        elif value.upper() not in letters:
            named = f"{letters[0]}-{letters[-1]}" if letters else "none"
            self.error(number, f"ANSWER {value} is not one of the options ({named}): give the "
                               "letter of the right option")
        self.answer = (value.upper(), number)

    def finish(self) -> Question | None:
        if len(self.options) < 2:
            near = [number for number, text in self.stem[1:] if _OPTION_LIKE_RE.match(text)]
            hint = f" (line {near[0]} is not an option: {_OPTION_HINT})" if near else ""
            self.error(self.first, f"the question has {len(self.options)} option(s): write at "
                                   f"least two, such as `A. text` and `B. text`{hint}")
        if not self.answer_seen:
            self.error(self.first, "the question has no ANSWER line: end it with `ANSWER: X`, X "
                                   "being the letter of the right option")
        if self.answer is None:
            return None
        choices = tuple(Choice(plain_to_markdown(text), letter == self.answer[0])
                        for letter, text, _ in self.options)
        stem = plain_to_markdown("\n".join(text for _, text in self.stem))
        return Question(id=self.qid, type="single", stem=stem, points=1.0, difficulty="medium",
                        choices=choices, line=self.first)


def read_aiken(text: str, path: str, bank_id: str, *, title: str | None = None,
               area: str = "product", language: str = "en",
               keep_good: bool = False) -> tuple[Bank | None, list[Issue]]:
    """Read a Moodle Aiken file. The bank when there is no error (warnings allowed), else None;
    with every issue found, in line order. ``keep_good``: the bank of the questions without
    an error (the others reported), unless the file itself is in error (see finish_bank)."""
    def read(log: IssueLog) -> tuple[list[Question], tuple[str, ...]]:
        return _questions(text, bank_id, log), ()

    return read_bank(path, bank_id, title, area, language, read, _EMPTY_HINT,
                     keep_good=keep_good)


def _questions(text: str, bank_id: str, log: IssueLog) -> list[Question]:
    """The file's questions that have no error.

    A question starts at the first line, after an ANSWER line, or at a line of text (neither
    an option nor an ANSWER line) after a blank line.
    """
    questions: list[Question] = []
    reading: _AikenQuestion | None = None
    started = errors = 0
    after_blank = True
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        if not (stripped := line.strip()):
            after_blank = True
            continue
        if reading is None or reading.answer_seen or (after_blank and _is_text(stripped)):
            _finish(reading, errors, log, questions)
            started += 1
            reading = _AikenQuestion(log, f"{bank_id}-{started}", number)
            errors = log.error_count()
        after_blank = False
        reading.line(number, stripped)
    _finish(reading, errors, log, questions)
    return questions


def _is_text(line: str) -> bool:
    """Neither an option nor an ANSWER line (nor a near miss of one)."""
    return not (_OPTION_RE.fullmatch(line) or _ANSWER_LIKE_RE.match(line))


def _finish(reading: _AikenQuestion | None, errors: int, log: IssueLog,
            questions: list[Question]) -> None:
    """Add the question just read, unless it had an error."""
    if reading is not None:
        question = reading.finish()
        if question is not None and log.error_count() == errors:
            questions.append(question)
