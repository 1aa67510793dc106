"""Read Moodle GIFT question files into the question-bank model. Pure: no Flask, no database.

The rules follow Moodle's documentation of the format (https://docs.moodle.org/en/GIFT_format);
docs/moodle-formats.md says what maps to what. Everything that cannot map is reported with its
line, never dropped silently. The small helpers shared with the Aiken reader live here too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from app.banks.questions import (
    AREAS,
    Bank,
    Choice,
    NumericAnswer,
    Pair,
    Question,
    TextAnswer,
)
from app.content.authoring import LANGUAGES, Issue
from app.content.markdown import sanitise_fragment

# --- Shared with the Aiken reader ----------------------------------------------------------
# The same rules as the Markdown format (app/banks/markdown_format.py).
_BANK_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,58}[a-z0-9]")
QUESTION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class IssueLog:
    """The problems found in one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.issues: list[Issue] = []

    def error(self, line: int, message: str, question_id: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, question_id))

    def warning(self, line: int, message: str, question_id: str | None = None) -> None:
        self.issues.append(Issue(self.path, line, message, question_id, "warning"))

    def error_count(self) -> int:
        return sum(issue.severity == "error" for issue in self.issues)


def check_bank_arguments(log: IssueLog, bank_id: str, title: str, area: str,
                         language: str) -> None:
    """The bank's identity comes from the command line, not the file: check it once (line 1)."""
    if not _BANK_ID_RE.fullmatch(bank_id):
        log.error(1, f"bank ID '{bank_id}' is not valid: use 3-60 lowercase letters, digits "
                     "and '-', starting and ending with a letter or digit, such as "
                     "'datahub-product'")
    if not title.strip() or len(title) > 200:
        log.error(1, "the bank title must be 1-200 characters long")
    if area not in AREAS:
        log.error(1, f"area '{area}' is unknown: use one of {', '.join(AREAS)}")
    if language not in LANGUAGES:
        log.error(1, f"language '{language}' is unknown: use one of {', '.join(LANGUAGES)}")


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


def finish_bank(log: IssueLog, bank: Bank, empty_hint: str) -> tuple[Bank | None, list[Issue]]:
    if not bank.questions and not log.error_count():
        log.error(1, f"no questions found: {empty_hint}")
    issues = sorted(log.issues, key=lambda issue: issue.line)
    return (None if log.error_count() else bank), issues


def tag_slug(text: str) -> str:
    """Our tag rule: lowercase letters of any script, digits and '-'."""
    return "-".join(re.findall(r"[^\W_]+", text.lower()))


