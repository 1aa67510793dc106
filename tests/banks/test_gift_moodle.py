"""GIFT files as Moodle reads them: what Moodle accepts is accepted (pure: no app, no database)."""

from __future__ import annotations

from app.banks.gift import read_gift

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
