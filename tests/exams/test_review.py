"""What learners see after an attempt: never the markers' guidance before marking, how the
attempt ended (for them and for trainers, on pages and in the files), and a review that
shows their own answers plainly."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import User
from app.database import utcnow
from app.exams import marking
from app.exams.models import Accommodation, Attempt, AttemptItem, Exam
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import csrf_token, login, post_form

GUIDANCE = "Starts from the regulator"  # TK-6's guidance for markers (tests/exams/builders.py)
ESSAY = 6


def _start(client, exam_id) -> int:
    response = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def _seq_base(client, attempt_id) -> int:
    page = client.get(f"/exams/attempts/{attempt_id}").get_data(as_text=True)
    return int(re.search(r'data-seq-base="(\d+)"', page).group(1))


def _save_all(client, attempt_id, answers: dict) -> None:
    """Autosave answers given in original indices, mapped to the page's display positions."""
    base = _seq_base(client, attempt_id)
    token = csrf_token(client, "/")
    for n, (position, response) in enumerate(answers.items(), start=1):
        reply = client.post(f"/exams/attempts/{attempt_id}/answers",
                            headers={"X-CSRFToken": token},
                            json={"position": position, "response": response, "seq": base + n})
        assert reply.status_code == 200, reply.get_json()


def _to_display(app, attempt_id, position, original):
    with app.app_context():
        order = db.session.execute(sa.select(AttemptItem.option_order).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).scalar()
    if isinstance(original, dict):
        return {k: order.index(v) for k, v in original.items()}
    return order.index(original)


def _submit(client, attempt_id, **fields):
    return post_form(client, f"/exams/attempts/{attempt_id}/submit", fields, token_from="/")


def _result(client, attempt_id) -> str:
    response = client.get(f"/exams/attempts/{attempt_id}/result")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _sit_with_essay(app, client, exam_id) -> int:
    attempt_id = _start(client, exam_id)
    _save_all(client, attempt_id, {ESSAY: "Lineage shows where each number comes from."})
    assert _submit(client, attempt_id).status_code == 302
    return attempt_id


def _mark(app, attempt_id, marker_id):
    with app.app_context():
        item_id = db.session.execute(sa.select(AttemptItem.id).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == ESSAY)).scalar()
        assert marking.mark_item(marking.entry(item_id), 2, "Good.",
                                 db.session.get(User, marker_id), utcnow())
        db.session.commit()


# --- 1. the guidance for markers -----------------------------------------------------------

POLICIES = list(itertools.product([False, True], repeat=4))  # score, correctness, answers, expl.
WINDOWS = [("after_submit", False), ("after_submit", True), ("after_close", False),
           ("after_close", True)]  # (review_when, exam closed)


def test_guidance_for_markers_is_shown_only_after_marking_with_no_attempt_left(
        app, client, signed_in, make_user):
    exam_id = make_exam(app, attempts_allowed=2)
    signed_in("learner")
    unmarked = _sit_with_essay(app, client, exam_id)
    other = app.test_client()
    other_person = make_user("learner")
    login(other, other_person)
    marked = _sit_with_essay(app, other, exam_id)
    _mark(app, marked, make_user("trainer").id)
    with app.app_context():
        assert db.session.get(Attempt, unmarked).state == "awaiting_marking"
        assert db.session.get(Attempt, marked).state == "graded"
    shown = []
    for (score, correctness, answers, explanations), (when, closed), allowed in \
            itertools.product(POLICIES, WINDOWS, (1, 2)):
        with app.app_context():
            exam = db.session.get(Exam, exam_id)
            exam.review_score, exam.review_correctness = score, correctness
            exam.review_answers, exam.review_explanations = answers, explanations
            exam.review_when, exam.attempts_allowed = when, allowed
            exam.closes_at = utcnow() + (timedelta(minutes=-1) if closed else timedelta(hours=2))
            db.session.commit()
        case = dict(score=score, correctness=correctness, answers=answers,
                    explanations=explanations, when=when, closed=closed, allowed=allowed)
        # Never before marking, whatever the policy and however many attempts are left.
        assert GUIDANCE not in _result(client, unmarked), case
        visible = when == "after_submit" or closed
        no_attempt_left = allowed == 1 or closed
        expected = answers and visible and no_attempt_left
        page = _result(other, marked)
        assert (GUIDANCE in page) == expected, case
        if expected:
            shown.append(case)
            assert "Guidance for markers" in page and 'data-testid="guidance"' in page
    # review_answers on: 8 policies × (after_submit: open with 1 allowed, closed with 1 or 2;
    # after_close: closed with 1 or 2)
    assert len(shown) == 8 * 5
    for path in ("/exams/", f"/exams/{exam_id}/"):  # nor anywhere else a learner looks
        assert GUIDANCE not in client.get(path).get_data(as_text=True)


