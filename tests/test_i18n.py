"""English and Simplified Chinese: the switch, the stored preference, a complete catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.helpers import csrf_token, login, post_form

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def _switch(client, lang, next_url="/"):
    token = csrf_token(client, "/login" if next_url == "/login" else "/")
    return client.post("/language", data={"lang": lang, "next": next_url, "csrf_token": token})


def test_the_login_page_follows_the_browser_language(client):
    html = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="zh-CN">' in html and "登录" in html
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True)


def test_an_anonymous_visitor_can_switch_language(client):
    response = _switch(client, "zh_CN", "/login")
    assert response.location == "/login"
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_the_choice_is_stored_on_the_person_and_follows_them(app, client, make_user):
    person = make_user(locale="en")
    login(client, person)
    assert "People" not in client.get("/").get_data(as_text=True)
    _switch(client, "zh_CN")
    assert "我的账号" in client.get("/").get_data(as_text=True)
    other_browser = app.test_client()
    login(other_browser, person)
    assert "我的账号" in other_browser.get("/").get_data(as_text=True)


def test_the_switch_refuses_unknown_languages_and_foreign_redirects(client, make_user):
    login(client, make_user())
    response = _switch(client, "fr", "https://evil.example.com/")
    assert response.location == "/"
    assert "My account" in client.get("/").get_data(as_text=True)


def test_admin_pages_render_in_chinese(client, make_user):
    login(client, make_user("admin", "supervisor", locale="zh_CN"))
    assert "导入" in client.get("/admin/users").get_data(as_text=True)
    assert "审计日志" in client.get("/oversight/audit").get_data(as_text=True)
    response = post_form(client, "/admin/users/new", {"email": "bad", "roles": []})
    assert "至少" in response.get_data(as_text=True)  # validation messages too


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path):
    """The catalogue is current with the code and complete: no page shows English."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy
                  and (all(m.string) if isinstance(m.string, tuple) else True)}
    missing = sorted(str(m) for m in wanted - translated)
    assert missing == [], f"untranslated: {missing[:10]} — run `python3 dev.py translations`"
    problems = [(m.id, err) for m in catalogue for err in m.check(catalogue)]
    assert problems == []


def test_the_browsers_first_supported_language_wins(app):
    from werkzeug.datastructures import LanguageAccept

    from app.i18n import browser_language

    with app.app_context():
        assert browser_language(LanguageAccept([("en-US", 1), ("zh", 0.5)])) == "en"
        assert browser_language(LanguageAccept([("fr", 1), ("zh-TW", 0.8)])) == "zh_CN"
        assert browser_language(LanguageAccept([("fr", 1)])) == "en"