_MD_INLINE_RE = re.compile(r"([\\`*_\[\]|])")


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that renders literally: line breaks kept, nothing interpreted."""
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


# --- GIFT syntax -----------------------------------------------------------------------------
# While the structure is parsed, escaped characters are private-use characters (as Moodle does).
_ESCAPABLE = "\\~=#{}:n"
_HIDE = {char: chr(0xE000 + k) for k, char in enumerate(_ESCAPABLE)}
_UNHIDE = str.maketrans({chr(0xE000 + k): ("\n" if char == "n" else char)
                         for k, char in enumerate(_ESCAPABLE)})
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_BLANK = "\ue010"  # where a missing-word answer block stood
_RESERVED_RE = re.compile("[\ue000-\ue010]")

_META_RE = re.compile(r"\[(id|tag):((?:\\.|[^\]\\])*)\]")
_FORMAT_RE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.I)
_TRUEFALSE_RE = re.compile(r"(T|TRUE|F|FALSE)\s*(#.*)?", re.I | re.S)
_WEIGHT_RE = re.compile(r"\s*%([^%]*)%")
_PERCENT_RE = re.compile(r"-?\d+(?:\.\d+)?")
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})")
_TOLERANCE_RE = re.compile(rf"({_NUMBER})(?:\s*:\s*({_NUMBER}))?")
_TAG_LIKE_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_BLANK_TEXT = "_____"

# --- [html] text: sanitised, then kept as HTML inside our Markdown --------------------------
# Moodle's editor formatting that our Markdown keeps (docs/moodle-formats.md lists it).
_HTML_ALLOWED = {tag: frozenset() for tag in (
    "p", "br", "strong", "em", "b", "i", "u", "code", "pre", "ul", "ol", "li", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "sub", "sup")} | {
    "a": frozenset({"href"}), "img": frozenset({"src", "alt"}),
    "th": frozenset({"colspan", "rowspan"}), "td": frozenset({"colspan", "rowspan"})}
_PRE_RE = re.compile(r"(<pre[\s>].*?</pre>)", re.I | re.S)
# A tag or an entity (kept), a character Markdown would act on, or a line start that would.
_HTML_TEXT_RE = re.compile(r"(<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|&#?\w+;)|([\\`*_\[\]|~#])"
                           r"|^([-+=!]|\d+\.)", re.M)


def _protect(match: re.Match) -> str:
    if match[1]:
        return match[1]
    char = match[2] or match[3]
    if char[0].isdigit():
        return char[:-1] + "&#46;"
    return f"&#{ord(char)};"


@dataclass
class _Source:
    """A question's lines (comments left out, escapes hidden) joined, with their line numbers."""

    text: str
    starts: list[int]
    numbers: list[int]

    @classmethod
    def build(cls, lines: list[tuple[int, str]]) -> _Source:
        parts, starts, numbers, offset = [], [], [], 0
        for number, line in lines:
            hidden = _ESCAPE_RE.sub(lambda m: _HIDE[m[1]], line)
            parts.append(hidden)
            starts.append(offset)
            numbers.append(number)
            offset += len(hidden) + 1
        return cls("\n".join(parts), starts, numbers)

    def line(self, offset: int) -> int:
        return self.numbers[max(bisect_right(self.starts, offset) - 1, 0)]


@dataclass
class _Meta:
    """`// [id:...]` and `// [tag:...]` comments of one block."""

    ids: list[tuple[int, str]] = field(default_factory=list)
    tags: list[tuple[int, str]] = field(default_factory=list)

    def add(self, number: int, comment: str) -> None:
        for kind, value in _META_RE.findall(comment):
            value = re.sub(r"\\(.)", r"\1", value).strip()
            if value:  # Moodle may write an empty [id:]
                (self.ids if kind == "id" else self.tags).append((number, value))


@dataclass
class _Item:
    """One answer of a block: `=` or `~`, its weight, text and feedback (escapes hidden)."""

    marker: str
    weight: float | None
    text: str
    feedback: str
    line: int


