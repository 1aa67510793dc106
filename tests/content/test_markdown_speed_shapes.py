"""The big-file shapes of issue 17 give the right output (their speed is bench/formats.py's)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from markdown import htmlparser

from app.content import linear_html
from app.content.authoring import MAX_MARKDOWN_CHARS, text_too_long
from app.content.markdown import render_markdown, sanitise_fragment


def test_many_closed_raw_b_tags_in_one_paragraph_all_render():
    rendered = render_markdown("<b>x</b> " * 5_000).html
    assert rendered == "<p>" + "<b>x</b> " * 5_000 + "</p>"


def test_many_unclosed_raw_b_tags_keep_their_text_and_at_most_the_bound():
    rendered = render_markdown("<b>x" * 2_000).html
    limit = linear_html.MAX_OPEN_FORMATTING
    assert rendered == "<p>" + "<b>x" * limit + "x" * (2_000 - limit) + "</b>" * limit + "</p>"


def test_raw_html_between_markdown_keeps_both():
    rendered = render_markdown("Use <b>bold</b>, `<b>code</b>` and *em* <i>i</i>. " * 300).html
    assert rendered.count("<b>bold</b>") == 300
    assert rendered.count("<code>&lt;b&gt;code&lt;/b&gt;</code>") == 300
    assert rendered.count("<em>em</em> <i>i</i>") == 300


def test_raw_script_in_a_long_paragraph_is_still_removed():
    rendered = render_markdown("<b>x</b>" * 1_000 + "<script>alert(1)</script><i onclick=y>z</i>")
    assert "script" not in rendered.html and "onclick" not in rendered.html
    assert rendered.html.endswith("<i>z</i></p>")


def test_a_run_of_unfinished_tags_shows_as_text():
    rendered = render_markdown("<b" * 5_000 + "> after").html
    assert rendered.startswith("<p>" + "&lt;b" * 100) and "after" in rendered


def test_nested_divs_within_the_limit_are_kept():
    depth = linear_html.MAX_DEPTH - 1
    html = sanitise_fragment("<div>" * depth + "x" + "</div>" * depth)
    assert html == "<div>" * depth + "x" + "</div>" * depth


def test_nesting_past_the_limit_drops_the_deeper_tags_but_keeps_the_text():
    deep = linear_html.MAX_DEPTH + 50
    html = sanitise_fragment("<div>" * deep + "core" + "</div>" * deep)
    limit = linear_html.MAX_DEPTH
    assert html == "<div>" * limit + "core" + "</div>" * limit


def test_unclosed_formatting_tags_are_bounded():
    # Each <b> left open in a closed <p> is re-opened at every later text: without the bound
    # the output grew with the square of the input.
    html = sanitise_fragment("".join(f'<p><b class="c{n}">x</p>' for n in range(2_000)))
    assert html.count("x") == 2_000
    assert html.count("<b>") <= 2_000 * linear_html.MAX_OPEN_FORMATTING


def test_bounded_nesting_leaves_ordinary_html_untouched():
    ordinary = "<ul>" + "<li><b>a</b> <i>b</i></li>" * 500 + "</ul><p>a<p>b<p>c" * 200
    assert linear_html.bounded_nesting(ordinary) is ordinary


def test_unclosed_list_items_and_paragraphs_do_not_count_as_nesting():
    ordinary = "<ul>" + "<li>item" * 500 + "</ul>" + "<p>para" * 500
    assert linear_html.bounded_nesting(ordinary) is ordinary


def test_text_over_the_limit_is_a_lint_error_with_file_line_and_question():
    issue = text_too_long("bank.md", 12, ["a" * MAX_MARKDOWN_CHARS, "b"], "DH-001")
    assert issue is not None and issue.severity == "error"
    assert str(issue).startswith("bank.md:12: [DH-001] the question's text is 200,001 characters")
    assert "the limit is 200,000" in issue.message


def test_text_at_the_limit_passes_lint_and_renders():
    texts = ["a" * (MAX_MARKDOWN_CHARS - 10), "b" * 10]
    assert text_too_long("bank.md", 1, texts, "DH-001") is None
    assert render_markdown("".join(texts)).html.startswith("<p>aaa")


def test_linear_html_is_pure():
    """Only the stdlib and markdown: no Flask, no database, and not the sanitiser engine."""
    tree = ast.parse(Path(linear_html.__file__).read_text(encoding="utf-8"))
    roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    roots |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    assert roots - set(sys.stdlib_module_names) - {"__future__"} == {"markdown"}


@pytest.mark.parametrize("text", [
    "a<b and c>d", "x <b<c y", "<a href='x'>l</a> <b>", "`<b<b<b>`", "<div\n<b>t</b>",
])
def test_start_tag_memo_gives_the_html_parser_the_same_answers(text):
    memo = linear_html._MemoisedTagEnd
    current = htmlparser.htmlparser.locatestarttagend_tolerant
    plain = current.pattern if isinstance(current, memo) else current
    for pos in (i for i, c in enumerate(text) if c == "<"):
        got = current.match(text, pos)
        want = plain.match(text, pos)
        assert (got and got.end()) == (want and want.end())
