"""The people import reports every problem of the file, each with its line, and imports
nothing: all rows, every problem of each row, and what the account rules refuse."""

from __future__ import annotations

import html as html_lib
import io
import re

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.helpers import post_form


def _upload(client, text: str | bytes):
    data = {"file": (io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text),
                     "people.csv")}
    return post_form(client, "/admin/users/import", data, content_type="multipart/form-data")


def _problems(html: str) -> list[tuple[int, str]]:
    report = re.search(r'<div class="report error-report"[^>]*>(.*?)</div>', html, re.S)
    assert report, "no problem report on the page"
    return [(int(line), html_lib.unescape(message).strip()) for line, message in re.findall(
        r"<li><strong>Line (\d+)</strong>: (.*?)</li>", report.group(1), re.S)]


def test_every_problem_of_every_row_is_listed_with_its_line_and_nothing_is_imported(
        app, client, signed_in):
    admin = signed_in("admin")
    response = _upload(client,
                       "email,name,roles,manager_email,language\n"
                       "ok@example.com,OK,,,\n"                              # line 2: good
                       "not-an-email,,pilot,,klingon\n"                      # line 3: four
                       "ok3@example.com,Three,pilot,,en,surplus\n"           # line 4: two
                       "OK@example.com,Again,,,\n"                           # line 5: repeat
                       "ok6@example.com,Six,wizard,ghost@example.com,\n"     # line 6: two
                       f"{admin.email},Me,learner,,\n")                      # line 7: a rule
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    problems = _problems(html)
    lines = [line for line, _ in problems]
    assert lines == sorted(lines)
    by_line: dict[int, list[str]] = {}
    for line, message in problems:
        by_line.setdefault(line, []).append(message)
    assert 2 not in by_line
    assert len(by_line[3]) == 4 and any("not a valid email" in m for m in by_line[3])
    assert any("name is empty" in m for m in by_line[3])
    assert any("unknown role(s) pilot" in m for m in by_line[3])
    assert any("unknown language 'klingon'" in m for m in by_line[3])
    assert len(by_line[4]) == 2 and any("more values than columns" in m for m in by_line[4])
    assert any("unknown role(s) pilot" in m for m in by_line[4])
    assert by_line[5] == ["email ok@example.com is also on line 2: list each person once"]
    assert len(by_line[6]) == 2 and any("unknown role(s) wizard" in m for m in by_line[6])
    assert any("ghost@example.com is neither on this list" in m for m in by_line[6])
    assert by_line[7] == ["You cannot remove your own administrator role or deactivate "
                          "yourself."]
    assert f"Correct these {len(problems)} problems" in html
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User).where(
            User.email.like("ok%@example.com"))).scalar() == 0
        assert "admin" in db.session.get(User, admin.id).roles


def test_a_good_row_whose_manager_is_on_a_bad_row_is_not_blamed_for_it(client, signed_in):
    signed_in("admin")
    problems = _problems(_upload(client, "email,name,roles,manager_email\n"
                                         "li@example.com,Li,,boss@example.com\n"
                                         "boss@example.com,Boss,pilot,\n").get_data(
        as_text=True))
    assert [line for line, _ in problems] == [3]


def test_a_list_saved_by_chinese_excel_in_gb18030_is_imported_with_its_chinese_names(
        app, client, signed_in):
    signed_in("admin")
    text = ("email,name,roles,team,manager_email,language\r\n"
            "zhang.min@example.com,张敏,manager,华东售前,,中文\r\n"
            "liu.yan@example.com,刘䶮,learner,华东售前,zhang.min@example.com,zh_CN\r\n")
    response = _upload(client, text.encode("gb18030"))  # 䶮 is in GB18030, not in GBK
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        people = {u.email: u for u in db.session.execute(sa.select(User).where(
            User.email.in_(["zhang.min@example.com", "liu.yan@example.com"]))).scalars()}
        assert people["zhang.min@example.com"].display_name == "张敏"
        assert people["zhang.min@example.com"].team.name == "华东售前"
        assert people["liu.yan@example.com"].display_name == "刘䶮"
        assert people["liu.yan@example.com"].manager.email == "zhang.min@example.com"
        assert people["liu.yan@example.com"].locale == "zh_CN"


def test_a_file_that_is_neither_utf8_nor_gb18030_is_refused_at_its_line_and_nothing_imported(
        app, client, signed_in):
    signed_in("admin")
    data = ("email,name\n"
            "li.wei@example.com,李伟\n"
            "wang.fang@example.com,王芳\n").encode("gb18030") + b"bad@example.com,\xff\n"
    html = _upload(client, data).get_data(as_text=True)
    assert "Nothing was imported" in html
    [(line, message)] = _problems(html)
    assert line == 4
    assert message.startswith("people.csv is neither UTF-8 nor GB18030/GBK text: line 4 ")
    assert "CSV UTF-8" in message
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User).where(
            User.email.in_(["li.wei@example.com", "wang.fang@example.com"]))).scalar() == 0
