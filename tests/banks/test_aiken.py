"""Moodle Aiken files read into the question-bank model (pure: no app, no database)."""

from __future__ import annotations

import pytest

from app.banks.aiken import read_aiken
from app.banks.questions import Choice

BANK_ID = "dh-aiken"

GOOD = """\
Which tier of DataHub runs inside the customer's network?
A. The catalogue tier
B. The edge tier (agents)
C. The control plane
ANSWER: B

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def read(text: str, **options):
    return read_aiken(text, "quiz.txt", BANK_ID, **options)


def errors(text: str) -> list[tuple[int, str]]:
    bank, issues = read(text)
    assert bank is None
    return [(issue.line, issue.message) for issue in issues if issue.severity == "error"]


def test_questions_read_with_both_option_styles():
    bank, issues = read(GOOD)
    assert issues == []
    assert (bank.id, bank.title, bank.path, bank.area, bank.language, bank.tags) == (
        BANK_ID, BANK_ID, "quiz.txt", "product", "en", ())
    first, second = bank.questions
    assert (first.id, first.type, first.line, first.points, first.difficulty) == (
        f"{BANK_ID}-1", "single", 1, 1.0, "medium")
    assert first.stem == "Which tier of DataHub runs inside the customer's network?"
    assert first.choices == (Choice("The catalogue tier", False),
                             Choice("The edge tier (agents)", True),
                             Choice("The control plane", False))
    assert (second.id, second.line) == (f"{BANK_ID}-2", 7)
    assert [c.correct for c in second.choices] == [True] + [False] * 5


def test_title_area_and_language_are_taken_from_the_arguments():
    bank, _ = read(GOOD, title="DataHub (Aiken)", area="technical", language="zh_CN")
    assert (bank.title, bank.area, bank.language) == ("DataHub (Aiken)", "technical", "zh_CN")


def test_question_text_may_span_several_lines():
    bank, issues = read("A customer asks about agents.\nWhich tier runs them?\nA. Edge\nB. Cloud\n"
                        "ANSWER: A\n")
    assert issues == []
    assert bank.questions[0].stem == "A customer asks about agents.  \nWhich tier runs them?"


def test_text_is_plain_and_shown_literally():
    bank, _ = read("Is 2*3*4 = 24 in my_var?\nA. *yes*\nB. <b>no</b>\nANSWER: A\n")
    question = bank.questions[0]
    assert question.stem == r"Is 2\*3\*4 = 24 in my\_var?"
    assert [c.text for c in question.choices] == [r"\*yes\*", "&lt;b&gt;no&lt;/b&gt;"]


def test_chinese_questions():
    bank, issues = read("哪一层运行在客户网络内？\nA. 目录层\nB. 边缘层（代理）\nC. 控制平面\n"
                        "ANSWER: B\n", language="zh_CN")
    assert issues == []
    question = bank.questions[0]
    assert question.stem == "哪一层运行在客户网络内？"
    assert question.choices[1] == Choice("边缘层（代理）", True)


def test_windows_line_endings_byte_order_mark_and_lowercase_answer_letter():
    bank, issues = read("\ufeffWhich?\r\nA. one\r\nB. two\r\nANSWER: b\r\n")
    assert issues == [] and [c.correct for c in bank.questions[0].choices] == [False, True]


def test_a_question_without_an_answer_line():
    assert errors(GOOD + "\nWhich one?\nA. one\nB. two\n") == [
        (16, "the question has no ANSWER line: end it with `ANSWER: X`, X being the letter of "
             "the right option")]


def test_an_answer_letter_that_is_not_an_option():
    assert errors("Which one?\nA. one\nB. two\nANSWER: D\n") == [
        (4, "ANSWER D is not one of the options (A-B): give the letter of the right option")]


@pytest.mark.parametrize("answer", ["ANSWER: A, B", "ANSWER: AB", "ANSWER: 1"])
def test_an_answer_must_be_one_letter(answer):
    found = errors(f"Which one?\nA. one\nB. two\n{answer}\n")
    assert len(found) == 1 and found[0][0] == 4
    assert "must name one option by its letter" in found[0][1]


def test_fewer_than_two_options():
    assert errors("Which one?\nA. only\nANSWER: A\n") == [
        (1, "the question has 1 option(s): write at least two, such as `A. text` and `B. text`")]


def test_option_letters_out_of_sequence():
    assert errors("Which one?\nA. one\nC. three\nD. four\nANSWER: A\n") == [
        (3, "option C is out of sequence: expected B; the letters run A, B, C, ... in order"),
        (4, "option D is out of sequence: expected C; the letters run A, B, C, ... in order")]


def test_options_without_a_question():
    assert errors("A. one\nB. two\nANSWER: A\n") == [
        (1, "the options have no question before them: write the question on the line above "
            "the first option")]


def test_an_option_without_text():
    assert errors("Which one?\nA. one\nB.\nANSWER: A\n") == [
        (3, "option B has no text: write it after `B. `")]


def test_answer_written_in_small_letters():
    assert errors("Which one?\nA. one\nB. two\nAnswer: A\n") == [
        (4, "write the answer line as `ANSWER: B`: the word ANSWER in capitals, an ASCII colon, "
            "then the option's letter")]


def test_options_in_small_letters_or_other_punctuation_get_a_hint():
    found = errors("Which one?\nA. one\nb) two\nC、three\nANSWER: A\n")
    assert [line for line, _ in found] == [1, 3, 4]  # and so only one option
    assert all("such as `A. text` or `A) text`" in message for _, message in found[1:])
    found = errors("Which one?\na) one\nb) two\nANSWER: A\n")
    assert found[0][0] == 1 and "(line 2 is not an option:" in found[0][1]


def test_a_line_after_the_options_that_is_not_an_option():
    assert errors("Which one?\nA. one\ncontinued\nB. two\nANSWER: A\n") == [
        (3, "expected another option (such as `C. text`) or the ANSWER line: an option is one "
            "line, and the question text comes before the options")]


def test_the_next_question_may_follow_the_answer_line_without_a_blank_line():
    bank, issues = read("Which one?\nA. one\nB. two\nANSWER: A\nNext question?\nA) x\nB) y\n"
                        "ANSWER: B\n")
    assert issues == []
    assert [(q.id, q.line, q.stem) for q in bank.questions] == [
        (f"{BANK_ID}-1", 1, "Which one?"), (f"{BANK_ID}-2", 5, "Next question?")]


def test_every_problem_is_reported_and_nothing_is_returned():
    bank, issues = read(GOOD + "\nNo answer\nA. a\nB. b\n\nBad letter\nA. a\nB. b\nANSWER: Z\n")
    assert bank is None
    assert [(i.line, i.question_id) for i in issues] == [(16, f"{BANK_ID}-3"),
                                                         (23, f"{BANK_ID}-4")]


def test_an_empty_file_has_no_questions():
    bank, issues = read("\n\n")
    assert bank is None
    assert [(i.line, i.message.split(":")[0]) for i in issues] == [(1, "no questions found")]


def test_bank_arguments_are_checked():
    bank, issues = read_aiken(GOOD, "quiz.txt", "x", language="de")
    assert bank is None
    assert [i.line for i in issues] == [1, 1]
