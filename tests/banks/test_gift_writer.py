"""Banks written as Moodle GIFT read back the same (pure: no app, no database)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks.gift import read_gift
from app.banks.gift.writer import export_gift
from app.banks.markdown_export import stem_as_written
from app.banks.markdown_format import read_bank_file
from app.banks.questions import Bank, Choice, NumericAnswer, Pair, Question, TextAnswer
from app.exams.grading import PARTIAL, grade

ROOT = Path(__file__).parents[2]
SAMPLE_BANKS = sorted((ROOT / "question_banks").glob("*.md"))
MOODLE_GIFT = sorted((ROOT / "tests" / "fixtures" / "moodle" / "gift").glob("*.txt"))


def read_back(bank: Bank, text: str):
    back, issues = read_gift(text, f"{bank.id}.gift", bank.id, title=bank.title, area=bank.area,
                             language=bank.language)
    assert back is not None, [(i.line, i.message) for i in issues]
    return back, issues


def contents(questions) -> dict[str, dict]:
    return {q.id: q.content() for q in questions}


# --- what is written ----------------------------------------------------------------------------
def bank_of(*questions: Question, language: str = "en") -> Bank:
    return Bank(id="dh-out", title="DataHub out", area="product", language=language,
                questions=list(questions))


def test_a_question_is_written_as_moodle_writes_it_with_our_id_tags_and_markdown():
    question = Question(id="DH-1", type="single", stem="Which **tier**?", tags=("edge", "arch"),
                        choices=(Choice("Edge", True, feedback="Yes"), Choice("Cloud", False)),
                        explanation="Agents run at the edge.")
    text, skipped = export_gift(bank_of(question))
    assert skipped == []
    assert text == ("// DataHub out (dh-out)\n\n"
                    "// [id:DH-1]\n// [tag:edge]\n// [tag:arch]\n"
                    "::DH-1::[markdown]Which **tier**?{\n"
                    "\t=Edge#Yes\n\t~Cloud\n\t####Agents run at the edge.\n}\n")


def test_what_gift_has_no_place_for_goes_in_comments_moodle_ignores():
    essay = Question(id="E-1", type="essay", stem="Explain.", points=5, difficulty="hard",
                     guidance=("Names the edge tier", "Says why [outbound] matters"),
                     word_limit=300)
    text, _ = export_gift(bank_of(essay))
    assert ("// [points:5]\n// [difficulty:hard]\n// [words:300]\n"
            "// [guidance:Names the edge tier]\n// [guidance:Says why [outbound\\] matters]\n"
            "::E-1::[markdown]Explain.{\n}") in text


def test_special_characters_and_line_breaks_are_escaped():
    question = Question(id="Q-1", type="short", stem="Line one\n\nIs a {b} = c: d ~ e # f \\ g?",
                        answers=(TextAnswer("2*3"),))
    text, _ = export_gift(bank_of(question))
    assert "::Q-1::[markdown]Line one\\n\\nIs a \\{b\\} \\= c\\: d \\~ e \\# f \\\\ g?{" in text
    assert "\t=2\\\\*3\n" in text
    back, issues = read_back(bank_of(question), text)
    assert issues == [] and contents(back.questions) == contents([question])


def test_ordering_questions_and_real_regular_expressions_are_left_out_and_named():
    ordering = Question(id="O-1", type="ordering", stem="Order", sequence=("a", "b"))
    regex = Question(id="S-1", type="short", stem="Which?",
                     answers=(TextAnswer("ya?ml", regex=True),))
    wildcard = Question(id="S-2", type="short", stem="Which?",
                        answers=(TextAnswer("MLPS.*", regex=True),))
    text, skipped = export_gift(bank_of(ordering, regex, wildcard))
    assert skipped == ["O-1", "S-1"]
    assert "O-1" not in text and "S-1" not in text
    assert "\t=MLPS*\n" in text


def test_multiple_response_without_weights_is_written_with_the_shares_our_scoring_gives():
    question = Question(id="M-1", type="multiple", stem="Pick",
                        choices=(Choice("a", True), Choice("b", True), Choice("c", False)))
    text, _ = export_gift(bank_of(question))
    assert "\t~%50%a\n\t~%50%b\n\t~%-100%c\n" in text
    back, _ = read_back(bank_of(question), text)
    assert back.questions[0].choices == question.choices


def test_true_false_labels_other_than_the_languages_own_are_kept():
    question = Question(id="T-1", type="truefalse", stem="真的吗？",
                        choices=(Choice("对", False, feedback="不对"), Choice("错", True)))
    text, _ = export_gift(bank_of(question, language="zh_CN"))
    assert "// [truefalse:对|错]\n::T-1::[markdown]真的吗？{FALSE#不对}" in text
    back, _ = read_back(bank_of(question, language="zh_CN"), text)
    assert contents(back.questions) == contents([question])


def test_an_invalid_value_of_our_comments_is_ignored_with_a_notice():
    bank, issues = read_gift("// [points:-2]\n// [words:300]\nPick {=a ~b}\n", "q.gift", "dh-out")
    assert bank.questions[0].points == 1.0 and bank.questions[0].word_limit is None
    assert [(i.line, i.severity) for i in issues] == [(1, "warning"), (2, "warning")]


# --- round trips --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SAMPLE_BANKS, ids=lambda p: p.name)
def test_every_sample_question_gift_can_hold_reads_back_the_same(path):
    bank, _ = read_bank_file(path.read_bytes(), str(path))
    text, skipped = export_gift(bank)
    back, issues = read_back(bank, text)
    assert issues == []
    kept = [q for q in bank.questions if q.id not in skipped]
    assert contents(back.questions) == contents(kept)
    for question in bank.questions:  # what is left out, GIFT cannot hold
        if question.id in skipped:
            assert question.type == "ordering" or any(
                getattr(answer, "regex", False) for answer in question.answers)


@pytest.mark.parametrize("path", MOODLE_GIFT, ids=lambda p: p.name)
def test_moodle_files_read_written_and_read_again_keep_every_question(path):
    first, _ = read_gift(path.read_text(encoding="utf-8"), path.name, "moodle-gift")
    text, skipped = export_gift(first)
    assert skipped == []
    again, _ = read_back(first, text)
    assert contents(again.questions) == contents(first.questions)


def test_written_multiple_response_scores_as_before_for_every_answer():
    bank, _ = read_bank_file(SAMPLE_BANKS[0].read_bytes(), str(SAMPLE_BANKS[0]))
    question = next(q for q in bank.questions if q.type == "multiple")
    text, _ = export_gift(bank_of(question))
    written = [float(w) for w in re.findall(r"\t~%(-?[\d.]+)%", text)]  # what Moodle reads
    assert len(written) == len(question.choices)
    before = question.content()
    after = {**before, "choices": [{**c, "weight": w}
                                   for c, w in zip(before["choices"], written, strict=True)]}
    size = len(question.choices)
    for mask in range(1, 2 ** size):
        response = [k for k in range(size) if mask >> k & 1]
        assert grade(before, response, scoring=PARTIAL).fraction == pytest.approx(
            grade(after, response, scoring=PARTIAL).fraction, abs=1e-9)


# --- generated banks ----------------------------------------------------------------------------
_ALPHABET = st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="<",
                          codec="utf-8")
_WORDS = st.text(_ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
_INLINE = _WORDS.filter(lambda t: not t.startswith("%") and "->" not in t)
_SHORT = _INLINE.map(lambda t: " ".join(t.split())).filter(bool)
_LINES = st.lists(_WORDS.filter(lambda t: not t.startswith("#")), min_size=1, max_size=3)
_BLOCK = _LINES.map("\n".join)
_FEEDBACK = st.one_of(st.just(""), _BLOCK)
_WEIGHT = st.integers(-200, 199).map(lambda n: n / 2)  # -100 .. 99.5


@st.composite
def _single(draw):
    texts = draw(st.lists(_INLINE, min_size=2, max_size=5, unique=True))
    right = draw(st.integers(0, len(texts) - 1))
    weighted = draw(st.booleans())
    weights = [None if k == right or not weighted else draw(_WEIGHT) for k in range(len(texts))]
    return {"choices": tuple(Choice(t, k == right, weights[k], draw(_FEEDBACK))
                             for k, t in enumerate(texts))}


@st.composite
def _multiple(draw):
    texts = draw(st.lists(_INLINE, min_size=2, max_size=5, unique=True))
    right = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1))
    if draw(st.booleans()):
        weights = [None] * len(texts)
    else:
        weights = [draw(st.integers(1, 200).map(lambda n: n / 2)) if k in right
                   else draw(st.integers(-200, 0).map(lambda n: n / 2))
                   for k in range(len(texts))]
    return {"choices": tuple(Choice(t, k in right, weights[k], draw(_FEEDBACK))
                             for k, t in enumerate(texts))}


@st.composite
def _truefalse(draw):
    truth = draw(st.booleans())
    return {"choices": (Choice("True", truth, None, draw(_FEEDBACK)),
                        Choice("False", not truth, None, draw(_FEEDBACK)))}


def _text_answer(draw) -> TextAnswer:
    text, regex = draw(_SHORT), False
    if draw(st.booleans()):  # a * wildcard, as the reader makes it
        parts = [" ".join(unicodedata.normalize("NFKC", p).split()) for p in (text, draw(_SHORT))]
        if all(parts) and not parts[0].endswith("\\"):  # `\*` is a literal asterisk
            text, regex = ".*".join(re.escape(p) for p in parts), True
    return TextAnswer(text, regex, draw(st.one_of(st.none(), _WEIGHT)), draw(_FEEDBACK))


@st.composite
def _short(draw):
    answers = [_text_answer(draw) for _ in range(draw(st.integers(1, 3)))]
    return {"answers": tuple(answers)}


_NUMBER = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


@st.composite
def _numeric(draw):
    answers = []
    for _ in range(draw(st.integers(1, 3))):
        weight, feedback = draw(st.one_of(st.none(), _WEIGHT)), draw(_FEEDBACK)
        if draw(st.booleans()):
            low, high = sorted((draw(_NUMBER), draw(_NUMBER)))
            answers.append(NumericAnswer(low=low, high=high, weight=weight, feedback=feedback))
        else:
            answers.append(NumericAnswer(value=draw(_NUMBER), tolerance=abs(draw(_NUMBER)),
                                         weight=weight, feedback=feedback))
    return {"answers": tuple(answers)}


@st.composite
def _matching(draw):
    lefts = draw(st.lists(_INLINE, min_size=2, max_size=4))
    pairs = [Pair(left, draw(_INLINE)) for left in lefts]
    if draw(st.booleans()):
        pairs.append(Pair(None, draw(_INLINE)))
    return {"pairs": tuple(pairs)}


@st.composite
def _essay(draw):
    return {"guidance": tuple(draw(st.lists(_WORDS, max_size=3))),
            "word_limit": draw(st.one_of(st.none(), st.integers(1, 5000)))}


def _as_read(question: Question) -> Question:
    """The question as every reader gives it: its stem as the Markdown format writes it, and
    no weight where a weight equals what no weight means (the same marks)."""
    question.stem = stem_as_written(question)
    right = sum(c.correct for c in question.choices)
    wrong = len(question.choices) - right
    choices = []
    for choice in question.choices:
        if question.type == "single":
            default = 100.0 if choice.correct else 0.0
        else:
            default = 100 / right if choice.correct else -100 / max(wrong, 1)
        same = choice.weight is not None and abs(choice.weight - default) <= 1e-4
        choices.append(Choice(choice.text, choice.correct, None if same else choice.weight,
                              choice.feedback))
    question.choices = tuple(choices)
    return question


_BY_TYPE = {"single": _single, "multiple": _multiple, "truefalse": _truefalse, "short": _short,
            "numeric": _numeric, "matching": _matching, "essay": _essay}
_TAG = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)


@st.composite
def gift_banks(draw):
    questions = []
    for n in range(draw(st.integers(1, 6))):
        qtype = draw(st.sampled_from(sorted(_BY_TYPE)))
        questions.append(Question(
            id=f"GEN-{n}", type=qtype, stem=draw(_BLOCK),
            points=draw(st.sampled_from([0.5, 1.0, 2.0, 3.25])),
            difficulty=draw(st.sampled_from(["easy", "medium", "hard"])),
            tags=tuple(draw(st.lists(_TAG, max_size=3, unique=True))),
            explanation=draw(_FEEDBACK), **draw(_BY_TYPE[qtype]())))
        questions[-1] = _as_read(questions[-1])
    return Bank(id="gen-bank", title="Generated", area="product", language="en",
                questions=questions)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gift_banks())
def test_generated_banks_read_back_the_same(bank):
    text, skipped = export_gift(bank)
    assert skipped == []
    back, _ = read_back(bank, text)
    assert contents(back.questions) == contents(bank.questions)
    assert export_gift(back)[0] == text
