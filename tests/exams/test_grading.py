"""The automatic graders: every question type, both scoring modes, hand-computed.

Question contents are built with the real model (``Question(...).content()``), and the
complete example of docs/question-bank-format.md is parsed by the real reader, so the tests
follow the stored data shape.
"""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

from app.banks.markdown_format import parse_bank
from app.banks.questions import (
    QUESTION_TYPES,
    Choice,
    NumericAnswer,
    Pair,
    Question,
    TextAnswer,
)
from app.exams import answer_text, grading
from app.exams.grading import (
    GRADERS,
    MAX_REGEX_INPUT,
    SCORING_MODES,
    Grade,
    grade,
    grader,
    normalise_text,
    parse_number,
)

AON, PARTIAL = "all-or-nothing", "partial"
BOTH = pytest.mark.parametrize("scoring", SCORING_MODES)
DOC = Path(__file__).resolve().parents[2] / "docs" / "question-bank-format.md"


def q(kind: str, points: float = 1.0, **fields) -> dict:
    return Question(id=f"T-{kind}", type=kind, stem="The question?", points=points,
                    **fields).content()


def fraction(content: dict, response, scoring: str = PARTIAL) -> float | None:
    return grade(content, response, scoring=scoring).fraction


# --- contents ------------------------------------------------------------------------------

SINGLE = q("single", choices=(Choice("Catalogue tier", False), Choice("Edge tier", True),
                              Choice("Control plane", False)))
WEIGHTED_SINGLE = q("single", points=2, choices=(
    Choice("Right", True, 100.0), Choice("Nearly", False, 50.0), Choice("Harmful", False, -50.0),
    Choice("Plain", False)))
TRUEFALSE = q("truefalse", choices=(Choice("True", False), Choice("False", True)))
# R = 2 right options (0, 1), W = 2 wrong ones (2, 3)
MULTIPLE = q("multiple", points=2, choices=(
    Choice("SAML 2.0", True), Choice("OpenID Connect", True),
    Choice("Kerberos tickets sent by e-mail", False), Choice("LDAP anonymous bind", False)))
# GIFT {~%50%a ~%50%b ~%-100%c ~%0%d}: the GIFT reader fills in every weight
GIFT_MULTIPLE = q("multiple", choices=(
    Choice("a", True, 50.0), Choice("b", True, 50.0), Choice("c", False, -100.0),
    Choice("d", False, 0.0)))
# docs EX-002: unweighted right options next to a weighted wrong one
MIXED_MULTIPLE = q("multiple", points=2, choices=(
    Choice("SAML 2.0", True), Choice("OpenID Connect", True),
    Choice("LDAP anonymous bind", False, -50.0)))
SHORT = q("short", answers=(
    TextAnswer("MLPS 2.0"), TextAnswer("等保2.0"), TextAnswer(r"ml\s*ps\s*2(\.0)?", regex=True),
    TextAnswer("MLPS", weight=50.0, feedback="Name the version, too.")))
LITERAL_SHORT = q("short", answers=(TextAnswer("MLPS 2.0"),))
NUMERIC = q("numeric", points=1.5, answers=(
    NumericAnswer(value=2.4), NumericAnswer(value=2.4, tolerance=0.2, weight=50.0)))
RANGE = q("numeric", answers=(NumericAnswer(low=40.0, high=45.0),))
MATCHING = q("matching", points=3, pairs=(
    Pair("PIPL", "Personal information protection"),
    Pair("MLPS 2.0", "Classified protection of information systems"),
    Pair("DSL", "Data classification and security"),
    Pair(None, "Export licensing of encryption hardware")))
ORDERING = q("ordering", sequence=("Qualify the opportunity", "Discovery workshop",
                                   "Solution design", "Proof of concept"))
ESSAY = q("essay", points=5, guidance=("Names the business problem", "Proposes a next step"),
          word_limit=300)

