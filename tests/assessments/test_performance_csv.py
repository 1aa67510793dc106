"""The work-performance CSV reader: every bad row reported with its line and column."""

from __future__ import annotations

from decimal import Decimal as D

from app.assessments.performance_csv import (
    MAX_ROWS,
    PerformanceRow,
    RowError,
    parse_performance_csv,
)

HEADER = "email,success_rate,satisfaction,note\n"


def parse(text: str, encoding: str = "utf-8"):
    return parse_performance_csv(text.encode(encoding))


def messages(errors: list[RowError]) -> dict[int, str]:
    """Line -> all its messages, joined."""
    out: dict[int, str] = {}
    for e in errors:
        out[e.line] = f"{out[e.line]} | {e.message}" if e.line in out else e.message
    return out


# -- good files -------------------------------------------------------------------------------


def test_a_good_file_parses_into_rows_with_two_decimal_percentages():
    rows, errors = parse(HEADER
                         + " Li.Wei@Example.COM ,85,90.5,Q3 projects\n"
                         + "chen@example.com,85.5%,4.2/5,\n"
                         + "zhao@example.com,,100%,only satisfaction\n"
                         + "qian@example.com,0,,only success rate\n")
    assert errors == []
    assert rows == [
        PerformanceRow(2, "li.wei@example.com", D("85.00"), D("90.50"), "Q3 projects"),
        PerformanceRow(3, "chen@example.com", D("85.50"), D("84.00"), ""),
        PerformanceRow(4, "zhao@example.com", None, D("100.00"), "only satisfaction"),
        PerformanceRow(5, "qian@example.com", D("0.00"), None, "only success rate"),
    ]
    assert str(rows[1].satisfaction) == "84.00"  # 4.2/5, as the brief's worked example


def test_scores_out_of_five_become_percentages_rounded_half_up():
    rows, errors = parse(HEADER + "a@example.com,,4.2/5,\n"
                                + "b@example.com,,1/5,\n"
                                + "c@example.com,,5 / 5,\n"
                                + "d@example.com,,4.12345/5,\n"   # 82.469 -> 82.47
                                + "e@example.com,,3.33325/5,\n")  # 66.665 -> 66.67 (half up)
    assert errors == []
    assert [r.satisfaction for r in rows] == [D("84.00"), D("20.00"), D("100.00"),
                                              D("82.47"), D("66.67")]


def test_percent_signs_spaces_and_full_width_figures_are_accepted():
    rows, errors = parse(HEADER + "a@example.com,85%,85 %,\n"
                                + "b@example.com,８５％,４.２／５,\n"
                                + "c@example.com,100.00,.5%,\n"
                                + "d@example.com,85.500,,\n")  # value has two decimals
    assert errors == []
    assert [(r.success_rate, r.satisfaction) for r in rows] == [
        (D("85"), D("85")), (D("85"), D("84")), (D("100"), D("0.5")), (D("85.5"), None)]


def test_columns_may_come_in_any_order_and_any_case_and_note_is_optional():
    rows, errors = parse("Satisfaction,EMAIL\n90,a@example.com\n")
    assert errors == []
    assert rows == [PerformanceRow(2, "a@example.com", None, D("90.00"), "")]


def test_blank_lines_are_skipped_and_windows_line_endings_work():
    rows, errors = parse("email,success_rate\r\n\r\na@example.com,80\r\n,\r\nb@example.com,70\r\n")
    assert errors == []
    assert [(r.line, r.email) for r in rows] == [(3, "a@example.com"), (5, "b@example.com")]


def test_a_row_with_fewer_cells_than_columns_means_the_rest_are_empty():
    rows, errors = parse(HEADER + "a@example.com,80\n")
    assert errors == [] and rows[0].satisfaction is None and rows[0].note == ""


