"""The Markdown question-bank format: read, check and write banks. Pure: stdlib only.

The grammar is documented in ``docs/question-bank-format.md``; this module is its
reference implementation. A file is read line by line in one pass (front matter,
then question headings, tracking fenced code blocks), and each question is then
split into key lines, stem, answer block and explanation from its own lines, so
the work is linear in the size of the file.

Every problem is reported as an :class:`~app.content.authoring.Issue` with its 1-based
line, the question ID when known, and a message that says what is wrong and what
to write instead.
"""

from __future__ import annotations

import math
import re
import unicodedata

from app.content.authoring import BULLET_ITEM as _BULLET_ITEM
from app.content.authoring import HEADING as _HEADING
from app.content.authoring import KEY_LINE as _KEY_LINE
from app.content.authoring import (
    LANGUAGES,
    Issue,
    common_value,
    decode,
    read_front_matter,
    scan_sections,
    split_lines,
)
from app.content.authoring import THEMATIC_BREAK as _THEMATIC_BREAK
from app.content.authoring import Reporter as _Reporter
from app.content.authoring import one_of as _one_of
from app.content.authoring import quote as _quote
from app.content.authoring import trim_blank as _trim_blank

from .questions import (
    AREAS,
    DIFFICULTIES,
    QUESTION_TYPES,
    Bank,
    Choice,
    NumericAnswer,
    Pair,
    Question,
    TextAnswer,
)

__all__ = ["check_banks", "export_bank", "lint_texts", "parse_bank", "read_bank_file"]

# -- the grammar's tokens ------------------------------------------------------------------

