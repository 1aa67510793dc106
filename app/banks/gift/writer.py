"""Write a question bank as Moodle GIFT. Pure: no Flask, no database.

Each question is written as Moodle's exporter writes it (`::name::`, answers one a line, `####`
general feedback), with `// [id:...]` and `// [tag:...]` comments and its text as
`[markdown]`, so that :func:`app.banks.gift.read_gift` reads the same content back. What GIFT
has no place for goes in comments Moodle ignores: `// [points:2]`, `// [difficulty:hard]`, an
essay's `// [words:300]` and `// [guidance:...]`, true/false labels `// [truefalse:对|错]`.
Multiple-response options without a weight are written with the share our scoring gives them
(+100/R %, −100/W %), which Moodle needs and the reader takes as no weight again.

GIFT cannot hold ordering questions, regular-expression short answers other than `*`
wildcards, matching questions with `->` in a left-hand text, weights on true/false options, or
text starting with `%` where GIFT reads a weight: such questions are left out, and their IDs
returned.
"""

from __future__ import annotations

import re
import unicodedata

from app.banks.gift.syntax import FORMAT_RE, RESERVED_RE
from app.banks.markdown_grammar import num
from app.banks.questions import Bank, Choice, NumericAnswer, Pair, Question, TextAnswer

_SPECIAL = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{",
                          "}": "\\}", ":": "\\:", "\n": "\\n"})
_COMMENT_SPECIAL = str.maketrans({"\\": "\\\\", "]": "\\]", "\n": " "})
_TRUEFALSE_DEFAULT = {"zh_CN": ("正确", "错误")}
_TRUE_LABELS = ("true", "对", "正确")


class _CannotHold(Exception):
    """This question has something GIFT cannot hold."""


def export_gift(bank: Bank) -> tuple[str, list[str]]:
    """The bank as GIFT text, and the IDs of the questions GIFT cannot hold (left out)."""
    blocks, skipped = [], []
    for question in bank.questions:
        try:
            blocks.append(gift_question(question, bank.language))
        except _CannotHold:
            skipped.append(question.id)
    head = f"// {_comment(bank.title)} ({bank.id})"  # app.banks.exports adds the skipped
    return "\n\n".join([head, *blocks]) + "\n", skipped


def gift_question(question: Question, language: str = "en") -> str:
    """One question as a GIFT block (no blank line in it); raises _CannotHold."""
    writer = _WRITERS.get(question.type)
    if writer is None:
        raise _CannotHold(question.type)
    lines = _comments(question, language)
    stem = _text(question.stem)
    if FORMAT_RE.match(question.stem):  # the name's [markdown] and to_markdown each take one
        stem = "[markdown]" + stem
    head = f"::{_text(question.id)}::[markdown]{stem}"
    body = writer(question)
    if question.explanation:
        body.append(f"\t####{_piece(question.explanation)}")
    if question.type == "truefalse":  # Moodle writes true/false on one line
        lines.append(head + "{" + "".join(part.strip() for part in body) + "}")
    else:
        lines.extend([head + "{", *body, "}"])
    return "\n".join(lines)


# --- comments -----------------------------------------------------------------------------------
def _comment(text: str) -> str:
    return text.translate(_COMMENT_SPECIAL)


def _comments(question: Question, language: str) -> list[str]:
    out = [f"// [id:{question.id}]"]
    out += [f"// [tag:{_comment(tag)}]" for tag in question.tags]
    if question.points != 1:
        out.append(f"// [points:{num(question.points)}]")
    if question.difficulty != "medium":
        out.append(f"// [difficulty:{question.difficulty}]")
    if question.word_limit is not None:
        out.append(f"// [words:{question.word_limit}]")
    for point in question.guidance:
        if "\n" in point:
            raise _CannotHold("a guidance point of several lines")
        out.append(f"// [guidance:{_comment(point)}]")
    if question.type == "truefalse":
        labels = tuple(choice.text for choice in question.choices)
        if labels != _TRUEFALSE_DEFAULT.get(language, ("True", "False")):
            out.append(f"// [truefalse:{_comment(labels[0])}|{_comment(labels[1])}]")
    return out


# --- text ---------------------------------------------------------------------------------------
def _text(text: str) -> str:
    """Markdown with GIFT's special characters escaped and line breaks as `\\n`."""
    if RESERVED_RE.search(text):
        raise _CannotHold("a private-use character the reader refuses")
    return text.translate(_SPECIAL)


def _piece(text: str) -> str:
    """An answer's, a feedback's or the general feedback's text (its own `[format]` allowed)."""
    return ("[markdown]" if FORMAT_RE.match(text) else "") + _text(text)


def _answer_text(text: str) -> str:
    """A text right after a marker or a weight, where GIFT would read `%` as a weight."""
    if text.lstrip().startswith("%"):
        raise _CannotHold("a text starting with %")
    return _piece(text)