# -- the bad-row rules ------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_column():
    rows, errors = parse(HEADER
                         + "good@example.com,80,80,\n"         # line 2: fine
                         + "a@example.com,120,,\n"             # 3
                         + "b@example.com,-5,,\n"              # 4
                         + "c@example.com,n/a,,\n"             # 5
                         + "d@example.com,,101%,\n"            # 6
                         + "e@example.com,,6/5,\n"             # 7
                         + "f@example.com,,0.5/5,\n"           # 8
                         + "g@example.com,,4/10,\n"            # 9
                         + ",80,,\n"                           # 10
                         + "not-an-email,80,,\n"               # 11
                         + "h@example.com,,,a note only\n"     # 12
                         + "i@example.com,4/5,,\n")            # 13: success rate is no score
    assert rows == []  # all or nothing
    by_line = messages(errors)
    assert sorted(by_line) == list(range(3, 14))
    assert by_line[3] == ('success_rate "120" must be a percentage between 0 and 100, '
                          'e.g. 85 or 85%')
    assert by_line[4].startswith('success_rate "-5" must be a percentage between 0 and 100')
    assert by_line[5].startswith('success_rate "n/a" must be a percentage')
    assert by_line[6].startswith('satisfaction "101%" must be a percentage between 0 and 100')
    assert "or a score from 1 to 5 written like 4.2/5" in by_line[6]
    assert by_line[7] == 'satisfaction "6/5": a score out of 5 must be between 1 and 5, e.g. 4.2/5'
    assert by_line[8].startswith('satisfaction "0.5/5": a score out of 5 must be between 1 and 5')
    assert by_line[9].startswith('satisfaction "4/10" must be a percentage')
    assert by_line[10] == "email is empty: write the person's email address"
    assert by_line[11].startswith('email "not-an-email" is not an email address')
    assert by_line[12] == ("no figures: write success_rate or satisfaction (or both); "
                           "an empty cell means not given")
    assert by_line[13].startswith('success_rate "4/5" must be a percentage')


def test_several_problems_on_one_row_are_each_reported():
    rows, errors = parse(HEADER + "nobody,120,9/5," + "x" * 501 + "\n")
    assert rows == [] and {e.line for e in errors} == {2}
    assert [e.message.split(" ")[0] for e in errors] == ["email", "success_rate",
                                                         "satisfaction", "note"]


def test_more_than_two_decimals_is_refused_with_the_rounded_figure():
    rows, errors = parse(HEADER + "a@example.com,73.913,,\n" + "b@example.com,,84.125%,\n")
    assert rows == []
    assert [str(e) for e in errors] == [
        'line 2: success_rate "73.913" has more than two decimals: round it, e.g. 73.91',
        'line 3: satisfaction "84.125%" has more than two decimals: round it, e.g. 84.13']


def test_ambiguous_small_figures_must_say_what_they_mean():
    rows, errors = parse(HEADER + "a@example.com,0.85,,\n"   # a fraction, not 0.85 %
                                + "b@example.com,,4.2,\n"    # 4.2 % or 4.2 out of 5?
                                + "c@example.com,0.85%,4.2%,\n"  # explicit: fine
                                + "d@example.com,1,0,\n")         # 1 % and 0 %: fine
    by_line = messages(errors)
    assert sorted(by_line) == [2, 3] and rows == []
    assert by_line[2].startswith('success_rate "0.85" looks like a fraction: write 85 or 85%')
    assert by_line[3] == ('satisfaction "4.2" is ambiguous: write 4.2/5 for a score out of 5, '
                          'or 4.2% for a percentage')
    good, errors = parse(HEADER + "c@example.com,0.85%,4.2%,\nd@example.com,1,0,\n")
    assert errors == [] and [(r.success_rate, r.satisfaction) for r in good] == [
        (D("0.85"), D("4.2")), (D("1"), D("0"))]


def test_a_note_of_500_characters_is_fine_and_501_is_not():
    rows, errors = parse(HEADER + "a@example.com,80,,\"" + "注" * 500 + "\"\n")
    assert errors == [] and len(rows[0].note) == 500
    rows, errors = parse(HEADER + "a@example.com,80,," + "n" * 501 + "\n")
    assert [str(e) for e in errors] == [
        "line 2: note is 501 characters long: shorten it to at most 500"]


def test_duplicate_emails_name_both_lines_after_normalising():
    rows, errors = parse(HEADER + "a@example.com,80,,\n"
                                + "b@example.com,80,,\n"
                                + " A@Example.com ,90,,\n"
                                + "a@example.com,,70,\n")
    assert rows == []
    assert [str(e) for e in errors] == [
        "line 4: email a@example.com is also on line 2: list each person once",
        "line 5: email a@example.com is also on line 2: list each person once"]


def test_a_duplicate_of_a_bad_row_is_still_reported():
    _, errors = parse(HEADER + "a@example.com,120,,\na@example.com,80,,\n")
    assert [e.line for e in errors] == [2, 3] and "also on line 2" in errors[1].message


def test_duplicates_are_named_by_the_files_own_email_column():
    _, errors = parse("邮箱,项目成功率\na@example.com,80\nA@example.com,90\n")
    assert [str(e) for e in errors] == [
        "line 3: 邮箱 (email) a@example.com is also on line 2: list each person once"]


