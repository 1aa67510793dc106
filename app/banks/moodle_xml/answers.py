"""One reader per Moodle question type: a `<question>` element's answers as our fields.

Weights follow Moodle's scoring. Moodle always writes a fraction; a fraction equal to what no
weight means in our format (the right option of a single choice at 100%, a wrong one at 0%,
a multiple-choice option at its share +100/R or -100/W, an accepted answer at 100%) is read
as no weight, unless our writer marked it explicit (`pa:weight="explicit"`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from app.banks.moodle import IssueLog
from app.banks.moodle_xml.texts import TextReader
from app.banks.moodle_xml.tree import Node
from app.banks.questions import Choice, NumericAnswer, Pair, TextAnswer
from app.exams.grading import FULL_MARKS_TOLERANCE

PA = "pa:"  # our extension attributes (namespace declared on <quiz>); Moodle ignores them
_TRUEFALSE_LABELS = {"zh_CN": ("正确", "错误")}
# Percentage points within which two weights are the same (Moodle writes 33.33333 for 100/3):
# the grader's one tolerance for full marks, shared with the GIFT reader.
SHARE_SLACK = 100 * FULL_MARKS_TOLERANCE
_WILDCARD_RE = re.compile(r"(?<!\\)\*+")

Fields = dict[str, Any]


@dataclass
class QuestionXml:
    """One `<question>` being read: its element, ID, text reader and the file's log."""

    node: Node
    qid: str
    log: IssueLog
    texts: TextReader
    language: str
    lost: list[str] = field(default_factory=list)  # what is ignored, for one notice

    def error(self, line: int, message: str) -> None:
        self.log.error(line, message, self.qid)

    def warning(self, line: int, message: str) -> None:
        self.log.warning(line, message, self.qid)

    def answers(self) -> list[Node]:
        return self.node.all("answer")

    def feedback(self, answer: Node) -> str:
        return self.texts.read(answer.child("feedback"), "feedback")


def fraction(answer: Node, q: QuestionXml) -> float | None:
    """The answer's `fraction` attribute in percent (Moodle's default 0); None if invalid."""
    raw = answer.attrs.get("fraction", "0").strip() or "0"
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not -100 <= value <= 100:
        q.error(answer.line, f"fraction '{raw}' is not a percentage from -100 to 100: write "
                             "the answer's grade as, for example, fraction=\"50\"")
        return None
    return value


def _weight(answer: Node, value: float, default: float) -> float | None:
    if answer.attrs.get(PA + "weight") == "explicit" or abs(value - default) > SHARE_SLACK:
        return value
    return None


# --- multiple choice ----------------------------------------------------------------------------
def read_multichoice(q: QuestionXml) -> Fields | None:
    single = q.node.value("single", "true").lower() not in ("false", "0", "")
    items = [(a, q.texts.read(a, "inline"), fraction(a, q)) for a in q.answers()]
    items = [(a, text, f) for a, text, f in items if text or f]  # Moodle skips blank answers
    if any(f is None for _a, _t, f in items):
        return None
    if len(items) < 2:
        q.error(q.node.line, "a multiple-choice question needs at least two answers: add "
                             "`<answer>` elements")
        return None
    fractions = [f or 0.0 for _a, _t, f in items]
    right = _single_right(q, fractions) if single else _multiple_right(q, fractions)
    if right is None:
        return None
    n_right = len(right)
    n_wrong = len(items) - n_right
    choices = []
    for k, (answer, text, value) in enumerate(items):
        correct = k in right
        if single:
            default = 100.0 if correct else 0.0
        else:
            default = 100.0 / n_right if correct else -100.0 / max(n_wrong, 1)
        choices.append(Choice(text, correct, _weight(answer, value or 0.0, default),
                              q.feedback(answer)))
    return {"type": "single" if single else "multiple", "choices": tuple(choices)}


def _single_right(q: QuestionXml, fractions: list[float]) -> set[int] | None:
    full = [k for k, f in enumerate(fractions) if abs(f - 100) <= SHARE_SLACK]
    if not full:
        q.error(q.node.line, f"no answer is worth 100% (the best is {max(fractions):g}%): in "
                             "a one-answer question one answer must have fraction=\"100\", as "
                             "Moodle requires")
        return None
    if len(full) > 1:
        q.warning(q.node.line, f"{len(full)} answers are worth 100%: the first is shown as the "
                               "right one, the others keep their full marks")
    return {full[0]}


