"""Benchmark: time per MB of every bank reader and of the renderer, on the shapes of issue 17.

    .venv/bin/python bench/formats.py [--sizes 64,256,1024,2048] [--give-up 20] [--only TEXT]

Each reader (Markdown bank, GIFT, Aiken, Moodle XML) reads generated files
of each size (KB) in each shape: normal questions, an error in every question, a warning in
every question, and text with thousands of nested or unclosed tags. The renderer renders
normal question texts and raw ``<b>``/``<div>`` text, one text up to the 200,000-character
limit or 64 KB texts beyond it. Target: at least 1 MB/s for every line (issue 17, this
machine). Prints PASS or FAIL per line; a shape whose size took longer than --give-up seconds
is not run at bigger sizes (FAIL). Exits 1 when any line fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.banks.aiken import read_aiken  # noqa: E402
from app.banks.gift import read_gift  # noqa: E402
from app.banks.markdown_format import read_bank_file  # noqa: E402
from app.banks.moodle_xml import read_moodle_xml  # noqa: E402
from app.content.markdown import MAX_MARKDOWN_CHARS, render_markdown  # noqa: E402

TARGET_MB_S = 1.0
FRONT = ("---\nid: bench-formats\ntitle: Formats benchmark\narea: product\nlanguage: en\n"
         "tags: sizing, security\n---\n\n")
PROSE = ("Which statement about the **edge tier** is right when `agents` connect outbound "
         "and the [network team](https://example.com/net) asks about ports?")

# A shape: (name, the text of question n); the file repeats it up to the size.
Shape = tuple[str, Callable[[int], str]]


def _markdown_question(n: int, kind: str = "single", stem: str = PROSE,
                       tags: str = "sizing") -> str:
    return (f"## BQ-{n:06d}\ntype: {kind}\ntags: {tags}\n\n{stem}\n\n"
            "- [ ] Option A\n- [x] Option B\n- [ ] Option C\n\n> Because.\n\n")


MARKDOWN_SHAPES: list[Shape] = [
    ("normal questions", lambda n: _markdown_question(n)),
    ("an error in each", lambda n: _markdown_question(n, kind="bogus")),
    ("a warning in each", lambda n: _markdown_question(n, tags="sizing, sizing")),
]
GIFT_SHAPES: list[Shape] = [
    ("normal questions", lambda n: f"::Q{n}:: {PROSE} {{=Edge ~Core ~Cloud}}\n\n"),
    ("an error in each", lambda n: f"::Q{n}:: How many ports? {{#abc}}\n\n"),
    ("a warning in each", lambda n: f"::Q{n}:: Is <b>this</b> right? {{T}}\n\n"),
]
AIKEN_SHAPES: list[Shape] = [
    ("normal questions", lambda n: f"{PROSE} ({n})\nA. Edge\nB. Core\nC. Cloud\nANSWER: A\n\n"),
    ("an error in each", lambda n: f"Question {n}?\nA. Edge\nB. Core\nANSWER: Z\n\n"),
    ("a warning in each", lambda n: f"Question {n}?\nA. Edge\nB. Core\nANSWER: A) Edge\n\n"),
]


def repeat(make: Callable[[int], str], size: int, head: str = "") -> str:
    parts, total, n = [head], len(head), 1
    while total < size:
        parts.append(part := make(n))
        total, n = total + len(part), n + 1
    return "".join(parts)


def one_text(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def moodle_xml(make_text: Callable[[int], str], size: int) -> bytes:
    def question(n: int) -> str:
        return (f'<question type="multichoice"><name><text>Q{n}</text></name>'
                f'<questiontext format="html"><text><![CDATA[{make_text(n)}]]></text>'
                '</questiontext><single>true</single>'
                '<answer fraction="100"><text>Edge</text></answer>'
                '<answer fraction="0"><text>Core</text></answer></question>\n')

    return ("<?xml version=\"1.0\"?>\n<quiz>\n" + repeat(question, size) + "</quiz>\n").encode()


# A line: reader, shape, the input of a size, and the call that reads (or renders) it.
Line = tuple[str, str, Callable[[int], object], Callable[[object], object]]


def _markdown(data: object) -> object:
    return read_bank_file(str(data).encode(), "b.md")


def _gift(text: object) -> object:
    return read_gift(str(text), "b.gift", "bench")


def _aiken(text: object) -> object:
    return read_aiken(str(text), "b.txt", "bench")


def _moodle_xml(data: object) -> object:
    assert isinstance(data, bytes)
    return read_moodle_xml(data, "b.xml", "bench")


def _render(texts: object) -> object:
    assert isinstance(texts, list)
    return [render_markdown(text) for text in texts]


def _repeated(make: Callable[[int], str], head: str = "") -> Callable[[int], object]:
    return lambda size: repeat(make, size, head)


def _rendered(unit: str) -> Callable[[int], object]:
    return lambda size: render_texts(unit, size)


def lines() -> list[Line]:
    found: list[Line] = []
    for shape, make in MARKDOWN_SHAPES:
        found.append(("markdown", shape, _repeated(make, FRONT), _markdown))
    found.append(("markdown", "raw <b> in a stem", lambda size: FRONT + _markdown_question(
        1, stem=one_text("<b>x", size)), _markdown))
    for shape, make in GIFT_SHAPES:
        found.append(("gift", shape, _repeated(make), _gift))
    found.append(("gift", "nested <b> in [html]", lambda size: "::Q1::[html]" + "<b>" * (
        size // 7) + "x" + "</b>" * (size // 7) + " {T}", _gift))
    for shape, make in AIKEN_SHAPES:
        found.append(("aiken", shape, _repeated(make), _aiken))
    found.append(("moodle xml", "normal questions",
                  lambda size: moodle_xml(lambda n: f"<p>{PROSE}</p>", size), _moodle_xml))
    found.append(("moodle xml", "nested <b> in html", lambda size: moodle_xml(
        lambda n: "<b>" * 50 + "x" + "</b>" * 50, size), _moodle_xml))
    for shape, unit in (("normal question texts", PROSE + "\n\n- one\n- two *items*\n\n"),
                        ("raw <b>", "<b>"), ("raw <b>x</b>", "<b>x</b> "),
                        ("raw <div>", "<div>"), ("raw <div>x</div>", "<div>x</div>\n")):
        found.append(("renderer", shape, _rendered(unit), _render))
    return found


def render_texts(unit: str, size: int) -> list[str]:
    """One text up to the limit; beyond it, texts of 64 KB (as many lessons or questions)."""
    piece = size if size <= MAX_MARKDOWN_CHARS else 64 * 1024
    return [one_text(unit, piece)] * max(1, size // piece)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,256,1024,2048", help="file sizes in KB")
    parser.add_argument("--give-up", type=float, default=20.0,
                        help="seconds after which a shape stops growing")
    parser.add_argument("--only", default="", help="run the lines whose reader or shape "
                        "holds this text (e.g. renderer, html)")
    args = parser.parse_args()
    sizes = [int(kb) * 1024 for kb in args.sizes.split(",")]
    failed = 0
    print(f"{'reader':<11}{'shape':<24}{'size':>8}{'time':>9}{'MB/s':>8}  target >= "
          f"{TARGET_MB_S:g} MB/s")
    for reader, shape, make_input, read in lines():
        if args.only not in f"{reader} {shape}":
            continue
        for size in sizes:
            given = make_input(size)
            start = time.perf_counter()
            read(given)
            took = time.perf_counter() - start
            rate = size / 1024 / 1024 / took
            ok = rate >= TARGET_MB_S
            failed += not ok
            print(f"{reader:<11}{shape:<24}{size // 1024:>6}KB{took:>8.2f}s{rate:>8.2f}  "
                  f"{'PASS' if ok else 'FAIL'}", flush=True)
            if took > args.give_up:
                print(f"{reader:<11}{shape:<24}  bigger sizes not run (over {args.give_up:g} s)")
                failed += 1
                break
    print(f"{failed} line(s) below target" if failed else "every line meets the target")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
