"""Every Markdown example in docs/rubric-format.md must parse, so the documentation cannot
drift from the parser."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.rubrics.format import KINDS, LANGUAGES, parse_rubric

DOC = Path(__file__).resolve().parents[2] / "docs" / "rubric-format.md"
FENCE = re.compile(r"^(`{3,})markdown\s*$")
WEIGHT = re.compile(r"^weight:[ \t]*(\S+)[ \t]*$", re.MULTILINE)
WRAPPER = """---
id: doc-example
title: Documentation example
kind: demo
language: en
---

"""
FILLER = "\n## filler: Filler\nweight: {weight}\n\n- 1 = 0: No\n- 2 = 1: Yes\n"


def markdown_blocks() -> list[tuple[int, str]]:
    """(line, text) of every ```markdown block."""
    blocks = []
    lines = DOC.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = FENCE.match(line)
        if opening:
            ticks = opening.group(1)
            end = index + 1
            while not (lines[end].startswith(ticks) and not lines[end].strip("`")):
                end += 1
            blocks.append((index + 1, "\n".join(lines[index + 1:end]) + "\n"))
            index = end
        elif line.startswith("```"):  # any other fenced block: skip it whole
            end = index + 1
            while not lines[end].startswith("```"):
                end += 1
            index = end
        index += 1
    return blocks


BLOCKS = markdown_blocks()
RUBRICS = [(line, text) for line, text in BLOCKS if text.startswith("---\n")]
SNIPPETS = [(line, text) for line, text in BLOCKS if not text.startswith("---\n")]


def test_the_doc_has_full_examples_and_criterion_snippets():
    assert len(RUBRICS) >= 2
    assert SNIPPETS


@pytest.mark.parametrize(("line", "text"), RUBRICS, ids=[f"line-{line}" for line, _ in RUBRICS])
def test_full_rubric_examples_parse_without_problems(line, text):
    rubric, issues = parse_rubric(text, f"{DOC.name}:{line}")
    assert issues == [], [str(i) for i in issues]
    assert rubric.criteria


@pytest.mark.parametrize(("line", "text"), SNIPPETS, ids=[f"line-{line}" for line, _ in SNIPPETS])
def test_criterion_snippets_parse(line, text):
    """A snippet is one or more criteria; a filler criterion makes the weights total 100."""
    assert text.startswith("## "), f"the block at line {line} is neither a rubric nor a criterion"
    rest = 100 - sum(Decimal(weight) for weight in WEIGHT.findall(text))
    assert rest >= 0
    source = WRAPPER + text + (FILLER.format(weight=rest) if rest else "")
    rubric, issues = parse_rubric(source, f"{DOC.name}:{line}")
    assert issues == [], [str(i) for i in issues]
    snippet = [c for c in rubric.criteria if c.key != "filler"]
    assert snippet and all(len(c.levels) >= 2 for c in snippet)


def test_the_front_matter_table_lists_every_kind_and_language():
    text = DOC.read_text(encoding="utf-8")
    kind_row = next(row for row in text.split("\n") if row.startswith("| `kind` |"))
    language_row = next(row for row in text.split("\n") if row.startswith("| `language` |"))
    assert re.findall(r"`([a-z_A-Z-]+)`", kind_row)[1:] == list(KINDS)
    assert re.findall(r"`([a-z_A-Z-]+)`", language_row)[1:] == list(LANGUAGES)


def test_the_complete_example_shows_chinese_and_fenced_lines_that_look_like_structure():
    lines = DOC.read_text(encoding="utf-8").split("\n")
    section = lines.index("## A complete example") + 1
    (line, text), = [(line, text) for line, text in RUBRICS if line > section]
    rubric, issues = parse_rubric(text, f"{DOC.name}:{line}")
    assert issues == []
    assert rubric.language == "zh_CN"
    code_guidance = next(c.guidance for c in rubric.criteria if "```" in c.guidance)
    assert "\n## " in code_guidance and "\n- 1 = 0: " in code_guidance


def test_the_error_example_is_what_the_parser_says():
    """The doc's sample messages come from this file."""
    source = WRAPPER + """## communication: C
weight: 40

- 1 = 0: a
- 2 = 1: b

## structure: S
weight: 55

- 1 = 0: a
- 4 = 1: b
- 3 = 2: c
"""
    _rubric, issues = parse_rubric(source, "rubrics/demo.md")
    text = DOC.read_text(encoding="utf-8")
    for issue in issues:
        assert str(issue) in text
    assert len(issues) == 2