def _shown(text: str, limit: int = 40) -> str:
    text = " ".join(text.translate(_UNHIDE).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _percent(text: str) -> float | None:
    if not _PERCENT_RE.fullmatch(text.strip()):
        return None
    value = float(text)
    return value if -100 <= value <= 100 else None


def _id_slug(title: str) -> str:
    """An ASCII slug of a Moodle question name ("Q1: Edge tier" -> "q1-edge-tier")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _has_level2_heading(markdown: str) -> bool:
    """A `## ` line outside fenced code (our Markdown format starts a question there)."""
    fence = None
    for line in markdown.split("\n"):
        if found := re.match(r"\s{0,3}(`{3,}|~{3,})", line):
            if fence is None:
                fence = found[1][0]
            elif found[1][0] == fence:
                fence = None
        elif fence is None and re.match(r"##(?!#)", line):
            return True
    return False


def _short_answer(text: str) -> tuple[str, bool]:
    """Moodle's `*` wildcard becomes a regular expression; `\\*` is a literal asterisk."""
    text = " ".join(text.split())
    parts = re.split(r"(?<!\\)\*", text)
    if len(parts) == 1:
        return text.replace("\\*", "*"), False
    literal = [unicodedata.normalize("NFKC", part.replace("\\*", "*")) for part in parts]
    return ".*".join(re.escape(part) for part in literal), True


class _GiftReader:
    def __init__(self, log: IssueLog, bank_id: str, language: str) -> None:
        self.log, self.bank_id, self.language = log, bank_id, language
        self.category: str | None = None
        self.position = 0  # questions seen so far, for IDs without name or [id:]
        self.questions: list[Question] = []
        self.tags: list[str] = []
        self.id_lines: dict[str, int] = {}

    def read(self, text: str) -> None:
        for block in split_blocks(text):
            self._block(block)

    # --- blocks, categories, comments -------------------------------------------------------
    def _block(self, block: list[tuple[int, str]]) -> None:
        meta, body = _Meta(), []
        for number, line in block:
            if found := _RESERVED_RE.search(line):
                self.log.error(number, f"the line holds U+{ord(found[0]):04X}, a private-use "
                                       "character this reader uses internally: delete it")
                return
            stripped = line.strip()
            if stripped.startswith("//"):
                meta.add(number, stripped)
            elif stripped.startswith("$CATEGORY:") and not body:
                self._set_category(number, stripped.removeprefix("$CATEGORY:"))
                meta = _Meta()  # comments above $CATEGORY describe the category
            elif stripped.startswith("$CATEGORY:"):
                self.log.error(number, "`$CATEGORY:` must stand in a block of its own: leave a "
                                       "blank line before it")
                return
            else:
                body.append((number, line))
        if body:
            self._question(body, meta)
        elif meta.ids or meta.tags:
            self.log.warning(
                (meta.ids + meta.tags)[0][0],
                "this [id:] or [tag:] comment is separated from its question by a blank line, so "
                "it belongs to no question and is ignored: remove the blank line")

    def _set_category(self, number: int, path: str) -> None:
        segments = [s.replace("//", "/").strip() for s in re.split(r"(?<!/)/(?!/)", path)]
        last = segments[-1] if segments else ""
        self.category = None
        if not last or last.lower() == "top" or re.fullmatch(r"\$\w+\$", last):
            return  # Moodle's top category or a context such as $course$: nothing to tag with
        self.category = tag_slug(last)
        if not self.category:
            self.log.warning(number, f"category '{last}' has no letters or digits, so its "
                                     "questions get no category tag")
            self.category = None
        else:
            self._bank_tag(self.category)

    def _bank_tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)

    def _question_tags(self, meta: _Meta, qid: str) -> tuple[str, ...]:
        tags = [self.category] if self.category else []
        for number, value in meta.tags:
            if not (tag := tag_slug(value)):
                self.log.warning(number, f"tag '{value}' has no letters or digits: ignored", qid)
            elif tag not in tags:
                tags.append(tag)
        for tag in tags:
            self._bank_tag(tag)
        return tuple(tags)

    def _question_id(self, meta: _Meta, title: str, first: int) -> str:
        if meta.ids:
            number, qid = meta.ids[0]
            if len(meta.ids) > 1:
                self.log.warning(meta.ids[1][0], f"several [id:] comments: the first, '{qid}', "
                                                 "is used", qid)
            if not QUESTION_ID_RE.fullmatch(qid):
                self.log.error(number, f"question ID '{qid}' in `// [id:...]` is not valid: use "
                                       "letters, digits, '-', '_' and '.', starting with a "
                                       "letter or digit (up to 64 characters)",
                               qid)
        elif slug := _id_slug(title):
            qid = f"{self.bank_id}-{slug[: 63 - len(self.bank_id)]}".rstrip("-")
        else:
            qid = f"{self.bank_id}-{self.position}"
        if (seen := self.id_lines.get(qid)) is not None:
            self.log.error(first, f"question ID '{qid}' is also the ID of the question at line "
                                  f"{seen}: IDs must be unique; give one of them another "
                                  "`// [id:...]` comment or `::name::`", qid)
        else:
            self.id_lines[qid] = first
        return qid

    # --- one question -----------------------------------------------------------------------
    def _question(self, body: list[tuple[int, str]], meta: _Meta) -> None:
        src, first = _Source.build(body), body[0][0]
        raw, title, pos = src.text, "", 0
        if raw.lstrip().startswith("::"):
            start = raw.index("::") + 2
            if (end := raw.find("::", start)) < 0:
                self.log.error(first, "the question name opened with `::` is not closed: write "
                                      "`::name::` before the question text (`\\:` for a colon)")
                return
            title, pos = raw[start:end].translate(_UNHIDE).strip(), end + 2
        fmt = "moodle"
        if found := _FORMAT_RE.match(raw, pos):
            fmt, pos = found[1].lower(), found.end()
        opening, closing = raw.find("{", pos), raw.find("}", pos)
        if opening < 0 and closing < 0:
            self.log.warning(first, "description items are not questions: skipped (put such "
                                    "text in a course lesson or in a question's stem)")
            return
        self.position += 1
        qid = self._question_id(meta, title, first)
        tags = self._question_tags(meta, qid)
        errors = self.log.error_count()
        end = self._block_end(src, opening, closing, qid)
        if end is None:
            return
        self._warn_lossy(src.text[pos:], fmt, first, qid)
        before, after = raw[pos:opening], raw[end + 1:]
        if after.strip():  # Moodle's "missing word" form: a blank where the block stood
            gap_before = " " if before.rstrip() != before else ""  # newlines become spaces
            gap_after = " " if after.lstrip() != after else ""
            stem_raw = f"{before.rstrip()}{gap_before}{_BLANK}{gap_after}{after.lstrip()}"
        else:
            stem_raw = before
        stem = self._markdown(stem_raw, fmt)
        if stem in ("", _BLANK_TEXT):
            self.log.error(first, "the question has no text: write it before the `{...}` "
                                  "answer block", qid)
        if fmt == "markdown" and _has_level2_heading(stem):
            self.log.error(first, "a `## ` heading in the text would start a new question in our "
                                  "Markdown format: use `###` or a smaller heading", qid)
        parsed = self._answers(src, opening + 1, end, fmt, qid)
        if parsed is None or self.log.error_count() > errors:
            return
        fields, explanation = parsed
        self.questions.append(Question(
            id=qid, stem=stem, points=1.0, difficulty="medium",
            tags=tags, explanation=explanation, line=first, **fields))

    def _block_end(self, src: _Source, opening: int, closing: int, qid: str) -> int | None:
        """Where the one `{...}` block ends, or None after reporting why there is none."""
        raw = src.text
        if closing >= 0 and (opening < 0 or closing < opening):
            self.log.error(src.line(closing), "`}` without an opening `{`: write `\\}` for a "
                                              "literal brace", qid)
            return None
        end, nested = raw.find("}", opening + 1), raw.find("{", opening + 1)
        if end < 0:
            self.log.error(src.line(opening), "the answer block opened with `{` is never closed: "
                                              "end it with `}` before the next blank line, which "
                                              "ends the question (write `\\{` for a literal "
                                              "brace)", qid)
            return None
        if 0 <= nested < end:
            self.log.error(src.line(nested), "`{` inside an answer block: close the block with "
                                             "`}` first, or write `\\{` for a literal brace", qid)
            return None
        if extra := re.search(r"[{}]", raw[end + 1:]):
            self.log.error(src.line(end + 1 + extra.start()),
                           "a second answer block or a stray brace: a GIFT question has one "
                           "`{...}` block; write `\\{` or `\\}` for a literal brace", qid)
        return end

    def _warn_lossy(self, text: str, fmt: str, first: int, qid: str) -> None:
        text = text.translate(_UNHIDE)
        if fmt == "moodle" and _TAG_LIKE_RE.search(text):
            self.log.warning(first, "the text looks like HTML but has no `[html]` marker, so the "
                                    "tags will show as text: write `[html]` before the question "
                                    "text to keep the formatting", qid)
        if "@@PLUGINFILE@@" in text:
            self.log.warning(first, "the text links to files stored in Moodle (@@PLUGINFILE@@), "
                                    "which GIFT files do not carry: those images and links will "
                                    "be broken; upload the files and fix the links", qid)

    # --- answer blocks ----------------------------------------------------------------------
    def _answers(self, src: _Source, start: int, end: int, fmt: str,
                 qid: str) -> tuple[dict, str] | None:
        inner, general = src.text[start:end], ""
        if (cut := inner.find("####")) >= 0:
            inner, general = inner[:cut], inner[cut + 4:]
        explanation = self._markdown(general, fmt)
        body, line = inner.strip(), src.line(start - 1)
        base = start + len(inner) - len(inner.lstrip())
        if not body:
            return {"type": "essay"}, explanation
        if body.startswith("#"):
            fields = self._numeric(src, body[1:], base + 1, fmt, qid, line)
        elif "~" in body:
            fields = self._choices(src, inner, start, fmt, qid, line)
        elif "->" in body and "=" in body:
            fields = self._matching(src, inner, start, fmt, qid, line)
        elif found := _TRUEFALSE_RE.fullmatch(body):
            fields = self._truefalse(found[1], (found[2] or "")[1:], fmt)
        elif body.startswith("="):
            fields = self._short(src, inner, start, fmt, qid, line)
        else:
            self.log.error(line, f"unknown answer syntax `{{{_shown(body)}}}`: start right "
                                 "answers with `=` and wrong ones with `~`, write {T} or {F} for "
                                 "true/false, {#...} for a number, {} for an essay", qid)
            return None
        return None if fields is None else (fields, explanation)

    def _items(self, src: _Source, text: str, base: int, qid: str) -> list[_Item] | None:
        pieces = re.split(r"([=~])", text)
        if lead := pieces[0].strip():
            self.log.error(src.line(base + pieces[0].index(lead[0])),
                           f"'{_shown(lead)}' is not an answer: start right answers with `=` "
                           "and wrong ones with `~`", qid)
            return None
        items, pos, ok = [], base + len(pieces[0]), True
        for marker, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            line, weight = src.line(pos), None
            pos += 1 + len(piece)
            if found := _WEIGHT_RE.match(piece):
                weight, piece = _percent(found[1]), piece[found.end():]
            if weight is None and (found or piece.lstrip().startswith("%")):
                self.log.error(line, "a weight must be a percentage from -100 to 100 between two "
                                     "`%`, such as `%50%` or `%-25%`", qid)
                ok = False
            text_, hashed, feedback = piece.partition("#")
            items.append(_Item(marker, weight, text_, feedback if hashed else "", line))
        return items if ok else None

    def _choices(self, src, inner, start, fmt, qid, line) -> dict | None:
        items = self._items(src, inner, start, qid)
        if items is None:
            return None
        if len(items) < 2:
            self.log.error(line, "a multiple-choice block needs at least two answers: "
                                 "`{=right ~wrong}`", qid)
        rights = [item for item in items if item.marker == "="]
        weights = [item.weight if item.weight is not None else 100.0 if item.marker == "="
                   else 0.0 for item in items]
        full = [k for k, weight in enumerate(weights) if weight == 100]
        positive = [weight for weight in weights if weight > 0]
        qtype, right = "single", set(full)
        if len(rights) > 1:
            self.log.error(rights[1].line, "several answers start with `=`, but a multiple-choice "
                                           "block has one right answer; for several right "
                                           "answers give weights adding up to 100%: "
                                           "`~%50%a ~%50%b ~%-100%c`", qid)
        elif len(full) != 1 and not (not full and len(positive) > 1
                                     and abs(sum(positive) - 100) <= 0.01):
            self.log.error(line, self._weights_problem(full, positive), qid)
        elif not full:
            qtype, right = "multiple", {k for k, weight in enumerate(weights) if weight > 0}
        weighted = any(item.weight is not None for item in items)
        choices = []
        for k, item in enumerate(items):
            text = self._markdown(item.text, fmt, "inline")
            if not text:
                self.log.error(item.line, "an answer has no text: write it after `=` or `~`", qid)
            choices.append(Choice(text, k in right, weights[k] if weighted else None,
                                  self._markdown(item.feedback, fmt, "feedback")))
        return {"type": qtype, "choices": tuple(choices)}

    @staticmethod
    def _weights_problem(full: list[int], positive: list[float]) -> str:
        if not positive:
            return ("no right answer: mark it with `=`, or give the right answers positive "
                    "weights adding up to 100% (`~%50%a ~%50%b ~c`)")
        if len(full) > 1:
            return ("several answers are worth 100%: one right answer is worth 100%; several "
                    "right answers share 100% (`~%50%a ~%50%b`)")
        return (f"the positive weights add up to {sum(positive):g}%: one answer must be worth "
                "100% (one right answer), or the right answers' weights must add up to 100%")

    def _truefalse(self, word: str, feedback: str, fmt: str) -> dict:
        truth = word.upper() in ("T", "TRUE")
        wrong, _, right = feedback.partition("#")  # Moodle: {T#if answered wrong#if right}
        labels = ("正确", "错误") if self.language == "zh_CN" else ("True", "False")
        for_true, for_false = (right, wrong) if truth else (wrong, right)
        return {"type": "truefalse", "choices": (
            Choice(labels[0], truth, None, self._markdown(for_true, fmt, "feedback")),
            Choice(labels[1], not truth, None, self._markdown(for_false, fmt, "feedback")))}

    def _short(self, src, inner, start, fmt, qid, line) -> dict | None:
        items = self._items(src, inner, start, qid)
        if items is None:
            return None
        answers = []
        for item in items:
            text, regex = _short_answer(item.text.translate(_UNHIDE))
            if not text:
                self.log.error(item.line, "an accepted answer is empty: write it after `=`", qid)
            answers.append(TextAnswer(text, regex, item.weight,
                                      self._markdown(item.feedback, fmt, "feedback")))
        self._check_full_marks(answers, line, qid)
        return {"type": "short", "answers": tuple(answers)}

    def _numeric(self, src, body: str, base: int, fmt: str, qid: str,
                 line: int) -> dict | None:
        if "~" in body:
            self.log.error(line, "`~` is not allowed in a numerical block: write `{#3.14:0.01}`, "
                                 "`{#1..5}` or several answers `{#=%100%3.14:0 =%50%3.1:0.1}`", qid)
            return None
        if "=" in body:
            items = self._items(src, body, base, qid)
        else:
            spec, hashed, feedback = body.partition("#")
            items = [_Item("=", None, spec, feedback if hashed else "", line)]
        if not items:
            return None
        answers = [self._number(item, fmt, qid) for item in items]
        if None in answers:
            return None
        self._check_full_marks(answers, line, qid)
        return {"type": "numeric", "answers": tuple(answers)}

    def _number(self, item: _Item, fmt: str, qid: str) -> NumericAnswer | None:
        spec = " ".join(item.text.translate(_UNHIDE).split())
        feedback = self._markdown(item.feedback, fmt, "feedback")
        if found := _RANGE_RE.fullmatch(spec):
            low, high = float(found[1]), float(found[2])
            if low <= high:
                return NumericAnswer(low=low, high=high, weight=item.weight, feedback=feedback)
            self.log.error(item.line, f"the range {spec} runs backwards: write the lower end "
                                      "first, `low..high`", qid)
        elif found := _TOLERANCE_RE.fullmatch(spec):
            tolerance = float(found[2] or 0)
            if tolerance >= 0:
                return NumericAnswer(value=float(found[1]), tolerance=tolerance,
                                     weight=item.weight, feedback=feedback)
            self.log.error(item.line, f"the tolerance in {spec} is negative: write "
                                      "`value:tolerance` with a tolerance of 0 or more", qid)
        else:
            self.log.error(item.line, f"'{_shown(spec) or '(nothing)'}' is not a numerical "
                                      "answer: write `3.14`, `3.14:0.01` (value:tolerance) or "
                                      "`1..5` (a range), with a decimal point", qid)
        return None

    def _check_full_marks(self, answers: list, line: int, qid: str) -> None:
        if not any(answer.weight in (None, 100) for answer in answers):
            self.log.error(line, "no answer earns full marks: leave the weight off one answer, "
                                 "or write `=%100%`", qid)

    def _matching(self, src, inner, start, fmt, qid, line) -> dict | None:
        items = self._items(src, inner, start, qid)
        if items is None:
            return None
        pairs = []
        for item in items:
            left, arrow, right = item.text.partition("->")
            if item.weight is not None:
                self.log.error(item.line, "matching pairs take no weights: remove the `%...%`",
                               qid)
            if item.feedback.strip():
                self.log.warning(item.line, "feedback on a matching pair cannot be kept: "
                                            "dropped (use the general feedback `####...`)", qid)
            right_md = self._markdown(right, fmt, "inline")
            if not arrow or not right_md:
                self.log.error(item.line, "a matching pair is written `=left -> right` (or "
                                          "`= -> right` for an extra right-hand answer)", qid)
                continue
            pairs.append(Pair(self._markdown(left, fmt, "inline") or None, right_md))
        if sum(pair.left is not None for pair in pairs) < 2:
            self.log.error(line, "a matching block needs at least two pairs "
                                 "`=left -> right`", qid)
        return {"type": "matching", "pairs": tuple(pairs)}

    # --- text formats -----------------------------------------------------------------------
    def _markdown(self, raw: str, fmt: str, kind: str = "block") -> str:
        """A piece of GIFT text as our Markdown, in its own `[format]` or the question's.

        ``kind`` "inline" (an option, a side of a pair) makes one line; "inline" and
        "feedback" drop a `<p>` wrapping the whole text.
        """
        if found := _FORMAT_RE.match(raw):
            fmt, raw = found[1].lower(), raw[found.end():]
        text = raw.translate(_UNHIDE).strip()
        if not text:
            return ""
        if fmt == "html":
            text = self._sanitise(text)
        elif fmt != "markdown":
            text = plain_to_markdown(text)
        if kind == "inline":
            text = " ".join(line.strip() for line in text.split("\n") if line.strip())
        if kind != "block" and (whole := re.fullmatch(r"<p>(.*)</p>", text, re.S)) \
                and "<p" not in whole[1]:
            text = whole[1]
        return text.replace(_BLANK, _BLANK_TEXT).strip()

    def _sanitise(self, text: str) -> str:
        """Allowed tags only; text Markdown would act on becomes entities, so it shows as is."""
        clean = sanitise_fragment(text, _HTML_ALLOWED)
        parts = []
        for k, part in enumerate(_PRE_RE.split(clean)):
            if k % 2 == 0:  # outside <pre>: indentation and blank lines mean nothing in HTML
                part = "\n".join(line.strip() for line in part.split("\n") if line.strip())
            parts.append(_HTML_TEXT_RE.sub(_protect, part))
        return "".join(parts).strip()


def read_gift(text: str, path: str, bank_id: str, *, title: str | None = None,
              area: str = "product", language: str = "en") -> tuple[Bank | None, list[Issue]]:
    """Read a Moodle GIFT file. The bank when there is no error (warnings allowed), else None;
    with every issue found, in line order."""
    log = IssueLog(path)
    title = title or bank_id
    check_bank_arguments(log, bank_id, title, area, language)
    reader = _GiftReader(log, bank_id, language)
    reader.read(text)
    bank = Bank(id=bank_id, title=title, area=area, language=language, tags=tuple(reader.tags),
                questions=reader.questions, path=path)
    return finish_bank(log, bank, "a GIFT question is text followed by an answer block in "
                                  "braces, such as `2+2 = {=4 ~5}`")
