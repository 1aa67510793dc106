"""The GIFT reader above the answer block: blocks, categories, IDs, tags and one question."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.banks.gift.answers import AnswerBlock, Answers, read_answers
from app.banks.gift.syntax import BLANK, FORMAT_RE, RESERVED_RE, Meta, Source, unhide
from app.banks.gift.text import BLANK_TEXT, has_level2_heading, to_markdown
from app.banks.markdown_export import stem_as_written
from app.banks.moodle import QUESTION_ID_RE, IssueLog, QuestionIds, split_blocks, tag_slug
from app.banks.questions import DIFFICULTIES, Question

_TAG_LIKE_RE = re.compile(r"</?[A-Za-z][^<>]*>")

_POINTS_RE = re.compile(r"\d{1,6}(?:\.\d{1,2})?")
_TRUEFALSE_LABELS = (("true", "false"), ("对", "错"), ("正确", "错误"))
_KEY_FOR = {"words": "essay", "guidance": "essay", "truefalse": "truefalse"}
_SEPARATED_META = ("this [id:] or [tag:] comment is separated from its question by a blank "
                   "line, so it belongs to no question and is ignored: remove the blank line")
_CATEGORY_NOT_ALONE = "`$CATEGORY:` must stand in a block of its own: leave a blank line before it"
_BAD_ID = ("question ID '{qid}' in `// [id:...]` is not valid: use letters, digits, '-', '_' "
           "and '.', starting with a letter or digit (up to 64 characters)")
_DUPLICATE_ID = ("question ID '{qid}' in `// [id:...]` is also the ID given at line {seen}: "
                 "IDs must be unique; give one of them another `// [id:...]` comment, or none "
                 "(then its ID is made of its `::name::`)")
_UNCLOSED_BLOCK = ("the answer block opened with `{` is never closed: end it with `}` before "
                   "the next blank line, which ends the question (write `\\{` for a literal "
                   "brace)")
_SECOND_BLOCK = ("a second answer block or a stray brace: a GIFT question has one `{...}` "
                 "block; write `\\{` or `\\}` for a literal brace")
_HTML_WITHOUT_MARKER = ("the text looks like HTML but has no `[html]` marker, so the tags will "
                        "show as text: write `[html]` before the question text to keep the "
                        "formatting")
_PLUGINFILE = ("the text links to files stored in Moodle (@@PLUGINFILE@@), which GIFT files do "
               "not carry: those images and links will be broken; upload the files and fix the "
               "links")


@dataclass(frozen=True)
class _Head:
    """What stands before the question text: its `::name::` and `[format]`; where it begins."""

    title: str
    fmt: str
    pos: int  # where the question text begins
    opening: int  # the first `{` after it, or -1
    closing: int  # the first `}` after it, or -1


def _given_ids(blocks: list[list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """Every question's first `// [id:...]` (line, ID), as :meth:`GiftReader._split_block`
    will find them: comments above a `$CATEGORY:` or without question lines belong to none."""
    found = []
    for block in blocks:
        meta, has_body = Meta(), False
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                meta.add(number, stripped)
            elif stripped.startswith("$CATEGORY:"):
                meta = Meta()
            else:
                has_body = True
        if has_body and meta.ids:
            found.append(meta.ids[0])
    return found


def _stem_source(raw: str, pos: int, opening: int, end: int) -> str:
    """The question text; Moodle's "missing word" form gets a blank where the block stood."""
    before, after = raw[pos:opening], raw[end + 1:]
    if not after.strip():
        return before
    gap_before = " " if before.rstrip() != before else ""  # newlines become spaces
    gap_after = " " if after.lstrip() != after else ""
    return f"{before.rstrip()}{gap_before}{BLANK}{gap_after}{after.lstrip()}"


