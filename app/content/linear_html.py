"""Raw HTML through Python-Markdown and nh3 in linear time, with the same output.

Three costs grew with the square of the text (issue 17: 195 KB of ``<b>`` took 27.6 s):

- Python-Markdown's inline pass rebuilds a paragraph's whole string after every match, so
  a paragraph of many tags costs tags x length. :class:`LinearInlineProcessor` joins the
  pieces once per pattern instead, for the patterns that only read forward.
- Its HTML block pass matches a start tag's name up to the next space, ``/`` or ``>``, so
  a run of ``<b<b<b...`` rescans the run at every ``<``. :func:`memoise_start_tag_ends`
  remembers where a run ends.
- html5ever (inside nh3) walks its stack of open elements for many tags, and re-opens every
  unclosed ``<b>`` at each new text, so deep nesting is quadratic in time (and unclosed
  formatting tags in output size). :func:`bounded_nesting` drops the tags past a depth.

The first two change nothing in the output; the third changes only text that nests past
its limits (the tags go, their text stays).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from markdown import htmlparser, inlinepatterns, util
from markdown.treeprocessors import InlineProcessor

# -- nh3: a bound on nesting ----------------------------------------------------------------

MAX_DEPTH = 100  # elements open at once (a lesson's real HTML rarely passes 20)
MAX_OPEN_FORMATTING = 20  # <b>, <i>, <a>… opened and not yet closed by their own end tag
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?![A-Za-z0-9])[^<>]*>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
# HTML's formatting elements: an end tag of another element leaves them open (re-opened
# at the next text), so they count until their own end tag.
_FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small",
                         "strike", "strong", "tt", "u"})
# A start tag of one of these ends an open one of the same name (<li>a<li>b is two items).
_ENDS_ITS_OWN = frozenset({"p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody",
                           "tfoot", "rb", "rt", "rp"})


class _Nesting:
    """Open elements as HTML nests them, roughly, and the tags past the limits."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, bool]] = []  # (name, kept) of other elements
        self.at: dict[str, list[int]] = {}  # name -> its positions in the stack
        self.formatting: dict[str, list[bool]] = {}  # name -> kept flags, innermost last
        self.depth = 0  # kept elements open, formatting ones included
        self.open_formatting = 0

    def start(self, name: str) -> bool:
        """Whether to keep this start tag."""
        if name in _VOID:
            return True
        if name in _FORMATTING:
            keep = self.depth < MAX_DEPTH and self.open_formatting < MAX_OPEN_FORMATTING
            self.formatting.setdefault(name, []).append(keep)
            self.open_formatting += keep
            self.depth += keep
            return keep
        if name in _ENDS_ITS_OWN and self.stack and self.stack[-1][0] == name:
            self._pop_to(len(self.stack) - 1)
        keep = self.depth < MAX_DEPTH
        self.at.setdefault(name, []).append(len(self.stack))
        self.stack.append((name, keep))
        self.depth += keep
        return keep

    def end(self, name: str) -> bool:
        """Whether to keep this end tag (one whose start tag was dropped goes too)."""
        if name in _FORMATTING:
            opened = self.formatting.get(name)
            if not opened:
                return True
            keep = opened.pop()
            self.open_formatting -= keep
            self.depth -= keep
            return keep
        places = self.at.get(name)
        if not places:
            return True
        index = places[-1]
        keep = self.stack[index][1]
        self._pop_to(index)
        return keep

    def _pop_to(self, index: int) -> None:
        """Close the element at ``index`` and everything opened inside it."""
        while len(self.stack) > index:
            name, kept = self.stack.pop()
            self.at[name].pop()
            self.depth -= kept


def bounded_nesting(fragment: str) -> str:
    """The fragment without the tags that would nest past :data:`MAX_DEPTH` elements or
    leave more than :data:`MAX_OPEN_FORMATTING` formatting tags open; their text stays.

    Linear in the fragment; returns it unchanged (the same object) when within the limits.
    """
    if fragment.count("<") <= MAX_OPEN_FORMATTING:
        return fragment
    nesting = _Nesting()
    dropped: list[tuple[int, int]] = []
    for tag in _TAG_RE.finditer(fragment):
        name = tag[2].lower()
        keep = nesting.end(name) if tag[1] else nesting.start(name)
        if not keep:
            dropped.append(tag.span())
    if not dropped:
        return fragment
    parts, pos = [], 0
    for start, end in dropped:
        parts.append(fragment[pos:start])
        pos = end
    parts.append(fragment[pos:])
    return "".join(parts)


