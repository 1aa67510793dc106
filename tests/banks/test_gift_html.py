"""GIFT `[html]` text: block boundaries kept, deep nesting cleaned as expected (issue 17)."""

from __future__ import annotations

import pytest

from app.banks.gift import read_gift
from app.banks.gift.text import sanitise_html, to_markdown
from app.content import linear_html


@pytest.mark.parametrize(("html", "expected"), [
    ("<h4>Heading</h4>Body", "<strong>Heading</strong><br>\nBody"),
    ("<h3>Title</h3><p>Body</p>", "<strong>Title</strong>\n<p>Body</p>"),
    ("<div>one</div><div>two</div>", "one<br>\ntwo"),
    ("<div><p>one</p></div><div>two</div>", "<p>one</p>\ntwo"),
    ("before<div>inside</div>after", "before<br>\ninside<br>\nafter"),
    ("<p>a</p><hr><p>b</p>", "<p>a</p>\n<p>b</p>"),
    ("<blockquote>quoted</blockquote>after", "quoted<br>\nafter"),
    ("<dl><dt>Term</dt><dd>Meaning</dd></dl>", "Term<br>\nMeaning"),
    ("<h2></h2>Body", "Body"),
    ("<p>one<br>two</p>", "<p>one<br>two</p>"),
])
def test_blocks_end_a_line(html, expected):
    assert sanitise_html(html) == expected


def test_a_heading_keeps_its_inline_formatting_in_bold():
    assert sanitise_html("<h5><em>Note</em> well</h5>") == "<strong><em>Note</em> well</strong>"


def test_heading_attributes_and_scripts_still_go():
    cleaned = sanitise_html('<h4 id="x" onclick="alert(1)">Head<script>alert(2)</script></h4>x')
    assert cleaned == "<strong>Head</strong><br>\nx"


def test_an_inline_option_stays_on_one_line():
    assert to_markdown("<h4>Edge</h4>tier", "html", "inline") == "<strong>Edge</strong><br> tier"


def test_a_gift_question_keeps_heading_and_body_apart():
    bank, issues = read_gift("::Q1::[html]<h4>Heading</h4>Body {T}\n", "a.gift", "abc")
    assert bank is not None, issues
    assert bank.questions[0].stem == "<strong>Heading</strong><br>\nBody"


def test_deeply_nested_b_is_cleaned_to_the_same_html():
    depth = 40_000
    assert sanitise_html("<b>" * depth + "x" + "</b>" * depth) == \
        "<b>" * linear_html.MAX_OPEN_FORMATTING + "x" + "</b>" * linear_html.MAX_OPEN_FORMATTING


def test_deeply_nested_b_within_the_limit_is_kept_whole():
    depth = linear_html.MAX_OPEN_FORMATTING
    assert sanitise_html("<b>" * depth + "x" + "</b>" * depth) == \
        "<b>" * depth + "x" + "</b>" * depth


def test_unclosed_b_with_text_keeps_all_the_text():
    cleaned = sanitise_html("<b>word " * 10_000)
    assert cleaned.count("word") == 10_000


def test_nested_lists_past_the_limit_keep_their_text():
    cleaned = sanitise_html("<ul><li>x" * 5_000)
    assert cleaned.count("x") == 5_000
    assert cleaned.count("<ul>") <= linear_html.MAX_DEPTH
