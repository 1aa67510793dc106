"""Banks written as Moodle XML read back as the same questions, and write the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.banks.markdown_format import read_bank_file
from app.banks.moodle_xml import export_moodle_xml, read_moodle_xml
from app.banks.questions import (
    DIFFICULTIES,
    Asset,
    Bank,
    Choice,
    NumericAnswer,
    Pair,
    Question,
    TextAnswer,
)

SAMPLES = sorted((Path(__file__).parents[2] / "question_banks").glob("*.md"))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


def round_trip(bank: Bank, *, notices: bool = False) -> tuple[Bank, bytes]:
    """The bank exported and read back; without ``notices``, reading must not warn at all."""
    xml = export_moodle_xml(bank)
    back, issues = read_moodle_xml(xml, "bank.xml", bank.id, title=bank.title, area=bank.area,
                                   language=bank.language)
    assert back is not None, [str(i) for i in issues]
    assert issues == [] or notices and all(i.severity == "warning" for i in issues)
    return back, xml


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_bank_comes_back_unchanged_and_writes_the_same_bytes(path):
    bank, _ = read_bank_file(path.read_bytes(), str(path))
    assert bank is not None
    back, xml = round_trip(bank)
    assert [q.content() for q in back.questions] == [q.content() for q in bank.questions]
    assert export_moodle_xml(back) == xml


def test_the_export_is_what_moodles_importer_reads():
    bank, _ = read_bank_file(SAMPLES[0].read_bytes(), str(SAMPLES[0]))
    assert bank is not None
    root = ElementTree.fromstring(export_moodle_xml(bank))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/top/{bank.title}"
    assert len(questions) == len(bank.questions)
    for element, question in zip(questions, bank.questions, strict=True):
        assert element.findtext("idnumber") == question.id
        assert element.findtext("name/text") == question.id
        assert element.find("questiontext").get("format") == "markdown"
        assert element.findtext("questiontext/text") == question.stem
        assert float(element.findtext("defaultgrade")) == question.points
        if question.difficulty != "medium":
            assert f"difficulty:{question.difficulty}" in [t.text for t in
                                                           element.findall("tags/tag/text")]


def test_multiple_choice_without_weights_gets_moodles_shares():
    question = Question("M-1", "multiple", "Pick.", choices=(
        Choice("a", True), Choice("b", True), Choice("c", False), Choice("d", False),
        Choice("e", False)))
    root = ElementTree.fromstring(export_moodle_xml(_bank(question)))
    fractions = [float(a.get("fraction")) for a in root.findall("question/answer")]
    assert fractions == [50.0, 50.0, -100 / 3, -100 / 3, -100 / 3]


def test_an_image_goes_out_as_a_moodle_file_and_comes_back_as_the_same_asset():
    asset = Asset("logo one.png", "image/png", PNG)
    question = Question("IMG-1", "truefalse", f"Is this ![our logo]({asset.url}) ours?",
                        choices=(Choice("True", True), Choice("False", False)))
    bank = _bank(question, assets=(asset,))
    xml = export_moodle_xml(bank)
    assert b"@@PLUGINFILE@@/logo%20one.png" in xml and asset.url.encode() not in xml
    back, _ = round_trip(bank)
    assert back.assets == (asset,) and back.questions[0].content() == question.content()
    assert export_moodle_xml(back) == xml


def _bank(*questions: Question, assets: tuple[Asset, ...] = ()) -> Bank:
    return Bank(id="gen-bank", title="Generated / bank", area="product", language="en",
                questions=list(questions), assets=assets)


# --- generated banks ----------------------------------------------------------------------------
_WORD = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=8)
TEXT = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
OPTIONAL_TEXT = st.one_of(st.just(""), TEXT)
WEIGHT = st.one_of(st.none(), st.integers(-100, 100).map(float),
                   st.floats(-100, 100, allow_nan=False).map(lambda w: round(w, 5)))
NUMBER = st.floats(-1e6, 1e6, allow_nan=False)


def _choices(qtype: str):
    """Options Moodle can hold: a single choice's right option at full marks; a multiple
    choice's right options sharing 100% (no weights, or explicit shares)."""
    def build(texts, right, weights, feedback):
        picked = set(right) if qtype == "multiple" else {right[0]}
        shares = weights[0] is not None
        chosen = []
        for k, (text, weight, fb) in enumerate(zip(texts, weights, feedback, strict=True)):
            correct = k in picked
            if qtype == "single" and correct:
                weight = None if weight is None else 100.0
            elif qtype == "single":
                weight = None if weight is None else min(weight, 99.0)
            elif correct:
                weight = 100 / len(picked) if shares else None
            else:
                weight = -abs(weight) if shares and weight is not None else None
            chosen.append(Choice(text, correct, weight, fb))
        return tuple(chosen)
    n = st.integers(2, 5)
    return n.flatmap(lambda k: st.builds(
        build, st.lists(TEXT, min_size=k, max_size=k, unique=True),
        st.lists(st.integers(0, k - 1), min_size=1, max_size=k, unique=True),
        st.lists(WEIGHT, min_size=k, max_size=k), st.lists(OPTIONAL_TEXT, min_size=k, max_size=k)))


