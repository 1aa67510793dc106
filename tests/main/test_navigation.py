"""Each role sees the navigation its permissions allow, and no more."""

from __future__ import annotations

import re

import pytest

from tests.helpers import login

EVERYONE = {"Home", "My exams", "Courses", "My learning", "Training plan", "Evaluations",
            "Assessments", "Complaints"}
EXTRA = {
    "learner": set(),
    "reviewer": set(),
    "manager": set(),
    "trainer": {"Course statistics", "Question banks", "Exams", "Results"},
    "supervisor": {"Supervision", "Audit log"},
    "admin": {"People", "Supervision", "Audit log", "Course statistics", "Question banks",
              "Exams", "Results"},
}


@pytest.mark.parametrize("role", sorted(EXTRA))
def test_navigation_matches_the_role(client, make_user, role):
    login(client, make_user(role))
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('id="site-nav"'):html.index('class="user-menu"')]
    assert set(re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)) == EVERYONE | EXTRA[role]


def test_the_home_page_offers_each_area_the_person_may_use(client, make_user):
    login(client, make_user("trainer"))
    html = client.get("/").get_data(as_text=True)
    cards = set(re.findall(r'class="card link-card" href="[^"]+">\s*<h2>([^<]+)</h2>', html))
    assert cards == {"My exams", "Courses", "My learning", "Training plan", "Evaluations",
                     "Assessments", "Complaints", "Course statistics", "Question banks",
                     "Exams", "Results"}


GROUPS = {
    "learner": ["Learning", "Assessment"],
    "reviewer": ["Learning", "Assessment"],
    "manager": ["Learning", "Assessment"],
    "trainer": ["Learning", "Assessment", "Teaching"],
    "supervisor": ["Learning", "Assessment", "Oversight"],
    "admin": ["Learning", "Assessment", "Teaching", "Oversight"],
}
GROUPS_ZH = {"Learning": "学习", "Assessment": "考核", "Teaching": "教学管理",
             "Oversight": "监督管理"}


def _groups(html: str) -> dict[str, set[str]]:
    """Each header group's label and the labels of the links inside it."""
    nav = html[html.index('id="site-nav"'):html.index('class="user-menu"')]
    return {label: set(re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', menu))
            for label, menu in re.findall(
                r'<details data-nav-group>\s*<summary[^>]*>([^<]+)</summary>(.*?)</details>',
                nav, re.S)}


@pytest.mark.parametrize("role", sorted(GROUPS))
def test_the_header_groups_the_entries_the_role_may_use(client, make_user, role):
    login(client, make_user(role))
    groups = _groups(client.get("/").get_data(as_text=True))
    assert list(groups) == GROUPS[role]  # in this order, and no empty group
    assert groups["Learning"] == {"My exams", "Courses", "My learning", "Training plan"}
    assert groups["Assessment"] == {"Evaluations", "Assessments", "Complaints"}
    grouped = set().union(*groups.values())
    assert grouped == EVERYONE - {"Home"} | EXTRA[role]  # Home alone, every other in one


def test_the_group_names_are_translated(client, make_user):
    login(client, make_user("admin", locale="zh_CN"))
    groups = _groups(client.get("/").get_data(as_text=True))
    assert list(groups) == [GROUPS_ZH[label] for label in GROUPS["admin"]]
    assert groups["学习"] == {"我的考试", "课程", "我的学习", "培训计划"}
