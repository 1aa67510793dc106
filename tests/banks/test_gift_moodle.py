"""GIFT files as Moodle reads them: what Moodle accepts is accepted (pure: no app, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.banks.gift import read_gift
from app.banks.questions import NumericAnswer, TextAnswer

BANK_ID = "dh-gift"


def read(text: str, **options):
    return read_gift(text, "quiz.gift", BANK_ID, **options)


def severities(issues) -> list[tuple[int, str]]:
    return [(issue.line, issue.severity) for issue in issues]


# --- keep the good questions ------------------------------------------------------------------
MIXED = """\
::Good one:: 2+2 is? {=4 ~5}

::Bad:: 1+1 is? {=2 ~%200%3}

::Good two:: Grass is green {T}
"""


def test_one_bad_question_refuses_the_file_by_default():
    bank, issues = read(MIXED)
    assert bank is None
    assert severities(issues) == [(3, "error")]


def test_keep_good_imports_the_good_questions_and_reports_the_refused_one():
    bank, issues = read(MIXED, keep_good=True)
    assert bank is not None
    assert [q.id for q in bank.questions] == ["dh-gift-good-one", "dh-gift-good-two"]
    assert [(i.line, i.severity, i.question_id) for i in issues] == [(3, "error", "dh-gift-bad")]


def test_keep_good_leaves_out_a_question_whose_given_id_is_invalid():
    text = "// [id:no spaces allowed]\n::A:: 2+2 is? {=4 ~5}\n\n::B:: 3+3 is? {=6 ~5}\n"
    bank, issues = read(text, keep_good=True)
    assert bank is not None and [q.id for q in bank.questions] == ["dh-gift-b"]
    assert severities(issues) == [(1, "error")]


def test_keep_good_still_refuses_a_file_whose_bank_arguments_are_wrong():
    bank, issues = read_gift("2+2 is? {=4 ~5}\n", "quiz.gift", "X", keep_good=True)
    assert bank is None
    assert severities(issues) == [(1, "error")]


def test_keep_good_refuses_a_file_where_no_question_is_good():
    bank, issues = read("1+1 is? {=2 ~%200%3}\n", keep_good=True)
    assert bank is None
    assert severities(issues) == [(1, "error")]


def test_keep_good_refuses_a_file_without_questions():
    bank, issues = read("// only a comment\n", keep_good=True)
    assert bank is None
    assert "no questions found" in issues[0].message


# --- names are not IDs ------------------------------------------------------------------------
def test_questions_with_the_same_name_get_numbered_ids_and_a_notice():
    bank, issues = read("::Same:: One {T}\n\n::same!:: Two {T}\n\n::Sâme:: Three {F}\n")
    assert [q.id for q in bank.questions] == ["dh-gift-same", "dh-gift-same-2", "dh-gift-same-3"]
    assert [(i.line, i.severity, i.question_id) for i in issues] == [
        (3, "warning", "dh-gift-same-2"), (5, "warning", "dh-gift-same-3")]
    assert issues[0].message == (
        "the name 'same!' gives the same ID as the question at line 1: this question's ID is "
        "dh-gift-same-2 (give it a `// [id:...]` to choose one)")


def test_the_same_file_gives_the_same_ids_on_every_read():
    text = "::A:: One {T}\n\n::A:: Two {T}\n\nThree {T}\n\n::A:: Four {T}\n"
    first, again = read(text)[0], read(text)[0]
    assert [q.id for q in first.questions] == [q.id for q in again.questions] == [
        "dh-gift-a", "dh-gift-a-2", "dh-gift-3", "dh-gift-a-3"]


def test_long_names_cut_to_fit_an_id_are_told_apart():
    name = "word " * 30
    bank, _ = read(f"::{name}one:: One {{T}}\n\n::{name}two:: Two {{T}}\n")
    first, second = (q.id for q in bank.questions)
    assert first != second and len(first) <= 64 and len(second) <= 64
    assert second.endswith("-2")


def test_a_given_id_wins_over_a_name_even_when_it_comes_later():
    bank, issues = read("::Same:: One {T}\n\n// [id:dh-gift-same]\n::Other:: Two {T}\n")
    assert [q.id for q in bank.questions] == ["dh-gift-same-2", "dh-gift-same"]
    assert [(i.line, i.severity) for i in issues] == [(1, "warning")]


def test_nameless_questions_keep_their_place_in_the_file_as_id():
    bank, _ = read("// [id:given]\nOne {T}\n\nTwo {T}\n")
    assert [q.id for q in bank.questions] == ["given", "dh-gift-2"]


# --- Moodle's own examples and unit-test fixtures (tests/fixtures/moodle/gift/README.md) ------
FIXTURES = Path(__file__).parents[1] / "fixtures" / "moodle" / "gift"
EXAMPLES_TYPES = [  # examples.txt, in file order, by Moodle's rules (format.php)
    "single", "single", "truefalse", "short", "numeric",  # from the class description
    "single", "single", "single", "single", "short", "short", "truefalse", "truefalse",
    "matching", "matching", "numeric", "numeric", "numeric", "numeric", "numeric",
    "short", "single", "single", "short", "short", "truefalse", "single", "single", "short",
    "multiple", "multiple", "single", "single",  # from the documentation
    "single", "single", "truefalse", "short", "numeric", "matching",  # from format.php
    "single", "single", "short", "numeric"]  # the more complicated examples


def fixture(name: str, **options):
    return read_gift((FIXTURES / name).read_text(encoding="utf-8"), name, "moodle-gift",
                     **options)


@pytest.mark.parametrize(("name", "types"), [
    # Moodle's behat import test: "Importing 9 questions from file"
    ("questions.gift.txt", ["essay", "matching", "single", "multiple", "numeric", "short",
                            "truefalse", "truefalse", "truefalse"]),
    ("questions_in_category.gift.txt", ["matching", "single", "short", "truefalse"]),
    ("examples.txt", EXAMPLES_TYPES),
])
def test_moodle_fixtures_import_every_question_moodle_imports(name, types):
    bank, issues = fixture(name)
    assert bank is not None, [i.message for i in issues]
    assert [q.type for q in bank.questions] == types
    assert not [i for i in issues if i.severity == "error"]
    assert len({q.id for q in bank.questions}) == len(types)


def test_moodle_fixture_notices_name_what_was_read_differently():
    _, issues = fixture("questions.gift.txt")
    assert [(i.line, i.question_id) for i in issues] == [
        (31, "moodle-gift-q5"), (49, "moodle-gift-2-08-tsl-2")]
    assert "'Completely wrong'" in issues[0].message and "dropped" in issues[0].message
    _, issues = fixture("examples.txt")
    assert [(i.line, i.question_id) for i in issues] == [(123, "moodle-gift-jesus-hometown-2")]


def test_moodle_multiple_response_fixture_keeps_the_weights_and_feedback():
    """50% for each of two right options is their share: no weight of its own."""
    bank, _ = fixture("questions.gift.txt")
    colours = bank.questions[3]
    assert colours.id == "moodle-gift-colours"
    assert [(c.text, c.correct, c.weight, c.feedback) for c in colours.choices] == [
        ("yellow", True, None, "right; good!"), ("red", False, -100.0, "wrong"),
        ("off-beige", True, None, "right; good!"), ("blue", False, -100.0, "wrong")]


def test_moodle_numerical_fixture_with_other_answer_feedback_keeps_its_answer():
    bank, _ = fixture("questions.gift.txt")
    q5 = bank.questions[4]
    assert q5.answers == (NumericAnswer(value=3.0, tolerance=2.0),)


def test_moodle_short_answer_fixture_keeps_the_catch_all_as_a_zero_weight_pattern():
    bank, _ = fixture("questions.gift.txt")
    animal = bank.questions[5]
    assert animal.answers == (TextAnswer("Frog", feedback="Good!"),
                              TextAnswer("Cat", weight=50.0,
                                         feedback="What is it with Moodlers and cats?"),
                              TextAnswer(".*", regex=True, weight=0.0,
                                         feedback="Completely wrong"))


# --- the multiple-response shapes Moodle's exporter writes -------------------------------------
def test_a_single_answer_at_100_percent_without_equals_is_multiple_response():
    bank, issues = read("Which apply?{\n\t~%100%Only this one\n\t~Not this\n\t~Nor this\n}\n")
    assert issues == []
    question = bank.questions[0]
    assert question.type == "multiple"
    assert [(c.correct, c.weight) for c in question.choices] == [
        (True, None), (False, 0.0), (False, 0.0)]


def test_pick_all_three_in_thirds_is_multiple_response_without_a_notice():
    bank, issues = read("Pick all three{\n\t~%33.33333%a\n\t~%33.33333%b\n\t~%33.33333%c\n"
                        "\t~%-100%d\n}\n")
    assert issues == []
    assert [c.correct for c in bank.questions[0].choices] == [True, True, True, False]


def test_a_weight_after_equals_is_used_with_a_notice_saying_how_moodle_reads_it():
    bank, issues = read("Pick {=%50%half ~wrong ~%100%best}")
    question = bank.questions[0]
    assert question.type == "single"
    assert [(c.correct, c.weight) for c in question.choices] == [
        (False, 50.0), (False, None), (True, None)]
    assert [i.severity for i in issues] == ["warning"]
    assert "write `~%50%`" in issues[0].message


def test_lowercase_true_is_read_as_true_false_with_a_notice():
    bank, issues = read("The sky is blue {true}")
    assert bank.questions[0].type == "truefalse"
    assert [i.severity for i in issues] == ["warning"]
    assert "`{TRUE}`" in issues[0].message


def test_numerical_other_answer_without_feedback_reads_silently():
    bank, issues = read("How many? {#\n\t=%100%3:0#\n\t~#\n}\n")
    assert issues == []
    assert bank.questions[0].answers == (NumericAnswer(value=3.0),)


def test_numerical_answers_none_of_which_earns_full_marks_are_read_with_a_notice():
    bank, issues = read("How many? {#=%50%3 =%20%4}")
    assert [a.weight for a in bank.questions[0].answers] == [50.0, 20.0]
    assert [i.severity for i in issues] == ["warning"]


def test_many_questions_with_one_name_are_numbered_in_order():
    text = "".join(f"::Same:: Q{k} {{T}}\n\n" for k in range(50))
    bank, issues = read(text)
    assert [q.id for q in bank.questions] == ["dh-gift-same"] + [
        f"dh-gift-same-{n}" for n in range(2, 51)]
    assert len(issues) == 49


def test_an_unclosed_name_is_read_as_question_text_as_in_moodle():
    bank, issues = read("::Unclosed name Pick {=a ~b}")
    assert bank.questions[0].stem == "Unclosed name Pick"
    assert bank.questions[0].id == "dh-gift-1"
    assert [(i.line, i.severity) for i in issues] == [(1, "warning")]
    assert "is not closed" in issues[0].message
