"""Benchmark: the one HTML sanitiser on every input of the hostile corpus, nh3 beside bleach.

    .venv/bin/python bench/sanitiser.py [--repeat 3]

Runs each input of ``../shared/corpus/xss`` (as the corpus test reads it) through
``app.content.markdown.sanitise_fragment`` (nh3) and through the same policy on bleach, the
engine it replaced (when bleach is installed). Prints the number of inputs, the time per input
of each engine (best of ``--repeat`` runs), how many outputs differ, and how many outputs hold
an executable construct. Asserts nothing.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.content import markdown as md  # noqa: E402
from tests.content.test_sanitiser_corpus import CORPUS, corpus_files, load_payloads  # noqa: E402

try:  # the engine the app used before nh3, kept here to compare against
    import bleach
    from bleach.html5lib_shim import Filter
except ImportError:
    bleach = None

Sanitiser = Callable[[str], str]


def bleach_sanitiser(allowed: Mapping[str, frozenset[str]] = md.ALLOWED) -> Sanitiser:
    """The policy of ``sanitise_fragment`` (same allow-lists and checks) on bleach."""

    def allow_attribute(tag: str, name: str, value: str) -> bool:
        return name in allowed.get(tag, ()) and md._attribute_filter(tag, name, value) is not None

    class MarkExternalLinks(Filter):  # and prunes class lists: bleach keeps or drops a whole one
        def __iter__(self):
            for token in super().__iter__():
                if token["type"] in ("StartTag", "EmptyTag") and token.get("data"):
                    attrs = dict(token["data"])
                    classes = attrs.pop((None, "class"), "").split()
                    if kept := " ".join(c for c in classes if md._class_token_ok(c)):
                        attrs[(None, "class")] = kept
                    href = attrs.get((None, "href"))
                    if token["name"] == "a" and href is not None and md._is_external(href):
                        attrs[(None, "rel")] = "noopener noreferrer nofollow"
                    token["data"] = attrs
                yield token

    cleaner = bleach.Cleaner(tags=set(allowed), attributes=allow_attribute,
                             protocols=md.ALLOWED_PROTOCOLS, strip=True, strip_comments=True,
                             filters=[MarkExternalLinks])
    # bleach strips a tag but keeps its text, so <script>…</script> goes first, by regex.
    return lambda fragment: cleaner.clean(md._drop_raw_text_elements(fragment))


# --- What counts as executable ------------------------------------------------------------
_URL_NOISE_RE = re.compile(r"[\s\x00-\x20\x7f-\xa0]+")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_BAD_STYLE_RE = re.compile(r"expression\s*\(|url\s*\(\s*['\"]?\s*(?:java|vb)script:", re.I)


class _Executable(HTMLParser):
    """Finds script tags, on* attributes, script/data URLs and scripted styles in HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif name in ("href", "src", "action", "formaction", "xlink:href"):
                url = _URL_NOISE_RE.sub("", html.unescape(value)).lower()
                if url.startswith(_BAD_SCHEMES):
                    self.found.append(f"{name}={value[:40]!r} on <{tag}>")
            elif name == "style" and _BAD_STYLE_RE.search(html.unescape(value)):
                self.found.append(f"style={value[:40]!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and _BAD_STYLE_RE.search(data):
            self.found.append("scripted <style>")


def executable_constructs(output: str) -> list[str]:
    parser = _Executable()
    parser.feed(output)
    parser.close()
    return parser.found


class _Tokens(HTMLParser):
    """Tags with sorted attributes and merged text: what a browser builds, not how it is written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, tuple(sorted(attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == "text":
            data = self.tokens.pop()[1] + data
        self.tokens.append(("text", data))


def _tokens(output: str) -> list[tuple]:
    parser = _Tokens()
    parser.feed(output)
    parser.close()
    return parser.tokens


# --- Running ------------------------------------------------------------------------------
def corpus_inputs() -> list[str]:
    return [payload for path in corpus_files() for _, payload in load_payloads(path)]


def run(sanitise: Sanitiser, inputs: list[str], repeat: int) -> tuple[list[str], float]:
    """The outputs and the best time per input, in microseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        outputs = [sanitise(text) for text in inputs]
        best = min(best, time.perf_counter() - start)
    return outputs, best / len(inputs) * 1e6


def report(name: str, outputs: list[str], per_input: float) -> None:
    unsafe = [(text, found) for text in outputs if (found := executable_constructs(text))]
    print(f"{name:>7}: {per_input:8.1f} µs per input; outputs with an executable construct: "
          f"{len(unsafe)}")
    for text, found in unsafe[:5]:
        print(f"         {found[0]} in {text[:120]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inputs = corpus_inputs()
    if not inputs:
        sys.exit(f"no corpus found at {CORPUS}")
    print(f"inputs: {len(inputs)} from {len(corpus_files())} corpus files")
    nh3_out, nh3_time = run(md.sanitise_fragment, inputs, args.repeat)
    report("nh3", nh3_out, nh3_time)
    if bleach is None:
        print(" bleach: not installed (.venv/bin/pip install bleach)")
        return
    bleach_out, bleach_time = run(bleach_sanitiser(), inputs, args.repeat)
    report("bleach", bleach_out, bleach_time)
    differ = [(a, b, c) for a, b, c in zip(inputs, bleach_out, nh3_out, strict=True) if b != c]
    parsed = sum(_tokens(b) != _tokens(c) for _, b, c in differ)
    print(f"outputs that differ: {len(differ)} of {len(inputs)} ({parsed} once parsed, the rest "
          f"in serialisation only); nh3 is {bleach_time / nh3_time:.1f}x faster")
    for text, b, c in differ[:3]:
        print(f"  input {text[:80]!r}\n    bleach {b[:80]!r}\n    nh3    {c[:80]!r}")


if __name__ == "__main__":
    main()