EVERY_TYPE = {"single": SINGLE, "multiple": MULTIPLE, "truefalse": TRUEFALSE, "short": SHORT,
              "numeric": NUMERIC, "matching": MATCHING, "ordering": ORDERING, "essay": ESSAY}


# --- the API -------------------------------------------------------------------------------

def test_every_question_type_has_a_grader():
    assert set(QUESTION_TYPES) <= set(GRADERS)
    assert set(EVERY_TYPE) == set(QUESTION_TYPES)
    assert SCORING_MODES == ("all-or-nothing", "partial")


def test_unknown_type_raises_key_error_naming_it():
    content = {**SINGLE, "type": "hotspot"}
    with pytest.raises(KeyError, match="hotspot"):
        grade(content, 0)
    with pytest.raises(KeyError, match="None"):
        grade({k: v for k, v in SINGLE.items() if k != "type"}, 0)


def test_unknown_scoring_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="scoring"):
        grade(SINGLE, 1, scoring="lenient")


def test_grade_is_a_frozen_value():
    result = grade(SINGLE, 1)
    assert result == Grade(fraction=1.0, points=1.0, max_points=1.0, status="correct")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.points = 5  # type: ignore[misc]


def test_the_decorator_registers_a_grader():
    try:
        @grader("hotspot")
        def grade_hotspot(content, response, scoring):
            return 0.25 if response else grading.UNANSWERED

        assert GRADERS["hotspot"] is grade_hotspot
        content = {**SINGLE, "type": "hotspot", "points": 4}
        assert grade(content, (1, 2)) == Grade(0.25, 1.0, 4.0, "partial")
        assert grade(content, None).status == "unanswered"
    finally:
        GRADERS.pop("hotspot", None)


# --- single and true/false -----------------------------------------------------------------

@BOTH
def test_single(scoring):
    assert grade(SINGLE, 1, scoring=scoring) == Grade(1.0, 1.0, 1.0, "correct")
    assert grade(SINGLE, 0, scoring=scoring) == Grade(0.0, 0.0, 1.0, "wrong")
    assert grade(SINGLE, 2, scoring=scoring).status == "wrong"


@BOTH
def test_single_with_weights(scoring):
    assert grade(WEIGHTED_SINGLE, 0, scoring=scoring) == Grade(1.0, 2.0, 2.0, "correct")
    assert grade(WEIGHTED_SINGLE, 1, scoring=scoring) == Grade(0.5, 1.0, 2.0, "partial")
    assert grade(WEIGHTED_SINGLE, 2, scoring=scoring) == Grade(0.0, 0.0, 2.0, "wrong")  # floor
    assert grade(WEIGHTED_SINGLE, 3, scoring=scoring).status == "wrong"  # no weight, not right


def test_single_weight_is_capped_at_full_points():
    content = q("single", choices=(Choice("a", True, 150.0), Choice("b", False)))
    assert grade(content, 0) == Grade(1.0, 1.0, 1.0, "correct")


@BOTH
def test_truefalse(scoring):
    assert grade(TRUEFALSE, 1, scoring=scoring).status == "correct"
    assert grade(TRUEFALSE, 0, scoring=scoring).status == "wrong"


# --- multiple ------------------------------------------------------------------------------

@pytest.mark.parametrize(("chosen", "partial", "all_or_nothing"), [
    ([0, 1], 1.0, 1.0),        # both right
    ([0], 0.5, 0.0),           # one right: 1/2
    ([1], 0.5, 0.0),
    ([0, 2], 0.0, 0.0),        # 1/2 − 1/2
    ([0, 1, 2], 0.5, 0.0),     # 2/2 − 1/2
    ([0, 1, 2, 3], 0.0, 0.0),  # everything scores zero
    ([2], 0.0, 0.0),           # floor at zero
    ([2, 3], 0.0, 0.0),
])
def test_multiple(chosen, partial, all_or_nothing):
    assert fraction(MULTIPLE, chosen) == partial
    assert fraction(MULTIPLE, chosen, AON) == all_or_nothing


