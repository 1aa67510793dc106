"""A question's answer list, read for its type (Markdown bank format). Pure: stdlib only.

The body reader (:mod:`app.banks.question_body`) finds the list's items; each type has a
reader in :data:`ANSWER_READERS` that turns them into the question's answers, reporting
what does not fit the type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from app.content.authoring import Reporter, quote, trim_blank

from .content_types import AnswerFields
from .markdown_grammar import norm, num
from .questions import Choice, NumericAnswer, Pair, TextAnswer

_WEIGHTED_TYPES = frozenset(("single", "multiple", "truefalse", "short", "numeric"))
_WEIGHT = re.compile(r"%([+\-\u2212]?\d+(?:\.\d+)?)%[ \t]*")
_ESCAPED_PERCENT = re.compile(r"\\+%")
_ESCAPED_LEADING = re.compile(r"\\+[%/]")
_ITEM_NOUN = {"single": "option", "multiple": "option", "truefalse": "option",
              "short": "answer", "numeric": "number", "matching": "pair",
              "ordering": "item", "essay": "marking point"}


@dataclass
class AnswerItem:
    """One item of an answer list, as written."""

    line: int  # 1-based
    box: str | None  # ' ', 'x' or 'X' for the choice types; None for the others
    text: str  # after the marker, stripped
    feedback: list[str] = field(default_factory=list)  # its indented '> ' lines

    @property
    def correct(self) -> bool:
        return self.box is not None and self.box in "xX"

    def feedback_text(self) -> str:
        return "\n".join(trim_blank(self.feedback))


@dataclass(frozen=True)
class ItemText:
    """An item's text with its weight read and a leading escape removed."""

    weight: float | None
    text: str
    escaped: bool  # it started with '\%' (or '\/' in a short answer)


@dataclass(frozen=True)
class AnswerList:
    """The question whose answer list is read: its type, ID and the file's reporter."""

    qtype: str
    qid: str | None
    report: Reporter

    def error(self, line: int, message: str) -> None:
        self.report.error(line, message, self.qid)

    def warning(self, line: int, message: str) -> None:
        self.report.warning(line, message, self.qid)


def item_text(item: AnswerItem, answers: AnswerList, *, short: bool = False) -> ItemText | None:
    """The item's weight, text and escape; None when the text is empty (reported).

    A malformed or misplaced weight or feedback is reported, and the text is still returned,
    so that the checks of the whole answer list do not report the same line again.
    """
    weight, text = _weight(item, answers)
    escaped = False
    if text.startswith("\\") and (_ESCAPED_LEADING if short else _ESCAPED_PERCENT).match(text):
        text = text[1:]
        escaped = True
    if not text.strip():
        answers.error(item.line, "empty answer: write the "
                                 f"{_ITEM_NOUN[answers.qtype]} after the marker")
        return None
    if item.feedback and answers.qtype not in _WEIGHTED_TYPES:
        answers.error(item.line, f"feedback is not used in {answers.qtype} questions: move it "
                                 "into the explanation ('> ' lines after the answers)")
    return ItemText(weight, text, escaped)


def _weight(item: AnswerItem, answers: AnswerList) -> tuple[float | None, str]:
    """A leading '%50%' weight, and the text after it."""
    text = item.text
    if not text.startswith("%"):
        return None, text
    match = _WEIGHT.match(text)
    if not match:
        answers.error(item.line, f"{quote(text, 30)} starts with '%' but is not a weight: "
                                 "write a weight as '%50%' (-100 to 100), or '\\%' for a "
                                 "literal '%'")
        return None, text
    if answers.qtype not in _WEIGHTED_TYPES:
        answers.error(item.line, f"weights are not used in {answers.qtype} questions: remove "
                                 f"'{match.group(0).strip()}' (write '\\%' for a literal '%')")
        return None, text[match.end():]
    weight = float(match.group(1).replace("\u2212", "-"))
    if not -100 <= weight <= 100:
        answers.error(item.line, f"weight {num(weight)}% is outside -100 to 100: write a "
                                 "percentage between -100 and 100, e.g. '%50%'")
        return None, text[match.end():]
    return weight, text[match.end():]


class _Repeats:
    """The texts of one list so far, to warn when one comes again."""

    def __init__(self, answers: AnswerList) -> None:
        self.answers = answers
        self.first: dict[str, int] = {}  # normalised text -> its first line

    def check(self, text: str, line: int) -> None:
        key = norm(text)
        if key in self.first:
            self.answers.warning(line, f"duplicate option text {quote(text)} (also line "
                                       f"{self.first[key]}): remove or reword one")
        else:
            self.first[key] = line