def test_an_accommodated_extra_attempt_keeps_the_guidance_hidden(app, client, signed_in,
                                                                 make_user):
    exam_id = make_exam(app, review_when="after_submit", review_answers=True)
    person = signed_in("learner")
    attempt_id = _sit_with_essay(app, client, exam_id)
    _mark(app, attempt_id, make_user("trainer").id)
    assert GUIDANCE in _result(client, attempt_id)  # one attempt allowed, used, marked
    with app.app_context():
        db.session.add(Accommodation(exam_id=exam_id, user_id=person.id, extra_attempts=1,
                                     reason="Medical"))
        db.session.commit()
    assert GUIDANCE not in _result(client, attempt_id)


# --- 2. how the attempt ended --------------------------------------------------------------

def _deadline_in(app, attempt_id, delta: timedelta):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = utcnow() + delta
        db.session.commit()


def _trainer_views(app, make_user, exam_id, attempt_id):
    trainer = app.test_client()
    login(trainer, make_user("trainer"))
    table = trainer.get(f"/exam-results/exams/{exam_id}").get_data(as_text=True)
    row = table[table.index('data-testid="attempts-table"'):]
    row = row[:row.index("</table>")]
    page = trainer.get(f"/exam-results/attempts/{attempt_id}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(trainer.get(
        f"/exam-results/exams/{exam_id}/results.csv").data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(trainer.get(
        f"/exam-results/exams/{exam_id}/results.xlsx").data)).active
    return row, page, rows, list(sheet.iter_rows(values_only=True))


def test_the_pages_own_submission_at_the_deadline_says_time_ran_out_everywhere(
        app, client, signed_in, make_user):
    exam_id = make_exam(app, review_when="after_submit")
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    _deadline_in(app, attempt_id, timedelta(seconds=-2))  # the countdown has just run out
    assert _submit(client, attempt_id, ended="deadline").status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.expired and attempt.finished_at == attempt.deadline_at
    result = _result(client, attempt_id)
    assert 'data-testid="time-ran-out"' in result and "Time ran out" in result
    table, page, rows, cells = _trainer_views(app, make_user, exam_id, attempt_id)
    label = "Time ran out: submitted automatically"
    assert label in table and label in page
    column = rows[0].index("How it ended")
    assert rows[1][column] == label and cells[1][column] == label


def test_a_persons_own_submit_is_told_apart_from_time_running_out(app, client, signed_in,
                                                                  make_user):
    exam_id = make_exam(app, review_when="after_submit")
    signed_in("learner")
    own = _start(client, exam_id)
    # A claim that the clock ran out with most of the time left is the person's own submit.
    assert _submit(client, own, ended="deadline").status_code == 302
    with app.app_context():
        assert not db.session.get(Attempt, own).expired
    result = _result(client, own)
    assert 'data-testid="time-ran-out"' not in result
    table, page, rows, cells = _trainer_views(app, make_user, exam_id, own)
    assert "Submitted by the person" in table and "Submitted by the person" in page
    assert "Time ran out" not in table
    column = rows[0].index("How it ended")
    assert rows[1][column] == "Submitted by the person" == cells[1][column]


def test_an_abandoned_attempt_finalised_by_the_server_says_time_ran_out(app, client,
                                                                        signed_in):
    exam_id = make_exam(app, review_when="after_submit")
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    _deadline_in(app, attempt_id, timedelta(minutes=-5))  # past the deadline and its grace
    assert 'data-testid="time-ran-out"' in _result(client, attempt_id)