class GiftReader:
    """Reads one file's blocks into questions and bank tags, reporting to the file's log."""

    def __init__(self, log: IssueLog, bank_id: str, language: str) -> None:
        self.log, self.bank_id, self.language = log, bank_id, language
        self.category: str | None = None
        self.position = 0  # questions seen so far, for IDs without name or [id:]
        self.questions: list[Question] = []
        self.tags: list[str] = []
        self.ids = QuestionIds(log, bank_id)

    def read(self, text: str) -> None:
        blocks = split_blocks(text)
        for number, qid in _given_ids(blocks):  # a given ID wins over one made of a name
            if self.ids.taken(qid) is None:
                self.ids.claim(qid, number)
        for block in blocks:
            self._block(block)

    # --- blocks, categories, comments -----------------------------------------------------------
    def _block(self, block: list[tuple[int, str]]) -> None:
        parts = self._split_block(block)
        if parts is None:
            return
        meta, body = parts
        if body:
            self._question(body, meta)
        elif (line := meta.first_line()) is not None:
            self.log.warning(line, _SEPARATED_META)

    def _split_block(self, block: list[tuple[int, str]]
                     ) -> tuple[Meta, list[tuple[int, str]]] | None:
        """The block's `// [id:]`/`[tag:]` comments and question lines; None on an error."""
        meta = Meta()
        body: list[tuple[int, str]] = []
        for number, line in block:
            if self._reserved(number, line):
                return None
            stripped = line.strip()
            if stripped.startswith("//"):
                meta.add(number, stripped)
            elif stripped.startswith("$CATEGORY:") and body:
                self.log.error(number, _CATEGORY_NOT_ALONE)
                return None
            elif stripped.startswith("$CATEGORY:"):
                self._set_category(number, stripped.removeprefix("$CATEGORY:"))
                meta = Meta()  # comments above $CATEGORY describe the category
            else:
                body.append((number, line))
        return meta, body

    def _reserved(self, number: int, line: str) -> bool:
        """Whether the line holds a character the reader keeps for escapes (reported)."""
        if found := RESERVED_RE.search(line):
            self.log.error(number, f"the line holds U+{ord(found[0]):04X}, a private-use "
                                   "character this reader uses internally: delete it")
        return found is not None

    def _set_category(self, number: int, path: str) -> None:
        segments = [s.replace("//", "/").strip() for s in re.split(r"(?<!/)/(?!/)", path)]
        last = segments[-1] if segments else ""
        self.category = None
        if not last or last.lower() == "top" or re.fullmatch(r"\$\w+\$", last):
            return  # Moodle's top category or a context such as $course$: nothing to tag with
        self.category = tag_slug(last) or None
        if self.category is None:
            self.log.warning(number, f"category '{last}' has no letters or digits, so its "
                                     "questions get no category tag")
        else:
            self._bank_tag(self.category)

    def _bank_tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)

    def _question_tags(self, meta: Meta, qid: str) -> tuple[str, ...]:
        tags = [self.category] if self.category else []
        for number, value in meta.tags:
            if not (tag := tag_slug(value)):
                self.log.warning(number, f"tag '{value}' has no letters or digits: ignored", qid)
            elif tag not in tags:
                tags.append(tag)
        for tag in tags:
            self._bank_tag(tag)
        return tuple(tags)

    # --- question IDs ---------------------------------------------------------------------------
    def _question_id(self, meta: Meta, title: str, first: int) -> str:
        """The `[id:]`, else one made of the name (numbered if taken), else of the position.

        Given IDs were claimed before any question was read; one given twice is an error.
        """
        if not meta.ids:
            return self.ids.from_name(title, first, self.position)
        number, qid = meta.ids[0]
        if len(meta.ids) > 1:
            self.log.warning(meta.ids[1][0], f"several [id:] comments: the first, '{qid}', "
                                             "is used", qid)
        if not QUESTION_ID_RE.fullmatch(qid):
            self.log.error(number, _BAD_ID.format(qid=qid), qid)
        elif (seen := self.ids.taken(qid)) != number:
            self.log.error(number, _DUPLICATE_ID.format(qid=qid, seen=seen), qid)
        return qid

    # --- one question ---------------------------------------------------------------------------
    def _question(self, body: list[tuple[int, str]], meta: Meta) -> None:
        src, first = Source.build(body), body[0][0]
        head = self._head(src.text, first)
        if head is None:
            return
        self.position += 1
        errors = self.log.error_count()  # any error from here on leaves the question out
        qid = self._question_id(meta, head.title, first)
        tags = self._question_tags(meta, qid)
        read = self._text_and_answers(src, head, first, qid)
        if read is None or self.log.error_count() > errors:
            return
        stem, answers = read
        keys = _our_keys(self.log, meta, qid, answers.type)
        choices = answers.choices
        if labels := keys.pop("truefalse", None):
            choices = tuple(replace(c, text=text) for c, text in zip(choices, labels, strict=True))
        question = Question(
            id=qid, type=answers.type, stem=stem, tags=tags, explanation=answers.explanation,
            choices=choices, answers=answers.answers, pairs=answers.pairs, line=first, **keys)
        question.stem = stem_as_written(question)  # a [markdown] stem ending in a list
        self.questions.append(question)

    def _head(self, raw: str, first: int) -> _Head | None:
        """Name and format; None after skipping a description (reported)."""
        title, pos = "", 0
        if raw.lstrip().startswith("::"):
            start = raw.index("::") + 2
            if (end := raw.find("::", start)) < 0:  # Moodle: no name, the rest is the text
                self.log.warning(first, "the question name opened with `::` is not closed: "
                                        "read as a question without a name, as Moodle reads "
                                        "it; write `::name::` before the question text "
                                        "(`\\:` for a colon)")
                pos = start
            else:
                title, pos = unhide(raw[start:end]).strip(), end + 2
        fmt = "moodle"
        if found := FORMAT_RE.match(raw, pos):
            fmt, pos = found[1].lower(), found.end()
        opening, closing = raw.find("{", pos), raw.find("}", pos)
        if opening < 0 and closing < 0:
            self.log.warning(first, "description items are not questions: skipped (put such "
                                    "text in a course lesson or in a question's stem)")
            return None
        return _Head(title, fmt, pos, opening, closing)

    def _text_and_answers(self, src: Source, head: _Head, first: int,
                          qid: str) -> tuple[str, Answers] | None:
        """The stem (checked) and the answer block's answers, or None if the block is unusable."""
        end = self._block_end(src, head.opening, head.closing, qid)
        if end is None:
            return None
        self._warn_lossy(src.text[head.pos:], head.fmt, first, qid)
        stem = to_markdown(_stem_source(src.text, head.pos, head.opening, end), head.fmt)
        self._check_stem(stem, head.fmt, first, qid)
        block = AnswerBlock(self.log, src, head.opening + 1, end, head.fmt, qid, self.language)
        answers = read_answers(block)
        return None if answers is None else (stem, answers)

    def _check_stem(self, stem: str, fmt: str, first: int, qid: str) -> None:
        if stem in ("", BLANK_TEXT):
            self.log.error(first, "the question has no text: write it before the `{...}` "
                                  "answer block", qid)
        if fmt == "markdown" and has_level2_heading(stem):
            self.log.error(first, "a `## ` heading in the text would start a new question in our "
                                  "Markdown format: use `###` or a smaller heading", qid)

    def _block_end(self, src: Source, opening: int, closing: int, qid: str) -> int | None:
        """Where the one `{...}` block ends, or None after reporting why there is none."""
        raw = src.text
        if closing >= 0 and (opening < 0 or closing < opening):
            self.log.error(src.line(closing), "`}` without an opening `{`: write `\\}` for a "
                                              "literal brace", qid)
            return None
        end, nested = raw.find("}", opening + 1), raw.find("{", opening + 1)
        if end < 0:
            self.log.error(src.line(opening), _UNCLOSED_BLOCK, qid)
            return None
        if 0 <= nested < end:
            self.log.error(src.line(nested), "`{` inside an answer block: close the block with "
                                             "`}` first, or write `\\{` for a literal brace", qid)
            return None
        if extra := re.search(r"[{}]", raw[end + 1:]):
            self.log.error(src.line(end + 1 + extra.start()), _SECOND_BLOCK, qid)
        return end

    def _warn_lossy(self, text: str, fmt: str, first: int, qid: str) -> None:
        text = unhide(text)
        if fmt == "moodle" and _TAG_LIKE_RE.search(text):
            self.log.warning(first, _HTML_WITHOUT_MARKER, qid)
        if "@@PLUGINFILE@@" in text:
            self.log.warning(first, _PLUGINFILE, qid)


