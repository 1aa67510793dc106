"""Complaints and suggestions (§4.2): filing, anonymity, handling, who sees what."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.complaints.models import Complaint
from app.database import Model, utcnow
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import login as sign_in
from tests.helpers import post_form


def login(client, person):
    if client.get("/login").status_code == 302:
        post_form(client, "/logout", token_from="/")
    return sign_in(client, person)


def _dump(app, skip: str) -> dict:
    """Every row of every table but one: what a database export would show."""
    with app.app_context():
        return {table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
                for table in Model.metadata.sorted_tables if table.name != skip}


@pytest.fixture
def people(app, make_user):
    with app.app_context():
        return {"learner": make_user("learner", name="Li Wei"),
                "colleague": make_user("learner"), "supervisor": make_user("supervisor"),
                "manager": make_user("manager")}


def test_an_anonymous_suggestion_leaves_no_trace_of_its_author(app, client, people):
    login(client, people["learner"])
    form = "/complaints/new"
    client.get(form)
    before = _dump(app, skip="complaints")
    response = post_form(client, form, {"kind": "suggestion", "topic": "training",
                                        "title": "More labs", "body": "Hands-on labs, please.",
                                        "anonymous": "y"})
    assert response.status_code == 302
    assert _dump(app, skip="complaints") == before  # no audit entry, no session change
    with app.app_context():
        row = db.session.execute(sa.select(Complaint)).scalar_one()
        assert row.author_id is None and row.subject_id is None
        assert not hasattr(row.received_on, "hour")  # a day, not a moment
    assert "More labs" not in client.get("/complaints/").get_data(as_text=True)
    login(client, people["supervisor"])
    html = client.get("/complaints/all").get_data(as_text=True)
    assert "More labs" in html and "anonymous" in html and "Li Wei" not in html


def _file(client, title, anonymous=False):
    data = {"kind": "suggestion" if anonymous else "complaint", "topic": "training",
            "title": title, "body": "Details."}
    if anonymous:
        data["anonymous"] = "y"
    response = post_form(client, "/complaints/new", data)
    assert response.status_code == 302
    return response.headers["Location"]


def test_nothing_a_reader_sees_places_an_anonymous_suggestion_among_signed_ones(
        app, client, people):
    """A signed complaint before and one after an anonymous suggestion: no counting
    number in URLs or references, no audit entry or gap for the suggestion, and no
    filing order on the queue (the audit log shows when each signed one was filed)."""
    login(client, people["colleague"])
    before_url = _file(client, "Filed before")
    login(client, people["learner"])
    _file(client, "The anonymous idea", anonymous=True)
    login(client, people["colleague"])
    after_url = _file(client, "Filed after")
    with app.app_context():
        rows = {c.title: c for c in db.session.execute(sa.select(Complaint)).scalars()}
        entries = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.object_type == "complaints").order_by(AuditEntry.id)).scalars().all()
        filed = [(e.action, e.object_id) for e in entries]
    before, anonymous, after = (rows[t] for t in ("Filed before", "The anonymous idea",
                                                  "Filed after"))
    assert {before.id, anonymous.id, after.id} == {1, 2, 3}  # the rows do count up...
    for row in rows.values():  # ...but people only ever see a random code
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", row.reference)
    assert (before_url, after_url) == (f"/complaints/{before.reference}",
                                       f"/complaints/{after.reference}")
    # The audit log knows the signed ones by their codes, and nothing of the other one.
    assert filed == [("complaint.file", before.reference), ("complaint.file", after.reference)]

    login(client, people["supervisor"])
    pages = {path: client.get(path).get_data(as_text=True) for path in (
        "/complaints/all", "/oversight/audit", "/oversight/supervision",
        *(f"/complaints/{row.reference}" for row in rows.values()))}
    for path, html in pages.items():
        for row in rows.values():  # no row id in any link
            assert f'/complaints/{row.id}"' not in html and f"/complaints/{row.id}/" not in html
        assert anonymous.reference not in html or path in ("/complaints/all",
                                                           f"/complaints/{anonymous.reference}")
    audit_page = pages["/oversight/audit"]
    assert before.reference in audit_page and after.reference in audit_page
    for row in rows.values():  # the object column never says "complaints 2"
        assert not re.search(rf"complaints\s+{row.id}\s*<", audit_page)
    queue = pages["/complaints/all"]
    shown = sorted(rows.values(), key=lambda row: queue.index(row.title))
    assert shown == sorted(rows.values(), key=lambda row: row.reference)  # not filing order
    suggestion_page = pages[f"/complaints/{anonymous.reference}"]
    assert not re.search(r"\d{1,2}:\d{2}", suggestion_page.split("<main", 1)[-1])  # a day only


def test_references_are_random_not_counting(app, people):
    from app.auth.models import User
    from app.complaints import services as svc

    with app.app_context():
        author = db.session.get(User, people["learner"].id)
        references = [svc.file(author, kind="complaint", topic="training", title=f"T{i}",
                               body="b").reference for i in range(30)]
        db.session.commit()
    assert len(set(references)) == 30
    assert references != sorted(references)  # filing order is not the codes' order


def test_a_counting_id_in_the_url_finds_nothing(app, client, people):
    login(client, people["learner"])
    url = _file(client, "Mine")
    assert client.get(url).status_code == 200
    assert client.get(url.lower()).status_code == 200  # a code typed in lower case
    assert client.get("/complaints/1").status_code == 404


def test_complaints_cannot_be_anonymous_and_name_only_the_authors_own_results(
        app, client, people):
    login(client, people["learner"])
    refused = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "assessment", "title": "Unfair", "body": "…",
        "anonymous": "y"})
    assert "Complaints are not anonymous" in refused.get_data(as_text=True)
    foreign = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "assessment", "title": "Not mine", "body": "…",
        "subject": "attempt:999"})
    assert foreign.status_code == 200  # not one of the offered choices
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Complaint)
                                  ).scalar() == 0


def test_handling_answers_the_author_and_is_audited(app, client, people):
    login(client, people["learner"])
    done = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "assessment", "title": "Question 4 key is wrong",
        "body": "Option B is also correct."})
    path = done.headers["Location"]
    login(client, people["colleague"])
    assert client.get(path).status_code == 404
    login(client, people["manager"])
    assert client.get(path).status_code == 404
    assert post_form(client, f"{path}/handle", {"state": "investigating"},
                     token_from="/complaints/").status_code == 403
    login(client, people["supervisor"])
    no_answer = post_form(client, f"{path}/handle", {"state": "resolved"}, token_from=path,
                          follow_redirects=True)
    assert "Write the response the author will read" in no_answer.get_data(as_text=True)
    bad_link = post_form(client, f"{path}/handle", {"state": "investigating",
                                                    "linked_path": "javascript:alert(1)"},
                         token_from=path, follow_redirects=True)
    assert "Link to a page of this application" in bad_link.get_data(as_text=True)
    post_form(client, f"{path}/handle", {
        "state": "resolved", "owner": str(people["supervisor"].id),
        "response": "Confirmed: the key was corrected and the exam regraded.",
        "action_taken": "Regrade of question 4.", "linked_path": "/exam-results/"},
        token_from=path)
    login(client, people["learner"])
    html = client.get(path).get_data(as_text=True)
    assert "the key was corrected" in html
    assert 'href="/exam-results/"' not in html  # trainers' page: the author may not open it
    assert "has been answered" in client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
        assert "complaint.file" in actions and "complaint.handle" in actions


def test_a_complaint_can_name_the_authors_exam_attempt(app, client, people):
    from app.database import utcnow
    from app.exams import attempts
    from app.exams.models import Exam
    from tests.evaluations.builders import user

    exam_id = make_exam(app, review_when="after_submit")
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        attempt = attempts.start_attempt(exam, user(people["learner"]), utcnow())
        attempts.submit_attempt(attempt, utcnow())
        db.session.commit()
        attempt_id = attempt.id
    login(client, people["learner"])
    form = client.get("/complaints/new").get_data(as_text=True)
    assert f'value="attempt:{attempt_id}"' in form
    done = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "assessment", "title": "Marking",
        "body": "Please re-check.", "subject": f"attempt:{attempt_id}"})
    assert done.status_code == 302
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"/exams/attempts/{attempt_id}/result" in html


def test_a_matter_is_received_on_the_day_people_count_not_the_utc_day(app, client, people):
    # A zone whose day is not UTC's at this moment (+14 h after midday UTC, -12 h before).
    zone = "Etc/GMT-14" if utcnow().hour >= 12 else "Etc/GMT+12"
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    login(client, people["learner"])
    response = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "training", "title": "Late day", "body": "…"},
        token_from="/complaints/new")
    assert response.status_code == 302
    with app.app_context():
        row = db.session.execute(sa.select(Complaint)).scalar_one()
        local = datetime.now(ZoneInfo(zone)).date()
        assert row.received_on == local != utcnow().date()