def _feedback(feedback: str) -> str:
    return f"#{_piece(feedback)}" if feedback else ""


def _weight(weight: float) -> str:
    text = num(weight)
    if "e" in text:  # GIFT weights have no exponent
        text = f"{weight:.20f}".rstrip("0").rstrip(".")
        if float(text) != weight:
            raise _CannotHold("a weight too small to write")
    return f"%{text}%"


# --- one writer per type ------------------------------------------------------------------------
def _single(question: Question) -> list[str]:
    out = []
    for choice in question.choices:
        if choice.correct:
            prefix = "=" if choice.weight in (None, 100) else "=" + _weight(choice.weight or 0)
        else:
            # %0% too: a weight on any option keeps the block weighted when read back
            prefix = "~" + (_weight(choice.weight) if choice.weight is not None else "")
        out.append(f"\t{prefix}{_answer_text(choice.text)}{_feedback(choice.feedback)}")
    return out


def _multiple(question: Question) -> list[str]:
    """Checkboxes: every option with its weight (without weights, our default shares)."""
    right = sum(choice.correct for choice in question.choices)
    wrong = len(question.choices) - right
    out = []
    for choice in question.choices:
        weight = _share(choice, right, wrong)
        if choice.correct != (weight > 0):
            raise _CannotHold("a right option without a positive weight")
        prefix = "~" + (_weight(weight) if weight else "")
        out.append(f"\t{prefix}{_answer_text(choice.text)}{_feedback(choice.feedback)}")
    return out


def _share(choice: Choice, right: int, wrong: int) -> float:
    """The option's weight; without one, what the grader counts it (+100/R %, −100/W %)."""
    if choice.weight is not None:
        return choice.weight
    return 100 / right if choice.correct else -100 / wrong


def _truefalse(question: Question) -> list[str]:
    true, false = question.choices
    if true.weight is not None or false.weight is not None:
        raise _CannotHold("weights on true/false options")
    if true.text.casefold() not in _TRUE_LABELS:
        raise _CannotHold("false before true (the reader gives true first)")
    right, wrong = (true, false) if true.correct else (false, true)
    word = "TRUE" if true.correct else "FALSE"
    feedback = ""
    if right.feedback or wrong.feedback:
        feedback = f"#{_piece(wrong.feedback)}" + (f"#{_piece(right.feedback)}"
                                                   if right.feedback else "")
    return [word + feedback]


def _short(question: Question) -> list[str]:
    out = []
    for answer in question.answers:
        assert isinstance(answer, TextAnswer)
        text = _wildcards(answer.text) if answer.regex else answer.text.replace("*", "\\*")
        if "->" in text or text != " ".join(text.split()) or text.startswith("%"):
            raise _CannotHold("a short answer the reader would read otherwise")
        weight = "" if answer.weight is None else _weight(answer.weight)
        out.append(f"\t={weight}{_text(text)}{_feedback(answer.feedback)}")
    return out


def _wildcards(pattern: str) -> str:
    """A regular expression the reader makes of `*` wildcards, back as GIFT; else _CannotHold."""
    parts = [re.sub(r"\\(.)", r"\1", part) for part in pattern.split(".*")]
    if len(parts) < 2 or ".*".join(re.escape(unicodedata.normalize("NFKC", part))
                                   for part in parts) != pattern:
        raise _CannotHold("a regular expression GIFT cannot write")
    if any(part.endswith("\\") for part in parts[:-1]):  # `\*` is a literal asterisk
        raise _CannotHold("a backslash before a wildcard")
    return "*".join(part.replace("*", "\\*") for part in parts)


def _numeric(question: Question) -> list[str]:
    out = ["\t#"] if not question.answers else []
    for k, answer in enumerate(question.answers):
        assert isinstance(answer, NumericAnswer)
        weight = "" if answer.weight is None else _weight(answer.weight)
        out.append(f"\t{'#' if k == 0 else ''}={weight}{_number(answer)}"
                   f"{_feedback(answer.feedback)}")
    return out


def _number(answer: NumericAnswer) -> str:
    if answer.low is not None and answer.high is not None:
        return f"{num(answer.low)}..{num(answer.high)}"
    value = num(answer.value if answer.value is not None else 0.0)
    return f"{value}:{num(answer.tolerance)}" if answer.tolerance else value


def _matching(question: Question) -> list[str]:
    return [f"\t={_pair_left(pair)} -> {_piece(pair.right)}" for pair in question.pairs]


def _pair_left(pair: Pair) -> str:
    if pair.left is None:
        return ""
    if "->" in pair.left:
        raise _CannotHold("-> in a left-hand text")
    return _answer_text(pair.left)


def _essay(question: Question) -> list[str]:
    return []


_WRITERS = {"single": _single, "multiple": _multiple, "truefalse": _truefalse, "short": _short,
            "numeric": _numeric, "matching": _matching, "essay": _essay}
