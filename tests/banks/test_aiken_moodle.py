"""Aiken files as Moodle reads them: what Moodle accepts is accepted (pure: no app, no database)."""

from __future__ import annotations

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
