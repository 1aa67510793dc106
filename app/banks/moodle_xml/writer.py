"""Write a bank as Moodle XML that Moodle's importer reads (question/format/xml/format.php).

Text is written in Moodle's Markdown format, as stored. What Moodle has no field for is kept
so that our reader gets the same questions back: the difficulty as a tag `difficulty:hard`
(Moodle keeps tags), and in attributes of our own namespace that Moodle ignores (`pa:low`/
`pa:high` for a range, `pa:label` for a true/false option's text, `pa:weight="explicit"` for
a weight equal to the default rule, `pa:regex` for a regular expression).
"""

from __future__ import annotations

import base64
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from app.banks.markdown_grammar import num
from app.banks.moodle_xml.answers import PA, SHARE_SLACK, wildcard_answer
from app.banks.moodle_xml.reader import DIFFICULTY_TAG
from app.banks.questions import Asset, Bank, Choice, NumericAnswer, Question, TextAnswer

NAMESPACE = "https://presales-academy.org/ns/moodle-xml"
_TRUE_WORDS = ("true", "对", "正确")  # our format's true/false pairs: True/False, 对/错, 正确/错误
_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
          "short": "shortanswer", "numeric": "numerical", "matching": "matching",
          "ordering": "ordering", "essay": "essay"}


class _Out:
    """The lines written so far, and the bank's assets for the files of text fields."""

    def __init__(self, assets: tuple[Asset, ...]) -> None:
        self.lines: list[str] = []
        self.assets = assets

    def add(self, depth: int, line: str) -> None:
        self.lines.append("  " * depth + line)

    def text_field(self, depth: int, tag: str, markdown: str, attrs: str = "",
                   inner: tuple[str, ...] = ()) -> None:
        """`<tag format="markdown">` with its text, asset links as `@@PLUGINFILE@@` files,
        then the ``inner`` lines."""
        text, files = _with_files(markdown, self.assets)
        self.add(depth, f'<{tag}{attrs} format="markdown">')
        self.add(depth + 1, f"<text>{escape(text)}</text>")
        for path, asset in files:
            self.add(depth + 1, f"<file name={quoteattr(asset.name)} path={quoteattr(path)} "
                                f'encoding="base64">{base64.b64encode(asset.data).decode()}'
                                "</file>")
        for line in inner:
            self.add(depth + 1, line)
        self.add(depth, f"</{tag}>")


def _with_files(markdown: str, assets: tuple[Asset, ...]) -> tuple[str, list[tuple[str, Asset]]]:
    files: list[tuple[str, Asset]] = []
    names: set[str] = set()
    for asset in assets:
        if asset.url not in markdown:
            continue
        path = "/" if asset.name not in names else f"/{asset.sha256[:12]}/"
        names.add(asset.name)
        link = "@@PLUGINFILE@@" + path + quote(asset.name)
        markdown = markdown.replace(asset.url, link)
        files.append((path, asset))
    return markdown, files


def export_moodle_xml(bank: Bank) -> bytes:
    """The bank as a Moodle XML file: a category named after the bank, then its questions."""
    out = _Out(bank.assets)
    out.add(0, '<?xml version="1.0" encoding="UTF-8"?>')
    out.add(0, f'<quiz xmlns:pa="{NAMESPACE}">')
    category = bank.title.replace("/", "//")
    out.add(1, '<question type="category">')
    out.add(2, f"<category><text>{escape('$course$/top/' + category)}</text></category>")
    out.add(2, '<info format="markdown"><text></text></info>')
    out.add(2, f"<idnumber>{escape(bank.id)}</idnumber>")
    out.add(1, "</question>")
    for question in bank.questions:
        _question(out, question)
    out.add(0, "</quiz>")
    return ("\n".join(out.lines) + "\n").encode("utf-8")


def _question(out: _Out, question: Question) -> None:
    out.add(1, f'<question type="{_TYPES[question.type]}">')
    out.add(2, f"<name><text>{escape(question.id)}</text></name>")
    out.text_field(2, "questiontext", question.stem)
    out.text_field(2, "generalfeedback", question.explanation)
    out.add(2, f"<defaultgrade>{num(question.points)}</defaultgrade>")
    out.add(2, "<penalty>0</penalty>")
    out.add(2, "<hidden>0</hidden>")
    out.add(2, f"<idnumber>{escape(question.id)}</idnumber>")
    _WRITERS[question.type](out, question)
    tags = list(question.tags)
    if question.difficulty != "medium":
        tags.append(DIFFICULTY_TAG + question.difficulty)
    if tags:
        out.add(2, "<tags>")
        for tag in tags:
            out.add(3, f"<tag><text>{escape(tag)}</text></tag>")
        out.add(2, "</tags>")
    out.add(1, "</question>")


def _fraction(weight: float | None, default: float) -> str:
    """The fraction attribute, marked explicit when a weight equals what none would mean."""
    value = default if weight is None else weight
    same = weight is not None and abs(weight - default) <= SHARE_SLACK  # read as no weight
    marker = f' {PA}weight="explicit"' if same else ""
    return f'fraction="{num(value)}"{marker}'


def _feedback(out: _Out, feedback: str) -> None:
    out.text_field(3, "feedback", feedback)


