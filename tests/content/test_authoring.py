"""The layer every authored Markdown format shares: front matter, key lines, sections and
clashes across files, each with its messages. Pure: no app, no database."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from app.content.authoring import (
    CommonKeys,
    FrontMatter,
    FrontMatterRules,
    KeyLineRules,
    KeyValue,
    Reporter,
    clashes,
    known_value,
    read_front_matter,
    read_key_lines,
)
from app.content.sections import BLANK, ITEM, OTHER, line_kinds, report_unclosed, scan_sections

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class _Front(FrontMatter):
    colour: str = ""


def _check_colour(front: _Front, value: str, number: int, report: Reporter) -> None:
    if known_value(value, ("red", "blue"), "colour", "red or blue", number, report):
        front.colour = value


_COMMON = CommonKeys(noun="palette", id_example="my-palette")
RULES = FrontMatterRules[_Front](
    checks={"id": _COMMON.id, "title": _COMMON.title, "colour": _check_colour},
    examples={"id": "my-palette", "colour": "red"})
KEYS = KeyLineRules(keys=("size", "shape"), unknown="unknown key '{key}': use size or shape",
                    before="the text")


def messages(report: Reporter) -> list[tuple[int, str]]:
    return [(issue.line, issue.message) for issue in report.issues]


def test_front_matter_values_go_through_their_checks():
    report = Reporter("p.md")
    front = read_front_matter(["---", "id: warm-colours", "title: Warm", "colour: red", "---",
                               "## first"], report, RULES, _Front())
    assert report.issues == []
    assert (front.id, front.title, front.colour) == ("warm-colours", "Warm", "red")
    assert (front.present, front.start, front.lines) == (
        True, 5, {"id": 2, "title": 3, "colour": 4})


def test_front_matter_problems_are_reported_with_the_formats_words():
    report = Reporter("p.md")
    read_front_matter(["---", "colour: green", "size: 3", "colour: red", "not a key line"],
                      report, RULES, _Front())
    assert messages(report) == [
        (2, "unknown colour 'green': use red or blue"),
        (3, "unknown front-matter key 'size': use id, title or colour"),
        (4, "duplicate front-matter key 'colour' (also line 2): keep one"),
        (5, "'not a key line' is not a 'key: value' line: the front matter holds only id, "
            "title and colour lines"),
        (1, "the front matter is not closed: add a line '---' after its last 'key: value' "
            "line"),
        (1, "the front matter has no 'id' line: add 'id: my-palette'"),
    ]


def test_a_file_without_front_matter_names_the_required_keys():
    report = Reporter("p.md")
    front = read_front_matter(["## first"], report, RULES, _Front())
    assert not front.present and front.start == 0
    assert messages(report) == [(1, "the file must start with front matter: a line '---', "
                                    "then 'id: ...' and 'colour: ...' lines, then '---'")]


def test_key_lines_end_at_a_blank_line_and_report_unknown_and_repeated_keys():
    lines = ["## A", "", "size: 3", "colour: red", "size: 4", "", "text"]
    report = Reporter("p.md")
    values, body = read_key_lines(lines, bytearray(len(lines)), 0, len(lines), report, "A", KEYS)
    assert values == {"size": KeyValue("3", 3)} and body == 5
    assert messages(report) == [(4, "unknown key 'colour': use size or shape"),
                                (5, "duplicate key 'size' (also line 3): keep one")]
    assert {issue.question_id for issue in report.issues} == {"A"}


def test_text_right_after_the_key_lines_asks_for_a_blank_line():
    lines = ["## A", "size: 3", "text"]
    report = Reporter("p.md")
    _values, body = read_key_lines(lines, bytearray(3), 0, 3, report, None, KEYS)
    assert body == 2
    assert messages(report) == [(3, "expected a blank line after the key lines: leave one "
                                    "empty line before the text")]


def test_a_full_width_colon_is_a_reported_key_line_only_where_the_format_says_so():
    lines = ["## A", "size：3", "", "text"]
    report = Reporter("p.md")
    values, body = read_key_lines(lines, bytearray(4), 0, 4, report, None, KEYS)
    assert (values, body, report.issues) == ({}, 1, [])
    wide = KeyLineRules(KEYS.keys, KEYS.unknown, KEYS.before, fullwidth=True)
    values, body = read_key_lines(lines, bytearray(4), 0, 4, report, None, wide)
    assert values == {"size": KeyValue("", 2, reported=True)} and body == 2
    assert messages(report) == [(2, "'size' is followed by a full-width colon '：': write "
                                    "'size: ...' with the ASCII colon")]


def test_sections_run_from_heading_to_heading_and_a_code_block_never_closed_cuts_one():
    lines = ["intro", "## A", "```", "## not a heading", "```", "## B", "```", "text"]
    sections = scan_sections(lines, 0)
    assert sections.headings == [1, 5]
    assert [(s.heading, s.end, s.cut) for s in sections.spans()] == [(1, 5, False),
                                                                     (5, 8, True)]
    report = Reporter("p.md")
    report_unclosed(lines, sections, report, lambda line: line[3:])
    assert [(i.line, i.message, i.question_id) for i in report.issues] == [
        (7, "this code block is never closed: add a line '```' where it ends", "B")]
    assert scan_sections(["text"], 0).spans() == []


def test_line_kinds_leave_code_as_other_text():
    lines = ["- item", "", "```", "- code", "```", "text"]
    sections = scan_sections(lines, 0)
    kinds = line_kinds(lines, sections.fenced, 0, len(lines),
                       lambda line: ITEM if line.startswith("- ") else OTHER)
    assert list(kinds) == [ITEM, BLANK, OTHER, OTHER, OTHER, OTHER]


def test_clashes_name_every_other_place_with_the_same_key():
    found = list(clashes(["a1", "b1", "a2", "a3"], lambda text: text[0]))
    assert found == [("a", "a1", ["a2", "a3"]), ("a", "a2", ["a1", "a3"]),
                     ("a", "a3", ["a1", "a2"])]


def test_the_shared_layer_imports_no_feature_package():
    for name in ("authoring.py", "sections.py"):
        tree = ast.parse((ROOT / "app" / "content" / name).read_text(encoding="utf-8"))
        imported = [node.module or "" for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names]
        assert all(not module.startswith("app") or module.startswith("app.content")
                   for module in imported), (name, imported)
