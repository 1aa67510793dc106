"""Imported Moodle XML questions grade as Moodle marks them: right, partly right and wrong."""

from __future__ import annotations

import pytest

from app.banks.moodle_xml import read_moodle_xml
from app.exams.grading import ALL_OR_NOTHING, PARTIAL, grade


def imported(qtype: str, body: str) -> dict:
    xml = (f'<quiz><question type="{qtype}"><name><text>Q</text></name>'
           f'<questiontext format="html"><text>Answer it.</text></questiontext>{body}'
           "</question></quiz>")
    bank, issues = read_moodle_xml(xml.encode(), "quiz.xml", "dh-grading")
    assert bank is not None, issues
    return bank.questions[0].content()


def answers(*items: tuple[float, str], extra: str = "") -> str:
    return "".join(f'<answer fraction="{f}"><text>{t}</text>{extra}</answer>' for f, t in items)


def fraction(content: dict, response, scoring: str = PARTIAL) -> float:
    result = grade(content, response, scoring=scoring).fraction
    assert result is not None
    return round(result, 4)


@pytest.mark.parametrize(("chosen", "moodle"), [
    ({0, 1}, 1.0), ({0}, 0.5), ({0, 2}, 0.0), ({0, 1, 2}, 0.0), ({2}, 0.0)])
def test_multiple_choice_with_negative_fractions_scores_as_moodle(chosen, moodle):
    content = imported("multichoice", "<single>false</single>" + answers(
        (50, "SAML"), (50, "OIDC"), (-100, "Kerberos by e-mail")))
    assert fraction(content, chosen) == moodle


def test_three_right_answers_at_33_33333_percent_score_full_marks_in_both_modes():
    content = imported("multichoice", "<single>false</single>" + answers(
        (33.33333, "a"), (33.33333, "b"), (33.33333, "c"), (0, "d")))
    assert fraction(content, [0, 1, 2]) == 1.0
    assert fraction(content, [0, 1, 2], ALL_OR_NOTHING) == 1.0
    assert fraction(content, [0, 1]) == 0.6667
    assert fraction(content, [0, 1, 2, 3]) == 1.0  # Moodle: a wrong answer at 0% costs nothing


@pytest.mark.parametrize(("chosen", "moodle"), [(0, 1.0), (1, 0.5), (2, 0.0)])
def test_single_choice_with_a_partly_right_answer_scores_its_fraction(chosen, moodle):
    content = imported("multichoice", answers((100, "best"), (50, "half"), (-25, "wrong")))
    assert fraction(content, chosen) == moodle


@pytest.mark.parametrize(("response", "moodle"), [
    ("42", 1.0), ("42.0009", 1.0), ("41.9991", 1.0), ("42.01", 0.5), ("13.5", 0.0),
    ("50", 0.0), ("forty-two", 0.0)])
def test_numerical_tolerances_score_as_moodle(response, moodle):
    content = imported("numerical",
                       answers((100, "42"), extra="<tolerance>0.001</tolerance>")
                       + answers((50, "42"), extra="<tolerance>0.5</tolerance>")
                       + answers((0, "13"), extra="<tolerance>1</tolerance>"))
    assert fraction(content, response) == moodle


@pytest.mark.parametrize(("response", "moodle"), [
    ("frog", 1.0), ("Frog", 1.0), ("toad", 0.8), ("newt", 0.0), ("big frog", 0.3)])
def test_short_answer_with_several_answers_gives_the_first_match_its_fraction(response, moodle):
    content = imported("shortanswer", answers((100, "frog"), (80, "toad"), (30, "big*"),
                                              (0, "*")))
    assert fraction(content, response) == moodle


@pytest.mark.parametrize(("response", "moodle"), [
    ({0: 0, 1: 1, 2: 2}, 1.0), ({0: 0, 1: 2, 2: 1}, 0.3333), ({0: 3, 1: 0, 2: 1}, 0.0)])
def test_matching_scores_the_share_of_subquestions_matched_right(response, moodle):
    sub = "<subquestion><text>{}</text><answer><text>{}</text></answer></subquestion>"
    content = imported("matching", "".join(sub.format(left, right) for left, right in (
        ("PIPL", "personal data"), ("DSL", "data security"), ("CSL", "network security"),
        ("", "export licences"))))
    assert fraction(content, response) == moodle
    assert fraction(content, {0: 0, 1: 1, 2: 2}, ALL_OR_NOTHING) == 1.0
