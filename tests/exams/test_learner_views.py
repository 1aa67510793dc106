"""Learners take exams through the pages: start, autosave, form posts, submit, results."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.exams.models import Attempt, AttemptItem, Exam
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import csrf_token, login, post_form


@pytest.fixture
def exam_id(app):
    return make_exam(app, review_when="after_submit", review_correctness=True,
                     review_answers=True, review_explanations=True)


def _start(client, exam_id) -> int:
    response = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def _save(client, attempt_id, position, response, seq, token=None):
    token = token or csrf_token(client, f"/exams/attempts/{attempt_id}")
    return client.post(f"/exams/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token},
                       json={"position": position, "response": response, "seq": seq})


def _seq_base(html: str) -> int:
    return int(re.search(r'data-seq-base="(\d+)"', html).group(1))


def test_my_exams_lists_the_open_exam_and_the_start_page_starts_it(client, signed_in, exam_id):
    signed_in("learner")
    assert "Quarterly product exam" in client.get("/exams/").get_data(as_text=True)
    attempt_id = _start(client, exam_id)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count('data-question="') == 6 and "data-countdown" in page


def test_the_attempt_page_never_contains_keys_or_explanations(client, signed_in, exam_id):
    signed_in("learner")
    page = client.get(f"/exams/attempts/{_start(client, exam_id)}").get_data(as_text=True)
    assert "They sit next to the sources" not in page          # explanation
    assert "MLPS 2.0" not in page.split("Name the classified")[1].split("</section>")[0]
    assert '"correct"' not in page and "is-correct" not in page


def test_autosave_keeps_answers_through_a_reload_and_resyncs_the_clock(client, signed_in,
                                                                       exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    reply = _save(client, attempt_id, 3, "mlps 2.0", base + 1)
    assert reply.status_code == 200 and reply.get_json()["saved"] is True
    assert 0 < reply.get_json()["remaining"] <= 30 * 60
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    assert 'value="mlps 2.0"' in page
    assert _seq_base(page) > base  # a newer page outranks the older one


def test_a_stale_page_cannot_overwrite_a_newer_answer(client, signed_in, exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    old = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    new = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    assert _save(client, attempt_id, 3, "from the new tab", new + 1).status_code == 200
    stale = _save(client, attempt_id, 3, "from the old tab", old + 5)
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale"
    assert 'value="from the new tab"' in client.get(
        f"/exams/attempts/{attempt_id}").get_data(as_text=True)


def test_the_same_save_sent_again_is_acknowledged_a_different_one_is_not(
        client, signed_in, exam_id):
    # A retry after a lost reply (a proxy's 502 after the app had stored it) carries the
    # same seq and answer: it is saved, not "stale". Another answer at that seq is refused.
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    assert _save(client, attempt_id, 3, "MLPS 2.0", base + 1).status_code == 200
    again = _save(client, attempt_id, 3, "MLPS 2.0", base + 1)
    assert again.status_code == 200 and again.get_json()["saved"] is True
    other = _save(client, attempt_id, 3, "something else", base + 1)
    assert other.status_code == 409 and other.get_json()["error"] == "stale"


def test_a_save_after_the_deadline_is_refused_and_earlier_answers_are_graded(
        app, client, signed_in, exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    token = csrf_token(client, "/")
    assert _save(client, attempt_id, 1, 1, base + 1, token).status_code == 200
    with app.app_context():  # the clock runs out: move the deadline into the past
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = attempt.deadline_at - timedelta(hours=1)
        db.session.commit()
    late = _save(client, attempt_id, 3, "MLPS 2.0", base + 2, token)
    assert late.status_code == 410 and "Everything saved before" in late.get_json()["message"]
    result = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "submitted automatically at the deadline" in result
    assert re.search(r'data-testid="score">1 / 10 ', result)


def _display_value(page: str, field: str, text: str) -> str:
    """The display position the page gives the option showing ``text`` in ``field``."""
    select = re.search(rf'name="{field}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(rf'<option value="(\d+)"[^>]*>{re.escape(text)}</option>', select).group(1)


def test_without_javascript_the_form_post_saves_and_submits(app, client, signed_in, exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    rights = {"q-4-0": "Personal information", "q-4-1": "Classified protection",
              "q-4-2": "Data security"}
    form = {"q-1": "1", "q-2": ["0", "1"], "q-3": " mlps 2.0 ",
            "q-6": "Lineage shows where numbers come from.", "action": "submit"}
    form.update({name: _display_value(page, name, text) for name, text in rights.items()})
    # Ordering: rank each shown item by its place in the right order.
    shown = re.findall(r'<li data-item="(\d+)"><span class="markdown inline"><p>(\w+)</p>',
                       page)
    right = ["Qualify", "Discover", "Design"]
    form.update({f"q-5-{j}": str(right.index(text) + 1) for j, text in shown})
    response = post_form(client, f"/exams/attempts/{attempt_id}/form", form,
                         token_from=f"/exams/attempts/{attempt_id}")
    assert response.location.endswith(f"/exams/attempts/{attempt_id}/result")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == "awaiting_marking" and attempt.score == 7.0


def test_the_page_does_not_give_away_matching_or_ordering_keys(client, signed_in, exam_id):
    signed_in("learner")
    page = client.get(f"/exams/attempts/{_start(client, exam_id)}").get_data(as_text=True)
    shown = [text for _, text in re.findall(
        r'<li data-item="(\d+)"><span class="markdown inline"><p>(\w+)</p>', page)]
    assert shown != ["Qualify", "Discover", "Design"]  # never shown in the right order
    for left, text in (("0", "Personal information"), ("1", "Classified protection"),
                       ("2", "Data security")):
        # A select's option values are display positions: matching them to the left
        # item's own number must not find the key.
        assert _display_value(page, f"q-4-{left}", text) in "012"
    values = [_display_value(page, f"q-4-{n}", t) for n, t in
              (("0", "Personal information"), ("1", "Classified protection"),
               ("2", "Data security"))]
    assert values != ["0", "1", "2"]


def test_submitting_twice_is_harmless_and_the_result_follows_the_review_policy(
        app, client, signed_in, exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    _save(client, attempt_id, 1, 0, base + 1)
    for _ in range(2):
        post_form(client, f"/exams/attempts/{attempt_id}/submit",
                  token_from="/")
    result = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "They sit next to the sources" in result  # explanations allowed after submit
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.review_when = "after_close"
        db.session.commit()
    hidden = client.get(f"/exams/attempts/{attempt_id}/result").get_data(as_text=True)
    assert 'data-testid="result-hidden"' in hidden and "They sit next" not in hidden
    assert "In the customer network" not in hidden


def test_nobody_reads_or_changes_another_persons_attempt(app, client, signed_in, make_user,
                                                         exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    intruder = app.test_client()
    login(intruder, make_user("learner", "trainer", "admin"))
    token = csrf_token(intruder, "/")
    for path in (f"/exams/attempts/{attempt_id}", f"/exams/attempts/{attempt_id}/result"):
        assert intruder.get(path).status_code == 404
    assert intruder.post(f"/exams/attempts/{attempt_id}/answers", json={
        "position": 1, "response": 0, "seq": 10**9}, headers={"X-CSRFToken": token}
    ).status_code == 404
    assert intruder.post(f"/exams/attempts/{attempt_id}/submit",
                         data={"csrf_token": token}).status_code == 404


def test_a_person_outside_the_audience_cannot_see_or_start(app, client, signed_in, exam_id):
    from app.exams.models import ExamAudience

    person = signed_in("learner")
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.audience = "people"
        db.session.add(ExamAudience(exam_id=exam_id, user_id=person.id + 1000)
                       if False else ExamAudience(exam_id=exam_id, team_id=None,
                                                  user_id=_someone_else(app)))
        db.session.commit()
    assert "Quarterly product exam" not in client.get("/exams/").get_data(as_text=True)
    assert client.get(f"/exams/{exam_id}/").status_code == 404


def _someone_else(app) -> int:
    from app.auth.models import User

    other = User(email="someone.else@example.com", display_name="Else", locale="en")
    db.session.add(other)
    db.session.flush()
    return other.id


def test_an_expired_session_gets_a_sign_in_again_answer_not_a_redirect(client, signed_in,
                                                                       exam_id, app):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    token = csrf_token(client, f"/exams/attempts/{attempt_id}")
    post_form(client, "/logout", token_from="/")
    reply = client.post(f"/exams/attempts/{attempt_id}/answers", headers={
        "X-CSRFToken": token, "Accept": "application/json"}, json={"position": 1, "seq": 1,
                                                                  "response": 0})
    assert reply.status_code in (400, 401)  # CSRF session gone or signed out: nothing saved
    with app.app_context():
        item = db.session.execute(sa.select(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == 1)).scalar_one()
        assert item.response is None


def test_page_save_and_submit_cost_the_same_statements_for_small_and_large_exams(
        app, client, signed_in):
    from tests.courses.test_views import count_queries

    counts = []
    for size in (5, 100):
        exam_id = _exam_with(app, size)
        client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
        signed_in("learner")
        attempt_id = _start(client, exam_id)
        token = csrf_token(client, "/")
        with count_queries(app) as page:
            client.get(f"/exams/attempts/{attempt_id}")
        with count_queries(app) as save:
            client.post(f"/exams/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token},
                        json={"position": 1, "response": 0, "seq": 10**9})
        with count_queries(app) as submit:
            client.post(f"/exams/attempts/{attempt_id}/submit", data={"csrf_token": token})
        counts.append(tuple(len([s for s in stmts if not s.startswith(("BEGIN", "COMMIT"))])
                            for stmts in (page, save, submit)))
        post_form(client, "/logout", token_from="/")
    assert counts[0] == counts[1], counts
    # 1 sign-in lookup (session, person and roles), then the save's own three: read the
    # served question, share-lock the open attempt, UPDATE.
    assert counts[0][1] <= 1 + 3


def _exam_with(app, size: int) -> int:
    from app.banks.markdown_format import parse_bank
    from app.banks.services import import_banks
    from app.database import utcnow
    from app.exams.models import ExamRule

    text = ("---\nid: size-" + str(size) + "\ntitle: S\narea: product\nlanguage: en\n---\n\n"
            + "".join(f"## S{size}-{n}\ntype: single\n\nQuestion {n}?\n\n- [x] A\n- [ ] B\n\n"
                      for n in range(size)))
    with app.app_context():
        bank, _ = parse_bank(text, "s.md")
        import_banks([bank], actor_label="test")
        now = utcnow()
        exam = Exam(title=f"Size {size}", opens_at=now - timedelta(minutes=1),
                    closes_at=now + timedelta(hours=1), time_limit_minutes=30,
                    published_at=now)
        exam.rules = [ExamRule(position=1, kind="fixed",
                               question_ids=[f"S{size}-{n}" for n in range(size)])]
        db.session.add(exam)
        db.session.commit()
        return exam.id


def test_a_malformed_answer_never_breaks_the_attempt_page(client, signed_in, exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True))
    for position, response in ((4, 7), (5, {"x": 1}), (1, [3]), (2, "text")):
        assert _save(client, attempt_id, position, response, base + position).status_code == 200
    assert client.get(f"/exams/attempts/{attempt_id}").status_code == 200


def test_my_exams_costs_the_same_queries_for_one_exam_or_many(app, client, signed_in):
    from tests.courses.test_views import count_queries

    signed_in("learner", team="East")
    _exam_with(app, 3)
    with count_queries(app) as one:
        client.get("/exams/")
    for size in (4, 5, 6):
        _exam_with(app, size)
    with count_queries(app) as many:
        html = client.get("/exams/").get_data(as_text=True)
    assert html.count("Size ") == 4
    assert len(one) == len(many)


def test_a_save_whose_body_is_not_an_object_is_refused_with_a_message(client, signed_in,
                                                                       exam_id):
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    token = csrf_token(client, f"/exams/attempts/{attempt_id}")
    for body in ([1, 2], 7, "text", None):
        reply = client.post(f"/exams/attempts/{attempt_id}/answers",
                            headers={"X-CSRFToken": token}, json=body)
        assert reply.status_code == 400
        assert reply.get_json()["message"] == "The save was not understood."
