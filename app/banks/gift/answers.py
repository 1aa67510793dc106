"""A GIFT answer block `{...}` read by its syntax into one question type's answers.

Multiple choice (`~`), matching (`=a -> b`), true/false (`{T}`), short answer (`=`), numerical
(`#`) and essay (`{}`); `####` starts the general feedback. Problems go to the file's log.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.banks.gift.syntax import Item, Source, shown, split_items, unhide
from app.banks.gift.text import to_markdown
from app.banks.moodle import IssueLog
from app.banks.questions import Choice, NumericAnswer, Pair, TextAnswer
from app.exams.grading import FULL_MARKS_TOLERANCE

_TRUEFALSE_RE = re.compile(r"(T|TRUE|F|FALSE)\s*(#.*)?", re.I | re.S)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})")
_TOLERANCE_RE = re.compile(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?")
_TRUEFALSE_LABELS = {"zh_CN": ("正确", "错误")}

_FULL = 100 * (1 - FULL_MARKS_TOLERANCE)  # a weight this high earns full marks (percent)
_SLACK = 100 * FULL_MARKS_TOLERANCE  # weights this close are the same (Moodle's 33.33333)
_SEVERAL_FULL = ("{count} answers earn full marks ({texts}): a learner choosing any of them is "
                 "right, as in Moodle; '{first}' is shown as the right answer")
_WEIGHT_AFTER_EQUALS = ("Moodle ignores a weight after `=` in a multiple-choice block (it reads "
                        "'%{weight}%' as part of the answer's text, worth 100%): the weight is "
                        "used here; write `~%{weight}%` so that both read it the same")
_SHARES_NOT_100 = ("the right answers' weights add up to {total}%: a learner choosing all of "
                   "them earns {earned}% (Moodle imports it so, with a notice); make the "
                   "positive weights add up to 100%")
_NO_RIGHT_CHOICE = ("no right answer: mark it with `=`, or give the right answers positive "
                    "weights adding up to 100% (`~%50%a ~%50%b ~c`)")
_LOWERCASE_TRUEFALSE = ("Moodle knows T, TRUE, F and FALSE in capitals only and reads `{{{word}}}` "
                        "as a short answer accepting '{word}': read here as true/false; write "
                        "`{{{upper}}}`")
_OTHER_FEEDBACK = ("`~` in a numerical block starts Moodle's feedback for any other answer "
                   "('{text}'), which a numerical question here cannot hold: dropped (put it "
                   "in the general feedback `####...` if every learner may see it)")
_NOT_A_NUMBER = ("'{spec}' is not a numerical answer: write `3.14`, `3.14:0.01` "
                 "(value:tolerance) or `1..5` (a range), with a decimal point")
_BAD_PAIR = ("a matching pair is written `=left -> right` (or `= -> right` for an extra "
             "right-hand answer)")


@dataclass(frozen=True)
class Answers:
    """What an answer block gives its question: the type and its options, answers or pairs."""

    type: str
    choices: tuple[Choice, ...] = ()
    answers: tuple[TextAnswer | NumericAnswer, ...] = ()
    pairs: tuple[Pair, ...] = ()
    explanation: str = ""  # the general feedback, Markdown


@dataclass
class AnswerBlock:
    """One `{...}` block being read: where it stands, its question and its text format."""

    log: IssueLog
    src: Source
    start: int  # just after `{`
    end: int  # at `}`
    fmt: str
    qid: str
    language: str

    @property
    def line(self) -> int:
        """The line of the opening brace, where block-wide problems are reported."""
        return self.src.line(self.start - 1)

    def error(self, line: int, message: str) -> None:
        self.log.error(line, message, self.qid)

    def warning(self, line: int, message: str) -> None:
        self.log.warning(line, message, self.qid)

    def text(self, raw: str, kind: str = "block") -> str:
        return to_markdown(raw, self.fmt, kind)

    def items(self, text: str, base: int, lead: str | None = None) -> list[Item] | None:
        return split_items(self.log, self.src, text, base, self.qid, lead)


def read_answers(block: AnswerBlock) -> Answers | None:
    """The block's answers and general feedback, or None after reporting why not."""
    inner, general = block.src.text[block.start:block.end], ""
    if (cut := inner.find("####")) >= 0:
        inner, general = inner[:cut], inner[cut + 4:]
    answers = _by_syntax(block, inner)
    return None if answers is None else replace(answers, explanation=block.text(general))


