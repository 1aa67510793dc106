"""Every Markdown example in docs/question-bank-format.md must parse, so the documentation
cannot drift from the parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.banks.markdown_format import parse_bank
from app.banks.questions import QUESTION_TYPES
from app.content.authoring import errors_only

DOC = Path(__file__).resolve().parents[2] / "docs" / "question-bank-format.md"
TYPE_HEADING = re.compile(r"^#{2,6} .*`type: (\w+)`")
FENCE = re.compile(r"^(`{3,})markdown\s*$")
WRAPPER = """---
id: doc-example
title: Documentation example
area: product
language: en
---

## DOC-1
type: {type}

The question text.

"""


def markdown_blocks() -> list[tuple[int, str | None, str]]:
    """(line, type named by the heading above, text) of every ```markdown block."""
    blocks = []
    lines = DOC.read_text(encoding="utf-8").split("\n")
    heading_type = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            match = TYPE_HEADING.match(line)
            heading_type = match.group(1) if match else None
        opening = FENCE.match(line)
        if opening:
            ticks = opening.group(1)
            end = index + 1
            while not (lines[end].startswith(ticks) and not lines[end].strip("`")):
                end += 1
            blocks.append((index + 1, heading_type, "\n".join(lines[index + 1:end]) + "\n"))
            index = end
        elif line.startswith("```"):  # any other fenced block: skip it whole
            end = index + 1
            while not lines[end].startswith("```"):
                end += 1
            index = end
        index += 1
    return blocks


BLOCKS = markdown_blocks()
BANKS = [(line, text) for line, _type, text in BLOCKS if text.startswith("---\n")]
SNIPPETS = [(line, kind, text) for line, kind, text in BLOCKS if not text.startswith("---\n")]


def test_the_doc_has_bank_examples_and_a_snippet_for_every_type():
    assert len(BANKS) >= 2
    assert sorted(kind for _line, kind, _text in SNIPPETS) == sorted(QUESTION_TYPES)


@pytest.mark.parametrize(("line", "text"), BANKS, ids=[f"line-{line}" for line, _ in BANKS])
def test_full_bank_examples_parse_without_problems(line, text):
    bank, issues = parse_bank(text, f"{DOC.name}:{line}")
    assert issues == [], [str(i) for i in issues]
    assert bank.questions


@pytest.mark.parametrize(("line", "kind", "text"), SNIPPETS,
                         ids=[f"{kind}-line-{line}" for line, kind, _ in SNIPPETS])
def test_answer_block_snippets_parse_as_their_type(line, kind, text):
    assert kind in QUESTION_TYPES, f"the block at line {line} is under no '`type: ...`' heading"
    bank, issues = parse_bank(WRAPPER.format(type=kind) + text, f"{DOC.name}:{line}")
    assert errors_only(issues) == [], [str(i) for i in issues]
    question = bank.questions[0]
    assert question.type == kind
    assert (question.choices or question.answers or question.pairs or question.sequence
            or question.guidance)


def test_the_complete_example_has_one_question_of_every_type():
    lines = DOC.read_text(encoding="utf-8").split("\n")
    section = lines.index("## A complete example") + 1
    (line, text), = [(line, text) for line, text in BANKS if line > section]
    bank, issues = parse_bank(text, f"{DOC.name}:{line}")
    assert issues == []
    assert sorted(q.type for q in bank.questions) == sorted(QUESTION_TYPES)
    code_stem = next(q.stem for q in bank.questions if "```" in q.stem)
    assert "## " in code_stem and "- [x]" in code_stem  # fenced lines stay in the stem
