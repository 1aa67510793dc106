"""GIFT text in its four formats as our Markdown; [html] is sanitised and kept as HTML.

Moodle's editor formatting that our Markdown keeps is listed in docs/moodle-formats.md; the
sanitising itself is the app's one sanitiser, :func:`app.content.markdown.sanitise_fragment`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.banks.gift.syntax import BLANK, FORMAT_RE, unhide
from app.banks.moodle import plain_to_markdown
from app.content.markdown import sanitise_fragment

BLANK_TEXT = "_____"  # how the blank of a missing-word question shows

_CELL = frozenset({"colspan", "rowspan"})
# Blocks that end where they close but are not kept: headings become bold text on a line of
# their own, the others only a line break (decision in docs/decisions.md).
_HEADINGS = tuple(f"h{n}" for n in range(1, 7))
_UNKEPT_BLOCKS = ("div", "blockquote", "dl", "dt", "dd", "details", "summary", "figure",
                  "figcaption", "hr")
_HTML_ALLOWED: Mapping[str, frozenset[str]] = {tag: frozenset() for tag in (
    "p", "br", "strong", "em", "b", "i", "u", "code", "pre", "ul", "ol", "li", "table", "thead",
    "tbody", "tfoot", "tr", "th", "td", "caption", "sub", "sup", *_HEADINGS, *_UNKEPT_BLOCKS)} | {
    "a": frozenset({"href"}), "img": frozenset({"src", "alt"}), "th": _CELL, "td": _CELL}
# The sanitiser writes these tags bare (no attributes allowed), so they are found as written.
_BLOCK_TAG_RE = re.compile(rf"<(/?)({'|'.join(_HEADINGS + _UNKEPT_BLOCKS)})>")
_BOUNDARY = "\x00"  # never in the sanitiser's output (it turns NUL into U+FFFD)
_BOUNDARIES_RE = re.compile(r"\s*\x00(?:\s*\x00)*\s*")
# A kept tag that is a line of its own already: no <br> is needed beside it.
_KEPT_BLOCK = r"</?(?:p|pre|ul|ol|li|table|thead|tbody|tfoot|tr|th|td|caption)(?:\s[^>]*)?>|<br>"
_BLOCK_BEFORE_RE = re.compile(rf"(?:{_KEPT_BLOCK})\Z")
_BLOCK_AFTER_RE = re.compile(_KEPT_BLOCK)
_PRE_RE = re.compile(r"(<pre[\s>].*?</pre>)", re.I | re.S)
# A tag or an entity (kept), a character Markdown would act on, or a line start that would.
_HTML_TEXT_RE = re.compile(r"(<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|&#?\w+;)|([\\`*_\[\]|~#])"
                           r"|^([-+=!]|\d+\.)", re.M)
_WHOLE_PARAGRAPH_RE = re.compile(r"<p>(.*)</p>", re.S)


def to_markdown(raw: str, fmt: str, kind: str = "block") -> str:
    """A piece of GIFT text as our Markdown, in its own `[format]` or the question's.

    ``kind`` "inline" (an option, a side of a pair) makes one line; "inline" and
    "feedback" drop a `<p>` wrapping the whole text.
    """
    if found := FORMAT_RE.match(raw):
        fmt, raw = found[1].lower(), raw[found.end():]
    text = unhide(raw).strip()
    if not text:
        return ""
    if fmt == "html":
        text = sanitise_html(text)
    elif fmt != "markdown":
        text = plain_to_markdown(text)
    return _fit(text, kind).replace(BLANK, BLANK_TEXT).strip()


def _fit(text: str, kind: str) -> str:
    """Text shaped for where it stands: one line for "inline", no lone `<p>` outside "block"."""
    if kind == "inline":
        text = " ".join(line.strip() for line in text.split("\n") if line.strip())
    if kind != "block" and (whole := _WHOLE_PARAGRAPH_RE.fullmatch(text)) \
            and "<p" not in whole[1]:
        text = whole[1]
    return text


def sanitise_html(text: str) -> str:
    """Allowed tags only; text Markdown would act on becomes entities, so it shows as is.

    A heading, ``<div>`` and the like still end a line (``<h4>Heading</h4>Body`` is two
    lines, not "HeadingBody"); headings become bold text. Linear in the text.
    """
    clean = _block_boundaries(sanitise_fragment(text, _HTML_ALLOWED))
    parts = []
    for k, part in enumerate(_PRE_RE.split(clean)):
        if k % 2 == 0:  # outside <pre>: indentation and blank lines mean nothing in HTML
            part = "\n".join(line.strip() for line in part.split("\n") if line.strip())
        parts.append(_HTML_TEXT_RE.sub(_protect, part))
    return "".join(parts).strip()


def _block_boundaries(clean: str) -> str:
    """Unkept block tags as line breaks, headings as <strong>, in sanitised HTML."""

    def unkept(tag: re.Match[str]) -> str:
        if tag[2] in _HEADINGS:
            return "</strong>" + _BOUNDARY if tag[1] else _BOUNDARY + "<strong>"
        return _BOUNDARY

    marked = _BLOCK_TAG_RE.sub(unkept, clean).replace("<strong></strong>", "")
    if _BOUNDARY not in marked:
        return marked

    def line_break(run: re.Match[str]) -> str:
        start, end = run.span()
        edge = (start == 0 or end == len(marked)
                or _BLOCK_BEFORE_RE.search(marked, max(0, start - 64), start)
                or _BLOCK_AFTER_RE.match(marked, end))
        return "\n" if edge else "<br>\n"

    return _BOUNDARIES_RE.sub(line_break, marked)


def _protect(match: re.Match[str]) -> str:
    if match[1]:
        return match[1]
    char = match[2] or match[3]
    if char[0].isdigit():
        return char[:-1] + "&#46;"
    return f"&#{ord(char)};"


def has_level2_heading(markdown: str) -> bool:
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
