"""The CSV upload helpers both imports use: UTF-8 or GB18030 text, and problems that
name the file and the line."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext
from markupsafe import escape

from app.content.csv_upload import (
    FirstLines,
    RowError,
    UnreadableFile,
    column_names,
    decode,
    empty_file,
    too_many_rows,
)


def refusal(data: bytes, filename: str = "hr.csv") -> RowError:
    with pytest.raises(UnreadableFile) as caught:
        decode(data, filename)
    return caught.value.error


def test_utf8_is_read_with_or_without_a_byte_order_mark():
    assert decode("\ufeffemail,name\n".encode(), "hr.csv") == "email,name\n"
    assert decode("email,name\nli@example.com,李伟\n".encode(), "hr.csv") == (
        "email,name\nli@example.com,李伟\n")


def test_gbk_and_gb18030_text_is_read():
    text = "email,name\nli@example.com,李伟\nliu@example.com,刘䶮\nx@example.com,𠀀\n"
    assert decode(text.encode("gb18030"), "hr.csv") == text  # 䶮 and 𠀀 are not in GBK
    gbk = "邮箱,备注\nwang@example.com,华东售前\r\n"
    assert decode(gbk.encode("gbk"), "hr.csv") == gbk


def test_a_file_that_is_neither_is_refused_naming_the_file_and_the_line():
    error = refusal("email,name\na@example.com,A\r\nb@example.com,B\xff\n".encode("latin-1"))
    assert error.line == 3
    assert error.message.startswith("hr.csv is neither UTF-8 nor GB18030/GBK text: line 3 ")
    assert "CSV UTF-8" in error.message
    with pytest.raises(ValueError, match="not UTF-8"):
        decode(b"email,name\nx@example.com,\xff\n", "hr.csv")


def test_the_line_is_where_the_reading_that_got_further_stops():
    # Chinese on line 2 is not UTF-8 but is GB18030; line 4 is neither.
    data = "email,name\rli@example.com,李伟\rb@example.com,B\r".encode("gbk") + b"c,\xff\r"
    assert refusal(data).line == 4
    # UTF-8 up to line 4; as GB18030 it would already break on line 2's 李.
    data = "email,name\nli@example.com,李\nb@example.com,B\n".encode() + b"c,\x80\n"
    assert refusal(data).line == 4


def test_a_utf8_byte_order_mark_means_utf8_so_no_gb18030_guess_is_made():
    error = refusal(b"\xef\xbb\xbf" + "邮箱,备注\n".encode("gbk"))
    assert error.line == 1 and "neither UTF-8 nor GB18030" in error.message


def test_workbooks_and_utf16_text_are_refused_saying_what_they_are():
    assert refusal(b"PK\x03\x04rest-of-zip", "hr.xlsx").message.startswith(
        "hr.xlsx is an Excel workbook, not a CSV file")
    assert refusal(b"\xd0\xcf\x11\xe0rest", "hr.xls").line == 1
    assert refusal("email,name\n".encode("utf-16"), "hr.txt").message.startswith(
        "hr.txt is UTF-16 text")
    assert refusal(b"\xff", "").message.startswith("the file is neither")


def test_header_cells_are_trimmed_lower_cased_and_chinese_names_mapped():
    names, columns = column_names(["\ufeff Email ", "邮箱", "", "Note"], {"邮箱": "email"})
    assert names == ["Email", "邮箱", "", "Note"]
    assert columns == ["email", "email", "", "note"]


def test_a_repeated_person_names_the_line_of_the_first_listing():
    first_lines = FirstLines()
    assert first_lines.repeat(2, "a@example.com", "email") is None
    assert first_lines.repeat(3, "", "email") is None  # empty: reported by the row itself
    assert first_lines.repeat(4, "", "email") is None
    assert str(first_lines.repeat(5, "a@example.com", "邮箱 (email)")) == (
        "line 5: 邮箱 (email) a@example.com is also on line 2: list each person once")


def test_empty_files_and_too_many_rows_are_reported():
    assert str(empty_file("q3.csv", "email,name")) == (
        "line 1: q3.csv is empty: the first line must name the columns, e.g. email,name")
    assert str(too_many_rows(20_002, 20_000)) == (
        "line 20002: more than 20000 rows: split the file into files of at most 20000 "
        "rows each")


def test_a_message_is_plain_text_so_templates_escape_the_file_name():
    error = RowError(1, lazy_gettext("%(file)s is empty.", file="<b>x</b>.csv"))
    assert type(error.message) is str
    assert str(escape(error.message)) == "&lt;b&gt;x&lt;/b&gt;.csv is empty."
