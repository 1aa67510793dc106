"""Questions imported from Moodle's own GIFT files score as Moodle scores them (pure).

The fixtures are Moodle's (tests/fixtures/moodle/gift/README.md); the expected marks follow
Moodle's question types: single choice earns the chosen answer's fraction, multiple response
the sum of the chosen fractions kept within 0-1, numerical and short answer the first answer
that matches, matching an equal share per sub-question.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.banks.gift import read_gift
from app.exams.grading import ALL_OR_NOTHING, PARTIAL, grade

FIXTURES = Path(__file__).parents[1] / "fixtures" / "moodle" / "gift"


def questions(name: str) -> dict[str, dict]:
    bank, issues = read_gift((FIXTURES / name).read_text(encoding="utf-8"), name, "moodle")
    assert bank is not None, issues
    return {q.id: q.content() for q in bank.questions}


EXAMPLES = questions("examples.txt")
FIXTURE = questions("questions.gift.txt")


def index(content: dict, text: str) -> int:
    return next(k for k, c in enumerate(content["choices"]) if c["text"] == text)


@pytest.mark.parametrize(("chosen", "fraction"), [
    ("Nazareth", 1.0), ("Galilee", 0.5), ("Bethlehem", 0.25), ("Jerusalem", 0.0)])
def test_single_choice_with_partial_credit(chosen, fraction):
    content = EXAMPLES["moodle-jesus-hometown"]
    assert grade(content, index(content, chosen)).fraction == fraction


@pytest.mark.parametrize(("chosen", "fraction"), [
    ({"yellow", "off-beige"}, 1.0), ({"yellow"}, 0.5), ({"yellow", "red"}, 0.0),
    ({"yellow", "off-beige", "blue"}, 0.0), ({"red", "blue"}, 0.0)])
def test_multiple_response_with_negative_weights(chosen, fraction):
    content = FIXTURE["moodle-colours"]
    response = [index(content, text) for text in chosen]
    assert grade(content, response).fraction == fraction


def test_multiple_response_with_negative_halves():
    entombed = [c for qid, c in EXAMPLES.items() if c["type"] == "multiple"][1]
    grant, wife, no_one, father = (index(entombed, t) for t in (
        "Grant", "Grant's wife", "No one", "Grant's father"))
    assert grade(entombed, [grant, wife]).fraction == 1.0
    assert grade(entombed, [grant, no_one]).fraction == 0.0
    assert grade(entombed, [grant, wife, father]).fraction == 0.5
    assert grade(entombed, [grant, wife], scoring=ALL_OR_NOTHING).fraction == 1.0
    assert grade(entombed, [grant, wife, father], scoring=ALL_OR_NOTHING).fraction == 0.0


@pytest.mark.parametrize("scoring", [PARTIAL, ALL_OR_NOTHING])
def test_pick_all_three_exported_in_thirds_earns_full_marks(scoring):
    bank, _ = read_gift("Pick all three{\n\t~%33.33333%a\n\t~%33.33333%b\n\t~%33.33333%c\n"
                        "\t~%-100%d\n}\n", "q.gift", "moodle")
    content = bank.questions[0].content()
    assert grade(content, [0, 1, 2], scoring=scoring).status == "correct"
    assert grade(content, [0, 1, 2], scoring=scoring).points == 1.0
    assert grade(content, [0, 1, 2, 3], scoring=scoring).fraction == 0.0


def test_partial_mode_gives_two_thirds_for_two_of_three():
    bank, _ = read_gift("Pick all three{~%33.33333%a ~%33.33333%b ~%33.33333%c ~d}", "q.gift",
                        "moodle")
    result = grade(bank.questions[0].content(), [0, 1])
    assert result.status == "partial" and result.points == 0.67


def test_a_single_100_percent_option_scores_as_checkboxes():
    bank, _ = read_gift("Which apply?{\n\t~%100%this\n\t~not this\n}\n", "q.gift", "moodle")
    content = bank.questions[0].content()
    assert grade(content, [0]).fraction == 1.0
    assert grade(content, [0, 1]).fraction == 1.0  # Moodle: 100% + 0%
    assert grade(content, [1]).fraction == 0.0


def test_several_equals_answers_each_earn_full_marks():
    bank, _ = read_gift("Pick {=a =b ~c}", "q.gift", "moodle")
    content = bank.questions[0].content()
    assert [grade(content, k).fraction for k in range(3)] == [1.0, 1.0, 0.0]


@pytest.mark.parametrize(("answer", "fraction"), [
    ("1822", 1.0), ("1821", 0.5), ("1824", 0.5), ("1825", 0.0)])
def test_numerical_answers_with_tolerances_and_weights(answer, fraction):
    content = EXAMPLES["moodle-numerical-example"]
    assert grade(content, answer).fraction == fraction


@pytest.mark.parametrize(("answer", "fraction"), [
    ("3.141", 1.0), ("3.1415", 1.0), ("3.142", 1.0), ("3.143", 0.0), ("3.14", 0.0)])
def test_numerical_range_includes_both_ends(answer, fraction):
    content = [c for c in EXAMPLES.values() if c["type"] == "numeric"][3]
    assert content["answers"][0]["low"] == 3.141
    assert grade(content, answer).fraction == fraction


@pytest.mark.parametrize(("answer", "fraction"), [("1", 1.0), ("5", 1.0), ("5.5", 0.0)])
def test_numerical_value_with_tolerance_and_other_answer_feedback(answer, fraction):
    assert grade(FIXTURE["moodle-q5"], answer).fraction == fraction


@pytest.mark.parametrize(("answer", "fraction"), [
    ("Nazareth", 1.0), ("nazareth", 1.0), ("Nazereth", 0.75), ("Bethlehem", 0.25),
    ("Cairo", 0.0)])
def test_short_answer_with_several_weighted_answers(answer, fraction):
    content = EXAMPLES["moodle-jesus-hometown-short-answer-ex"]
    assert grade(content, answer).fraction == fraction


@pytest.mark.parametrize(("answer", "fraction"), [("Frog", 1.0), ("cat", 0.5), ("Dog", 0.0)])
def test_short_answer_catch_all_earns_nothing(answer, fraction):
    assert grade(FIXTURE["moodle-shortanswer"], answer).fraction == fraction


def test_matching_earns_a_share_per_sub_question():
    content = [c for c in EXAMPLES.values() if c["type"] == "matching"][1]
    assert [p["left"] for p in content["pairs"]] == ["Canada", "Italy", "Japan", "India"]
    right = {k: k for k in range(4)}
    assert grade(content, right).fraction == 1.0
    assert grade(content, {0: 0, 1: 1, 2: 3, 3: 2}).fraction == 0.5
    assert grade(content, {0: 0, 1: 1, 2: 3, 3: 2}, scoring=ALL_OR_NOTHING).fraction == 0.0


def test_matching_with_a_distractor_answer():
    content = FIXTURE["moodle-moodle-activities"]
    assert content["pairs"][-1] == {"left": None, "right": "Chat"}
    assert grade(content, {0: 0, 1: 1, 2: 2, 3: 4}).fraction == 0.75