def _by_syntax(block: AnswerBlock, inner: str) -> Answers | None:
    body = inner.strip()
    if not body:
        return Answers("essay")
    if body.startswith("#"):
        base = block.start + len(inner) - len(inner.lstrip())
        return _numeric(block, body[1:], base + 1)
    if "~" in body:
        return _choices(block, inner)
    if "->" in body and "=" in body:
        return _matching(block, inner)
    if found := _TRUEFALSE_RE.fullmatch(body):
        if found[1] != found[1].upper():
            block.warning(block.line, _LOWERCASE_TRUEFALSE.format(word=found[1],
                                                                  upper=found[1].upper()))
        return _truefalse(block, found[1], (found[2] or "")[1:])
    return _short(block, inner)  # as in Moodle: any other block is a short answer


# --- multiple choice ----------------------------------------------------------------------------
def _choices(block: AnswerBlock, inner: str) -> Answers | None:
    """Moodle's rule: a block with an `=` answer is single choice (radio buttons), one without
    is multiple response (checkboxes), whatever the weights."""
    items = block.items(inner, block.start, lead="~")
    if items is None:
        return None
    if len(items) < 2:
        block.error(block.line, "a multiple-choice block needs at least two answers: "
                                "`{=right ~wrong}`")
    if any(item.marker == "=" for item in items):
        return _single(block, items)
    return _multiple(block, items)


def _choice_weight(item: Item) -> float:
    """The weight written, else 100% for `=` and 0% for `~`."""
    if item.weight is not None:
        return item.weight
    return 100.0 if item.marker == "=" else 0.0


def _single(block: AnswerBlock, items: list[Item]) -> Answers:
    """Radio buttons: the chosen answer earns its weight; several may earn full marks."""
    for item in items:
        if item.marker == "=" and item.weight is not None:
            block.warning(item.line, _WEIGHT_AFTER_EQUALS.format(weight=f"{item.weight:g}"))
    weights = [_choice_weight(item) for item in items]
    best = max(weights)
    right = weights.index(best)  # Moodle shows the first best answer as the right one
    full = [k for k, weight in enumerate(weights) if weight >= _FULL]
    if len(full) > 1:
        texts = ", ".join(f"'{shown(items[k].text, 20)}'" for k in full)
        block.warning(block.line, _SEVERAL_FULL.format(count=len(full), texts=texts,
                                                       first=shown(items[right].text, 20)))
    elif not full:
        block.warning(block.line, f"no answer earns full marks: the best earns {best:g}% "
                                  "(Moodle imports it so, with a notice)")
    choices = tuple(_choice(block, item, k == right,
                            _own(weights[k], 100.0 if k == right else 0.0))
                    for k, item in enumerate(items))
    return Answers("single", choices=choices)


def _multiple(block: AnswerBlock, items: list[Item]) -> Answers | None:
    """Checkboxes: the chosen answers' weights add up (0 to 100%); right means a positive one."""
    weights = [_choice_weight(item) for item in items]
    total = sum(weight for weight in weights if weight > 0)
    if not total:
        block.error(block.line, _NO_RIGHT_CHOICE)
        return None
    if abs(total - 100) > 100 * FULL_MARKS_TOLERANCE:
        block.warning(block.line, _SHARES_NOT_100.format(total=f"{total:g}",
                                                         earned=f"{min(total, 100):g}"))
    right = sum(weight > 0 for weight in weights)
    wrong = len(weights) - right
    choices = tuple(_choice(block, item, weight > 0,
                            _own(weight, 100 / right if weight > 0 else -100 / wrong))
                    for item, weight in zip(items, weights, strict=True))
    return Answers("multiple", choices=choices)


def _own(weight: float, default: float) -> float | None:
    """The weight, or None where it is what no weight means in our format (the scores are
    the same; Moodle XML reads it so too): the right single choice at 100%, a wrong one at
    0%, a multiple-response option at its share +100/R or -100/W, an answer at 100%."""
    return None if abs(weight - default) <= _SLACK else weight


def _choice(block: AnswerBlock, item: Item, correct: bool, weight: float | None) -> Choice:
    text = block.text(item.text, "inline")
    if not text:
        block.error(item.line, "an answer has no text: write it after `=` or `~`")
    return Choice(text, correct, weight, block.text(item.feedback, "feedback"))


# --- true/false ---------------------------------------------------------------------------------
def _truefalse(block: AnswerBlock, word: str, feedback: str) -> Answers:
    truth = word.upper() in ("T", "TRUE")
    wrong, _, right = feedback.partition("#")  # Moodle: {T#if answered wrong#if right}
    labels = _TRUEFALSE_LABELS.get(block.language, ("True", "False"))
    for_true, for_false = (right, wrong) if truth else (wrong, right)
    return Answers("truefalse", choices=(
        Choice(labels[0], truth, None, block.text(for_true, "feedback")),
        Choice(labels[1], not truth, None, block.text(for_false, "feedback"))))