def _truefalse():
    labels = st.sampled_from([("True", "False"), ("False", "True"), ("对", "错"),
                              ("正确", "错误"), ("true", "false")])
    return st.builds(lambda pair, right, fb: (Choice(pair[0], right, None, fb[0]),
                                              Choice(pair[1], not right, None, fb[1])),
                     labels, st.booleans(), st.tuples(OPTIONAL_TEXT, OPTIONAL_TEXT))


_LITERAL = st.lists(st.text("abcXYZ09 .+?*()[]", min_size=1, max_size=6).map(
    lambda s: " ".join(s.split())).filter(bool), min_size=1, max_size=3)
TEXT_ANSWER = st.one_of(
    st.builds(lambda parts, w, fb: TextAnswer(" ".join(parts), False, w, fb), _LITERAL, WEIGHT,
              OPTIONAL_TEXT),
    st.builds(lambda w: TextAnswer(r"ml\s*ps\s*2(\.0)?", True, w), WEIGHT),
    st.builds(lambda w: TextAnswer(r"MLPS.*2\.0", True, w), WEIGHT))
NUMERIC_ANSWER = st.one_of(
    st.builds(lambda v, t, w, fb: NumericAnswer(value=v, tolerance=t, weight=w, feedback=fb),
              NUMBER, st.floats(0, 100, allow_nan=False), WEIGHT, OPTIONAL_TEXT),
    st.builds(lambda a, b, w: NumericAnswer(low=min(a, b), high=max(a, b), weight=w),
              NUMBER, NUMBER, WEIGHT))


def _fields(qtype: str):
    if qtype in ("single", "multiple"):
        return st.fixed_dictionaries({"choices": _choices(qtype)})
    if qtype == "truefalse":
        return st.fixed_dictionaries({"choices": _truefalse()})
    if qtype == "short":
        return st.fixed_dictionaries({"answers": st.lists(TEXT_ANSWER, min_size=1, max_size=3)
                                      .map(tuple)})
    if qtype == "numeric":
        return st.fixed_dictionaries({"answers": st.lists(NUMERIC_ANSWER, min_size=1,
                                                          max_size=3).map(tuple)})
    if qtype == "matching":
        pair = st.builds(Pair, TEXT, TEXT)
        return st.fixed_dictionaries({"pairs": st.tuples(
            st.lists(pair, min_size=2, max_size=4),
            st.lists(st.builds(Pair, st.none(), TEXT), max_size=1)).map(lambda p: tuple(sum(
                p, [])))})
    if qtype == "ordering":
        return st.fixed_dictionaries({"sequence": st.lists(TEXT, min_size=2, max_size=5,
                                                           unique=True).map(tuple)})
    return st.fixed_dictionaries({"guidance": st.lists(TEXT, max_size=3).map(tuple),
                                  "word_limit": st.one_of(st.none(), st.integers(1, 2000))})


QTYPES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering",
          "essay")
QUESTION = st.sampled_from(QTYPES).flatmap(lambda qtype: st.builds(
    lambda stem, points, difficulty, tags, explanation, fields: dict(
        type=qtype, stem=stem, points=points, difficulty=difficulty, tags=tags,
        explanation=explanation, **fields),
    TEXT, st.sampled_from([0.5, 1.0, 2.0, 2.25, 10.0]), st.sampled_from(DIFFICULTIES),
    st.lists(st.sampled_from(["edge", "agents", "数据", "pricing-2024"]), unique=True,
             max_size=3).map(tuple),
    OPTIONAL_TEXT, _fields(qtype)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(QUESTION, min_size=1, max_size=6))
def test_generated_banks_come_back_unchanged_and_write_the_same_bytes(specs):
    bank = _bank(*(Question(id=f"GEN-{k}", **spec) for k, spec in enumerate(specs)))
    back, xml = round_trip(bank, notices=True)  # e.g. no answer at full marks
    assert [q.content() for q in back.questions] == [q.content() for q in bank.questions]
    assert export_moodle_xml(back) == xml