# -- Python-Markdown's HTML block pass: where a start tag ends -------------------------------


class _MemoisedTagEnd:
    """A start-tag regex whose ``match`` remembers where a run of tag-name characters ends.

    Every ``<`` inside a run such as ``<b<b<b…`` starts a match that ends where the run's
    first one did (the name runs to the same stop, and the rest of the pattern starts from
    there), so the answer is looked up instead of rescanned.
    """

    def __init__(self, pattern: re.Pattern[str], head: str, name_stop: str) -> None:
        self.pattern = pattern
        self._head = re.compile(head)  # what a match starts with: "<" and a letter, or a letter
        self._name_end = re.compile(rf"[{name_stop}]")
        # Per thread: (text, start, name end, match end) of the last match computed.
        self._last = threading.local()

    def match(self, text: str, pos: int = 0) -> _End | re.Match[str] | None:
        last = getattr(self._last, "run", None)
        if last is not None and last[0] is text and last[1] < pos and pos + 2 <= last[2] \
                and self._head.match(text, pos):
            return _End(last[3])
        found = self.pattern.match(text, pos)
        if found is not None:
            stop = self._name_end.search(text, pos + 1)
            name_end = len(text) if stop is None else stop.start()
            self._last.run = (text, pos, name_end, found.end())
        return found

    def __getattr__(self, name: str) -> Any:  # search, pattern… as the regex has them
        return getattr(self.pattern, name)


class _End:
    """The one part of a match the HTML parser reads: where it ends."""

    __slots__ = ("_end",)

    def __init__(self, end: int) -> None:
        self._end = end

    def end(self, group: int = 0) -> int:
        return self._end


def memoise_start_tag_ends() -> None:
    """Install :class:`_MemoisedTagEnd` in Python-Markdown's own copy of ``html.parser``.

    That copy exists so Markdown can patch it (it does, for these same two patterns); the
    standard library's ``html.parser`` is untouched. Idempotent.
    """
    for name, head, stop in (("locatestarttagend_tolerant", r"<[a-zA-Z]", r"`\t\n\r\f />\x00"),
                             ("locatetagend", r"[a-zA-Z]", r"`\t\n\r\f />")):
        current = getattr(htmlparser.htmlparser, name, None)
        if isinstance(current, re.Pattern):
            setattr(htmlparser.htmlparser, name, _MemoisedTagEnd(current, head, stop))


# -- Python-Markdown's inline pass: one join per pattern -----------------------------------

# Processors whose handleMatch reads only the match and the text after it, and keeps no
# positions between calls; the others (emphasis keeps a cache of positions) run as before.
_FORWARD_ONLY = (inlinepatterns.HtmlInlineProcessor, inlinepatterns.BacktickInlineProcessor,
                 inlinepatterns.EscapeInlineProcessor, inlinepatterns.LinkInlineProcessor,
                 inlinepatterns.AutolinkInlineProcessor, inlinepatterns.AutomailInlineProcessor)
# Characters that every look-behind of these patterns sees as it sees the end of a
# placeholder (not a word character, space, backslash, "!", "*" or "_").
_LIKE_PLACEHOLDER_END = frozenset(">;)]`")
_LOOKS_BEHIND = re.compile(r"\(\?<|\\[bB]")


