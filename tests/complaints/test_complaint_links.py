"""A complaint's page links only to pages its reader may open (never to a 403)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.complaints import services as svc
from app.complaints.models import Complaint
from app.extensions import db
from tests.evaluations.builders import user
from tests.exams.builders import make_exam
from tests.helpers import login, post_form, switch_to


@pytest.fixture
def people(app, make_user):
    return {"author": make_user("learner", name="Li Wei"), "other": make_user("learner"),
            "supervisor": make_user("supervisor")}


def _filed_and_answered(app, client, people, linked_path: str, subject: str = "") -> str:
    """The author files a complaint; a supervisor answers it, linking ``linked_path``."""
    login(client, people["author"])
    filed = post_form(client, "/complaints/new", {
        "kind": "complaint", "topic": "assessment", "title": "Question 4 key is wrong",
        "body": "Option B is also correct.", "subject": subject})
    assert filed.status_code == 302
    with app.app_context():
        complaint = db.session.execute(sa.select(Complaint)).scalar_one()
        svc.handle(complaint, user(people["supervisor"]), state="resolved", owner=None,
                   response="Corrected.", action_taken="Regraded.", linked_path=linked_path)
        db.session.commit()
    return filed.headers["Location"]


def _page(client, person, path) -> str:
    switch_to(client, person)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _opens(client, href: str) -> int:
    return client.get(href).status_code


def test_a_page_only_the_supervision_group_opens_is_linked_for_them_only(app, client, people):
    page = _filed_and_answered(app, client, people, "/exam-results/")  # trainers only
    author_html = _page(client, people["author"], page)
    assert "Corrected." in author_html
    assert 'href="/exam-results/"' not in author_html and "/exam-results/" not in author_html
    assert _opens(client, "/exam-results/") == 403  # what the link used to lead to
    supervisor_html = _page(client, people["supervisor"], page)
    assert 'href="/exam-results/"' not in supervisor_html  # supervisors cannot open it either
    assert "<code>/exam-results/</code>" in supervisor_html  # but see what was linked


def test_a_record_of_the_author_is_linked_for_both_and_another_persons_for_the_group(
        app, client, people):
    own = f"/people/{people['author'].id}/archive"
    page = _filed_and_answered(app, client, people, own)
    assert f'href="{own}"' in _page(client, people["author"], page)
    assert _opens(client, own) == 200
    assert f'href="{own}"' in _page(client, people["supervisor"], page)
    assert _opens(client, own) == 200


def test_another_persons_page_is_not_linked_for_the_author(app, client, people):
    theirs = f"/people/{people['other'].id}/archive?period=1#top"
    page = _filed_and_answered(app, client, people, theirs)
    assert f"/people/{people['other'].id}/" not in _page(client, people["author"], page)
    assert _opens(client, theirs) == 404
    assert f'href="{theirs}"' in _page(client, people["supervisor"], page)
    assert _opens(client, theirs) == 200


def test_a_path_that_is_no_page_is_not_linked(app, client, people):
    page = _filed_and_answered(app, client, people, "/no/such/page")
    assert 'href="/no/such/page"' not in _page(client, people["author"], page)
    assert 'href="/no/such/page"' not in _page(client, people["supervisor"], page)


def test_the_attempt_named_is_linked_only_where_the_reader_may_open_it(app, client, people):
    from app.database import utcnow
    from app.exams import attempts
    from app.exams.models import Exam

    exam_id = make_exam(app, review_when="after_submit")
    with app.app_context():
        attempt = attempts.start_attempt(db.session.get(Exam, exam_id), user(people["author"]),
                                         utcnow())
        attempts.submit_attempt(attempt, utcnow())
        db.session.commit()
        attempt_id = attempt.id
    page = _filed_and_answered(app, client, people, "", subject=f"attempt:{attempt_id}")
    assert f'href="/exams/attempts/{attempt_id}/result"' in _page(client, people["author"], page)
    supervisor_html = _page(client, people["supervisor"], page)
    assert "an exam attempt" in supervisor_html
    assert 'href="/exam-results/' not in supervisor_html  # trainers' pages: 403 for them
