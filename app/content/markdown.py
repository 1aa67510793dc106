"""The one place user-written Markdown becomes HTML: render, rewrite links, sanitise.

Lessons, question stems, rubric descriptors and comments all go through
:func:`render_markdown`. It is pure (no Flask, no database) so it can run in CLI
checks, tests and request handlers alike. Python-Markdown passes raw HTML through
untouched, so its output is never trusted: :func:`sanitise_fragment` (nh3, with a strict
allow-list) is always the last step, and the one sanitiser for any other untrusted HTML.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode, strip_tags
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES

from app.content.authoring import MAX_MARKDOWN_CHARS  # the formats' lint checks it too
from app.content.linear_html import LinearInlineProcessor, bounded_nesting, memoise_start_tag_ends

ResolveUrl = Callable[[str, str], str | None]


class MarkdownTooLarge(ValueError):
    """The text is longer than we are willing to render (Python-Markdown can be quadratic)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"The Markdown text is {size:,} characters long; the limit is {limit:,}. "
            "Please split it into smaller parts."
        )
        self.size, self.limit = size, limit


@dataclass(frozen=True)
class TocEntry:
    level: int  # 1..6
    anchor: str  # the id attribute of the heading in the html
    title: str  # plain text (escape it when rendering)


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str  # sanitised HTML, safe to insert into a page
    toc: tuple[TocEntry, ...]  # headings in order (all levels)
    title: str | None  # text of the first level-1 heading, if any