def test_values_outside_the_named_columns_are_refused():
    rows, errors = parse("email,success_rate\na@example.com,80,extra\nb@example.com,80,\n")
    assert rows == []
    assert [e.line for e in errors] == [2]
    assert "a value in column(s) 3, which the header does not name" in errors[0].message


def test_an_unnamed_empty_column_such_as_excels_trailing_comma_is_ignored():
    rows, errors = parse("email,success_rate,\na@example.com,80,\n")
    assert errors == [] and rows[0].success_rate == D("80")


# -- the header -------------------------------------------------------------------------------


def test_unknown_columns_are_listed_with_the_allowed_ones():
    rows, errors = parse("email,score,Success_Rate,comment\na@example.com,1,80,x\n")
    assert rows == [] and [e.line for e in errors] == [1]
    assert errors[0].message == (
        'unknown column(s) "score", "comment": the columns are email, success_rate, '
        "satisfaction, note (or in Chinese 邮箱, 项目成功率, 客户满意度, 备注)")


def test_semicolon_separated_files_get_a_hint():
    _, errors = parse("email;success_rate\na@example.com;80\n")
    assert "separate the columns with commas" in errors[0].message


def test_a_missing_email_column_is_reported():
    rows, errors = parse("success_rate,satisfaction\n80,90\n")
    assert rows == []
    assert [str(e) for e in errors] == [
        "line 1: missing column email (邮箱): the first line must name the columns, "
        "e.g. email,success_rate,satisfaction,note"]


def test_a_header_without_any_figure_column_is_reported():
    _, errors = parse("email,note\na@example.com,x\n")
    assert [e.line for e in errors] == [1] and "missing columns" in errors[0].message


def test_a_column_named_twice_is_reported():
    _, errors = parse("email,邮箱,success_rate\na@example.com,a@example.com,80\n")
    assert [e.message for e in errors] == [
        'column email appears 2 times (as "email", "邮箱"): keep one']


def test_an_empty_file_and_a_header_only_file_are_reported():
    for data in (b"", b"\xef\xbb\xbf", b"\n\n  \r\n"):
        rows, errors = parse_performance_csv(data, "q3.csv")
        assert rows == [] and [str(e) for e in errors] == [
            "line 1: q3.csv is empty: the first line must name the columns, "
            "e.g. email,success_rate,satisfaction,note"]
    assert parse_performance_csv(b"", "")[1][0].message.startswith("the file is empty")
    rows, errors = parse(HEADER + "\n")
    assert rows == [] and "no rows under the header" in errors[0].message
    _, errors = parse("\nemail,success_rate\na@example.com,80\n")
    assert [e.line for e in errors] == [1] and "first line is empty" in errors[0].message


# -- line numbers -----------------------------------------------------------------------------


def test_line_numbers_stay_right_after_quoted_multiline_notes():
    text = (HEADER
            + 'a@example.com,80,,"first line\nsecond line\nthird line"\n'   # lines 2-4
            + "b@example.com,120,,\n"                                         # line 5
            + 'c@example.com,,"4.2/5","note with ""quotes"", a comma\r\nand CRLF"\r\n'  # 6-7
            + "\n"                                                            # line 8
            + "d@example.com,,9/5,\n")                                        # line 9
    rows, errors = parse(text)
    assert [str(e) for e in errors] == [
        'line 5: success_rate "120" must be a percentage between 0 and 100, e.g. 85 or 85%',
        'line 9: satisfaction "9/5": a score out of 5 must be between 1 and 5, e.g. 4.2/5']
    good, errors = parse(text.replace(",120,", ",100,").replace("9/5", "4/5"))
    assert errors == []
    assert [r.line for r in good] == [2, 5, 6, 9]
    assert good[0].note == "first line\nsecond line\nthird line"
    assert good[2].note == 'note with "quotes", a comma\nand CRLF'


def test_a_bad_row_that_spans_lines_is_reported_where_it_begins():
    _, errors = parse(HEADER + 'a@example.com,80,,ok\nnobody,80,,"line one\nline two"\n')
    assert [e.line for e in errors] == [3]


def test_an_unclosed_quote_is_reported_where_the_row_begins_instead_of_eating_rows():
    _, errors = parse(HEADER + 'a@example.com,80,,fine\n'
                               'b@example.com,80,,"never closed\n'
                               "c@example.com,90,,\n")
    assert [e.line for e in errors] == [3]
    assert "cannot be read (found on line 4)" in errors[0].message
    assert "double quotes" in errors[0].message