def _our_keys(log: IssueLog, meta: Meta, qid: str, qtype: str) -> dict:
    """What our own `// [points:2]`-style comments say (the GIFT writer writes them); a value
    that cannot apply is ignored with a notice."""
    fields: dict = {}
    guidance: list[str] = []
    for number, key, value in meta.keys:
        if _KEY_FOR.get(key, qtype) != qtype:
            log.warning(number, f"[{key}:] applies to {_KEY_FOR[key]} questions only: "
                                "ignored", qid)
        elif key == "guidance":
            guidance.append(value)
        elif (found := _key_value(key, value)) is None:
            log.warning(number, f"[{key}:{value}] is not valid: ignored ({_KEY_HINTS[key]})",
                        qid)
        else:
            fields[key] = found
    if guidance:
        fields["guidance"] = tuple(guidance)
    if "words" in fields:
        fields["word_limit"] = fields.pop("words")
    return fields


_KEY_HINTS = {"points": "write a positive number with at most two decimals, such as 2 or 1.5",
              "difficulty": "write easy, medium or hard",
              "words": "write the word limit as a whole number, such as 300",
              "truefalse": "write the two labels, such as True|False or 对|错"}


def _key_value(key: str, value: str) -> object:
    """The value of one of our keys, or None when it is not valid."""
    if key == "points":
        return float(value) if _POINTS_RE.fullmatch(value) and float(value) > 0 else None
    if key == "difficulty":
        return value if value in DIFFICULTIES else None
    if key == "words":
        return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None
    labels = tuple(label.strip() for label in value.split("|"))
    return labels if tuple(label.casefold() for label in labels) in _TRUEFALSE_LABELS else None
