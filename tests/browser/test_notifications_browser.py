"""A reviewer is told of an assigned evaluation: the count, the link, the count drops."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from tests.browser.conftest import sign_in
from tests.evaluations.builders import schedule

COUNT = '[data-testid="unread-count"] [aria-hidden="true"]'


def test_a_reviewer_sees_the_count_opens_the_evaluation_and_the_count_drops(
        app, page, make_user):
    reviewer = make_user("reviewer", name="Wang Fang")
    sign_in(page, reviewer)
    expect(page.locator('[data-testid="unread-count"]')).to_have_count(0)

    with app.app_context():
        evaluation_id = schedule(make_user("learner", name="Li Wei"), [reviewer],
                                 make_user("manager")).id
        db.session.commit()

    page.goto("/")
    expect(page.locator(COUNT)).to_have_text("1")
    page.get_by_test_id("notifications-link").click()
    page.wait_for_url("**/notifications/")
    notice = page.get_by_test_id("notification")
    expect(notice).to_contain_text("Li Wei")
    notice.get_by_role("button").first.click()
    page.wait_for_url(re.compile(rf"/evaluations/{evaluation_id}(/review)?$"))
    expect(page.locator('[data-testid="unread-count"]')).to_have_count(0)
    page.goto("/notifications/")
    expect(page.get_by_test_id("notification").locator(".tag")).to_have_count(0)


def test_the_count_and_the_list_in_chinese_on_a_phone(app, chromium, live_server, make_user):
    reviewer = make_user("reviewer", locale="zh_CN")
    with app.app_context():
        schedule(make_user("learner", name="李伟"), [reviewer], make_user("manager"))
        db.session.commit()
    context = chromium.new_context(base_url=live_server, locale="zh-CN",
                                   viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("邮箱").fill(reviewer.email)
    page.get_by_label("密码").fill(reviewer.password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.locator("[data-nav-toggle]").click()  # the phone's menu holds the header's links
    expect(page.locator(COUNT)).to_have_text("1")
    page.get_by_test_id("notifications-link").click()
    expect(page.locator("h1")).to_have_text("通知")
    expect(page.get_by_test_id("notification")).to_contain_text("李伟")
    expect(page.get_by_role("button", name="全部标为已读")).to_be_visible()
    context.close()