def test_a_save_after_submitting_says_submitted_not_time_is_up(app, client, signed_in):
    exam_id = make_exam(app)
    signed_in("learner")
    attempt_id = _start(client, exam_id)
    base = _seq_base(client, attempt_id)
    _submit(client, attempt_id)
    reply = client.post(f"/exams/attempts/{attempt_id}/answers",
                        headers={"X-CSRFToken": csrf_token(client, "/")},
                        json={"position": 3, "response": "late", "seq": base + 1})
    assert reply.status_code == 410
    assert reply.get_json()["message"].startswith("This attempt has been submitted")
    assert "Time is up" not in reply.get_json()["message"]


# --- 4. the review shows the learner's own answers plainly ---------------------------------

@pytest.fixture
def reviewed(app, client, signed_in):
    """A submitted attempt with a choice, two of three matches, a short answer and an essay."""
    def build(locale="en", **policy):
        exam_id = make_exam(app, review_when="after_submit", review_correctness=True,
                            **policy)
        signed_in("learner", locale=locale)
        attempt_id = _start(client, exam_id)
        _save_all(client, attempt_id, {
            1: _to_display(app, attempt_id, 1, 1),  # "In the customer network" (right)
            3: "MLPS 2.0",
            # PIPL → Personal information (right), DSL → Classified protection (wrong)
            4: _to_display(app, attempt_id, 4, {"0": 0, "2": 1}),
            ESSAY: "Lineage explains each number.\nIt <b>answers</b> the regulator."})
        _submit(client, attempt_id)
        return _result(client, attempt_id)
    return build


def _section(page: str, position: int) -> str:
    start = page.index(f'data-review="{position}"')
    return page[start:page.index("</section>", start)]


def _pair_lines(section: str) -> list[str]:
    listing = section[section.index('class="pair-lines"'):section.index("</ul>")]
    return re.findall(r"<li>(.*?)</li>", listing, re.S)


@pytest.mark.parametrize("locale, your_answer, no_answer", [
    ("en", "Your answer", "no answer"), ("zh_CN", "您的答案", "未作答")])
def test_the_review_marks_the_learners_choice_in_words(reviewed, locale, your_answer,
                                                       no_answer):
    page = reviewed(locale)
    single = _section(page, 1)
    chosen = re.findall(r"<li class=\"is-chosen[^\"]*\" data-chosen>(.*?)</li>", single, re.S)
    assert len(chosen) == 1 and "In the customer network" in chosen[0]
    assert f'<span class="chosen-mark">{your_answer}</span>' in chosen[0]
    assert single.count("chosen-mark") == 1
    assert "is-correct" not in single  # the key is not shown: review_answers is off
    # Matching: one line per left item, "left → chosen"; no key without review_answers.
    lines = _pair_lines(_section(page, 4))
    assert len(lines) == 3
    assert re.search(r"PIPL.*→.*Personal information", lines[0], re.S)
    assert re.search(r"MLPS 2\.0.*→.*" + no_answer, lines[1], re.S)
    assert re.search(r"DSL.*→.*Classified protection", lines[2], re.S)
    assert "right answer" not in "".join(lines) and "正确答案" not in "".join(lines)


def test_with_the_key_each_wrong_pair_shows_the_right_answer_on_its_line(reviewed):
    page = reviewed(review_answers=True)
    lines = _pair_lines(_section(page, 4))
    assert "✓ right" in lines[0] and "right answer" not in lines[0]
    assert "✗ wrong" in lines[2] and re.search(r"right answer:.*Data security", lines[2], re.S)
    single = _section(page, 1)
    assert re.search(r'class="is-chosen is-correct" data-chosen>.*In the customer network.*'
                     r"Your answer.*✓ right", single, re.S)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_the_essay_in_the_review_is_read_only_text_not_an_empty_box(reviewed, locale):
    page = reviewed(locale)
    essay = _section(page, ESSAY)
    assert "answer-box" not in essay and "<textarea" not in essay and "<input" not in essay
    text = re.search(r'<div class="answer-text essay-text" data-testid="essay-answer">(.*?)'
                     r"</div>", essay, re.S).group(1)
    assert text == "Lineage explains each number.\nIt &lt;b&gt;answers&lt;/b&gt; the regulator."
    typed = _section(page, 3)
    assert '<p class="answer-text" data-testid="typed-answer">MLPS 2.0</p>' in typed
