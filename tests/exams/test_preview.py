"""Preview as a learner: the attempt page on one draw, with the timer, recording nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.banks.models import QuestionBank
from app.exams.models import Attempt, AttemptItem, Exam, ExamRule
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import csrf_token, post_form

TOKEN_RE = re.compile(r"/exam-preview/\d+/([^/?#]+)$")


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.execute(sa.select(sa.func.count()).select_from(model))
                     .scalar_one() for model in (Attempt, AttemptItem, AuditEntry))


def _open_preview(client, exam_id: int) -> tuple[str, str]:
    response = client.get(f"/exam-preview/{exam_id}/")
    assert response.status_code == 302
    url = response.location
    assert TOKEN_RE.search(url), url
    return url, client.get(url).get_data(as_text=True)


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def test_the_preview_is_the_learners_attempt_page_with_the_timer(app, client, trainer):
    exam_id = make_exam(app, minutes=25)
    before = _counts(app)
    url, html = _open_preview(client, exam_id)
    assert 'data-testid="preview-banner"' in html
    assert "js/attempt/page.js" in html and "data-countdown" in html
    assert re.search(r'data-remaining="(14\d\d|1500)"', html)  # the full 25 minutes
    assert html.count('class="card question"') == 6
    assert f'data-save-url="{url}/answers"' in html
    assert "Submit the exam" in html
    # No key on the learner's page.
    assert "is-correct" not in html and "They sit next to the sources" not in html
    assert _counts(app) == before


def test_saving_and_submitting_a_preview_stores_nothing(app, client, trainer):
    exam_id = make_exam(app)
    url, html = _open_preview(client, exam_id)
    before = _counts(app)
    token = csrf_token(client, url)
    reply = client.post(f"{url}/answers", json={"position": 1, "response": 0, "seq": 1},
                        headers={"X-CSRFToken": token})
    assert reply.status_code == 200
    assert reply.json["saved"] is True and reply.json["seq"] == 1
    assert 0 < reply.json["remaining"] <= 30 * 60
    bad = client.post(f"{url}/answers", json={"position": 99, "response": 0, "seq": 2},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    form = post_form(client, f"{url}/form", {"q-1": "0", "action": "save"}, token_from=url)
    assert form.status_code == 302 and form.location.endswith(url.split("localhost")[-1])
    submitted = post_form(client, f"{url}/submit", {"ended": ""}, token_from=url)
    assert submitted.status_code == 302 and submitted.location.endswith("/key")
    assert _counts(app) == before
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam is not None and exam.published_at is not None


def test_the_key_shows_the_same_draw_with_answers_and_feedback(app, client, trainer):
    exam_id = make_exam(app, shuffle_questions=True)
    url, html = _open_preview(client, exam_id)
    served = re.findall(r"<h2>Question (\d+)</h2>", html)
    key = client.get(f"{url}/key").get_data(as_text=True)
    ids = re.findall(r"<code>(TK-\d)</code>", key)
    assert sorted(ids) == [f"TK-{n}" for n in range(1, 7)] and len(served) == 6
    assert "is-correct" in key and "✓" in key
    assert "They sit next to the sources" in key  # the explanation (feedback)
    assert "Guidance for markers" in key
    # The key follows the preview's order: the served stems appear in the same order.
    stems = {"TK-1": "Where do DataHub agents run?", "TK-6": "Why does lineage matter"}
    order_key = sorted(stems, key=lambda qid: ids.index(qid))
    order_page = sorted(stems, key=lambda qid: html.index(stems[qid]))
    assert order_key == order_page


def test_draw_again_gives_a_fresh_draw(app, client, trainer):
    exam_id = make_exam(app)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        bank_pk = db.session.execute(sa.select(QuestionBank.id)).scalar_one()
        exam.rules = [ExamRule(position=1, kind="random", bank_pk=bank_pk, count=2)]
        db.session.commit()
    draws = set()
    for _ in range(12):
        url, html = _open_preview(client, exam_id)
        assert html.count('class="card question"') == 2
        key = client.get(f"{url}/key").get_data(as_text=True)
        draws.add(tuple(sorted(re.findall(r"<code>(TK-\d)</code>", key))))
    assert len(draws) > 1  # 15 possible pairs: twelve equal draws would be a broken draw


def test_an_unpublished_exam_can_be_previewed(app, client, trainer):
    exam_id = make_exam(app)
    with app.app_context():
        db.session.get(Exam, exam_id).published_at = None
        db.session.commit()
    _, html = _open_preview(client, exam_id)
    assert 'data-testid="preview-banner"' in html


def test_a_forged_or_foreign_token_is_not_found(app, client, trainer):
    exam_id = make_exam(app)
    other = make_exam(app)
    url, _ = _open_preview(client, exam_id)
    token = TOKEN_RE.search(url)[1]
    assert client.get(f"/exam-preview/{other}/{token}").status_code == 404
    assert client.get(f"/exam-preview/{exam_id}/{token}x").status_code == 404
    assert client.get(f"/exam-preview/{exam_id}/nonsense/key").status_code == 404


def test_the_clock_runs_from_the_start_of_the_preview(app):
    from datetime import UTC, datetime

    from app.exams import preview

    with app.app_context():
        exam_id = make_exam(app, minutes=10)
        exam = db.session.get(Exam, exam_id)
        start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
        token = preview.new_preview(exam, start, "secret")
        found = preview.read_preview(exam, token, "secret")
        assert found is not None and len(found.items) == 6
        assert found.remaining_seconds(exam, start + timedelta(minutes=4)) == 360
        assert found.remaining_seconds(exam, start + timedelta(hours=1)) == 0
        assert preview.read_preview(exam, token, "another secret") is None


def test_learners_may_not_preview(app, client, signed_in):
    exam_id = make_exam(app)
    signed_in("learner")
    assert client.get(f"/exam-preview/{exam_id}/").status_code == 403


def test_the_exam_page_links_to_the_preview(app, client, trainer):
    exam_id = make_exam(app)
    html = client.get(f"/exam-admin/{exam_id}").get_data(as_text=True)
    assert f'href="/exam-preview/{exam_id}/"' in html


def test_an_exam_without_sections_previews_empty_and_says_so(app, client, trainer):
    exam_id = make_exam(app)
    with app.app_context():
        db.session.get(Exam, exam_id).rules = []
        db.session.commit()
    url, html = _open_preview(client, exam_id)
    assert 'class="card question"' not in html
    assert "draws no questions yet" in client.get(f"{url}/key").get_data(as_text=True)


def test_a_save_that_is_not_json_is_refused_not_an_error(app, client, trainer):
    exam_id = make_exam(app)
    url, _ = _open_preview(client, exam_id)
    token = csrf_token(client, url)
    for body in ([1, 2], "text", {"position": "1", "seq": 1}):
        reply = client.post(f"{url}/answers", json=body, headers={"X-CSRFToken": token})
        assert reply.status_code == 400


def test_a_save_after_the_preview_time_is_refused_as_a_learners_would_be(app, client, trainer):
    from datetime import UTC, datetime

    from app.exams import preview

    exam_id = make_exam(app, minutes=10)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        token = preview.new_preview(exam, datetime(2026, 1, 1, tzinfo=UTC), app.secret_key)
    url = f"/exam-preview/{exam_id}/{token}"
    assert 'data-remaining="0"' in client.get(url).get_data(as_text=True)
    reply = client.post(f"{url}/answers", json={"position": 1, "response": 0, "seq": 1},
                        headers={"X-CSRFToken": csrf_token(client, url)})
    assert reply.status_code == 410 and reply.json["error"] == "closed"
