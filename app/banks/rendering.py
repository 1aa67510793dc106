"""Rendering a question's Markdown pieces to sanitised HTML, once per version."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from app.banks.questions import Question
from app.content.markdown import MAX_MARKDOWN_CHARS, render_markdown

# A paragraph no author writes, used to render all of a question's pieces in one
# Markdown call (about three times faster than one call per piece).
_BREAK = "QZ7PIECEBREAK7ZQ"
_BREAK_HTML = f"<p>{_BREAK}</p>"


def render_pieces(pieces: list[str]) -> list[str]:
    """Each Markdown piece as sanitised HTML, in order."""
    if not pieces:
        return []
    joined = f"\n\n{_BREAK}\n\n".join(piece.strip() or " " for piece in pieces)
    if len(joined) > MAX_MARKDOWN_CHARS:  # each piece alone is within it (lint checks the sum)
        return [render_markdown(piece).html for piece in pieces]
    parts = render_markdown(joined).html.split(_BREAK_HTML)
    if len(parts) == len(pieces) and all(_balanced(part) for part in parts):
        return [part.strip() for part in parts]
    # An unclosed construct (a code fence, a <details>) spanned a break: each
    # fragment must stand alone in a page, so render them one by one.
    return [render_markdown(piece).html for piece in pieces]


_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = frozenset({"br", "hr", "img", "wbr"})


def _balanced(fragment: str) -> bool:
    """Every element opened in the fragment is closed in it, in order."""
    stack: list[str] = []
    for closing, name, self_closing in _TAG_RE.findall(fragment):
        name = name.lower()
        if name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


class _Rendered:
    """The rendered pieces of one question, taken in the order they were given."""

    def __init__(self, pieces: list[str]) -> None:
        self._html = iter(render_pieces(pieces))

    def take(self, n: int) -> list[str]:
        return [next(self._html) for _ in range(n)]

    def take_kept(self, sources: Sequence[str]) -> list[str]:
        """The next ``len(sources)`` pieces, with "" where the source piece was empty."""
        return [html if source else "" for html, source in
                zip(self.take(len(sources)), sources, strict=True)]


def question_pieces(question: Question) -> list[str]:
    """Every Markdown piece of the question, in the order :func:`render_question` takes them."""
    pieces: list[str] = [question.stem, question.explanation]
    pieces += [c.text for c in question.choices] + [c.feedback for c in question.choices]
    pieces += [p.left or "" for p in question.pairs] + [p.right for p in question.pairs]
    pieces += list(question.sequence) + list(question.guidance)
    return pieces + [a.feedback for a in question.answers]


def render_question(question: Question) -> dict[str, Any]:
    """The HTML of every piece a page shows, keyed like the content."""
    choices, pairs, answers = question.choices, question.pairs, question.answers
    html = _Rendered(question_pieces(question))
    stem, explanation = html.take(2)
    choice_html = html.take(len(choices))
    choice_feedback = html.take_kept([c.feedback for c in choices])
    lefts, rights = html.take_kept([p.left or "" for p in pairs]), html.take(len(pairs))
    return {
        "stem": stem, "explanation": explanation if question.explanation else "",
        "choices": choice_html, "choice_feedback": choice_feedback,
        "pairs": [[left, right] for left, right in zip(lefts, rights, strict=True)],
        "sequence": html.take(len(question.sequence)),
        "guidance": html.take(len(question.guidance)),
        "answer_feedback": html.take_kept([a.feedback for a in answers]),
    }
