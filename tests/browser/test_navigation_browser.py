"""The header navigation in real Chromium: one row at 1280 px for every role in both
languages, every entry the role may use reachable through its group, and a working menu
on a 390 px phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import url_for
from playwright.sync_api import expect

from app.auth.models import User
from app.extensions import db
from app.main.navigation import items_for
from tests.browser.conftest import sign_in
from tests.browser.test_phone_layout_browser import OVERFLOW

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("LAYOUT_SCREENSHOTS")  # a folder: save what the test saw, to look at
# How many entries each role may use (Home, 7 for everyone, then the role's own).
ENTRIES = {"learner": 8, "reviewer": 8, "manager": 8, "trainer": 12, "supervisor": 10,
           "admin": 15}
MENU = {"en": "Menu", "zh_CN": "菜单"}
NAV = {"en": "Main", "zh_CN": "主导航"}

# The header's geometry: each top-level entry's box, the bar's and the nav list's.
GEOMETRY = """() => {
    const box = el => { const r = el.getBoundingClientRect();
                        return {top: r.top, bottom: r.bottom, height: r.height}; };
    const bar = document.querySelector('.site-header .bar');
    const list = document.querySelector('#site-nav > ul');
    return {
        entries: [...list.children].map(box),
        list: box(list),
        bar: box(bar),
        parts: [...bar.children].filter(el => el.offsetParent !== null).map(box),
        scrollWidth: document.documentElement.scrollWidth,
    };
}"""


def _person(app, make_user, role: str, locale: str):
    name = f"Alexandra Konstantinopoulou ({role})"  # a long name must not wrap the bar
    if role == "manager":  # a manager with someone reporting to them
        person = make_user("manager", name=name, locale=locale)
        make_user("learner", manager=person)
        return person
    return make_user(role, name=name, locale=locale)


def _urls_the_role_may_use(app, person) -> set[str]:
    with app.test_request_context():
        user = db.session.get(User, person.id)
        return {url_for(item.endpoint) for item in items_for(user)}


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _one_row(page) -> None:
    found = page.evaluate(GEOMETRY)
    tops = {round(entry["top"]) for entry in found["entries"]}
    assert len(tops) == 1, f"the top-level entries sit on several rows: {sorted(tops)}"
    row = max(entry["height"] for entry in found["entries"])
    assert found["list"]["height"] <= row + 1
    # Brand, nav (with the person's name and Sign out) and language switch share that row.
    parts = found["parts"]
    assert max(p["top"] for p in parts) < min(p["bottom"] for p in parts), parts
    assert found["bar"]["height"] < 2 * row
    assert found["scrollWidth"] <= DESKTOP["width"]


def _top_links(nav) -> set[str]:
    return set(nav.locator(":scope > ul > li > a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))


def _walk_the_groups(page, nav, shot: str, follow: bool) -> set[str]:
    """Open each group in turn and check its links are visible inside the window (and,
    when ``follow``, click the group's last link); the hrefs of every header link seen."""
    seen = _top_links(nav)
    groups = nav.locator("details[data-nav-group]")
    assert groups.count() >= 2
    for index in range(groups.count()):
        group = groups.nth(index)
        links = group.locator(".nav-menu a")
        expect(links.first).to_be_hidden()  # the group opened before has closed
        group.locator("summary").click()
        expect(group).to_have_attribute("open", "")
        if index == 0:
            _shot(page, shot)
        for i in range(links.count()):
            link = links.nth(i)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], (
                link.inner_text(), box)
            seen.add(link.get_attribute("href"))
        if follow:
            target = links.last.get_attribute("href")
            links.last.click()
            page.wait_for_url(f"**{target}")
    return seen


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("role", sorted(ENTRIES))
def test_the_header_fits_one_row_and_reaches_every_entry(app, chromium, live_server,
                                                         make_user, role, locale):
    person = _person(app, make_user, role, locale)
    expected = _urls_the_role_may_use(app, person)
    assert len(expected) == ENTRIES[role]
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, person)
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if locale == "zh_CN"
                                                          else "en")
    nav = page.get_by_role("navigation", name=NAV[locale])

    _shot(page, f"nav-{role}-{locale}-1280")
    _one_row(page)
    assert _walk_the_groups(page, nav, f"nav-{role}-{locale}-1280-open", True) == expected
    _one_row(page)  # also on the page the last click led to

    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(nav.get_by_role("link").first).to_be_hidden()  # the menu starts closed
    page.get_by_role("button", name=MENU[locale]).click()
    expect(nav.get_by_role("link").first).to_be_visible()
    _shot(page, f"nav-{role}-{locale}-390")
    assert _walk_the_groups(page, nav, f"nav-{role}-{locale}-390-open", False) == expected
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= PHONE["width"], found["wide"]
    _shot(page, f"nav-{role}-{locale}-390-last")
    last = nav.locator(".nav-menu a").last
    target = last.get_attribute("href")
    last.click()
    page.wait_for_url(f"**{target}")
    assert errors == []
    context.close()


def test_a_group_works_from_the_keyboard_and_closes_on_escape_or_outside(page, make_user):
    sign_in(page, make_user("trainer"))
    nav = page.get_by_role("navigation", name="Main")
    learning, assessment = (nav.locator("details[data-nav-group]").nth(i) for i in (0, 1))
    summary = learning.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(learning).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(learning.get_by_role("link", name="My exams")).to_be_focused()
    page.keyboard.press("Escape")
    expect(learning).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Space")
    expect(learning).to_have_attribute("open", "")
    for _ in range(5):  # through its four links to the next group's summary
        page.keyboard.press("Tab")
    expect(assessment.locator("summary")).to_be_focused()
    expect(learning).not_to_have_attribute("open", "")  # focus left it: it closed

    page.keyboard.press("Enter")
    expect(assessment).to_have_attribute("open", "")
    learning.locator("summary").click()  # opening one group closes the other
    expect(learning).to_have_attribute("open", "")
    expect(assessment).not_to_have_attribute("open", "")
    page.get_by_role("heading", level=1).click()  # a click outside closes it
    expect(learning).not_to_have_attribute("open", "")
    assert page.console_errors == []


def test_without_javascript_the_groups_and_the_phone_menu_still_open(chromium, live_server,
                                                                   make_user):
    person = make_user("admin")
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP,
                                   java_script_enabled=False)
    page = context.new_page()
    sign_in(page, person)
    nav = page.get_by_role("navigation", name="Main")
    _one_row(page)
    oversight = nav.locator("details[data-nav-group]").last
    oversight.locator("summary").click()
    people = oversight.get_by_role("link", name="People")
    expect(people).to_be_visible()
    people.click()
    page.wait_for_url("**/admin/users")

    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()  # it needs JS
    expect(nav.get_by_role("link", name="Home")).to_be_visible()  # the menu is just shown
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= PHONE["width"], found["wide"]
    context.close()