def test_multiple_statuses_and_points():
    assert grade(MULTIPLE, [0, 1]) == Grade(1.0, 2.0, 2.0, "correct")
    assert grade(MULTIPLE, [1]) == Grade(0.5, 1.0, 2.0, "partial")
    assert grade(MULTIPLE, [0, 3]) == Grade(0.0, 0.0, 2.0, "wrong")


def test_multiple_with_uneven_counts():
    # R = 1, W = 3: the right one and one wrong one: 1 − 1/3
    one_right = q("multiple", points=3, choices=(
        Choice("a", True), Choice("b", False), Choice("c", False), Choice("d", False)))
    assert grade(one_right, [0, 2]) == Grade(pytest.approx(2 / 3), 2.0, 3.0, "partial")
    # R = 3, W = 1: all three right: exactly 1; two right and the wrong one: 2/3 − 1 → 0
    three_right = q("multiple", choices=(
        Choice("a", True), Choice("b", True), Choice("c", True), Choice("d", False)))
    assert grade(three_right, [0, 1, 2]).status == "correct"
    assert fraction(three_right, [0, 1, 3]) == 0.0
    assert fraction(three_right, [0, 1]) == pytest.approx(2 / 3)
    # no wrong options at all: nothing to subtract
    all_right = q("multiple", choices=(Choice("a", True), Choice("b", True)))
    assert fraction(all_right, [1]) == 0.5


def test_multiple_accepts_any_collection_and_ignores_repeats():
    for chosen in ([1, 0], (0, 1), {0, 1}, frozenset({0, 1}), [0, 1, 1, 0]):
        assert fraction(MULTIPLE, chosen) == 1.0
        assert fraction(MULTIPLE, chosen, AON) == 1.0


@pytest.mark.parametrize(("chosen", "partial", "all_or_nothing"), [
    ([0, 1], 1.0, 1.0),
    ([0, 1, 3], 1.0, 1.0),    # a 0 % option is not negative
    ([0], 0.5, 0.0),
    ([0, 2], 0.0, 0.0),       # 50 − 100 → floor 0
    ([0, 1, 2], 0.0, 0.0),
    ([3], 0.0, 0.0),
    ([0, 1, 2, 3], 0.0, 0.0),
])
def test_multiple_with_gift_weights(chosen, partial, all_or_nothing):
    assert fraction(GIFT_MULTIPLE, chosen) == partial
    assert fraction(GIFT_MULTIPLE, chosen, AON) == all_or_nothing


@pytest.mark.parametrize(("chosen", "partial", "all_or_nothing"), [
    ([0, 1], 1.0, 1.0),     # 50 + 50 (unweighted right options: 100/R each)
    ([0], 0.5, 0.0),
    ([0, 2], 0.0, 0.0),     # 50 − 50
    ([0, 1, 2], 0.5, 0.0),  # 100 − 50; a negative option chosen
])
def test_multiple_with_some_weights(chosen, partial, all_or_nothing):
    assert fraction(MIXED_MULTIPLE, chosen) == partial
    assert fraction(MIXED_MULTIPLE, chosen, AON) == all_or_nothing


def test_multiple_weights_are_capped_and_sum_without_float_noise():
    thirds = q("multiple", choices=(
        Choice("a", True, 33.33), Choice("b", True, 33.33), Choice("c", True, 33.34),
        Choice("d", False, 0.0)))
    assert grade(thirds, [0, 1, 2]).status == "correct"
    assert grade(thirds, [0, 1, 2], scoring=AON).status == "correct"
    assert fraction(thirds, [0, 1], AON) == 0.0
    over = q("multiple", choices=(Choice("a", True, 100.0), Choice("b", True, 100.0),
                                  Choice("c", False)))
    assert fraction(over, [0, 1]) == 1.0
    # unweighted wrong option next to weights: −100/W
    assert fraction(over, [0, 2]) == 0.0