def _choices(out: _Out, question: Question) -> None:
    single = question.type == "single"
    out.add(2, f"<single>{'true' if single else 'false'}</single>")
    out.add(2, "<shuffleanswers>true</shuffleanswers>")
    out.add(2, "<answernumbering>abc</answernumbering>")
    n_right = sum(choice.correct for choice in question.choices)
    n_wrong = max(len(question.choices) - n_right, 1)
    for choice in question.choices:
        if single:
            default = 100.0 if choice.correct else 0.0
        else:
            default = 100.0 / n_right if choice.correct else -100.0 / n_wrong
        out.add(2, f"<answer {_fraction(choice.weight, default)} format=\"markdown\">")
        out.add(3, f"<text>{escape(choice.text)}</text>")
        _feedback(out, choice.feedback)
        out.add(2, "</answer>")


def _truefalse(out: _Out, question: Question) -> None:
    words = _truefalse_words(question.choices)
    for word, choice in zip(words, question.choices, strict=True):
        fraction = "100" if choice.correct else "0"
        out.add(2, f'<answer fraction="{fraction}" format="moodle_auto_format" '
                   f"{PA}label={quoteattr(choice.text)}>")
        out.add(3, f"<text>{word}</text>")
        _feedback(out, choice.feedback)
        out.add(2, "</answer>")


def _truefalse_words(choices: tuple[Choice, ...]) -> tuple[str, str]:
    """Moodle's words for our two options, in our order: the one saying true is "true"."""
    if choices[1].text.strip().lower() in _TRUE_WORDS:
        return "false", "true"
    return "true", "false"


def _accepted(out: _Out, question: Question) -> None:
    if question.type == "short":
        out.add(2, "<usecase>0</usecase>")
    for answer in question.answers:
        out.add(2, f"<answer {_fraction(answer.weight, 100.0)} format=\"plain_text\""
                   f"{_answer_attrs(answer)}>")
        out.add(3, f"<text>{escape(_answer_text(answer))}</text>")
        _feedback(out, answer.feedback)
        if isinstance(answer, NumericAnswer):
            out.add(3, f"<tolerance>{num(_tolerance(answer))}</tolerance>")
        out.add(2, "</answer>")


def _answer_attrs(answer: TextAnswer | NumericAnswer) -> str:
    if isinstance(answer, NumericAnswer):
        if answer.low is not None and answer.high is not None:
            return f' {PA}low="{num(answer.low)}" {PA}high="{num(answer.high)}"'
        return ""
    if answer.regex and _as_wildcard(answer.text) is None:
        return f' {PA}regex="1"'
    return ""


def _answer_text(answer: TextAnswer | NumericAnswer) -> str:
    if isinstance(answer, NumericAnswer):
        if answer.low is not None and answer.high is not None:
            return num((answer.low + answer.high) / 2)
        return num(answer.value if answer.value is not None else 0.0)
    if not answer.regex:
        return answer.text.replace("*", "\\*")
    return _as_wildcard(answer.text) or answer.text


def _as_wildcard(pattern: str) -> str | None:
    """The Moodle `*` form of a regex that is literal parts joined by `.*`, if it is one."""
    parts = pattern.split(".*")
    plain = "*".join(_unescape(part).replace("*", "\\*") for part in parts)
    if len(parts) > 1 and all(parts) and wildcard_answer(plain) == (pattern, True):
        return plain
    return None


def _unescape(part: str) -> str:
    out, k = [], 0
    while k < len(part):
        if part[k] == "\\" and k + 1 < len(part):
            k += 1
        out.append(part[k])
        k += 1
    return "".join(out)


def _tolerance(answer: NumericAnswer) -> float:
    if answer.low is not None and answer.high is not None:
        return (answer.high - answer.low) / 2
    return answer.tolerance


def _matching(out: _Out, question: Question) -> None:
    out.add(2, "<shuffleanswers>true</shuffleanswers>")
    for pair in question.pairs:
        # Moodle reads the right side as plain text; our reader honours the format we add
        answer = f'<answer format="markdown"><text>{escape(pair.right)}</text></answer>'
        out.text_field(2, "subquestion", pair.left or "", inner=(answer,))


def _ordering(out: _Out, question: Question) -> None:
    out.add(2, "<layouttype>VERTICAL</layouttype>")
    out.add(2, "<selecttype>ALL</selecttype>")
    out.add(2, f"<selectcount>{len(question.sequence)}</selectcount>")
    out.add(2, "<gradingtype>ABSOLUTE_POSITION</gradingtype>")
    out.add(2, "<showgrading>SHOW</showgrading>")
    out.add(2, "<numberingstyle>none</numberingstyle>")
    for position, item in enumerate(question.sequence, start=1):
        out.text_field(2, "answer", item, f' fraction="{position}"')


def _essay(out: _Out, question: Question) -> None:
    out.add(2, "<responseformat>editor</responseformat>")
    out.add(2, "<responserequired>1</responserequired>")
    out.add(2, "<responsefieldlines>15</responsefieldlines>")
    if question.word_limit is not None:
        out.add(2, f"<maxwordlimit>{question.word_limit}</maxwordlimit>")
    out.add(2, "<attachments>0</attachments>")
    out.add(2, "<attachmentsrequired>0</attachmentsrequired>")
    out.text_field(2, "graderinfo", "\n".join(f"- {point}" for point in question.guidance))
    out.add(2, '<responsetemplate format="markdown"><text></text></responsetemplate>')


_WRITERS = {"single": _choices, "multiple": _choices, "truefalse": _truefalse,
            "short": _accepted, "numeric": _accepted, "matching": _matching,
            "ordering": _ordering, "essay": _essay}