def test_text_after_a_closing_quote_is_reported():
    _, errors = parse(HEADER + 'a@example.com,80,,"quoted" then more\n')
    assert [e.line for e in errors] == [2] and "cannot be read" in errors[0].message


# -- encodings --------------------------------------------------------------------------------


def test_a_utf8_file_with_a_byte_order_mark_parses():
    rows, errors = parse_performance_csv(b"\xef\xbb\xbf" + (HEADER + "a@example.com,80,,\n"
                                                            ).encode())
    assert errors == [] and rows[0].email == "a@example.com"


def test_a_gb18030_file_with_chinese_headers_and_notes_parses():
    text = ("邮箱,项目成功率,客户满意度,备注\r\n"
            "li.wei@example.com,92%,4.5/5,华东区三个项目全部按期交付\r\n"
            'zhang@example.com,78,88,"客户反馈：响应及时，\r\n方案需更贴近行业"\r\n'
            "chen@example.com,,４.２／５,𠀀生僻字\r\n")  # 𠀀 exists in GB18030 but not GBK
    rows, errors = parse_performance_csv(text.encode("gb18030"), "绩效.csv")
    assert errors == []
    assert rows == [
        PerformanceRow(2, "li.wei@example.com", D("92"), D("90"), "华东区三个项目全部按期交付"),
        PerformanceRow(3, "zhang@example.com", D("78"), D("88"),
                       "客户反馈：响应及时，\n方案需更贴近行业"),
        PerformanceRow(5, "chen@example.com", None, D("84"), "𠀀生僻字"),
    ]


def test_a_gbk_file_reports_errors_under_the_chinese_column_names():
    data = "邮箱,项目成功率,备注\n王芳@例子.中国,120,备注\n,,\n".encode("gbk")
    rows, errors = parse_performance_csv(data)
    assert rows == []
    assert [str(e) for e in errors] == [
        'line 2: 项目成功率 (success_rate) "120" must be a percentage between 0 and 100, '
        "e.g. 85 or 85%"]
    _, errors = parse_performance_csv("邮箱,项目成功率\n,80\nx@example.com,\n".encode("gbk"))
    assert [str(e) for e in errors] == [
        "line 2: 邮箱 (email) is empty: write the person's email address",
        "line 3: no figures: write 项目成功率 (success_rate) (or both); an empty cell means "
        "not given"]


def test_undecodable_bytes_are_refused_with_what_to_do():
    data = HEADER.encode() + b"a@example.com,80,,\xff\xfe\xff\n"
    rows, errors = parse_performance_csv(data, "q3.csv")
    assert rows == [] and [e.line for e in errors] == [2]
    assert errors[0].message.startswith("q3.csv is neither UTF-8 nor GB18030/GBK text")
    assert "CSV UTF-8" in errors[0].message
    # A UTF-8 byte-order mark says the file is meant as UTF-8: no GB18030 guess then.
    _, errors = parse_performance_csv(b"\xef\xbb\xbf" + "邮箱".encode("gbk") + b"\n")
    assert "neither UTF-8 nor GB18030" in errors[0].message


def test_workbooks_and_utf16_text_are_refused_clearly():
    _, errors = parse_performance_csv(b"PK\x03\x04\x14\x00rest-of-zip", "q3.xlsx")
    assert errors[0].message.startswith("q3.xlsx is an Excel workbook, not a CSV file")
    _, errors = parse_performance_csv(HEADER.encode("utf-16"), "q3.txt")
    assert errors[0].message.startswith("q3.txt is UTF-16 text")


# -- size -------------------------------------------------------------------------------------


def test_five_thousand_valid_rows_parse():
    body = "".join(f"p{i}@example.com,{i % 101},{i % 5 + 1}/5,note {i}\n"
                   for i in range(MAX_ROWS))
    rows, errors = parse(HEADER + body)
    assert MAX_ROWS == 5_000
    assert errors == [] and len(rows) == 5_000
    assert (rows[-1].line, rows[-1].email) == (5_001, "p4999@example.com")
    assert rows[-1].satisfaction == D("100.00")  # 4999 % 5 + 1 = 5 -> 5/5


def test_the_five_thousand_and_first_row_is_refused():
    body = "".join(f"p{i}@example.com,80,,\n" for i in range(MAX_ROWS + 3))
    rows, errors = parse(HEADER + "\n" + body)   # a blank line does not count as a row
    assert rows == []
    assert [str(e) for e in errors] == [
        "line 5003: more than 5000 rows: split the file into files of at most 5000 rows each"]


def test_row_errors_read_as_line_and_message():
    assert str(RowError(4, "x")) == "line 4: x"