# --- short answer --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("  MLPS 2.0 ", "mlps 2.0"),
    ("ＭＬＰＳ２.０", "mlps2.0"),
    ("MLPS \t\n 2.0", "mlps 2.0"),
    ("\u3000等保２．０\u3000", "等保2.0"),
    ("Straße", "strasse"),
    ("", ""),
    ("   ", ""),
])
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


@pytest.mark.parametrize("answer", [
    "MLPS 2.0", "  mlps 2.0 ", "ＭＬＰＳ２.０", "MLPS  2.0", "mLpS\u30002.0", "MLPS2.0"])
def test_short_literal_ignores_case_spaces_and_width(answer):
    assert grade(LITERAL_SHORT, answer) == Grade(1.0, 1.0, 1.0, "correct")


@pytest.mark.parametrize("answer", ["等保2.0", "等保２．０", " 等保 2.0 ", "ＭＬＰＳ２.０"])
def test_short_chinese_and_full_width(answer):
    assert fraction(SHORT, answer) == 1.0


def test_short_regex_matches_the_whole_normalised_answer_ignoring_case():
    assert fraction(SHORT, "MLPS2") == 1.0  # only the regex accepts this
    assert fraction(SHORT, "ml ps 2.0") == 1.0
    assert fraction(SHORT, "MLPS2 certified") == 0.0  # fullmatch, not search
    upper = q("short", answers=(TextAnswer(r"MLPS\s*3", regex=True),))
    assert fraction(upper, "mlps 3") == 1.0
    assert fraction(upper, "ＭＬＰＳ３") == 1.0


@BOTH
def test_short_weights_first_match_wins(scoring):
    assert grade(SHORT, "mlps", scoring=scoring) == Grade(0.5, 0.5, 1.0, "partial")
    first_is_weighted = q("short", answers=(TextAnswer("MLPS", weight=50.0),
                                            TextAnswer("mlps")))
    assert fraction(first_is_weighted, "MLPS", scoring) == 0.5
    negative = q("short", answers=(TextAnswer("wrong idea", weight=-100.0), TextAnswer("x")))
    assert grade(negative, "Wrong  idea", scoring=scoring).status == "wrong"


def test_short_wrong_answers():
    assert grade(SHORT, "GDPR") == Grade(0.0, 0.0, 1.0, "wrong")
    assert fraction(LITERAL_SHORT, "MLPS 2") == 0.0


def test_short_regex_cache_and_broken_patterns():
    answer_text.compiled_regex.cache_clear()
    for _ in range(3):
        grade(SHORT, "mlps2")
    assert answer_text.compiled_regex.cache_info().misses == 1
    assert answer_text.compiled_regex.cache_info().hits == 2
    broken = q("short", answers=(TextAnswer("(unclosed", regex=True), TextAnswer("ok")))
    assert fraction(broken, "(unclosed") == 0.0
    assert fraction(broken, "OK") == 1.0


def test_short_regex_is_not_tried_on_overlong_answers():
    # Python's re has no timeout; the input length bounds backtracking on regex answers.
    content = q("short", answers=(TextAnswer(r"(a+)+b", regex=True), TextAnswer("a" * 2000)))
    assert fraction(content, "a" * (MAX_REGEX_INPUT - 1) + "b") == 1.0
    assert fraction(content, "a" * 2000) == 1.0  # the literal answer still matches
    assert fraction(content, "a" * (MAX_REGEX_INPUT + 1) + "b") == 0.0


# --- numeric -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number"), [
    ("42", 42.0), (" 3.5 ", 3.5), ("-1e3", -1000.0), ("+2.5E-1", 0.25), ("3,5", 3.5),
    (",5", 0.5), ("4.", 4.0), (".25", 0.25), ("４２", 42.0), ("－３．５", -3.5), ("１，５", 1.5),
    ("\u22127", -7.0), ("\u3000８\u3000", 8.0),
])
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", [
    "", "  ", "forty", "4 2", "1,000,000", "1.000,5", "1_000", "inf", "-Infinity", "nan",
    "1e999", "0x10", "3.5.1", "e5", "- 3", "42 m", "½",
])
def test_parse_number_rejects(text):
    assert parse_number(text) is None