# -- the readers, one a type --------------------------------------------------------------

_TRUE_FALSE = (frozenset(("true", "false")), frozenset(("对", "错")), frozenset(("正确", "错误")))


def _texts(items: list[AnswerItem], answers: AnswerList,
           repeats: _Repeats | None = None) -> Iterator[tuple[AnswerItem, ItemText]]:
    """Each item with its text, the empty ones left out (reported); with ``repeats``, a text
    that comes again is warned about."""
    for item in items:
        parsed = item_text(item, answers)
        if parsed is not None:
            if repeats is not None:
                repeats.check(parsed.text, item.line)
            yield item, parsed


def _read_choices(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    repeats = _Repeats(answers)
    choices = tuple(Choice(text=parsed.text, correct=item.correct, weight=parsed.weight,
                           feedback=item.feedback_text())
                    for item, parsed in _texts(items, answers, repeats))
    right_lines = [item.line for item in items if item.correct]
    if answers.qtype == "truefalse":
        _check_true_false(items, frozenset(repeats.first), right_lines, answers)
    else:
        _check_choices(items, right_lines, answers)
    return {"choices": choices}


def _check_true_false(items: list[AnswerItem], texts: frozenset[str], right_lines: list[int],
                      answers: AnswerList) -> None:
    if len(items) != 2 or texts not in _TRUE_FALSE:
        answers.error(items[0].line, "true/false needs exactly the two options 'True' and "
                                     "'False' (or 对/错, 正确/错误): write '- [x] True' and "
                                     "'- [ ] False' and mark the right one")
    elif len(right_lines) != 1:
        answers.error(items[0].line, f"true/false has {len(right_lines)} options marked [x]: "
                                     "mark exactly one, the right one")


def _check_choices(items: list[AnswerItem], right_lines: list[int],
                   answers: AnswerList) -> None:
    single = answers.qtype == "single"
    label = "single choice" if single else "multiple choice"
    if len(items) < 2:
        answers.error(items[0].line, f"{label} needs at least two options: add another "
                                     "'- [ ] ...' line")
    if not right_lines:
        which = "the right one" if single else "every right one"
        answers.error(items[0].line, f"{label} has no right option: mark {which} with [x]")
    elif single and len(right_lines) > 1:
        where = ", ".join(str(line) for line in right_lines)
        answers.error(right_lines[0], f"single choice has {len(right_lines)} right options "
                                      f"(lines {where}): mark exactly one with [x], or use "
                                      "type: multiple")


def _read_short(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    accepted: list[TextAnswer | NumericAnswer] = []
    repeats = _Repeats(answers)
    for item in items:
        parsed = item_text(item, answers, short=True)
        if parsed is None:
            continue
        text = parsed.text
        regex = not parsed.escaped and len(text) >= 2 and text[0] == "/" and text[-1] == "/"
        if regex:
            text = text[1:-1]
            if not _valid_pattern(text, item.line, answers):
                continue
        else:
            repeats.check(text, item.line)
        accepted.append(TextAnswer(text=text, regex=regex, weight=parsed.weight,
                                   feedback=item.feedback_text()))
    return {"answers": tuple(accepted)}


def _valid_pattern(pattern: str, line: int, answers: AnswerList) -> bool:
    if not pattern:
        answers.error(line, "empty regular expression '//': write a pattern between the "
                            "slashes, or the answer as plain text")
        return False
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        answers.error(line, f"invalid regular expression /{pattern}/: {exc}; fix it, or write "
                            "the answer as plain text (start it with '\\/' for a literal '/')")
        return False
    return True


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RANGE = re.compile(r"(.+?)[ \t]*\.\.[ \t]*(.+)")
_TOLERANCE = re.compile(r"(.+?)[ \t]*(?:±|\+/-|\+-)[ \t]*(.+)")


def _number(text: str) -> float | None:
    text = text.strip().replace("\u2212", "-")
    return float(text) if _NUMBER.fullmatch(text) else None


def _read_numeric(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    accepted: list[TextAnswer | NumericAnswer] = []
    for item, parsed in _texts(items, answers):
        answer = _numeric_answer(parsed, item, answers)
        if answer is not None:
            accepted.append(answer)
    return {"answers": tuple(accepted)}


def _numeric_answer(parsed: ItemText, item: AnswerItem,
                    answers: AnswerList) -> NumericAnswer | None:
    """'42', '42 ± 0.5' or '40 .. 45'; None when it is not one of those (reported)."""
    match = _RANGE.fullmatch(parsed.text)
    if match:
        low, high = _number(match.group(1)), _number(match.group(2))
        if low is not None and high is not None:
            return _range_answer(low, high, parsed, item, answers)
        bad = match.group(1) if low is None else match.group(2)
    else:
        value, tolerance, bad = _value_and_tolerance(parsed.text)
        if value is not None and tolerance is not None:
            return _tolerance_answer(value, tolerance, parsed, item, answers)
    answers.error(item.line, f"{quote(bad.strip())} is not a number: write 42, 42 ± 0.5 or "
                             "40 .. 45")
    return None


def _value_and_tolerance(text: str) -> tuple[float | None, float | None, str]:
    """The value and tolerance of '42 ± 0.5' or '42' (tolerance 0), and the part that is
    not a number when one of them is None."""
    match = _TOLERANCE.fullmatch(text)
    if match is None:
        return _number(text), 0.0, text
    value, tolerance = _number(match.group(1)), _number(match.group(2))
    return value, tolerance, match.group(1) if value is None else match.group(2)


def _range_answer(low: float, high: float, parsed: ItemText, item: AnswerItem,
                  answers: AnswerList) -> NumericAnswer | None:
    if low > high:
        answers.error(item.line, f"the range {num(low)} .. {num(high)} is backwards: write "
                                 f"the lower number first ({num(high)} .. {num(low)})")
        return None
    return NumericAnswer(low=low, high=high, weight=parsed.weight, feedback=item.feedback_text())


def _tolerance_answer(value: float, tolerance: float, parsed: ItemText, item: AnswerItem,
                      answers: AnswerList) -> NumericAnswer | None:
    if tolerance < 0:
        answers.error(item.line, f"the tolerance {num(tolerance)} is negative: write it "
                                 f"without a sign, e.g. {num(value)} ± {num(-tolerance)}")
        return None
    return NumericAnswer(value=value, tolerance=tolerance, weight=parsed.weight,
                         feedback=item.feedback_text())


def _read_matching(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    pairs: list[Pair] = []
    lefts, rights = _Repeats(answers), _Repeats(answers)
    for item in items:
        parsed = item_text(item, answers)
        pair = None if parsed is None else _pair(parsed.text, item.line, answers)
        if pair is None:
            continue
        if pair.left:
            lefts.check(pair.left, item.line)
        rights.check(pair.right, item.line)
        pairs.append(pair)
    real = sum(1 for pair in pairs if pair.left)
    if real < 2:
        answers.error(items[0].line, "matching needs at least two pairs 'left -> right': add "
                                     f"{'another' if real == 1 else 'two'} '- left -> right' "
                                     f"line{'' if real == 1 else 's'}")
    return {"pairs": tuple(pairs)}


def _pair(text: str, line: int, answers: AnswerList) -> Pair | None:
    """'left -> right' ('-> right': a distractor); None when it is not one (reported)."""
    left, arrow, right = text.partition("->")
    left, right = left.strip(), right.strip()
    if not arrow:
        answers.error(line, f"{quote(text)} has no '->': write 'left -> right' (or "
                            "'- -> right' for a distractor)")
        return None
    if not right:
        answers.error(line, f"nothing right of '->' in {quote(text)}: write 'left -> right'")
        return None
    return Pair(left=left or None, right=right)


def _read_ordering(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    sequence = tuple(parsed.text for _item, parsed in _texts(items, answers, _Repeats(answers)))
    if len(items) < 2:
        answers.error(items[0].line, "ordering needs at least two items: list them in the "
                                     "right order as '1. first', '2. second'")
    return {"sequence": sequence}


def _read_essay(items: list[AnswerItem], answers: AnswerList) -> AnswerFields:
    return {"guidance": tuple(parsed.text for _item, parsed in _texts(items, answers))}


ANSWER_READERS: dict[str, Callable[[list[AnswerItem], AnswerList], AnswerFields]] = {
    "single": _read_choices, "multiple": _read_choices, "truefalse": _read_choices,
    "short": _read_short, "numeric": _read_numeric, "matching": _read_matching,
    "ordering": _read_ordering, "essay": _read_essay,
}