# --- Allow-lists ---------------------------------------------------------------------------
HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
ALLOWED_TAGS = HEADINGS | {
    *("p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark"),
    *("small", "code", "kbd", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a"),
    *("img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "span", "div"),
    *("abbr", "details", "summary", "figure", "figcaption"),
}
_ATTRIBUTES = {  # id and class only under the rules of _attribute_filter
    **{"a": "href title", "img": "src alt title width height", "ol": "start", "abbr": "title"},
    **{"th": "align colspan rowspan", "td": "align colspan rowspan"},
    **dict.fromkeys(HEADINGS, "id"),
    **dict.fromkeys(("span", "div", "p", "code", "pre"), "class"),
}
# Every allowed tag with the attributes it may keep.
ALLOWED: Mapping[str, frozenset[str]] = MappingProxyType(
    {tag: frozenset(_ATTRIBUTES.get(tag, "").split()) for tag in ALLOWED_TAGS}
)
_CLASS_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
ADMONITION_KINDS = frozenset(
    {"note", "tip", "hint", "important", "warning", "caution", "danger", "error", "attention"}
)
ALLOWED_CLASSES = (
    frozenset({"highlight", "codehilite", "admonition", "admonition-title", "hll"})
    | ADMONITION_KINDS
    | frozenset(cls for cls in STANDARD_TYPES.values() if cls)  # Pygments: k, s1, nf, ...
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
ANCHOR_PREFIX = "sec-"
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):")
_NOT_PRINTABLE_RE = re.compile(r"[^\x21-\x5f\x61-\x7e]+")  # also drops the backtick


def _class_token_ok(token: str) -> bool:
    if not _CLASS_TOKEN_RE.match(token):
        return False
    return token in ALLOWED_CLASSES or token.startswith("language-")


def _url_probe(url: str) -> str:
    """Entities decoded, then everything but printable ASCII dropped; lower-case."""
    return _NOT_PRINTABLE_RE.sub("", html.unescape(url)).lower().replace("\\", "/")


def _url_scheme_ok(url: str) -> bool:
    """Our own scheme check on top of nh3's (a second opinion on entities and noise).

    (It was stricter than bleach's, which kept ``javascript:1``: mozilla/bleach#611.)
    """
    scheme = _SCHEME_RE.match(_url_probe(url))
    return scheme is None or scheme[1] in ALLOWED_PROTOCOLS


def _is_external(url: str) -> bool:
    return _url_probe(url).startswith(("http:", "https:", "//"))


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """nh3 calls this for each attribute its allow-list kept: the value to keep, or None."""
    if name in ("href", "src"):
        return value if _url_scheme_ok(value) else None
    if name == "id":
        # Only our own "sec-" anchors: a bare id could clobber page globals (DOM clobbering).
        ok = value.startswith(ANCHOR_PREFIX) and not any(c.isspace() for c in value)
        return value if ok else None
    if name == "class":
        return " ".join(token for token in value.split() if _class_token_ok(token)) or None
    return value


@functools.cache
def _cleaner(allowed: frozenset[tuple[str, frozenset[str]]]) -> nh3.Cleaner:
    """One nh3 Cleaner per allow-list, built once (it is immutable, so threads can share it)."""
    attributes = {tag: set(names) for tag, names in allowed if names}
    return nh3.Cleaner(
        tags={tag for tag, _ in allowed},
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={"*": set[str](), **attributes},  # "*": else lang, title anywhere
        attribute_filter=_attribute_filter,
        url_schemes=set(ALLOWED_PROTOCOLS),
        strip_comments=True,
        link_rel=None,  # rel goes on external links only: _mark_external_links
    )


_ALLOWED_KEY = frozenset(ALLOWED.items())
# ammonia writes every attribute as name="value" with '"' escaped, so this reads its output.
_A_TAG_RE = re.compile(r'<a((?: [^\s="]+(?:="[^"]*")?)*)>')
_HREF_RE = re.compile(r' href="([^"]*)"')


def _mark_external_links(clean_html: str) -> str:
    def mark(match: re.Match) -> str:
        href = _HREF_RE.search(match[1])
        if href is None or not _is_external(html.unescape(href[1])):
            return match[0]
        return f'<a{match[1]} rel="noopener noreferrer nofollow">'

    return _A_TAG_RE.sub(mark, clean_html)


def sanitise_fragment(fragment: str, allowed: Mapping[str, frozenset[str]] = ALLOWED) -> str:
    """Untrusted HTML as HTML safe to insert into a page: the app's one sanitiser.

    Tags outside ``allowed`` (tag -> the attributes it may keep; at most :data:`ALLOWED`) go,
    their text stays; <script>, <style> and the like go with their content. URLs keep only
    http, https and mailto; ids only "sec-" anchors; external links get ``rel``. The only
    code that knows the engine (nh3, decision in docs/decisions.md).
    """
    key = _ALLOWED_KEY if allowed is ALLOWED else frozenset(allowed.items())
    if key is not _ALLOWED_KEY and any(
        not names <= ALLOWED.get(tag, frozenset()) for tag, names in key
    ):
        raise ValueError("sanitise_fragment only narrows ALLOWED")
    return _mark_external_links(_cleaner(key).clean(bounded_nesting(fragment)))


# --- Resolving relative URLs ---------------------------------------------------------------
def _plain_url(url: str) -> str:
    """The URL as a browser would read it (Markdown's ``&`` placeholder and entities undone)."""
    return html.unescape(url.replace(AMP_SUBSTITUTE, "&")).strip()


def _is_relative(url: str) -> bool:
    """No scheme, and not "/x", "//host" or "#frag" (backslashes count as slashes)."""
    plain = _plain_url(url)
    return bool(plain) and not _SCHEME_RE.match(_url_probe(plain)) and plain[0] not in "/\\#"


class _ResolveUrls(Treeprocessor):
    """Hands every relative link/image URL to ``resolve_url``; None drops the element.

    Raw HTML (``<a href=...>``) is stashed by Python-Markdown and never reaches the
    tree, so only Markdown links and images are resolved; the sanitiser vets all URLs.
    """

    def __init__(self, md: markdown.Markdown, resolve_url: ResolveUrl) -> None:
        super().__init__(md)
        self.resolve_url = resolve_url

    def run(self, root: etree.Element) -> None:
        found = [(p, el) for p in root.iter() for el in p if el.tag in ("a", "img")]
        # Reverse document order: descendants before ancestors, so recorded parents hold.
        for parent, el in reversed(found):
            attr, kind = ("href", "link") if el.tag == "a" else ("src", "image")
            url = el.get(attr)
            if url is None or not _is_relative(url):
                continue
            new_url = self.resolve_url(kind, _plain_url(url))
            if new_url is not None:
                el.set(attr, new_url)
            elif el.tag == "a":
                _replace(parent, el, el.text or "", list(el))  # keep the link text
            else:
                _replace(parent, el, el.get("alt", ""), [])


def _replace(parent: etree.Element, el: etree.Element, text: str, children: list) -> None:
    """Put ``text`` then ``children`` where ``el`` was, keeping the text that followed it."""

    def add_text(index: int, extra: str) -> None:  # text just before child ``index``
        if index == 0:
            parent.text = (parent.text or "") + extra
        else:
            parent[index - 1].tail = (parent[index - 1].tail or "") + extra

    index = list(parent).index(el)
    parent.remove(el)
    parent[index:index] = children
    add_text(index, text)
    add_text(index + len(children), el.tail or "")


# --- Rendering -----------------------------------------------------------------------------
# C0 controls except \t and \n (\r is normalised first). \x02/\x03 matter most: Python-Markdown
# uses them to delimit its placeholders, so user text must never contain them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Raw-text elements whose *content* must go too (other stripped tags keep their text).
_DROP_WITH_CONTENT = (
    *("script", "style", "template", "noscript", "textarea", "title", "xmp"),
    *("iframe", "object"),
)
_DROP_OPEN_RE = re.compile(rf"<({'|'.join(_DROP_WITH_CONTENT)})(?=[\s/>])[^<>]*>", re.I)
_DROP_CLOSE_RE = {n: re.compile(rf"</{n}(?=[\s/>])[^<>]*>", re.I) for n in _DROP_WITH_CONTENT}


def _slugify(value: str, separator: str) -> str:
    """Unicode-friendly slug ("产品演示" stays readable), always prefixed with "sec-"."""
    return ANCHOR_PREFIX + (slugify_unicode(value, separator) or "section")


def _drop_raw_text_elements(source: str) -> str:
    """Remove closed <script>…</script> (and similar) with their content, in linear time.

    For heading text in the table of contents; unclosed ones are left as they are.
    """
    out, pos, search_from, unclosed = [], 0, 0, set()
    while opening := _DROP_OPEN_RE.search(source, search_from):
        name = opening.group(1).lower()
        closing = None if name in unclosed else _DROP_CLOSE_RE[name].search(source, opening.end())
        if closing is None:
            unclosed.add(name)  # none further on, so later openers have none either
            search_from = opening.end()
            continue
        out.append(source[pos : opening.start()])
        pos = search_from = closing.end()
    out.append(source[pos:])
    return "".join(out)


class _BracketTable:
    """Same answers as Python-Markdown's ``LinkInlineProcessor.getText``, minus its worst case.

    getText walks char by char to the matching "]", so every unclosed "[" costs a walk to the
    end of the paragraph: 20,000 "[" took 40 s, 200,000 over an hour (Python-Markdown#798).
    Once a walk runs long, every "[" of that text is matched in one pass and looked up.
    """

    WALK = 2_000
    DEPTH = {"[": 1, "]": -1}

    def __init__(self) -> None:
        self.data: str | None = None
        self.close: dict[int, int] = {}  # position of "[" -> position of its "]"

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        if data is not self.data or data[index - 1] != "[":
            # Markdown's patterns all end in "[", so the full walk below is only a safeguard.
            stop = min(len(data), index + self.WALK) if data[index - 1] == "[" else len(data)
            end, depth = None, 1
            for pos in range(index, stop):
                depth += self.DEPTH.get(data[pos], 0)
                if depth == 0:
                    end = pos
                    break
            if end is not None or stop == len(data):
                return self._result(data, index, end)
            self.data, self.close, opened = data, {}, []
            for match in re.finditer(r"[\[\]]", data):
                if match[0] == "[":
                    opened.append(match.start())
                elif opened:
                    self.close[opened.pop()] = match.start()
        return self._result(data, index, self.close.get(index - 1))

    @staticmethod
    def _result(data: str, index: int, end: int | None) -> tuple[str, int, bool]:
        return ("", len(data), False) if end is None else (data[index:end], end + 1, True)


def _make_markdown(resolve_url: ResolveUrl | None) -> markdown.Markdown:
    """A fresh converter per call: Markdown instances keep state and are not thread-safe.

    ``attr_list`` and ``md_in_html`` stay off: ``{: onclick=...}`` would let authors set
    arbitrary attributes, and ``markdown="1"`` re-parses raw HTML. ``smarty`` is off so
    code-like prose keeps straight quotes. The toc marker is off: the app renders the TOC.
    """
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "codehilite", "toc", "admonition", "sane_lists"],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "toc": {"slugify": _slugify, "marker": ""},
        },
        output_format="html",
    )
    md.treeprocessors.register(LinearInlineProcessor(md), "inline", 20)  # same output, linear
    brackets = _BracketTable()
    for pattern in md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):  # links, images and references
            pattern.getText = brackets.get_text
    if resolve_url is not None:
        # After "inline" (20), which builds <a>/<img>, and "unescape" (0), which undoes
        # backslash-escape placeholders in their attributes.
        md.treeprocessors.register(_ResolveUrls(md, resolve_url), "resolve_urls", -1)
    return md