def test_parse_number_rejects_non_strings():
    assert parse_number(42) is None  # type: ignore[arg-type]
    assert parse_number(None) is None  # type: ignore[arg-type]


@BOTH
@pytest.mark.parametrize(("response", "expected"), [
    ("2.4", 1.0), ("2.40", 1.0), ("2,4", 1.0), ("２．４", 1.0), (2.4, 1.0),
    ("2.5", 0.5), ("2.6", 0.5), ("2.2", 0.5),  # 2.4 ± 0.2, edges inclusive
    (Fraction(13, 5), 0.5),
    ("2.61", 0.0), ("2.19", 0.0), ("-2.4", 0.0), ("forty", 0.0),
])
def test_numeric_value_and_tolerance(response, expected, scoring):
    assert fraction(NUMERIC, response, scoring) == expected


def test_numeric_points_and_statuses():
    assert grade(NUMERIC, "2.4") == Grade(1.0, 1.5, 1.5, "correct")
    assert grade(NUMERIC, "2.3") == Grade(0.5, 0.75, 1.5, "partial")
    assert grade(NUMERIC, "forty") == Grade(0.0, 0.0, 1.5, "wrong")


@pytest.mark.parametrize(("response", "expected"), [
    ("40", 1.0), ("45", 1.0), ("42.5", 1.0), (45, 1.0), ("39.9999", 0.0), ("45.0001", 0.0),
    ("4,5e1", 1.0),
])
def test_numeric_range_is_inclusive(response, expected):
    assert fraction(RANGE, response) == expected


def test_numeric_tolerance_edges_for_float_noise():
    # 0.1 + 0.2 style noise: 0.3 ± 0.1 must accept 0.2 and 0.4
    content = q("numeric", answers=(NumericAnswer(value=0.3, tolerance=0.1),))
    assert fraction(content, "0.2") == fraction(content, "0.4") == 1.0
    assert fraction(content, "0.40001") == 0.0
    exact = q("numeric", answers=(NumericAnswer(value=1e6),))
    assert fraction(exact, "1e6") == fraction(exact, 1_000_000) == 1.0
    assert fraction(exact, "1000001") == 0.0


def test_numeric_weights_first_match_wins():
    weighted_first = q("numeric", answers=(
        NumericAnswer(value=100.0, tolerance=10.0, weight=50.0), NumericAnswer(value=100.0)))
    assert fraction(weighted_first, "100") == 0.5
    negative = q("numeric", answers=(NumericAnswer(low=0.0, high=10.0, weight=-50.0),
                                     NumericAnswer(value=5.0)))
    assert grade(negative, "5").status == "wrong"


@pytest.mark.parametrize("response", [
    True, False, float("nan"), float("inf"), 10 ** 400, [2.4], {"value": 2.4}, b"2.4",
    object()])
def test_numeric_invalid_responses_are_wrong(response):
    assert grade(NUMERIC, response) == Grade(0.0, 0.0, 1.5, "wrong")


# --- matching ------------------------------------------------------------------------------

@pytest.mark.parametrize(("response", "partial", "all_or_nothing"), [
    ({0: 0, 1: 1, 2: 2}, 1.0, 1.0),
    ({0: 0, 1: 1, 2: 3}, 2 / 3, 0.0),     # the distractor chosen for DSL
    ({0: 0, 1: 2, 2: 1}, 1 / 3, 0.0),
    ({0: 0, 1: None, 2: None}, 1 / 3, 0.0),
    ({0: 0}, 1 / 3, 0.0),
    ({0: 1, 1: 2, 2: 0}, 0.0, 0.0),
    ({0: 0, 1: 0, 2: 0}, 1 / 3, 0.0),     # one right text may be chosen for several lefts
    ({"0": 0, "1": 1, "2": 2}, 1.0, 1.0),  # keys as JSON stores them
    ({0: 0, 1: 1, 2: 2, 3: None}, 1.0, 1.0),  # the distractor's key, unanswered
])
def test_matching(response, partial, all_or_nothing):
    assert fraction(MATCHING, response) == pytest.approx(partial)
    assert fraction(MATCHING, response, AON) == all_or_nothing