def _multiple_right(q: QuestionXml, fractions: list[float]) -> set[int] | None:
    positive = sum(f for f in fractions if f > 0)
    if positive <= 0:
        q.error(q.node.line, "no answer has a positive fraction: in a multiple-answer question "
                             "the right answers' fractions add up to 100% (for three right "
                             "answers write 33.33333 each)")
        return None
    if abs(positive - 100) > SHARE_SLACK:  # Moodle imports it too, with a notice
        q.warning(q.node.line, f"the positive fractions add up to {positive:g}%, not 100%: "
                               f"choosing every right answer earns {min(positive, 100):g}%")
    return {k for k, f in enumerate(fractions) if f > 0}


# --- true/false ---------------------------------------------------------------------------------
def read_truefalse(q: QuestionXml) -> Fields | None:
    answers = q.answers()[:2]
    words = [a.text_of().lower() for a in answers]
    if sorted(words) != ["false", "true"]:
        if len(answers) < 2:
            q.error(q.node.line, "a true/false question needs its two answers, `true` and "
                                 "`false`")
            return None
        q.warning(q.node.line, "the answers are not `true` and `false` (an old export): the "
                               "first is read as true, the second as false, as Moodle does")
        words = ["true", "false"]
    labels = dict(zip(("true", "false"), _TRUEFALSE_LABELS.get(q.language, ("True", "False")),
                      strict=True))
    choices = []
    truth = None
    for answer, word in zip(answers, words, strict=True):
        value = fraction(answer, q)
        if value is None:
            return None
        right = abs(value - 100) <= SHARE_SLACK
        if word == "true":
            truth = right
        label = answer.attrs.get(PA + "label") or labels[word]
        choices.append((word, Choice(label, False, None, q.feedback(answer))))
    return {"type": "truefalse", "choices": tuple(
        Choice(c.text, (word == "true") == truth, None, c.feedback) for word, c in choices)}


# --- short answer -------------------------------------------------------------------------------
def read_shortanswer(q: QuestionXml) -> Fields | None:
    if q.node.value("usecase", "0") not in ("0", "", "false"):
        q.lost.append("case-sensitive matching (answers are compared ignoring case)")
    accepted: list[TextAnswer | NumericAnswer] = []
    for answer in q.answers():
        value = fraction(answer, q)
        if value is None:
            return None
        raw = answer.text_of()
        if not raw:
            continue  # Moodle skips blank answers
        if answer.attrs.get(PA + "regex") == "1":
            text, regex = raw, True
            if not _compiles(raw):
                q.error(answer.line, f"regular expression /{raw}/ is not valid: fix it")
                return None
        else:
            text, regex = wildcard_answer(raw)
        accepted.append(TextAnswer(text, regex, _weight(answer, value, 100.0), q.feedback(answer)))
    return _accepted(q, "short", accepted)


def wildcard_answer(text: str) -> tuple[str, bool]:
    """Moodle's `*` wildcard (a run of them is one) as a regular expression; `\\*` is a star."""
    text = " ".join(text.split())
    parts = _WILDCARD_RE.split(text)
    if len(parts) == 1:
        return text.replace("\\*", "*"), False
    literal = [unicodedata.normalize("NFKC", part.replace("\\*", "*")) for part in parts]
    return ".*".join(re.escape(part) for part in literal), True


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error:
        return False
    return True


def _accepted(q: QuestionXml, qtype: str,
              accepted: list[TextAnswer | NumericAnswer]) -> Fields | None:
    if not accepted:
        q.error(q.node.line, "no accepted answer: add an `<answer fraction=\"100\">` with its "
                             "`<text>`")
        return None
    if not any(a.weight is None or a.weight == 100 for a in accepted):
        q.warning(q.node.line, "no answer earns full marks (Moodle imports this with a notice "
                               "too): the best answer scores what its fraction says")
    return {"type": qtype, "answers": tuple(accepted)}


# --- numerical ----------------------------------------------------------------------------------
def read_numerical(q: QuestionXml) -> Fields | None:
    if (units := q.node.child("units")) is not None and units.all("unit"):
        q.lost.append("the units (numbers are read without units)")
    accepted: list[TextAnswer | NumericAnswer] = []
    for answer in q.answers():
        value = fraction(answer, q)
        number = _numeric_answer(q, answer, value) if value is not None else None
        if value is None or number is False:
            return None
        if isinstance(number, NumericAnswer):
            accepted.append(number)
    return _accepted(q, "numeric", accepted)


