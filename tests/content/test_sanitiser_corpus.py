"""Every payload of the hostile corpus comes out inert: sanitised as an HTML fragment, and
rendered in several Markdown contexts.

The corpus lives beside the repository (``../shared/corpus/xss``; see its README.md). The
output is parsed with the standard library's HTMLParser and checked against rules written
here independently of the module's own allow-lists: no dangerous tags, no event handler or
``style`` attribute, only expected tags and attributes, and no URL with a dangerous scheme.
Each corpus file is one test; all failing payloads of a file are reported together.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from app.content.markdown import render_markdown, sanitise_fragment
from tests.helpers import skip_or_fail

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "xss"
HANDLER_FILES = ("port_swigger_xss_cheatsheet_event_handlers.txt", "0xcela_event_handlers.txt")
COMMENTED_FILES = ("blns.txt",)  # lines starting with "#" are comments there

FORBIDDEN_TAGS = {
    *("script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta"),
    *("link", "input", "textarea", "button", "select", "frame", "frameset", "applet", "template"),
    *("noscript", "title", "xmp", "video", "audio", "source", "track", "portal", "param"),
}
ALLOWED_TAGS = {
    *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s"),
    *("del", "ins", "sub", "sup", "mark", "small", "code", "kbd", "pre", "blockquote", "ul"),
    *("ol", "li", "dl", "dt", "dd", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th"),
    *("td", "caption", "span", "div", "abbr", "details", "summary", "figure", "figcaption"),
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRS = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
    **{tag: {"class"} for tag in ("span", "div", "p", "code", "pre")},
    **{tag: {"id"} for tag in HEADINGS},
}
URL_ATTRS = {"href", "src"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):")
URL_NOISE_RE = re.compile(r"[\s\x00-\x20\x7f-\xa0]+")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".jsonl"))


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    # split("\n"), not splitlines(): payloads contain \x0b, \x1c, U+2028 ... on purpose.
    yield from enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)


def handler_names(path: Path) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in read_lines(path) if line.strip()]


def handler_payloads(name: str) -> list[str]:
    """Ways an author could try to attach the event handler ``name``."""
    return [
        f'<a href="x" {name}="alert(1)">t</a>',
        f"<img src=x {name}=alert(1)>",
        f"[t](x){{: {name}=alert(1)}}",
        f"![i](x.png){{: {name}=alert(1) }}",
        f"# Heading {{: {name}=alert(1) }}",
        f'<div {name}="alert(1)">t</div>',
        f'<p class="highlight" {name}=alert(1)>t</p>',
        f'<h2 id="sec-x" {name}="alert(1)">t</h2>',
        f"<details open {name}=alert(1)><summary>s</summary>t</details>",
        f'<svg><a xlink:href="x" {name}="alert(1)"/></svg>',
    ]


def load_payloads(path: Path) -> list[tuple[int, str]]:
    """(line number, payload) pairs of one corpus file."""
    if path.suffix == ".jsonl":
        return [(n, json.loads(line)["payload"]) for n, line in read_lines(path) if line.strip()]
    if path.name in HANDLER_FILES:
        return [(n, p) for n, name in handler_names(path) for p in handler_payloads(name)]
    comments = path.name in COMMENTED_FILES
    return [
        (n, line)
        for n, line in read_lines(path)
        if line.strip() and not (comments and line.startswith("#"))
    ]


def all_handler_names() -> set[str]:
    return {
        name.lower()
        for file in HANDLER_FILES
        for path in CORPUS.rglob(file)
        for _, name in handler_names(path)
    }


def identity(kind: str, url: str) -> str:
    return url


# (name, template, resolve_url): each payload is rendered in every context. The identity
# resolver sends relative URLs through the rewriting path (unescape, then set again).
Context = tuple[str, Callable[[str], str], Callable[[str, str], str] | None]
CONTEXTS: list[Context] = [
    ("as-is", lambda p: p, identity),
    ("link text", lambda p: f"[{p}](https://example.com/)", None),
    ("table cell", lambda p: f"| head |\n| --- |\n| {p} |\n", None),
    ("link/image url", lambda p: f"[t]({p}) ![i]({p}) [r][ref]\n\n[ref]: {p}\n", identity),
    ("heading", lambda p: f'## {p}\n\n!!! note "{p}"\n    text\n', None),
]
# Handler payloads are raw HTML or attr_list syntax: the first and table contexts suffice.
HANDLER_CONTEXTS = [CONTEXTS[0], CONTEXTS[2]]


class OutputChecker(HTMLParser):
    """Collects every rule the rendered HTML breaks."""

    def __init__(self, handlers: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers = handlers
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden tag <{tag}>")
        elif tag not in ALLOWED_TAGS:
            self.problems.append(f"unexpected tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in self.handlers:
                self.problems.append(f"event handler attribute {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            elif name not in ALLOWED_ATTRS.get(tag, ()):
                self.problems.append(f"unexpected attribute {name}= on <{tag}>")
            elif name == "id" and not value.startswith("sec-"):
                self.problems.append(f"id without sec- prefix: {value!r}")
            if name in URL_ATTRS:
                # HTMLParser has decoded the value once; decode again to be strict.
                url = URL_NOISE_RE.sub("", html.unescape(value)).lower()
                scheme = SCHEME_RE.match(url)
                if url.startswith(BAD_SCHEMES) or (scheme and scheme[1] not in SAFE_SCHEMES):
                    self.problems.append(f"dangerous URL {name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def problems_in(output: str, handlers: set[str]) -> list[str]:
    checker = OutputChecker(handlers)
    checker.feed(output)
    checker.close()
    return checker.problems


def outputs(payload: str, contexts: list[Context]) -> Iterator[tuple[str, Callable[[], str]]]:
    """(context, how to get the output): the fragment sanitiser itself, then each Markdown one."""
    yield "fragment", partial(sanitise_fragment, payload)
    for context, template, resolver in contexts:
        yield context, partial(rendered, template(payload), resolver)


def rendered(text: str, resolver: Callable[[str, str], str] | None) -> str:
    return render_markdown(text, resolve_url=resolver).html


def check_payload(payload: str, handlers: set[str], contexts: list[Context]) -> Iterator[str]:
    """Problems of one payload in every context (empty when it comes out inert)."""
    for context, output_of in outputs(payload, contexts):
        try:
            output = output_of()
        except Exception as exc:  # noqa: BLE001 - any exception is a finding; report it
            yield f"[{context}] raised {type(exc).__name__}: {exc}"
            continue
        for problem in problems_in(output, handlers):
            yield f"[{context}] {problem} in output {output[:300]!r}"


FILES = corpus_files()


@pytest.mark.parametrize(
    "path", FILES or [None], ids=[str(p.relative_to(CORPUS)) for p in FILES] or ["missing"]
)
def test_corpus_file_renders_inert(path):
    if path is None:
        skip_or_fail(f"XSS corpus not found at {CORPUS}")
    payloads = load_payloads(path)
    assert payloads, f"{path} yielded no payloads"
    handlers = all_handler_names()
    contexts = HANDLER_CONTEXTS if path.name in HANDLER_FILES else CONTEXTS
    failures = [
        f"{path.relative_to(CORPUS)}:{lineno}: {payload[:200]!r}: {problem}"
        for lineno, payload in payloads
        for problem in check_payload(payload, handlers, contexts)
    ]
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)


def test_corpus_is_complete():
    """A missing or emptied corpus must not pass silently."""
    if not FILES:
        skip_or_fail(f"XSS corpus not found at {CORPUS}")
    names = {p.name for p in FILES}
    expected = {"RSNAKE_XSS.txt", "MarioXSSVectors.txt", "blns.txt", "expect.jsonl"}
    assert expected | {"markdown_vectors.jsonl", *HANDLER_FILES} <= names
    assert sum(len(load_payloads(p)) for p in FILES) > 3000


@pytest.mark.parametrize("file", HANDLER_FILES)
def test_event_handler_lists_are_live_without_the_sanitiser(file):
    """The handler payloads are real attacks: plain Python-Markdown keeps the attribute.

    So test_corpus_file_renders_inert passing for these files proves the sanitiser (and not
    some accident of the payload) removes every handler in the lists.
    """
    paths = list(CORPUS.rglob(file))
    if not paths:
        skip_or_fail(f"{file} not found under {CORPUS}")
    names = [name for _, name in handler_names(paths[0])]
    assert len(names) > 100
    for name in names:
        payload = handler_payloads(name)[0]
        assert f"{name}=" in markdown.markdown(payload)
        assert name.lower() not in render_markdown(payload).html.lower()


def test_checker_catches_unsafe_html():
    """The checker itself must flag what it is meant to find."""
    bad = (
        '<script>x</script><a href=" JaVa&#x09;Script:alert(1)" onclick="x">a</a>'
        '<img src="data:image/png;base64,AA" style="x"><h2 id="csrf_token" onfoo="x">p</h2>'
        '<a href="&amp;#106;avascript:x" fscommand="x">b</a><iframe></iframe>'
        '<a href="vbscript:x">c</a><img src="file:///etc/passwd"><a href="tel:1">d</a>'
    )
    problems = problems_in(bad, {"fscommand"})
    expected = [
        "forbidden tag <script>",
        "dangerous URL href=' JaVa\\tScript:alert(1)'",
        "event handler attribute onclick=",
        "dangerous URL src='data:image/png;base64,AA'",
        "style attribute on <img>",
        "id without sec- prefix",
        "event handler attribute onfoo=",
        "dangerous URL href='&#106;avascript:x'",
        "event handler attribute fscommand=",
        "forbidden tag <iframe>",
        "dangerous URL href='vbscript:x'",
        "dangerous URL src='file:///etc/passwd'",
        "dangerous URL href='tel:1'",
    ]
    for fragment in expected:
        assert any(fragment in problem for problem in problems), (fragment, problems)
    assert problems_in('<p><a href="https://e.com/" rel="noopener">x</a></p>', set()) == []