def test_matching_points_two_thirds_of_three():
    assert grade(MATCHING, {0: 0, 1: 1, 2: 3}) == Grade(pytest.approx(2 / 3), 2.0, 3.0,
                                                        "partial")
    assert grade(MATCHING, {0: 0, 1: 1, 2: 3}, scoring=AON) == Grade(0.0, 0.0, 3.0, "wrong")
    assert grade(MATCHING, {0: 0, 1: 1, 2: 2}) == Grade(1.0, 3.0, 3.0, "correct")


def test_matching_with_a_shared_right_text():
    content = q("matching", pairs=(Pair("Python", "Language"), Pair("Go", "Language"),
                                   Pair("PostgreSQL", "Database")))
    assert fraction(content, {0: 1, 1: 0, 2: 2}) == 1.0


@pytest.mark.parametrize("response", [
    {0: 0, 5: 1}, {-1: 0}, {0: 4}, {0: -1}, {0: True}, {True: 0}, {0: "0"}, {0: 0.0},
    {3: 0}, {"x": 0}, {"٠": 0}, {0: 0, "0": 1}, {(0,): 0}, [0, 1, 2], "0", 0,
])
def test_matching_invalid_responses_are_wrong(response):
    assert grade(MATCHING, response) == Grade(0.0, 0.0, 3.0, "wrong")


# --- ordering ------------------------------------------------------------------------------

@pytest.mark.parametrize(("response", "partial", "all_or_nothing"), [
    ([0, 1, 2, 3], 1.0, 1.0),
    ((0, 1, 2, 3), 1.0, 1.0),
    ([0, 1, 3, 2], 0.5, 0.0),
    ([0, 2, 1, 3], 0.5, 0.0),
    ([3, 2, 1, 0], 0.0, 0.0),
    ([1, 0, 3, 2], 0.0, 0.0),
    ([0, 3, 1, 2], 0.25, 0.0),
])
def test_ordering(response, partial, all_or_nothing):
    assert fraction(ORDERING, response) == partial
    assert fraction(ORDERING, response, AON) == all_or_nothing


def test_ordering_with_repeated_item_texts():
    content = q("ordering", sequence=("Check", "Build", "Check"))
    assert fraction(content, [2, 1, 0]) == 1.0


@pytest.mark.parametrize("response", [
    [0, 0, 1, 2], [0, 1, 2], [0, 1, 2, 3, 3], [0, 1, 2, 4], [0, 1, 2, -1], [0, 1, 2, True],
    [0, 1, 2, "3"], [0.0, 1, 2, 3], {0, 1, 2, 3}, "0123", {0: 0}, 3,
])
def test_ordering_invalid_responses_are_wrong(response):
    assert grade(ORDERING, response) == Grade(0.0, 0.0, 1.0, "wrong")


# --- essay ---------------------------------------------------------------------------------

@BOTH
def test_essay_needs_marking(scoring):
    result = grade(ESSAY, "Dear customer, thank you for the workshop…", scoring=scoring)
    assert result == Grade(None, None, 5.0, "needs_marking")


def test_essay_blank_or_invalid():
    assert grade(ESSAY, " \n\t\u3000") == Grade(0.0, 0.0, 5.0, "unanswered")
    assert grade(ESSAY, ["text"]) == Grade(0.0, 0.0, 5.0, "wrong")


# --- every type ----------------------------------------------------------------------------

