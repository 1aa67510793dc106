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

_TRUEFALSE_RE = re.compile(r"(T|TRUE|F|FALSE)\s*(#.*)?", re.I | re.S)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})")
_TOLERANCE_RE = re.compile(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?")
_TRUEFALSE_LABELS = {"zh_CN": ("正确", "错误")}

_SYNTAX_HINT = ("start right answers with `=` and wrong ones with `~`, write {T} or {F} for "
                "true/false, {#...} for a number, {} for an essay")
_SEVERAL_EQUALS = ("several answers start with `=`, but a multiple-choice block has one right "
                   "answer; for several right answers give weights adding up to 100%: "
                   "`~%50%a ~%50%b ~%-100%c`")
_TILDE_IN_NUMERIC = ("`~` is not allowed in a numerical block: write `{#3.14:0.01}`, `{#1..5}` "
                     "or several answers `{#=%100%3.14:0 =%50%3.1:0.1}`")
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

    def items(self, text: str, base: int) -> list[Item] | None:
        return split_items(self.log, self.src, text, base, self.qid)


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
        return _truefalse(block, found[1], (found[2] or "")[1:])
    if body.startswith("="):
        return _short(block, inner)
    block.error(block.line, f"unknown answer syntax `{{{shown(body)}}}`: {_SYNTAX_HINT}")
    return None


# --- multiple choice ----------------------------------------------------------------------------
def _choices(block: AnswerBlock, inner: str) -> Answers | None:
    items = block.items(inner, block.start)
    if items is None:
        return None
    if len(items) < 2:
        block.error(block.line, "a multiple-choice block needs at least two answers: "
                                "`{=right ~wrong}`")
    weights = [_choice_weight(item) for item in items]
    qtype, right = _choice_kind(block, items, weights)
    weighted = any(item.weight is not None for item in items)
    choices = tuple(_choice(block, item, k in right, weights[k] if weighted else None)
                    for k, item in enumerate(items))
    return Answers(qtype, choices=choices)


def _choice_weight(item: Item) -> float:
    """The weight written, else 100% for `=` and 0% for `~`."""
    if item.weight is not None:
        return item.weight
    return 100.0 if item.marker == "=" else 0.0


def _choice_kind(block: AnswerBlock, items: list[Item],
                 weights: list[float]) -> tuple[str, set[int]]:
    """Single choice (one answer worth 100%) or multiple (positive weights sharing 100%)."""
    rights = [item for item in items if item.marker == "="]
    full = [k for k, weight in enumerate(weights) if weight == 100]
    positive = [weight for weight in weights if weight > 0]
    shared = not full and len(positive) > 1 and abs(sum(positive) - 100) <= 0.01
    if len(rights) > 1:
        block.error(rights[1].line, _SEVERAL_EQUALS)
    elif len(full) != 1 and not shared:
        block.error(block.line, _weights_problem(full, positive))
    elif not full:
        return "multiple", {k for k, weight in enumerate(weights) if weight > 0}
    return "single", set(full)


def _weights_problem(full: list[int], positive: list[float]) -> str:
    if not positive:
        return ("no right answer: mark it with `=`, or give the right answers positive "
                "weights adding up to 100% (`~%50%a ~%50%b ~c`)")
    if len(full) > 1:
        return ("several answers are worth 100%: one right answer is worth 100%; several "
                "right answers share 100% (`~%50%a ~%50%b`)")
    return (f"the positive weights add up to {sum(positive):g}%: one answer must be worth "
            "100% (one right answer), or the right answers' weights must add up to 100%")


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
    items = block.items(inner, block.start)
    if items is None:
        return None
    answers = []
    for item in items:
        text, regex = _short_answer(unhide(item.text))
        if not text:
            block.error(item.line, "an accepted answer is empty: write it after `=`")
        answers.append(TextAnswer(text, regex, item.weight,
                                  block.text(item.feedback, "feedback")))
    _check_full_marks(block, answers)
    return Answers("short", answers=tuple(answers))


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
    if not any(answer.weight in (None, 100) for answer in answers):
        block.error(block.line, "no answer earns full marks: leave the weight off one answer, "
                                "or write `=%100%`")


# --- numerical ----------------------------------------------------------------------------------
def _numeric(block: AnswerBlock, body: str, base: int) -> Answers | None:
    if "~" in body:
        block.error(block.line, _TILDE_IN_NUMERIC)
        return None
    if "=" in body:
        items = block.items(body, base)
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


def _number(block: AnswerBlock, item: Item) -> NumericAnswer | None:
    """`value`, `value:tolerance` or `low..high`; None after reporting what is wrong."""
    spec = " ".join(unhide(item.text).split())
    feedback = block.text(item.feedback, "feedback")
    if found := _RANGE_RE.fullmatch(spec):
        low, high = float(found[1]), float(found[2])
        if low <= high:
            return NumericAnswer(low=low, high=high, weight=item.weight, feedback=feedback)
        block.error(item.line, f"the range {spec} runs backwards: write the lower end first, "
                               "`low..high`")
    elif found := _TOLERANCE_RE.fullmatch(spec):
        value, tolerance = float(found[1]), float(found[2] or 0)
        if tolerance >= 0:
            return NumericAnswer(value=value, tolerance=tolerance, weight=item.weight,
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
