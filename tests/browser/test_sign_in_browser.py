"""Sign in, sign out, a refused page and the language switch in real Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_sign_in_shows_the_navigation_of_the_persons_roles(page, make_user):
    admin = make_user("admin", name="Ada Admin")
    sign_in(page, admin)
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Oversight").click()  # the header group holding them
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    assert page.console_errors == []  # no CSP violations or script errors


def test_a_learner_sees_no_admin_navigation_and_is_refused_the_page(page, make_user):
    sign_in(page, make_user("learner"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    # Not merely hidden in a closed header group: not in the page at all.
    expect(nav.locator("a", has_text="People")).to_have_count(0)
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_a_wrong_password_shows_one_generic_message(page, make_user):
    person = make_user()
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or password is wrong")).to_be_visible()


def test_sign_out_ends_the_session(page, make_user):
    sign_in(page, make_user())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/account")
    assert page.url.endswith("/login?next=/account")


def test_the_language_switch_changes_the_page_and_is_remembered(page, make_user):
    person = make_user()
    sign_in(page, person)
    page.get_by_label("Language").select_option("zh_CN")  # submits on change
    expect(page.get_by_role("link", name="我的账号")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    # Signed in again, the stored preference applies at once.
    page.get_by_label("邮箱").fill(person.email)
    page.get_by_label("密码").fill(person.password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="我的账号")).to_be_visible()