UNANSWERED_RESPONSES = {
    "single": [None], "truefalse": [None], "multiple": [None, [], (), set()],
    "short": [None, "", "   ", "\u3000"], "numeric": [None, "", "  "],
    "matching": [None, {}, {0: None, 1: None, 2: None}, {"3": None}],
    "ordering": [None, [], ()], "essay": [None, "", "  "],
}


@BOTH
@pytest.mark.parametrize("kind", QUESTION_TYPES)
def test_unanswered(kind, scoring):
    content = EVERY_TYPE[kind]
    for response in UNANSWERED_RESPONSES[kind]:
        result = grade(content, response, scoring=scoring)
        assert result == Grade(0.0, 0.0, float(content["points"]), "unanswered"), response


GARBAGE = [
    -1, 99, 10 ** 100, True, 1.0, float("nan"), "1", "x" * 10_000, b"\x00", [[]], [None],
    [1, "a"], [-1], {"a": 1}, {None: 1}, {0: [1]}, {0: {}}, (x for x in ()), object(), Ellipsis,
    {1, 2, 99}, [1.5], "\ud800", "\x00", re.compile("x"),
]


@BOTH
@pytest.mark.parametrize("kind", QUESTION_TYPES)
def test_invalid_responses_never_raise(kind, scoring):
    content = EVERY_TYPE[kind]
    for response in GARBAGE:
        result = grade(content, response, scoring=scoring)
        assert result.status in ("wrong", "partial", "correct", "needs_marking"), response
        if result.fraction is not None:
            assert 0.0 <= result.fraction <= 1.0
            assert not math.isnan(result.points)


@pytest.mark.parametrize(("points", "share", "expected"), [
    (3, 2 / 3, 2.0), (1.5, 1 / 3, 0.5), (1, 1 / 3, 0.33), (2, 1 / 3, 0.67), (0.25, 0.5, 0.13),
    (1.15, 1.0, 1.15), (2.675, 1.0, 2.68), (10, 0.999_999_999_9, 10.0),
])
def test_points_are_rounded_half_up_to_two_decimals(points, share, expected):
    assert grading._round2(points * share) == expected


def test_points_of_a_third():
    content = q("multiple", points=2, choices=(
        Choice("a", True), Choice("b", True), Choice("c", True), Choice("d", False)))
    assert grade(content, [0]) == Grade(pytest.approx(1 / 3), 0.67, 2.0, "partial")


def test_the_documented_complete_example():
    """The complete example of the format documentation, read by the real Markdown reader."""
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"^````markdown\n(.*?)^````$", text, re.M | re.S)
    bank, issues = parse_bank(example.group(1), "complete-example.md")
    assert bank is not None, issues
    by_id = {question.id: question.content() for question in bank.questions}
    assert grade(by_id["EX-001"], 1).status == "correct"
    assert grade(by_id["EX-002"], [0, 1]) == Grade(1.0, 2.0, 2.0, "correct")
    assert grade(by_id["EX-002"], [0, 2]).status == "wrong"  # 50 % − 50 %
    assert grade(by_id["EX-003"], 1).status == "correct"
    assert grade(by_id["EX-004"], "ＭＬＰＳ２.０").status == "correct"
    assert grade(by_id["EX-004"], "mlps").fraction == 0.5
    assert grade(by_id["EX-005"], "2,4") == Grade(1.0, 1.5, 1.5, "correct")
    assert grade(by_id["EX-005"], "2.55") == Grade(0.5, 0.75, 1.5, "partial")
    assert grade(by_id["EX-006"], {0: 0, 1: 1, 2: 3}).fraction == pytest.approx(2 / 3)
    assert grade(by_id["EX-007"], [0, 1, 3, 2]).fraction == 0.5
    assert grade(by_id["EX-008"], "Dear …").status == "needs_marking"
    assert {question.type for question in bank.questions} == set(QUESTION_TYPES)