_BANK_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")
_QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Lowercase letters of any script, digits and '-', starting and ending with a letter or
# digit (no '_': the documented alphabet is letters, digits and '-').
_TAG = re.compile(r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?")
_TASK_ITEM = re.compile(r"[-*+][ \t]+\[([ xX])\](?=[ \t]|$)[ \t]*")
_NUMBERED_ITEM = re.compile(r"\d{1,9}[.)][ \t]+")
_FEEDBACK = re.compile(r"(?: {2,}|\t)[ \t]*> ?")
_QUOTE = re.compile(r" ?> ?")
_WEIGHT = re.compile(r"%([+\-\u2212]?\d+(?:\.\d+)?)%[ \t]*")
_ESCAPED_PERCENT = re.compile(r"\\+%")
_ESCAPED_LEADING = re.compile(r"\\+[%/]")
_NEEDS_ESCAPE = re.compile(r"\\*%")
_NEEDS_ESCAPE_SHORT = re.compile(r"\\*[%/]")
_BOX_TEXT = re.compile(r"\[[ xX]\](?:[ \t]|$)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RANGE = re.compile(r"(.+?)[ \t]*\.\.[ \t]*(.+)")
_TOLERANCE = re.compile(r"(.+?)[ \t]*(?:±|\+/-|\+-)[ \t]*(.+)")
_POINTS = re.compile(r"\d+(?:\.\d{1,2})?")
_WORDS = re.compile(r"\d+")

_FRONT_MATTER_KEYS = ("id", "title", "area", "language", "tags")
_REQUIRED_FRONT_MATTER = ("id", "title", "area", "language")
_QUESTION_KEYS = ("type", "points", "difficulty", "tags", "words")
_CHOICE_TYPES = frozenset(("single", "multiple", "truefalse"))
_WEIGHTED_TYPES = frozenset(("single", "multiple", "truefalse", "short", "numeric"))
_TRUE_FALSE = (frozenset(("true", "false")), frozenset(("对", "错")), frozenset(("正确", "错误")))
_LONG_STEM = 5000

# Line kinds inside a question's body.
_BLANK, _ITEM, _FEEDBACK_LINE, _QUOTE_LINE, _OTHER = range(5)

_ANSWER_FORMS = {
    "single": "'- [x] right option' and '- [ ] wrong option' lines",
    "multiple": "'- [x] right option' and '- [ ] wrong option' lines",
    "truefalse": "'- [x] True' and '- [ ] False' (mark the right one)",
    "short": "'- accepted answer' lines",
    "numeric": "'- 42', '- 42 ± 0.5' or '- 40 .. 45' lines",
    "matching": "'- left -> right' lines",
    "ordering": "'1. first', '2. second', ... in the right order",
    "essay": "'- marking point' lines",
}
_NO_ANSWERS = {
    "single": "no options", "multiple": "no options", "truefalse": "no options",
    "short": "no accepted answers", "numeric": "no accepted numbers", "matching": "no pairs",
    "ordering": "no items",
}


def _norm(text: str) -> str:
    """Text as compared for duplicates: NFKC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _num(value: float) -> str:
    """A number as written in a bank file: no trailing '.0' when it is whole."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


# -- reading ---------------------------------------------------------------------------------


def read_bank_file(data: bytes, path: str) -> tuple[Bank | None, list[Issue]]:
    """Decode a bank file (UTF-8, optional BOM, any line endings), then parse it."""
    text, issues = decode(data, path)
    return (None, issues) if text is None else parse_bank(text, path)


def parse_bank(text: str, path: str) -> tuple[Bank | None, list[Issue]]:
    """Parse one bank file. The bank is returned only when there is no error."""
    lines = split_lines(text)
    report = _Reporter(path)
    front, start = _front_matter(lines, report)
    bank_tags: tuple[str, ...] | None = front.get("tags_ok")  # None: unknown, do not check
    questions = _questions(lines, start, bank_tags, front["present"], report)
    if not questions and not report.errors:
        report.warning(max(1, len(lines)),
                       "the bank has no questions: add one starting with a line '## ID'")
    report.issues.sort(key=lambda issue: issue.line)
    if report.errors:
        return None, report.issues
    bank = Bank(id=front["id"], title=front["title"], area=front["area"],
                language=front["language"], tags=front.get("tags", ()),
                questions=questions, path=path)
    return bank, report.issues


def _front_matter(lines: list[str], report: _Reporter) -> tuple[dict, int]:
    """Read the front matter; returns its values and the index of the first line after it."""
    result: dict = {}
    seen, start, present = read_front_matter(
        lines, report, keys=_FRONT_MATTER_KEYS,
        start_hint="'id: ...', 'title: ...', 'area: ...' and 'language: ...'",
        holds="id, title, area, language and tags",
        value=lambda key, value, number: _front_matter_value(key, value, number, result,
                                                             report))
    result["present"] = present
    if not present:
        return result, 0
    for key in _REQUIRED_FRONT_MATTER:
        if key not in seen:
            example = {"id": "datahub-product", "title": "DataHub product knowledge",
                       "area": "product", "language": "en"}[key]
            report.error(1, f"the front matter has no '{key}' line: add '{key}: {example}'")
    if "tags" not in seen:
        result["tags_ok"] = ()
    return result, start


def _front_matter_value(key: str, value: str, number: int, result: dict,
                        report: _Reporter) -> None:
    if common_value(key, value, number, result, report, noun="bank", id_pattern=_BANK_ID,
                    id_example="datahub-product", languages=LANGUAGES):
        return
    if key == "area":
        if value in AREAS:
            result["area"] = value
        else:
            report.error(number, f"unknown area {_quote(value)}: use one of {', '.join(AREAS)}")
    else:  # tags
        tags, ok = _tag_list(value, number, None, report)
        result["tags"] = tags
        if ok:
            result["tags_ok"] = tags


def _tag_list(value: str, number: int, question_id: str | None,
              report: _Reporter) -> tuple[tuple[str, ...], bool]:
    """Split a comma-separated tag list; reports malformed and repeated tags."""
    if not value:
        return (), True
    tags: list[str] = []
    ok = True
    for raw in value.split(","):
        tag = raw.strip()
        if not tag:
            report.error(number, f"empty tag in {_quote(value)}: separate tags with single commas,"
                                 " e.g. 'tags: architecture, agents'", question_id)
            ok = False
        elif not _TAG.fullmatch(tag) or tag != tag.lower():
            suggestion = "-".join(re.split(r"[\W_]+", tag.lower())).strip("-") or "my-tag"
            report.error(number, f"tag {_quote(tag)} is not valid: use lowercase letters, digits "
                                 f"and '-', e.g. '{suggestion}'", question_id)
            ok = False
        elif tag in tags:
            report.warning(number, f"tag '{tag}' is listed twice: remove one", question_id)
        else:
            tags.append(tag)
    return tuple(tags), ok


# -- questions -------------------------------------------------------------------------------


def _questions(lines: list[str], start: int, bank_tags: tuple[str, ...] | None,
               front_present: bool, report: _Reporter) -> list[Question]:
    """Find the question headings (outside fenced code), then parse each question."""
    count = len(lines)
    preamble = {"reported": not front_present}

    def before_first(index: int) -> None:
        if not preamble["reported"]:
            report.error(index + 1, "text before the first question: start each question with "
                                    "a line '## ID' (e.g. '## DH-001'), or remove the text")
            preamble["reported"] = True

    sections = scan_sections(lines, start, before_first)
    fenced, headings, unclosed = sections.fenced, sections.headings, sections.unclosed
    if unclosed >= 0:
        owner = None
        for heading in headings:
            if heading < unclosed:
                owner = heading
        owner_id = None
        if owner is not None:
            raw = (_HEADING.fullmatch(lines[owner]).group(1) or "").strip()
            owner_id = raw if _QUESTION_ID.fullmatch(raw) else None
        report.error(unclosed + 1, f"this code block is never closed: add a line "
                                   f"'{sections.fence}' where it ends", owner_id)

    questions: list[Question] = []
    first_line: dict[str, int] = {}
    for position, heading in enumerate(headings):
        end = headings[position + 1] if position + 1 < len(headings) else count
        question = _question(lines, fenced, heading, end, bank_tags,
                             heading < unclosed < end, first_line, report)
        if question is not None:
            questions.append(question)
    return questions


def _question(lines: list[str], fenced: bytearray, heading: int, end: int,
              bank_tags: tuple[str, ...] | None, skip_body: bool, first_line: dict[str, int],
              report: _Reporter) -> Question | None:
    number = heading + 1
    raw_id = (_HEADING.fullmatch(lines[heading]).group(1) or "").strip()
    qid: str | None = raw_id
    errors_before = report.errors
    if not raw_id:
        report.error(number, "the heading has no question ID: write '## ID', e.g. '## DH-001'")
        qid = None
    elif not _QUESTION_ID.fullmatch(raw_id):
        report.error(number, f"question ID {_quote(raw_id)} is not valid: use letters, digits, "
                             "'-', '_' and '.' (up to 64, starting with a letter or digit), "
                             "e.g. '## DH-001'")
        qid = None
    elif raw_id in first_line:
        report.error(number, f"duplicate question ID '{raw_id}' (also line {first_line[raw_id]}):"
                             " give each question its own ID", raw_id)
    else:
        first_line[raw_id] = number

    # Key lines: right after the heading (blank lines before them are allowed), up to a blank line.
    index = heading + 1
    while index < end and not lines[index].strip():
        index += 1
    keys: dict[str, tuple[str, int]] = {}
    header_lines = 0
    while index < end:
        line = lines[index]
        if not line.strip() or fenced[index]:
            break
        match = _KEY_LINE.fullmatch(line)
        if not match:
            if header_lines:
                report.error(index + 1, "expected a blank line after the key lines: leave one "
                                        "empty line before the question text", qid)
            break
        header_lines += 1
        key, value = match.group(1), match.group(2).strip()
        if key not in _QUESTION_KEYS:
            report.error(index + 1, f"unknown key '{key}': use {_one_of(_QUESTION_KEYS)} (and "
                                    "leave a blank line before the question text)", qid)
        elif key in keys:
            report.error(index + 1, f"duplicate key '{key}' (also line {keys[key][1]}): keep one",
                         qid)
        else:
            keys[key] = (value, index + 1)
        index += 1
    body_start = index

    qtype = None
    if "type" not in keys:
        report.error(number, "missing 'type: ...' line: write it right after the heading, with "
                             f"one of {', '.join(QUESTION_TYPES)}", qid)
    else:
        value, line_no = keys["type"]
        if value in QUESTION_TYPES:
            qtype = value
        else:
            report.error(line_no, f"unknown type {_quote(value)}: use one of "
                                  f"{', '.join(QUESTION_TYPES)}", qid)
    points = 1.0
    if "points" in keys:
        value, line_no = keys["points"]
        if _POINTS.fullmatch(value) and float(value) > 0:
            points = float(value)
        else:
            report.error(line_no, f"points {_quote(value)} is not valid: write a positive number "
                                  "with at most two decimals, e.g. 'points: 2' or 'points: 1.5'",
                         qid)
    difficulty = "medium"
    if "difficulty" in keys:
        value, line_no = keys["difficulty"]
        if value in DIFFICULTIES:
            difficulty = value
        else:
            report.error(line_no, f"unknown difficulty {_quote(value)}: use "
                                  f"{_one_of(DIFFICULTIES)}", qid)
    tags: tuple[str, ...] = ()
    if "tags" in keys:
        value, line_no = keys["tags"]
        tags, _ok = _tag_list(value, line_no, qid, report)
        if bank_tags is not None:
            for tag in tags:
                if tag in bank_tags:
                    continue
                if bank_tags:
                    report.error(line_no, f"tag '{tag}' is not in the bank's tags: use one of "
                                          f"{', '.join(bank_tags)}, or add '{tag}' to the "
                                          "front matter's 'tags:' line", qid)
                else:
                    report.error(line_no, f"tag '{tag}' is not declared: this bank has no tags, "
                                          f"add 'tags: {tag}' to the front matter", qid)
    word_limit = None
    if "words" in keys:
        value, line_no = keys["words"]
        if qtype is not None and qtype != "essay":
            report.error(line_no, f"'words' applies only to essays, not to {qtype} questions: "
                                  "remove the line, or use 'type: essay'", qid)
        elif _WORDS.fullmatch(value) and int(value) > 0:
            word_limit = int(value)
        else:
            report.error(line_no, f"words {_quote(value)} is not valid: write the word limit as a "
                                  "whole number, e.g. 'words: 300'", qid)

    if qtype is None or skip_body:
        return None
    parsed = _body(lines, fenced, body_start, end, qtype, number, qid, report)
    if report.errors > errors_before or qid is None or parsed is None:
        return None
    stem, explanation, content = parsed
    return Question(id=qid, type=qtype, stem=stem, points=points, difficulty=difficulty,
                    tags=tags, explanation=explanation, word_limit=word_limit, line=number,
                    **content)


def _body(lines: list[str], fenced: bytearray, start: int, end: int, qtype: str, number: int,
          qid: str | None, report: _Reporter) -> tuple[str, str, dict] | None:
    """Split the body into stem, answer block and explanation, then read the answers."""
    if qtype in _CHOICE_TYPES:
        item_re = _TASK_ITEM
    elif qtype == "ordering":
        item_re = _NUMBERED_ITEM
    else:
        item_re = _BULLET_ITEM
    kinds = bytearray(end - start)
    for offset in range(end - start):
        index = start + offset
        line = lines[index]
        if fenced[index]:
            kinds[offset] = _OTHER
        elif not line or line.isspace():
            kinds[offset] = _BLANK
        elif item_re.match(line) and not _THEMATIC_BREAK.fullmatch(line):
            kinds[offset] = _ITEM
        elif line[0] in " \t" and _FEEDBACK.match(line):
            kinds[offset] = _FEEDBACK_LINE
        elif _QUOTE.match(line):
            kinds[offset] = _QUOTE_LINE
        else:
            kinds[offset] = _OTHER

    last = len(kinds) - 1
    while last >= 0 and kinds[last] == _BLANK:
        last -= 1
    # Explanation: the trailing run of '>' lines (blank lines between them allowed).
    tail = last
    while tail >= 0 and kinds[tail] in (_BLANK, _QUOTE_LINE):
        tail -= 1
    explanation_lines = [
        "" if kinds[offset] == _BLANK else lines[start + offset][_QUOTE.match(
            lines[start + offset]).end():]
        for offset in range(tail + 1, last + 1)]
    explanation = "\n".join(_trim_blank(explanation_lines))

    # Answer block: the list that ends right before the explanation.
    first = tail
    while first >= 0 and kinds[first] in (_ITEM, _FEEDBACK_LINE, _BLANK):
        first -= 1
    block_start = first + 1
    while block_start <= tail and kinds[block_start] != _ITEM:
        block_start += 1
    has_block = block_start <= tail
    stem_end = block_start if has_block else tail + 1
    stem = "\n".join(_trim_blank(lines[start:start + stem_end]))

    errors_before = report.errors
    if not stem.strip():
        report.error(number, "empty stem: write the question text between the key lines and the "
                             "answers", qid)
    elif len(stem) > _LONG_STEM:
        report.warning(number, f"the stem is {len(stem):,} characters long (more than "
                               f"{_LONG_STEM:,}): shorten it, or move background material into a "
                               "course", qid)

    if not has_block:
        if qtype != "essay":
            _report_missing_answers(lines, kinds, start, tail, qtype, item_re, number, qid, report)
        return (stem, explanation, {"guidance": ()}) if report.errors == errors_before else None

    items: list[list] = []  # [line number, box, text, feedback lines]
    blank_at = 0
    for offset in range(block_start, tail + 1):
        kind = kinds[offset]
        line = lines[start + offset]
        if kind == _ITEM:
            match = item_re.match(line)
            box = match.group(1) if qtype in _CHOICE_TYPES else None
            items.append([start + offset + 1, box, line[match.end():].strip(), []])
        elif kind == _FEEDBACK_LINE:
            items[-1][3].append(line[_FEEDBACK.match(line).end():])
        elif not blank_at:
            blank_at = start + offset + 1
    if blank_at:
        report.error(blank_at, "blank line inside the answer list: write the answers as one list "
                               "without blank lines (if the list above is part of the question "
                               "text, end the question text with a sentence)", qid)
    if qtype not in _CHOICE_TYPES:
        boxed = next((item[0] for item in items if _BOX_TEXT.match(item[2])), 0)
        if boxed and qtype == "essay":
            report.error(boxed, "an essay has no options: write marking guidance as '- point' "
                                "lines without [ ] or [x], or use type: single or multiple", qid)
            return None
        if boxed:
            report.error(boxed, "'[ ]' and '[x]' boxes are only for single, multiple and "
                                f"truefalse questions: write {_ANSWER_FORMS[qtype]}", qid)
            return None
    content = _ANSWER_READERS[qtype](items, qtype, number, qid, report)
    return (stem, explanation, content) if report.errors == errors_before else None


def _report_missing_answers(lines: list[str], kinds: bytearray, start: int, tail: int, qtype: str,
                            item_re: re.Pattern, number: int, qid: str | None,
                            report: _Reporter) -> None:
    # Answers followed by text: point at the text.
    offset = tail
    while offset >= 0 and kinds[offset] != _ITEM:
        offset -= 1
    if offset >= 0:
        after = offset + 1
        while after <= tail and kinds[after] in (_FEEDBACK_LINE, _BLANK, _ITEM):
            after += 1
        if kinds[after] == _QUOTE_LINE:
            report.error(start + after + 1, "the explanation must be the last thing in the "
                                            "question: move the lines after it (indented '  > ' "
                                            "feedback or answers) up, under their answers", qid)
            return
        report.error(start + after + 1, "text after the answer list: the answers must come last "
                                        "(only '>' explanation lines may follow them); move this "
                                        "text above the answers, or start it with '> '", qid)
        return
    last_line = lines[start + tail] if tail >= 0 else ""
    if qtype in _CHOICE_TYPES and _BULLET_ITEM.match(last_line):
        report.error(start + tail + 1, "options need a box: write '- [x] right option' or "
                                       "'- [ ] wrong option'", qid)
    elif qtype == "ordering" and _BULLET_ITEM.match(last_line):
        report.error(start + tail + 1, "ordering items are numbered: write them in the right "
                                       "order as '1. first', '2. second', ...", qid)
    elif qtype != "ordering" and _NUMBERED_ITEM.match(last_line):
        report.error(start + tail + 1, f"{qtype} answers are bullet items: write "
                                       f"{_ANSWER_FORMS[qtype]}", qid)
    else:
        report.error(number, f"{_NO_ANSWERS[qtype]}: after the question text, add "
                             f"{_ANSWER_FORMS[qtype]}", qid)


def _item_text(item: list, qtype: str, qid: str | None, report: _Reporter,
               *, short: bool = False) -> tuple[float | None, str, bool] | None:
    """Weight, text (escapes removed) and whether it was escaped; None when it is empty.

    A malformed or misplaced weight or feedback is reported, and the text is still returned,
    so that the checks of the whole answer list do not report the same line again.
    """
    line_no, _box, text, feedback = item
    weight = None
    if text.startswith("%"):
        match = _WEIGHT.match(text)
        if not match:
            report.error(line_no, f"{_quote(text, 30)} starts with '%' but is not a weight: "
                                  "write a weight as '%50%' (-100 to 100), or '\\%' for a "
                                  "literal '%'", qid)
        elif qtype not in _WEIGHTED_TYPES:
            report.error(line_no, f"weights are not used in {qtype} questions: remove "
                                  f"'{match.group(0).strip()}' (write '\\%' for a literal '%')",
                         qid)
            text = text[match.end():]
        else:
            weight = float(match.group(1).replace("\u2212", "-"))
            if not -100 <= weight <= 100:
                report.error(line_no, f"weight {_num(weight)}% is outside -100 to 100: write a "
                                      "percentage between -100 and 100, e.g. '%50%'", qid)
                weight = None
            text = text[match.end():]
    escaped = False
    if text.startswith("\\") and (_ESCAPED_LEADING if short else _ESCAPED_PERCENT).match(text):
        text = text[1:]
        escaped = True
    if not text.strip():
        report.error(line_no, f"empty answer: write the {_ITEM_NOUN[qtype]} after the marker", qid)
        return None
    if feedback and qtype not in _WEIGHTED_TYPES:
        report.error(line_no, f"feedback is not used in {qtype} questions: move it into the "
                              "explanation ('> ' lines after the answers)", qid)
    return weight, text, escaped


_ITEM_NOUN = {"single": "option", "multiple": "option", "truefalse": "option",
              "short": "answer", "numeric": "number", "matching": "pair",
              "ordering": "item", "essay": "marking point"}


def _feedback(item: list) -> str:
    return "\n".join(_trim_blank(item[3]))


def _warn_duplicates(seen: dict[str, int], text: str, line_no: int, qid: str | None,
                     report: _Reporter) -> None:
    key = _norm(text)
    if key in seen:
        report.warning(line_no, f"duplicate option text {_quote(text)} (also line {seen[key]}): "
                                "remove or reword one", qid)
    else:
        seen[key] = line_no


def _read_choices(items: list[list], qtype: str, number: int, qid: str | None,
                  report: _Reporter) -> dict:
    choices: list[Choice] = []
    right_lines: list[int] = []
    seen: dict[str, int] = {}
    texts: set[str] = set()
    for item in items:
        correct = item[1] in "xX"
        if correct:
            right_lines.append(item[0])
        parsed = _item_text(item, qtype, qid, report)
        if parsed is None:
            continue
        weight, text, _escaped = parsed
        texts.add(_norm(text))
        _warn_duplicates(seen, text, item[0], qid, report)
        choices.append(Choice(text=text, correct=correct, weight=weight, feedback=_feedback(item)))
    first_line = items[0][0]
    if qtype == "truefalse":
        if len(items) != 2 or frozenset(texts) not in _TRUE_FALSE:
            report.error(first_line, "true/false needs exactly the two options 'True' and 'False' "
                                     "(or 对/错, 正确/错误): write '- [x] True' and '- [ ] False' "
                                     "and mark the right one", qid)
        elif len(right_lines) != 1:
            report.error(first_line, f"true/false has {len(right_lines)} options marked [x]: mark "
                                     "exactly one, the right one", qid)
        return {"choices": tuple(choices)}
    label = "single choice" if qtype == "single" else "multiple choice"
    if len(items) < 2:
        report.error(first_line, f"{label} needs at least two options: add another '- [ ] ...' "
                                 "line", qid)
    if not right_lines:
        which = "the right one" if qtype == "single" else "every right one"
        report.error(first_line, f"{label} has no right option: mark {which} with [x]", qid)
    elif qtype == "single" and len(right_lines) > 1:
        where = ", ".join(str(line) for line in right_lines)
        report.error(right_lines[0], f"single choice has {len(right_lines)} right options "
                                     f"(lines {where}): mark exactly one with [x], or use type: "
                                     "multiple", qid)
    return {"choices": tuple(choices)}


def _read_short(items: list[list], qtype: str, number: int, qid: str | None,
                report: _Reporter) -> dict:
    answers: list[TextAnswer] = []
    seen: dict[str, int] = {}
    for item in items:
        parsed = _item_text(item, qtype, qid, report, short=True)
        if parsed is None:
            continue
        weight, text, escaped = parsed
        regex = not escaped and len(text) >= 2 and text[0] == "/" and text[-1] == "/"
        if regex:
            text = text[1:-1]
            if not text:
                report.error(item[0], "empty regular expression '//': write a pattern between "
                                      "the slashes, or the answer as plain text", qid)
                continue
            try:
                re.compile(text, re.IGNORECASE)
            except re.error as exc:
                report.error(item[0], f"invalid regular expression /{text}/: {exc}; fix it, or "
                                      "write the answer as plain text (start it with '\\/' for a "
                                      "literal '/')", qid)
                continue
        else:
            _warn_duplicates(seen, text, item[0], qid, report)
        answers.append(TextAnswer(text=text, regex=regex, weight=weight,
                                  feedback=_feedback(item)))
    return {"answers": tuple(answers)}


def _number(text: str) -> float | None:
    text = text.strip().replace("\u2212", "-")
    return float(text) if _NUMBER.fullmatch(text) else None


def _read_numeric(items: list[list], qtype: str, number: int, qid: str | None,
                  report: _Reporter) -> dict:
    answers: list[NumericAnswer] = []
    for item in items:
        parsed = _item_text(item, qtype, qid, report)
        if parsed is None:
            continue
        weight, text, _escaped = parsed
        feedback = _feedback(item)
        match = _RANGE.fullmatch(text)
        if match:
            low, high = _number(match.group(1)), _number(match.group(2))
            bad = match.group(1) if low is None else match.group(2) if high is None else None
            if bad is None and low > high:
                report.error(item[0], f"the range {_num(low)} .. {_num(high)} is backwards: write "
                                      f"the lower number first ({_num(high)} .. {_num(low)})", qid)
                continue
            if bad is None:
                answers.append(NumericAnswer(low=low, high=high, weight=weight,
                                             feedback=feedback))
                continue
        else:
            match = _TOLERANCE.fullmatch(text)
            if match:
                value, tolerance = _number(match.group(1)), _number(match.group(2))
                bad = (match.group(1) if value is None
                       else match.group(2) if tolerance is None else None)
            else:
                value, tolerance = _number(text), 0.0
                bad = text if value is None else None
            if bad is None and tolerance < 0:
                report.error(item[0], f"the tolerance {_num(tolerance)} is negative: write it "
                                      f"without a sign, e.g. {_num(value)} ± {_num(-tolerance)}",
                             qid)
                continue
            if bad is None:
                answers.append(NumericAnswer(value=value, tolerance=tolerance, weight=weight,
                                             feedback=feedback))
                continue
        report.error(item[0], f"{_quote(bad.strip())} is not a number: write 42, 42 ± 0.5 or "
                              "40 .. 45", qid)
    return {"answers": tuple(answers)}


def _read_matching(items: list[list], qtype: str, number: int, qid: str | None,
                   report: _Reporter) -> dict:
    pairs: list[Pair] = []
    real = 0
    seen_left: dict[str, int] = {}
    seen_right: dict[str, int] = {}
    for item in items:
        parsed = _item_text(item, qtype, qid, report)
        if parsed is None:
            continue
        _weight, text, _escaped = parsed
        left, arrow, right = text.partition("->")
        left, right = left.strip(), right.strip()
        if not arrow:
            report.error(item[0], f"{_quote(text)} has no '->': write 'left -> right' (or "
                                  "'- -> right' for a distractor)", qid)
            continue
        if not right:
            report.error(item[0], f"nothing right of '->' in {_quote(text)}: write "
                                  "'left -> right'", qid)
            continue
        if left:
            real += 1
            _warn_duplicates(seen_left, left, item[0], qid, report)
        _warn_duplicates(seen_right, right, item[0], qid, report)
        pairs.append(Pair(left=left or None, right=right))
    if real < 2:
        report.error(items[0][0], "matching needs at least two pairs 'left -> right': add "
                                  f"{'another' if real == 1 else 'two'} '- left -> right' "
                                  f"line{'' if real == 1 else 's'}", qid)
    return {"pairs": tuple(pairs)}


def _read_ordering(items: list[list], qtype: str, number: int, qid: str | None,
                   report: _Reporter) -> dict:
    sequence: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        parsed = _item_text(item, qtype, qid, report)
        if parsed is None:
            continue
        text = parsed[1]
        _warn_duplicates(seen, text, item[0], qid, report)
        sequence.append(text)
    if len(items) < 2:
        report.error(items[0][0], "ordering needs at least two items: list them in the right "
                                  "order as '1. first', '2. second'", qid)
    return {"sequence": tuple(sequence)}


def _read_essay(items: list[list], qtype: str, number: int, qid: str | None,
                report: _Reporter) -> dict:
    guidance: list[str] = []
    for item in items:
        parsed = _item_text(item, qtype, qid, report)
        if parsed is not None:
            guidance.append(parsed[1])
    return {"guidance": tuple(guidance)}


_ANSWER_READERS = {
    "single": _read_choices, "multiple": _read_choices, "truefalse": _read_choices,
    "short": _read_short, "numeric": _read_numeric, "matching": _read_matching,
    "ordering": _read_ordering, "essay": _read_essay,
}


# -- checks across files -------------------------------------------------------------------


def check_banks(banks: list[Bank]) -> list[Issue]:
    """Bank IDs and question IDs must be unique across all banks; each clash names both places.

    A bank's ID is located at line 1 of its file (the start of its front matter).
    """
    issues: list[Issue] = []
    by_bank: dict[str, list[Bank]] = {}
    for bank in banks:
        by_bank.setdefault(bank.id, []).append(bank)
    for bank_id, group in by_bank.items():
        if len(group) < 2:
            continue
        for bank in group:
            others = ", ".join(f"{other.path}:1" for other in group if other is not bank)
            issues.append(Issue(bank.path, 1, f"duplicate bank ID '{bank_id}': {others} has the "
                                              "same ID; give each bank its own ID"))
    by_question: dict[str, list[tuple[Bank, Question]]] = {}
    for bank in banks:
        for question in bank.questions:
            by_question.setdefault(question.id, []).append((bank, question))
    for question_id, group in by_question.items():
        if len(group) < 2:
            continue
        for bank, question in group:
            others = ", ".join(f"{other_bank.path}:{other.line}" for other_bank, other in group
                               if other is not question)
            issues.append(Issue(bank.path, question.line,
                                f"duplicate question ID '{question_id}': also at {others}; "
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


# -- writing -------------------------------------------------------------------------------


def _escape(text: str, *, short: bool = False) -> str:
    return "\\" + text if (_NEEDS_ESCAPE_SHORT if short else _NEEDS_ESCAPE).match(text) else text


def _weight_prefix(weight: float | None) -> str:
    return "" if weight is None else f"%{_num(weight)}% "


def _feedback_lines(feedback: str) -> list[str]:
    if not feedback:
        return []
    return ["  > " + line if line else "  >" for line in feedback.split("\n")]


def _numeric_text(answer: NumericAnswer) -> str:
    if answer.low is not None and answer.high is not None:
        return f"{_num(answer.low)} .. {_num(answer.high)}"
    value = _num(answer.value if answer.value is not None else 0.0)
    return f"{value} ± {_num(answer.tolerance)}" if answer.tolerance else value


def _answer_lines(question: Question) -> list[str]:
    out: list[str] = []
    if question.type in _CHOICE_TYPES:
        for choice in question.choices:
            box = "[x]" if choice.correct else "[ ]"
            out.append(f"- {box} {_weight_prefix(choice.weight)}{_escape(choice.text)}")
            out.extend(_feedback_lines(choice.feedback))
    elif question.type in ("short", "numeric"):
        for answer in question.answers:
            if isinstance(answer, NumericAnswer):
                text = _numeric_text(answer)
            elif answer.regex:
                text = f"/{answer.text}/"
            else:
                text = _escape(answer.text, short=True)
            out.append(f"- {_weight_prefix(answer.weight)}{text}")
            out.extend(_feedback_lines(answer.feedback))
    elif question.type == "matching":
        for pair in question.pairs:
            left = _escape(pair.left) + " " if pair.left else ""
            out.append(f"- {left}-> {pair.right}")
    elif question.type == "ordering":
        out.extend(f"{number}. {_escape(item)}"
                   for number, item in enumerate(question.sequence, start=1))
    elif question.type == "essay":
        out.extend(f"- {_escape(point)}" for point in question.guidance)
    return out


def _question_lines(question: Question) -> list[str]:
    out = [f"## {question.id}", f"type: {question.type}"]
    if question.points != 1:
        out.append(f"points: {_num(question.points)}")
    if question.difficulty != "medium":
        out.append(f"difficulty: {question.difficulty}")
    if question.tags:
        out.append("tags: " + ", ".join(question.tags))
    if question.type == "essay" and question.word_limit is not None:
        out.append(f"words: {question.word_limit}")
    out.append("")
    out.extend(question.stem.split("\n"))
    answers = _answer_lines(question)
    if answers:
        out.append("")
        out.extend(answers)
    if question.explanation:
        out.append("")
        out.extend("> " + line if line else ">" for line in question.explanation.split("\n"))
    return out


def export_bank(bank: Bank) -> str:
    """The bank as canonical Markdown: front matter, then the questions in order."""
    out = ["---", f"id: {bank.id}", f"title: {bank.title}", f"area: {bank.area}",
           f"language: {bank.language}"]
    if bank.tags:
        out.append("tags: " + ", ".join(bank.tags))
    out.append("---")
    for question in bank.questions:
        out.append("")
        out.extend(_question_lines(question))
    return "\n".join(out) + "\n"
