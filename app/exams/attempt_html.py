"""The attempt page's questions as HTML, each unanswered one built once and kept.

On exam day everyone opens the attempt page within a minute, and rendering fifty question
sections through Jinja was most of its cost. A section of a question with no answer and no
flag depends only on what it shows (type, points, the texts in the shown order, the word
limit) and the language. It is kept under exactly that, with a marker where the position
goes, and the position is put in when it is served. Keyed by content rather than by row
ids, a kept section can never be served for other content (after a restore, say).
Answered or flagged questions are rendered each time. The kept HTML is a pure function of
its key, so every process and host keeps its own copy (no other host must see it).
"""

from __future__ import annotations

import dataclasses
import threading

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from app.exams.learner_pages import ServedQuestion

TEMPLATE = "exams/_question.html"
# Rendered in place of the position, then replaced; never used when a text contains it.
_MARKER = 2_147_480_647
_MARKER_TEXT = str(_MARKER)
MAX_KEPT = 20_000  # about 2 KB each: some 40 MB at most, then it starts again


class _Kept:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.html: dict[tuple, str] = {}


_kept = _Kept()


def section(question: ServedQuestion) -> Markup:
    """The question's ``<section>`` as the attempt page shows it."""
    if question.response is not None or question.flagged:
        return _render(question)
    key = (question.type, question.points, question.stem_html, tuple(question.options),
           tuple(question.lefts), question.word_limit, str(get_locale()))
    html = _kept.html.get(key)
    if html is None:
        if _MARKER_TEXT in _texts(question):
            return _render(question)
        html = str(_render(dataclasses.replace(question, position=_MARKER)))
        with _kept.lock:
            if len(_kept.html) >= MAX_KEPT:
                _kept.html.clear()
            _kept.html[key] = html
    return Markup(html.replace(_MARKER_TEXT, str(question.position)))  # noqa: S704 - rendered by Jinja with autoescape


def _render(question: ServedQuestion) -> Markup:
    return Markup(current_app.jinja_env.get_template(TEMPLATE).render(question=question))  # noqa: S704 - autoescaped template


def _texts(question: ServedQuestion) -> str:
    return "".join([question.stem_html, *(html for _, html in question.options),
                    *(html for _, html in question.lefts)])
