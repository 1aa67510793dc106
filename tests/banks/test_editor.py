"""The editor's check (pure): one question in its bank, lines counted in the editor's text."""

from __future__ import annotations

import pytest

from app.banks.editor import check_question, question_source
from app.banks.markdown_format import parse_bank
from app.banks.questions import QUESTION_TYPES, Bank
from app.banks.templates_per_type import next_question_id, template_for
from tests.banks.test_import import BANK

TAGGED = Bank(id="test-bank", title="Test bank", area="product", language="en",
              tags=("agents",))


@pytest.mark.parametrize("kind", QUESTION_TYPES)
def test_every_template_is_a_valid_question_without_warnings(kind):
    checked = check_question(Bank(id="new-bank", title="New", area="product", language="en"),
                             template_for(kind, "NB-001"))
    assert checked.question is not None and checked.question.type == kind
    assert checked.issues == []


def test_the_source_of_a_stored_question_parses_back_to_the_same_question():
    bank, _ = parse_bank(BANK, "test-bank.md")
    assert bank is not None
    for question in bank.questions:
        again = check_question(bank, question_source(question), expected_id=question.id)
        assert again.question is not None
        assert again.question.content() == question.content()


def test_errors_are_at_their_line_in_the_editors_text():
    text = ("## TB-009\ntype: single\ntags: agents, nope\n\nWhich tier?\n\n"
            "- [ ] Catalogue\n- [ ] Edge\n")
    checked = check_question(TAGGED, text)
    assert checked.question is None
    lines = {issue.line: issue.message for issue in checked.errors}
    assert 3 in lines and "nope" in lines[3]  # the tag the bank does not declare
    assert any("right option" in message for message in lines.values())
    assert all(1 <= line <= 8 for line in lines)


def test_an_edit_keeps_its_id_and_the_editor_holds_one_question():
    one = "## TB-001\ntype: truefalse\n\nAgents open inbound ports.\n\n- [ ] True\n- [x] False\n"
    renamed = check_question(TAGGED, one, expected_id="TB-002")
    assert renamed.question is None and renamed.errors[0].line == 1
    assert "keep the heading '## TB-002'" in renamed.errors[0].message
    two = one + "\n## TB-003\ntype: short\n\nName it.\n\n- MLPS\n"
    doubled = check_question(TAGGED, two, expected_id="TB-001")
    assert doubled.question is None and doubled.errors[0].line == 9


def test_an_empty_editor_and_text_before_the_heading_are_errors_at_line_1():
    assert check_question(TAGGED, "").errors[0].line == 1
    assert check_question(TAGGED, "  \n").errors[0].message.startswith("the editor is empty")
    stray = check_question(TAGGED, "Hello\n\n" + template_for("short", "TB-7"))
    assert stray.errors[0].line == 1 and "text before the first question" in stray.errors[0].message


def test_a_message_naming_another_line_counts_it_in_the_editor_too():
    text = "## TB-010\ntype: single\n\nPick.\n\n- [x] Same\n- [ ] Same\n"
    (warning,) = check_question(TAGGED, text).issues
    assert warning.severity == "warning" and warning.line == 7
    assert "(also line 6)" in warning.message


def test_the_next_free_id_follows_the_banks_pattern():
    assert next_question_id("datahub-product", ["DH-009", "DH-014", "other"]) == "DH-015"
    assert next_question_id("datahub-product", []) == "DP-001"
    assert next_question_id("x-y", ["Q7", "Q8"]) == "Q9"
