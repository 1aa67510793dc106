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