class LinearInlineProcessor(InlineProcessor):
    """Markdown's inline tree processor, with each pattern's matches joined in one pass.

    Markdown replaces each match by a placeholder and copies the whole string to do it. Here
    the pieces are collected and joined once; the string is copied at a match only when the
    pattern looks behind and the match's last character would look different from a
    placeholder's, so every pattern sees exactly what it saw before.
    """

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString):
            return data
        original: Callable[..., tuple[str, bool, int]] = self._InlineProcessor__applyPattern
        index = patternIndex
        while index < len(self.inlinePatterns):
            pattern = self.inlinePatterns[index]
            if isinstance(pattern, _FORWARD_ONLY):
                data = self._apply_all(pattern, data, index)
                index += 1
                continue
            data, matched, start = original(pattern, data, index, 0)
            while matched:
                data, matched, start = original(pattern, data, index, start)
            index += 1
        return data

    def _apply_all(self, pattern: inlinepatterns.InlineProcessor, data: str, index: int) -> str:
        if any(exclude.lower() in self.ancestors for exclude in pattern.ANCESTOR_EXCLUDES):
            return data
        regex = pattern.getCompiledRegExp()
        looks_behind = bool(_LOOKS_BEHIND.search(regex.pattern))
        parts: list[str] = []
        done = pos = 0  # data[done:] is not in parts yet; search from pos
        while (found := self._next_match(pattern, regex, data, pos)) is not None:
            node, start, end = found
            if node is None:
                pos = end
                continue
            parts += (data[done:start], self._stash(node, pattern, index))
            if start < end and not (looks_behind and data[end - 1] not in _LIKE_PLACEHOLDER_END):
                done = pos = end
            else:  # the copy Markdown makes, so the next match sees what it saw
                head = "".join(parts)
                data, parts, done, pos = head + data[end:], [], 0, len(head)
        if not parts:
            return data
        parts.append(data[done:])
        return "".join(parts)

    @staticmethod
    def _next_match(pattern: inlinepatterns.InlineProcessor, regex: re.Pattern[str], data: str,
                    pos: int) -> tuple[Any, int, int] | None:
        for match in regex.finditer(data, pos):
            node, start, end = pattern.handleMatch(match, data)
            if start is not None and end is not None:
                return node, start, end
        return None

    def _stash(self, node: Any, pattern: inlinepatterns.InlineProcessor, index: int) -> str:
        """What Markdown's ``__applyPattern`` does with a match's node: inline its text."""
        if not isinstance(node, str) and not isinstance(node.text, util.AtomicString):
            for child in [node, *node]:
                if child.text:
                    self.ancestors.append(child.tag.lower())
                    child.text = self._InlineProcessor__handleInline(child.text, index + 1)
                    self.ancestors.pop()
                if child.tail:
                    child.tail = self._InlineProcessor__handleInline(child.tail, index)
        return self._InlineProcessor__stashNode(node, pattern.type())

    def _InlineProcessor__processPlaceholders(  # noqa: N802, N803, C901
            self, data: str | None, parent: Any, isText: bool = True
    ) -> list[tuple[Any, list[str]]]:
        """Markdown's own, with each run of text joined once rather than added piece by piece
        (``parent.text += piece`` copies the growing text at every raw HTML tag)."""
        result: list[tuple[Any, list[str]]] = []
        pieces: list[str] = []  # text for the current target: the last result's tail, or parent

        def flush() -> None:
            pieces[:] = [piece for piece in pieces if piece]  # Markdown skips empty text
            if not pieces:
                return
            target, name = (result[-1][0], "tail") if result else \
                (parent, "text" if isText else "tail")
            before = getattr(target, name)
            # Markdown assigns the first piece (keeping an AtomicString) and adds the others.
            alone = not before and len(pieces) == 1
            joined = pieces[0] if alone else (before or "") + "".join(pieces)
            setattr(target, name, joined)
            pieces.clear()

        prefix = self._InlineProcessor__placeholder_prefix
        start = 0
        while data:
            index = data.find(prefix, start)
            if index == -1:
                rest = data[start:]
                atomic = isinstance(data, util.AtomicString)
                pieces.append(util.AtomicString(rest) if atomic else rest)
                break
            key, end = self._InlineProcessor__findPlaceholder(data, index)
            if key not in self.stashed_nodes:  # not one of ours: text
                pieces.append(data[start:index + len(prefix)])
                start = index + len(prefix)
                continue
            node = self.stashed_nodes[key]
            if index > 0:
                pieces.append(data[start:index])
            if isinstance(node, str):
                pieces.append(node)
            else:
                for child in [node, *node]:
                    if child.tail and child.tail.strip():
                        self._InlineProcessor__processElementText(node, child, False)
                    if child.text and child.text.strip():
                        self._InlineProcessor__processElementText(child, child)
                flush()
                result.append((node, self.ancestors[:]))
            start = end
        flush()
        return result
