"""The training plan's pages: who may do what, and the trainer's and learner's paths."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.audience import AudienceChoice
from app.extensions import db
from app.training import services as svc
from app.training.models import Attendance, Certificate, PlanItem, TrainingNeed
from tests.evaluations.builders import user
from tests.helpers import post_form, switch_to
from tests.training.builders import PDF, item, need, today


@pytest.fixture
def people(app, make_user):
    manager = make_user("manager", name="Manager Wang")
    return {"trainer": make_user("trainer"), "manager": manager,
            "learner": make_user("learner", manager=manager, team="East", name="李伟"),
            "colleague": make_user("learner", team="East", name="Colleague Chen"),
            "supervisor": make_user("supervisor"), "admin": make_user("admin")}


def test_a_trainer_turns_needs_into_a_plan_item_and_takes_attendance(app, client, people):
    year = today(app).year
    switch_to(client, people["learner"])
    response = post_form(client, "/training/needs/new", {
        "topic": "竞品对比", "area": "industry", "reason": "customer", "urgency": "high",
        "year": str(year), "details": "客户总拿我们和竞品比较。"})
    assert response.status_code == 302
    with app.app_context():
        asked = db.session.execute(sa.select(TrainingNeed)).scalar_one()
    assert "竞品对比" in client.get(f"/training/needs/{asked.id}").get_data(as_text=True)

    switch_to(client, people["trainer"])
    grouped = client.get(f"/training/needs?year={year}").get_data(as_text=True)
    table = grouped[grouped.index('data-testid="need-groups"'):]
    assert re.search(r"Industry</th>\s*<td class=\"num\">0</td><td class=\"num\">1</td>", table)
    form = client.get(f"/training/items/new?need={asked.id}").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="needs"[^>]*value="{asked.id}"', form)
    day = today(app).isoformat()
    response = post_form(client, "/training/items/new", {
        "title": "Competitor briefing", "area": "industry", "delivery": "internal",
        "course_id": "0", "starts_on": day, "ends_on": day, "provider": "Ms Zhao",
        "audience": "teams", "teams": str(user_team_id(app, people["learner"])),
        "description": "**Bring** your toughest questions.", "needs": str(asked.id)},
        token_from="/training/items/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        workshop = db.session.execute(sa.select(PlanItem)).scalar_one()
        assert db.session.get(TrainingNeed, asked.id).plan_item_id == workshop.id
    page = client.get(f"/training/items/{workshop.id}").get_data(as_text=True)
    assert "<strong>Bring</strong>" in page and "李伟" in page and "Colleague Chen" in page
    response = post_form(client, f"/training/items/{workshop.id}/attendance", {
        f"mark-{people['learner'].id}": "attended", f"mark-{people['colleague'].id}": "absent",
        f"note-{people['colleague'].id}": "No reason given"},
        token_from=f"/training/items/{workshop.id}")
    assert response.status_code == 302
    page = client.get(f"/training/items/{workshop.id}").get_data(as_text=True)
    assert re.search(r'data-testid="attendance-rate">50.0 %', page)
    response = post_form(client, f"/training/items/{workshop.id}/status",
                         {"status": "delivered", "note": ""},
                         token_from=f"/training/items/{workshop.id}")
    assert response.status_code == 302
    execution = client.get(f"/training/execution?year={year}").get_data(as_text=True)
    assert re.search(r'data-testid="delivered">1<', execution)
    assert 'data-testid="execution-chart"' in execution

    switch_to(client, people["learner"])
    page = client.get(f"/training/items/{workshop.id}").get_data(as_text=True)
    assert "Your attendance:" in page and "<strong>Attended</strong>" in page
    assert "Colleague Chen" not in page  # others' attendance is not a learner's business
    plan = client.get("/training/").get_data(as_text=True)
    assert "Competitor briefing" in plan and "for you" in plan
    need_page = client.get(f"/training/needs/{asked.id}").get_data(as_text=True)
    assert "Answered by the plan item" in need_page


def user_team_id(app, person) -> int:
    with app.app_context():
        return user(person).team_id


ROLE_PAGES = {  # path -> roles that may open it (everyone else: 403)
    "/training/needs": {"trainer", "supervisor", "admin"},
    "/training/execution": {"trainer", "supervisor", "admin"},
    "/training/items/new": {"trainer", "admin"},
}


@pytest.mark.parametrize("role", ["learner", "manager", "trainer", "supervisor", "admin"])
def test_each_role_opens_only_its_pages(client, people, role):
    switch_to(client, people[role])
    assert client.get("/training/").status_code == 200
    assert client.get("/training/needs/new").status_code == 200
    for path, allowed in ROLE_PAGES.items():
        assert client.get(path).status_code == (200 if role in allowed else 403), path


def test_a_need_is_seen_by_its_author_their_manager_and_the_training_readers(
        app, client, people):
    with app.app_context():
        asked = need(people["learner"]).id
        db.session.commit()
    for role, status in (("learner", 200), ("manager", 200), ("colleague", 404),
                         ("trainer", 200), ("supervisor", 200)):
        switch_to(client, people[role])
        assert client.get(f"/training/needs/{asked}").status_code == status, role


def test_supervisors_read_the_plan_but_change_nothing(app, client, people):
    with app.app_context():
        workshop = item(people["trainer"]).id
        asked = need(people["learner"]).id
        db.session.commit()
    switch_to(client, people["supervisor"])
    page = f"/training/items/{workshop}"
    assert "李伟" in client.get(page).get_data(as_text=True)  # reads attendance lists
    for path, data in ((f"/training/items/{workshop}/attendance",
                        {f"mark-{people['learner'].id}": "attended"}),
                       (f"/training/items/{workshop}/status", {"status": "delivered"}),
                       (f"/training/needs/{asked}/answer", {"action": "decline",
                                                            "response": "No"}),
                       (f"/training/items/{workshop}/edit", {"title": "Changed"})):
        assert post_form(client, path, data, token_from=page).status_code == 403, path
    with app.app_context():
        assert db.session.execute(sa.select(Attendance)).first() is None
        assert db.session.get(PlanItem, workshop).status == "planned"


def test_an_attendee_files_their_certificate_which_only_the_right_people_download(
        app, client, people):
    with app.app_context():
        seminar = item(people["trainer"], title="Cloud summit", delivery="external")
        svc.record_attendance(seminar, {people["learner"].id: "attended"},
                              user(people["trainer"]))
        seminar_id = seminar.id
        db.session.commit()
    page = f"/training/items/{seminar_id}"
    switch_to(client, people["colleague"])  # not an attendee: no form, and a post is refused
    assert "Certificates and reports" not in client.get(page).get_data(as_text=True)
    assert post_form(client, f"{page}/certificates", {"person": str(people["colleague"].id)},
                     token_from=page).status_code == 403
    switch_to(client, people["learner"])
    response = post_form(client, f"{page}/certificates", {
        "person": str(people["learner"].id), "file": (io.BytesIO(PDF), "summit 证书.pdf")},
        token_from=page, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.execute(sa.select(Certificate)).scalar_one().id
    download = client.get(f"/training/certificates/{stored}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    for role, status in (("colleague", 404), ("manager", 200), ("supervisor", 200),
                         ("trainer", 200)):
        switch_to(client, people[role])
        assert client.get(f"/training/certificates/{stored}").status_code == status, role


def test_bad_input_names_the_field_and_keeps_what_was_typed(app, client, people):
    switch_to(client, people["trainer"])
    day = today(app).isoformat()
    html = post_form(client, "/training/items/new", {
        "title": "Product deep dive", "area": "product", "delivery": "online",
        "course_id": "0", "starts_on": day, "ends_on": day, "audience": "people",
        "people": "ghost@example.com"}).get_data(as_text=True)
    assert "An online item needs one of the app&#39;s courses." in html
    assert 'value="Product deep dive"' in html


def test_the_home_page_lists_training_coming_up_for_the_person(app, client, people, make_user):
    outsider = make_user("learner", team="West")
    with app.app_context():
        east = user(people["learner"]).team_id
        item(people["trainer"], title="Objection clinic", starts_in=0,
             choice=AudienceChoice("teams", (east,)))
        dropped = item(people["trainer"], title="Dropped clinic", starts_in=0)
        svc.set_status(dropped, "cancelled", user(people["trainer"]), "No room")
        db.session.commit()
    switch_to(client, people["learner"])
    home = client.get("/").get_data(as_text=True)
    assert "Training for you: Objection clinic" in home and "Dropped clinic" not in home
    switch_to(client, outsider)
    assert "Objection clinic" not in client.get("/").get_data(as_text=True)


def test_an_items_description_is_sanitised_markdown(app, client, people):
    switch_to(client, people["trainer"])
    day = today(app).isoformat()
    post_form(client, "/training/items/new", {
        "title": "Safe", "area": "product", "delivery": "internal", "course_id": "0",
        "starts_on": day, "ends_on": day, "audience": "everyone",
        "description": "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> *there*"})
    with app.app_context():
        stored = db.session.execute(sa.select(PlanItem)).scalar_one().id
    page = client.get(f"/training/items/{stored}").get_data(as_text=True)
    assert "<em>there</em>" in page
    assert "<script>alert(1)" not in page and "onerror" not in page
