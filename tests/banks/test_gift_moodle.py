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
