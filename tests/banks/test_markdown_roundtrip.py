"""Markdown export, parse, export: the same text, and the parser reads every part back where
it was written (pure: no app, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks.gift import read_gift
from app.banks.markdown_export import stem_as_written
from app.banks.markdown_format import export_bank, parse_bank, read_bank_file
from app.banks.questions import Bank, Choice, NumericAnswer, Pair, Question, TextAnswer
from app.content.markdown import render_markdown

SAMPLE_BANKS = sorted((Path(__file__).parents[2] / "question_banks").glob("*.md"))


def parsed(text: str) -> Bank:
    bank, issues = parse_bank(text, "bank.md")
    assert bank is not None, [(i.line, i.message) for i in issues]
    assert not [i for i in issues if i.severity == "error"]
    return bank


def bank_of(*questions: Question) -> Bank:
    return Bank(id="dh-md", title="Round trip", area="product", language="en",
                questions=list(questions))


def contents(bank: Bank) -> list[dict]:
    return [q.content() for q in bank.questions]


@pytest.mark.parametrize("path", SAMPLE_BANKS, ids=lambda p: p.name)
def test_every_sample_bank_exports_parses_and_exports_the_same(path):
    bank, _ = read_bank_file(path.read_bytes(), str(path))
    text = export_bank(bank)
    again = parsed(text)
    assert contents(again) == contents(bank)
    assert export_bank(again) == text


# --- question text ending in a list or a quote --------------------------------------------------
CHOICES = (Choice("Edge", True), Choice("Cloud", False))


@pytest.mark.parametrize("question", [
    Question(id="E-1", type="essay", stem="Explain, covering:\n\n- sizing\n- licences"),
    Question(id="E-2", type="essay", stem="Explain:\n\n- [x] done\n- [ ] to do",
             guidance=("Names both",)),
    Question(id="E-3", type="essay", stem="Comment on this:\n\n> We never lose data."),
    Question(id="S-1", type="single", stem="Which is ticked?\n\n- [x] agents\n- [ ] engine",
             choices=CHOICES),
    Question(id="O-1", type="ordering", stem="Order these steps:\n\n1. plan\n2. build",
             sequence=("plan", "build")),
    Question(id="M-1", type="matching", stem="Match:\n\n- one\n- two",
             pairs=(Pair("a", "b"), Pair("c", "d"))),
], ids=lambda q: q.id)
def test_a_stem_ending_in_a_list_or_quote_stays_the_stem(question):
    text = export_bank(bank_of(question))
    again = parsed(text).questions[0]
    assert (again.guidance, again.explanation, again.choices, again.sequence, again.pairs) == (
        question.guidance, question.explanation, question.choices, question.sequence,
        question.pairs)
    assert render_markdown(again.stem).html == render_markdown(question.stem).html
    assert again.stem == stem_as_written(question)
    assert export_bank(parsed(text)) == text


def test_a_gift_markdown_stem_ending_in_a_list_survives_export_and_import_unchanged():
    gift = ("::Essay::[markdown]Explain, covering\\:\n- sizing\n- licences{}\n\n"
            "::Pick::[markdown]Which?\n- [x] agents\n- [ ] engine{=Edge ~Cloud}\n")
    bank, issues = read_gift(gift, "q.gift", "dh-md")
    assert issues == []
    again = parsed(export_bank(bank))
    assert contents(again) == contents(bank)
    assert again.questions[0].guidance == ()


# --- generated banks ----------------------------------------------------------------------------
_WORD = st.from_regex(r"[A-Za-z][a-z]{0,7}", fullmatch=True)
_WORDS = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


def _list(marker: str):
    return st.lists(_WORDS, min_size=1, max_size=3).map(
        lambda items: "\n".join(f"{marker}{item}" for item in items))


_NUMBERED = st.lists(_WORDS, min_size=1, max_size=3).map(
    lambda items: "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1)))
_BLOCK = st.one_of(
    _WORDS, _list("- "), _list("- [x] "), _list("- [ ] "), _list("* "), _NUMBERED,
    _list("> "), _WORDS.map(lambda w: f"```\n{w}\n```"), _WORDS.map(lambda w: f"### {w}"),
    st.tuples(_WORDS, _WORDS).map(lambda p: f"- {p[0]}\n  > {p[1]}"))
_TEXT = st.lists(_BLOCK, min_size=1, max_size=4).map("\n\n".join)
_FEEDBACK = st.one_of(st.just(""), _WORDS)


@st.composite
def _answers(draw, qtype: str) -> dict:
    texts = draw(st.lists(_WORDS, min_size=2, max_size=4, unique_by=str.casefold))
    if qtype in ("single", "multiple"):
        right = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1,
                             max_size=1 if qtype == "single" else len(texts)))
        return {"choices": tuple(Choice(t, k in right, None, draw(_FEEDBACK))
                                 for k, t in enumerate(texts))}
    if qtype == "truefalse":
        truth = draw(st.booleans())
        return {"choices": (Choice("True", truth), Choice("False", not truth))}
    if qtype == "short":
        return {"answers": tuple(TextAnswer(t, feedback=draw(_FEEDBACK)) for t in texts)}
    if qtype == "numeric":
        return {"answers": (NumericAnswer(value=float(draw(st.integers(-99, 99))),
                                          tolerance=float(draw(st.integers(0, 5)))),)}
    if qtype == "matching":
        return {"pairs": tuple(Pair(t, f"{t} match") for t in texts)}
    if qtype == "ordering":
        return {"sequence": tuple(texts)}
    return {"guidance": tuple(draw(st.lists(_WORDS, max_size=2, unique=True)))}


_TYPES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay")


@st.composite
def markdown_banks(draw) -> Bank:
    questions = []
    for n in range(draw(st.integers(1, 4))):
        qtype = draw(st.sampled_from(_TYPES))
        questions.append(Question(id=f"GEN-{n}", type=qtype, stem=draw(_TEXT),
                                  explanation=draw(st.one_of(st.just(""), _TEXT)),
                                  **draw(_answers(qtype))))
    return bank_of(*questions)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_banks())
def test_generated_banks_export_parse_and_export_the_same(bank):
    text = export_bank(bank)
    again = parsed(text)
    assert export_bank(again) == text
    for written, read in zip(bank.questions, again.questions, strict=True):
        assert read.stem == stem_as_written(written)
        assert (read.choices, read.answers, read.pairs, read.sequence, read.guidance,
                read.explanation) == (written.choices, written.answers, written.pairs,
                                      written.sequence, written.guidance, written.explanation)
