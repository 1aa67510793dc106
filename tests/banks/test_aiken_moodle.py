"""Aiken files as Moodle reads them: what Moodle accepts is accepted (pure: no app, no database)."""

from __future__ import annotations

from pathlib import Path

from app.banks.aiken import read_aiken

BANK_ID = "dh-aiken"


def read(text: str, **options):
    return read_aiken(text, "quiz.txt", BANK_ID, **options)


# --- keep the good questions ------------------------------------------------------------------
MIXED = """\
Good?
A. yes
B. no
ANSWER: A

Bad?
A. yes
B. no
ANSWER: C

Also good?
A. yes
B. no
ANSWER: B
"""


def test_one_bad_question_refuses_the_file_by_default():
    bank, issues = read(MIXED)
    assert bank is None
    assert [(i.line, i.severity) for i in issues] == [(9, "error")]


def test_keep_good_imports_the_good_questions_and_reports_the_refused_one():
    bank, issues = read(MIXED, keep_good=True)
    assert bank is not None
    assert [q.id for q in bank.questions] == ["dh-aiken-1", "dh-aiken-3"]
    assert [(i.line, i.severity, i.question_id) for i in issues] == [(9, "error", "dh-aiken-2")]


def test_keep_good_still_refuses_a_file_whose_language_is_unknown():
    bank, issues = read(MIXED, keep_good=True, language="xx")
    assert bank is None
    assert [(i.line, i.severity) for i in issues][0] == (1, "error")


# --- what Moodle reads that we refused ---------------------------------------------------------
def test_options_without_a_space_after_the_label():
    bank, issues = read("Which?\nA)one\nB.two\nC)  three\nANSWER: B\n")
    assert issues == []
    assert [(c.text, c.correct) for c in bank.questions[0].choices] == [
        ("one", False), ("two", True), ("three", False)]


def test_questions_without_blank_lines_between_them():
    bank, issues = read("One?\nA. a\nB. b\nANSWER: A\nTwo?\nA. a\nB. b\nANSWER: B\n"
                        "Three?\nA. a\nB. b\nANSWER: A\n")
    assert issues == []
    assert [(q.id, q.line) for q in bank.questions] == [
        ("dh-aiken-1", 1), ("dh-aiken-2", 5), ("dh-aiken-3", 9)]


def test_a_blank_line_before_the_options_or_the_answer_does_not_end_the_question():
    bank, issues = read("Which?\n\nA. one\nB. two\n\nANSWER: B\n")
    assert issues == []
    assert bank.questions[0].stem == "Which?"
    assert [c.correct for c in bank.questions[0].choices] == [False, True]


def test_an_unfinished_question_is_reported_and_the_next_one_read():
    bank, issues = read("Unfinished?\nA. a\nB. b\n\nNext?\nA. a\nB. b\nANSWER: A\n",
                        keep_good=True)
    assert [q.stem for q in bank.questions] == ["Next?"]
    assert [(i.line, i.severity, i.question_id) for i in issues] == [(1, "error", "dh-aiken-1")]
    assert "no ANSWER line" in issues[0].message


# --- Moodle's unit-test fixtures (tests/fixtures/moodle/aiken/README.md) -----------------------
FIXTURES = Path(__file__).parents[1] / "fixtures" / "moodle" / "aiken"


def fixture(name: str, **options):
    return read_aiken((FIXTURES / name).read_text(encoding="utf-8"), name, "moodle-aiken",
                      **options)


def test_moodle_questions_fixture_imports_both_questions():
    bank, issues = fixture("questions.aiken.txt")
    assert issues == []
    assert [(q.type, [c.correct for c in q.choices]) for q in bank.questions] == [
        ("single", [False, True, False, False]), ("single", [True, False])]


def test_moodle_errors_fixture_keeps_the_three_good_questions_as_moodle_does():
    """aikenformat_test.php: three questions, the others reported."""
    bank, issues = fixture("aiken_errors.txt", keep_good=True)
    assert [q.stem for q in bank.questions] == [
        "A good question", "A second good question",
        "A third good question with HTML chars such as &gt; &lt; &amp;"]
    first, second, third = bank.questions
    assert [(c.text, c.correct) for c in first.choices] == [("Correct", True),
                                                           ("Incorrect", False)]
    assert [(c.text, c.correct) for c in second.choices] == [("Incorrect (No space)", False),
                                                            ("Correct (No space)", True)]
    assert [(c.text, c.correct) for c in third.choices] == [
        ("Correct (&lt; &gt; &amp;)", True), ("Incorrect (&lt; &gt; &amp;)", False)]
    # Moodle's messages: too few answers (question at line 1), not started (lines 5 and 7),
    # not finished (the question at line 14)
    assert sorted({(i.line, i.severity) for i in issues}) == [
        (1, "error"), (5, "error"), (7, "error"), (14, "error")]


def test_moodle_errors_fixture_is_refused_whole_by_default():
    bank, issues = fixture("aiken_errors.txt")
    assert bank is None and issues


def test_an_answer_line_that_repeats_the_option_is_read_by_its_letter():
    bank, issues = read("Which?\nA. one\nB. two\nANSWER: B) two\n")
    assert [c.correct for c in bank.questions[0].choices] == [False, True]
    assert [(i.line, i.severity) for i in issues] == [(4, "warning")]