memoise_start_tag_ends()  # in Python-Markdown's own copy of html.parser (linear_html)


def _flatten(tokens: list[dict]) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for token in tokens:
        # From the heading's HTML without <script>/<style> text, so it matches what is shown.
        title = html.unescape(strip_tags(_drop_raw_text_elements(token["html"])))
        entries.append(TocEntry(level=token["level"], anchor=token["id"], title=title))
        entries.extend(_flatten(token["children"]))
    return entries


def render_markdown(
    text: str,
    *,
    resolve_url: ResolveUrl | None = None,
    max_chars: int = MAX_MARKDOWN_CHARS,
) -> RenderedMarkdown:
    """Render user Markdown to sanitised HTML plus its table of contents and title.

    ``resolve_url(kind, url)`` ("link" or "image") is called for each relative URL of a
    Markdown link or image; it returns the URL to use, or None to drop the link (its
    text stays) or the image (its alt text stays).
    """
    if len(text) > max_chars:
        raise MarkdownTooLarge(len(text), max_chars)
    md = _make_markdown(resolve_url)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw_html = md.convert(_CONTROL_RE.sub("", text))
    toc = tuple(_flatten(md.toc_tokens))
    title = next((entry.title for entry in toc if entry.level == 1), None)
    clean = sanitise_fragment(raw_html)
    return RenderedMarkdown(html=_join_cjk_lines(clean), toc=toc, title=title)


_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SOFT_BREAK_RE = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
_PRE_RE = re.compile(r"(<pre[\s>].*?</pre>)", re.S)


def _join_cjk_lines(html_text: str) -> str:
    """Drop soft line breaks between two CJK characters (outside <pre>).

    Authors wrap Chinese paragraphs across lines; a browser shows each such
    newline as a space, which Chinese text must not have.
    """
    parts = _PRE_RE.split(html_text)
    return "".join(
        part if index % 2 else _CJK_SOFT_BREAK_RE.sub("", part) for index, part in enumerate(parts)
    )


def pygments_css() -> str:
    """Stylesheet for highlighted code, every rule scoped to ``.highlight``.

    (``get_style_defs`` would also emit an unscoped ``pre { ... }`` rule for line numbers.)
    """
    formatter = HtmlFormatter(style="default")
    rules = formatter.get_background_style_defs(".highlight")
    rules += formatter.get_token_style_defs(".highlight")
    return "\n".join(rules) + "\n"
