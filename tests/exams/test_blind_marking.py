"""Blind marking: markers see "Candidate N" until an attempt's marks are saved."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.database import utcnow
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.models import AttemptItem, Exam
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import post_form


def _sit_with_essay(app, exam_id: int, person_id: int) -> int:
    with app.app_context():
        now = utcnow()
        attempt = start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person_id),
                                now)
        save_answer(attempt, 6, "Lineage explains the regulator's numbers.", 1, now)
        submit_attempt(attempt, now)
        db.session.commit()
        return attempt.id


def _essay_item(app, attempt_id: int) -> int:
    with app.app_context():
        return db.session.execute(sa.select(AttemptItem.id).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == 6)).scalar_one()


def _switch(client, exam_id: int, on: bool):
    data = {"blind_marking": "y"} if on else {}
    return post_form(client, f"/exam-results/exams/{exam_id}/blind-marking", data,
                     token_from=f"/exam-results/exams/{exam_id}")


def test_the_switch_is_on_the_results_page_and_audited(app, client, signed_in):
    exam_id = make_exam(app)
    signed_in("trainer")
    html = client.get(f"/exam-results/exams/{exam_id}").get_data(as_text=True)
    assert 'data-testid="blind-marking-form"' in html and 'name="blind_marking"' in html
    assert _switch(client, exam_id, True).status_code == 302
    assert _switch(client, exam_id, True).status_code == 302  # unchanged: no second entry
    with app.app_context():
        assert db.session.get(Exam, exam_id).blind_marking is True
        entries = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "exam.blind_marking")).scalars().all()
        assert len(entries) == 1 and entries[0].after == {"blind_marking": True}
    _switch(client, exam_id, False)
    with app.app_context():
        assert db.session.get(Exam, exam_id).blind_marking is False


def test_learners_may_not_switch_it(app, client, signed_in):
    exam_id = make_exam(app)
    signed_in("learner")
    response = post_form(client, f"/exam-results/exams/{exam_id}/blind-marking",
                         {"blind_marking": "y"}, token_from="/")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Exam, exam_id).blind_marking is False


def test_the_queue_hides_names_until_the_mark_is_saved(app, client, signed_in, make_user):
    exam_id = make_exam(app, blind_marking=True)
    first = _sit_with_essay(app, exam_id, make_user("learner", name="Ada Alpha").id)
    second = _sit_with_essay(app, exam_id, make_user("learner", name="Ben Beta").id)
    signed_in("trainer")
    html = client.get("/exam-results/marking").get_data(as_text=True)
    assert "Ada Alpha" not in html and "Ben Beta" not in html
    assert "Candidate 1" in html and "Candidate 2" in html
    assert html.index(f'id="item-{_essay_item(app, first)}"') < html.index("Candidate 2")
    # The attempt page and the results page hide them too.
    assert "Ada Alpha" not in client.get(f"/exam-results/attempts/{first}").get_data(
        as_text=True)
    results = client.get(f"/exam-results/exams/{exam_id}").get_data(as_text=True)
    assert "Ada Alpha" not in results and "Candidate 1" in results
    exported = client.get(f"/exam-results/exams/{exam_id}/items.csv").data.decode("utf-8-sig")
    assert "Ada Alpha" not in exported and "Candidate 2" in exported
    # Marking the first attempt's only essay: its name shows; the other stays a candidate.
    response = post_form(client, f"/exam-results/marking/items/{_essay_item(app, first)}",
                         {"points": "2", "comment": ""}, token_from="/exam-results/marking",
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Mark saved: Ada Alpha" in html
    assert "Candidate 2" in html and "Ben Beta" not in html
    assert "Ada Alpha" in client.get(f"/exam-results/attempts/{first}").get_data(as_text=True)
    assert "Ben Beta" not in client.get(f"/exam-results/attempts/{second}").get_data(
        as_text=True)


def test_candidate_numbers_stay_when_others_are_marked(app, client, signed_in, make_user):
    exam_id = make_exam(app, blind_marking=True)
    first = _sit_with_essay(app, exam_id, make_user("learner", name="Ada Alpha").id)
    _sit_with_essay(app, exam_id, make_user("learner", name="Ben Beta").id)
    signed_in("trainer")
    post_form(client, f"/exam-results/marking/items/{_essay_item(app, first)}",
              {"points": "1"}, token_from="/exam-results/marking")
    html = client.get("/exam-results/marking").get_data(as_text=True)
    assert "Candidate 2" in html and "Candidate 1" not in html


def test_without_blind_marking_names_show(app, client, signed_in, make_user):
    exam_id = make_exam(app)
    _sit_with_essay(app, exam_id, make_user("learner", name="Ada Alpha").id)
    signed_in("trainer")
    assert "Ada Alpha" in client.get("/exam-results/marking").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/exam-results/exams/{exam_id}/results.csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "Ada Alpha"