# --- short answer -------------------------------------------------------------------------------
def _short(block: AnswerBlock, inner: str) -> Answers | None:
    items = block.items(inner, block.start, lead="=")
    if items is None:
        return None
    answers = []
    for item in items:
        text, regex = _short_answer(unhide(item.text))
        if not text:
            block.error(item.line, "an accepted answer is empty: write it after `=`")
        answers.append(TextAnswer(text, regex, _answer_weight(item),
                                  block.text(item.feedback, "feedback")))
    _check_full_marks(block, answers)
    return Answers("short", answers=tuple(answers))


def _answer_weight(item: Item) -> float | None:
    return None if item.weight is None else _own(item.weight, 100.0)


def _short_answer(text: str) -> tuple[str, bool]:
    """Moodle's `*` wildcard becomes a regular expression; `\\*` is a literal asterisk."""
    text = " ".join(text.split())
    parts = re.split(r"(?<!\\)\*", text)
    if len(parts) == 1:
        return text.replace("\\*", "*"), False
    literal = [unicodedata.normalize("NFKC", part.replace("\\*", "*")) for part in parts]
    return ".*".join(re.escape(part) for part in literal), True


def _check_full_marks(block: AnswerBlock,
                      answers: Sequence[TextAnswer | NumericAnswer]) -> None:
    """Moodle imports answers none of which earns full marks, with a notice: so do we."""
    weights = [100.0 if answer.weight is None else answer.weight for answer in answers]
    if weights and max(weights) < _FULL:
        block.warning(block.line, f"no answer earns full marks: the best earns "
                                  f"{max(weights):g}% (Moodle imports it so, with a notice); "
                                  "leave the weight off the right answer, or write `=%100%`")


# --- numerical ----------------------------------------------------------------------------------
def _numeric(block: AnswerBlock, body: str, base: int) -> Answers | None:
    if (cut := body.find("~")) >= 0:
        _other_answer(block, body[cut + 1:])
        body = body[:cut]
    if "=" in body:
        items = block.items(body, base, lead="=")
    else:
        spec, hashed, feedback = body.partition("#")
        items = [Item("=", None, spec, feedback if hashed else "", block.line)]
    if not items:
        return None
    answers = [_number(block, item) for item in items]
    numbers = tuple(answer for answer in answers if answer is not None)
    if len(numbers) < len(answers):
        return None
    _check_full_marks(block, numbers)
    return Answers("numeric", answers=numbers)


def _other_answer(block: AnswerBlock, other: str) -> None:
    """Moodle's "any other answer" (`~#feedback`, as its exporter writes it): nothing to keep
    but its feedback, which our numerical answers have no place for."""
    if text := " ".join(unhide(other).strip().lstrip("#").split()):
        block.warning(block.line, _OTHER_FEEDBACK.format(text=shown(text)))


def _number(block: AnswerBlock, item: Item) -> NumericAnswer | None:
    """`value`, `value:tolerance` or `low..high`; None after reporting what is wrong."""
    spec = " ".join(unhide(item.text).split())
    feedback = block.text(item.feedback, "feedback")
    if found := _RANGE_RE.fullmatch(spec):
        low, high = float(found[1]), float(found[2])
        if low <= high:
            return NumericAnswer(low=low, high=high, weight=_answer_weight(item),
                                 feedback=feedback)
        block.error(item.line, f"the range {spec} runs backwards: write the lower end first, "
                               "`low..high`")
    elif found := _TOLERANCE_RE.fullmatch(spec):
        value, tolerance = float(found[1]), float(found[2] or 0)
        if tolerance >= 0:
            return NumericAnswer(value=value, tolerance=tolerance, weight=_answer_weight(item),
                                 feedback=feedback)
        block.error(item.line, f"the tolerance in {spec} is negative: write `value:tolerance` "
                               "with a tolerance of 0 or more")
    else:
        block.error(item.line, _NOT_A_NUMBER.format(spec=shown(spec) or "(nothing)"))
    return None


# --- matching -----------------------------------------------------------------------------------
def _matching(block: AnswerBlock, inner: str) -> Answers | None:
    items = block.items(inner, block.start)
    if items is None:
        return None
    pairs = [pair for item in items if (pair := _pair(block, item)) is not None]
    if sum(pair.left is not None for pair in pairs) < 2:
        block.error(block.line, "a matching block needs at least two pairs `=left -> right`")
    return Answers("matching", pairs=tuple(pairs))


def _pair(block: AnswerBlock, item: Item) -> Pair | None:
    left, arrow, right = item.text.partition("->")
    if item.weight is not None:
        block.error(item.line, "matching pairs take no weights: remove the `%...%`")
    if item.feedback.strip():
        block.warning(item.line, "feedback on a matching pair cannot be kept: dropped (use the "
                                 "general feedback `####...`)")
    right_md = block.text(right, "inline")
    if not arrow or not right_md:
        block.error(item.line, _BAD_PAIR)
        return None
    return Pair(block.text(left, "inline") or None, right_md)