def _numeric_answer(q: QuestionXml, answer: Node,
                    value: float) -> NumericAnswer | Literal[False] | None:
    """The answer as a number; None to skip it; False after reporting an error."""
    raw = answer.text_of()
    if raw in ("*", ""):
        q.lost.append("the `*` answer for any other number (and its feedback)")
        return None
    weight, feedback = _weight(answer, value, 100.0), q.feedback(answer)
    if (low := answer.attrs.get(PA + "low")) and (high := answer.attrs.get(PA + "high")):
        return NumericAnswer(low=float(low), high=float(high), weight=weight, feedback=feedback)
    tolerance = answer.value("tolerance", "0") or "0"
    try:
        number, spread = float(raw), float(tolerance)
    except ValueError:
        q.error(answer.line, f"'{raw}' ± '{tolerance}' is not a number and a tolerance: write "
                             "the answer as `<text>3.14</text>` and `<tolerance>0.01</tolerance>`")
        return False
    if spread < 0:
        q.warning(answer.line, f"the tolerance {tolerance} is negative: read as {-spread:g}")
    return NumericAnswer(value=number, tolerance=abs(spread), weight=weight, feedback=feedback)


# --- matching -----------------------------------------------------------------------------------
def read_matching(q: QuestionXml) -> Fields | None:
    pairs = []
    for sub in q.node.all("subquestion"):
        left = q.texts.read(sub, "inline")
        answer = sub.child("answer")
        right = "" if answer is None else q.texts.read(answer, "inline", default="plain_text")
        if not right:
            if left:
                q.error(sub.line, "a subquestion has no answer: write its match in "
                                  "`<answer><text>…</text></answer>`")
                return None
            continue
        pairs.append(Pair(left or None, right))
    if sum(pair.left is not None for pair in pairs) < 2:
        q.error(q.node.line, "a matching question needs at least two subquestions with text")
        return None
    return {"type": "matching", "pairs": tuple(pairs)}


# --- ordering (the qtype_ordering plugin) -------------------------------------------------------
def read_ordering(q: QuestionXml) -> Fields | None:
    items = []
    for position, answer in enumerate(q.answers()):
        text = q.texts.read(answer, "inline")
        if text:
            items.append((fraction(answer, q) if "fraction" in answer.attrs else position,
                          position, text))
        if q.feedback(answer):
            q.lost.append("the feedback on each item")
    if any(order is None for order, _p, _t in items):
        return None
    if len(items) < 2:
        q.error(q.node.line, "an ordering question needs at least two items (`<answer>`)")
        return None
    if q.node.value("selecttype", "ALL").upper() not in ("ALL", "0", ""):
        q.lost.append("showing only some of the items (every item is shown)")
    if q.node.value("gradingtype", "ABSOLUTE_POSITION").upper() not in (
            "ABSOLUTE_POSITION", "ALL_OR_NOTHING", "0", "-1", ""):
        q.lost.append("the grading type (graded by items in their right position)")
    items.sort(key=lambda item: (item[0], item[1]))  # the fraction is the item's place
    return {"type": "ordering", "sequence": tuple(text for _o, _p, text in items)}


# --- essay --------------------------------------------------------------------------------------
_ITEM_RE = re.compile(r"<li>(.*?)</li>", re.S)
_PARAGRAPH_RE = re.compile(r"<p>(.*?)</p>", re.S)
_LIST_ITEM_RE = re.compile(r"[-*+][ \t]+(.*)")


def read_essay(q: QuestionXml) -> Fields | None:
    if (template := q.node.child("responsetemplate")) is not None and template.text_of():
        q.lost.append("the response template")
    if q.node.value("attachments", "0") not in ("0", ""):
        q.lost.append("file attachments (learners answer in text)")
    if q.node.value("minwordlimit"):
        q.lost.append("the minimum word count")
    limit = q.node.value("maxwordlimit")
    fields: Fields = {"type": "essay", "guidance": _guidance(q)}
    if limit:
        if not limit.isdigit() or int(limit) < 1:
            q.error(q.node.line, f"maxwordlimit '{limit}' is not a whole number of words")
            return None
        fields["word_limit"] = int(limit)
    return fields


def _guidance(q: QuestionXml) -> tuple[str, ...]:
    """Grader information as marking points: its list items or paragraphs, one line each."""
    text = q.texts.read(q.node.child("graderinfo"))
    if not text:
        return ()
    items = [_LIST_ITEM_RE.fullmatch(line) for line in text.split("\n") if line.strip()]
    if all(items):
        return tuple(item[1].strip() for item in items if item)
    blocks = _ITEM_RE.findall(text) or _PARAGRAPH_RE.findall(text) or re.split(r"\n\s*\n", text)
    return tuple(point for block in blocks if (point := " ".join(block.split())))


READERS: dict[str, Callable[[QuestionXml], Fields | None]] = {
    "multichoice": read_multichoice, "truefalse": read_truefalse,
    "shortanswer": read_shortanswer, "numerical": read_numerical, "matching": read_matching,
    "match": read_matching, "ordering": read_ordering, "essay": read_essay,
}
