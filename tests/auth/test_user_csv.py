"""The HR-list reader: every bad row reported with its line; Unicode-clean."""

from __future__ import annotations

from app.auth.user_csv import parse_people

HEADER = "email,name,roles,team,manager_email,language\n"


def test_a_good_list_parses_with_defaults():
    parsed = parse_people(HEADER
                          + "li.wei@example.com,李伟,,华东售前,chen@example.com,zh_CN\n"
                          + "chen@example.com,Chen Jie,manager;reviewer,,,\n")
    assert parsed.errors == []
    li, chen = parsed.rows
    assert (li.line, li.name, li.roles, li.team, li.language) == (
        2, "李伟", ("learner",), "华东售前", "zh_CN")
    assert chen.roles == ("manager", "reviewer") and chen.language == "en"


def test_every_bad_row_is_reported_with_its_line():
    text = (HEADER
            + "good@example.com,Good,,,,\n"                 # line 2: fine
            + "not-an-email,Bad Email,,,,\n"                # line 3
            + "noname@example.com,,,,,\n"                   # line 4
            + "role@example.com,Role,wizard,,,\n"           # line 5
            + "lang@example.com,Lang,,,,fr\n"               # line 6
            + "self@example.com,Self,,,self@example.com,\n"  # line 7
            + "good@example.com,Twice,,,,\n")               # line 8
    parsed = parse_people(text)
    by_line = {e.line: e.message for e in parsed.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8]
    assert "not a valid email" in by_line[3]
    assert "name is empty" in by_line[4]
    assert "unknown role(s) wizard" in by_line[5]
    assert "unknown language 'fr'" in by_line[6]
    assert "own manager" in by_line[7]
    assert "also on line 2" in by_line[8]


def test_line_numbers_count_quoted_multiline_values():
    parsed = parse_people(HEADER + '"a@example.com","Name with\nnewline",,,,\nbad,X,,,,\n')
    assert [e.line for e in parsed.errors] == [4]


def test_missing_and_unknown_columns_are_reported_on_line_1():
    parsed = parse_people("email,fullname\nx@example.com,X\n")
    messages = " ".join(e.message for e in parsed.errors)
    assert all(e.line == 1 for e in parsed.errors)
    assert "unknown column(s) fullname" in messages and "missing column(s) name" in messages


def test_an_empty_file_is_reported():
    assert parse_people("").errors[0].line == 1


def test_blank_lines_are_ignored_and_windows_line_endings_work():
    parsed = parse_people("email,name\r\n\r\na@example.com,A\r\n")
    assert parsed.errors == [] and parsed.rows[0].email == "a@example.com"


def test_too_many_values_on_a_row_is_reported():
    parsed = parse_people("email,name\na@example.com,A,extra\n")
    assert "more values than columns" in parsed.errors[0].message
