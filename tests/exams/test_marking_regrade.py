"""Marking essays by hand and regrading after a key correction, through the trainers' pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.banks.markdown_format import parse_bank
from app.banks.models import QuestionVersion
from app.banks.services import import_banks
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.models import Attempt, AttemptItem, AttemptState, Exam, ExamRule
from app.extensions import db
from tests.helpers import post_form

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY_V1 = "- [ ] In the cloud\n- [x] In the customer network\n- [ ] On a laptop"
KEY_V2 = "- [x] In the cloud\n- [ ] In the customer network\n- [ ] On a laptop"

BANK = f"""---
id: marking-bank
title: Marking bank
area: product
language: en
---

## MR-1
type: single

Where do agents run?

{KEY_V1}

## MR-2
type: multiple
points: 2

Which protocols does DataHub SSO support?

- [x] SAML 2.0
- [x] OpenID Connect
- [ ] Telnet

## MR-3
type: essay
points: 5

Explain the value of lineage to a bank's CDO.

- Names the regulator's question
- Quantifies the saving

## MR-4
type: essay
points: 2

Name one risk of a proof of concept.
"""


def _import(app, text=BANK):
    with app.app_context():
        bank, issues = parse_bank(text, "marking-bank.md")
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        db.session.commit()


def _exam(app, questions=("MR-1", "MR-2", "MR-3", "MR-4"), title="Q4 exam") -> int:
    with app.app_context():
        exam = Exam(title=title, opens_at=T0, closes_at=T0 + timedelta(hours=3),
                    time_limit_minutes=60, published_at=T0 - timedelta(days=1))
        exam.rules = [ExamRule(position=1, kind="fixed", question_ids=list(questions))]
        db.session.add(exam)
        db.session.commit()
        return exam.id


def _sit(app, exam_id, person, answers: dict, minute: int = 0) -> int:
    """Start, answer (position → response) and submit, on the exam's clock."""
    with app.app_context():
        now = T0 + timedelta(minutes=minute)
        attempt = start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person.id),
                                now)
        for seq, (position, response) in enumerate(answers.items(), start=1):
            save_answer(attempt, position, response, seq, now + timedelta(seconds=seq))
        submit_attempt(attempt, now + timedelta(minutes=5))
        db.session.commit()
        return attempt.id


def _item(attempt_id: int, position: int) -> AttemptItem:
    return db.session.execute(sa.select(AttemptItem).where(
        AttemptItem.attempt_id == attempt_id, AttemptItem.position == position)).scalar_one()


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == action).order_by(AuditEntry.id)).scalars())


@pytest.fixture
def sat(app, make_user):
    """One learner's attempt: MR-1 and MR-2 right (3 points), two essays written."""
    _import(app)
    exam_id = _exam(app)
    learner = make_user("learner", name="Lin <b>Wei</b>")
    attempt_id = _sit(app, exam_id, learner, {
        1: 1, 2: [0, 1], 3: "Lineage <script>alert(1)</script> answers the regulator.",
        4: "Scope creep."})
    return exam_id, attempt_id


# --- marking -----------------------------------------------------------------------------

def test_the_queue_shows_essays_oldest_first_with_the_answer_escaped(app, client, signed_in,
                                                                     sat):
    signed_in("trainer")
    html = client.get("/exam-results/marking").get_data(as_text=True)
    assert "Q4 exam" in html and "Explain the value of lineage" in html
    assert "Names the regulator" in html  # the marker guidance
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Lin &lt;b&gt;Wei&lt;/b&gt;" in html  # markers see (escaped) names
    assert html.index("Explain the value") < html.index("Name one risk")


def test_marking_the_last_essay_grades_the_attempt_and_is_audited(app, client, signed_in,
                                                                  sat):
    _, attempt_id = sat
    trainer = signed_in("trainer")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == AttemptState.AWAITING_MARKING
        essay, short = _item(attempt_id, 3).id, _item(attempt_id, 4).id
    response = post_form(client, f"/exam-results/marking/items/{essay}",
                         {"points": "3.5", "comment": "Good, but no figures."},
                         token_from="/exam-results/marking")
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.state == AttemptState.AWAITING_MARKING  # MR-4 still waits
        assert attempt.score == 6.5
    post_form(client, f"/exam-results/marking/items/{short}", {"points": "2"},
              token_from="/exam-results/marking")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        item = _item(attempt_id, 3)
        assert (attempt.state, attempt.score) == (AttemptState.GRADED, 8.5)
        assert (item.score, item.status, item.marker_comment) == (3.5, "marked",
                                                                  "Good, but no figures.")
        assert item.marked_by_id == trainer.id and item.marked_at is not None
        entries = _audit("exam.mark")
        assert len(entries) == 2 and entries[0].object_id == str(essay)
        assert entries[0].before["score"] is None and entries[0].after["score"] == 3.5
        assert entries[1].after["attempt_state"] == AttemptState.GRADED
    assert "Nothing to mark" in client.get("/exam-results/marking").get_data(as_text=True)


@pytest.mark.parametrize("points,error", [
    ("5.01", "Give between 0 and 5 points."), ("-1", "Give between 0 and 5 points."),
    ("1.234", "Use at most two decimals."), ("", "Give the points."),
    ("NaN", "Give between 0 and 5 points."),
])
def test_points_outside_the_bounds_are_refused_with_a_field_error(app, client, signed_in, sat,
                                                                  points, error):
    _, attempt_id = sat
    signed_in("trainer")
    with app.app_context():
        essay = _item(attempt_id, 3).id
    response = post_form(client, f"/exam-results/marking/items/{essay}", {"points": points},
                         token_from="/exam-results/marking")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert _item(attempt_id, 3).status == "needs_marking"
        assert _audit("exam.mark") == []


def test_a_correction_is_audited_with_before_and_after(app, client, signed_in, sat):
    _, attempt_id = sat
    signed_in("trainer")
    with app.app_context():
        essay, short = _item(attempt_id, 3).id, _item(attempt_id, 4).id
    for item_id, points in ((essay, "3"), (short, "1")):
        post_form(client, f"/exam-results/marking/items/{item_id}", {"points": points},
                  token_from="/exam-results/marking")
    page = f"/exam-results/attempts/{attempt_id}"
    assert "Correct the mark" in client.get(page).get_data(as_text=True)
    response = post_form(client, f"/exam-results/marking/items/{essay}",
                         {"points": "4.25", "comment": "Re-read: figures are there.",
                          "back": "attempt"}, token_from=page)
    assert response.location.endswith(page)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.state, attempt.score) == (AttemptState.GRADED, 8.25)
        last = _audit("exam.mark")[-1]
        assert (last.before["score"], last.after["score"]) == (3.0, 4.25)
        assert last.after["comment"] == "Re-read: figures are there."


def test_only_written_answers_can_be_marked(app, client, signed_in, sat):
    _, attempt_id = sat
    signed_in("trainer")
    with app.app_context():
        choice = _item(attempt_id, 1).id
    response = post_form(client, f"/exam-results/marking/items/{choice}", {"points": "1"},
                         token_from="/exam-results/marking")
    assert response.status_code == 409
    assert post_form(client, "/exam-results/marking/items/999999", {"points": "1"},
                     token_from="/exam-results/marking").status_code == 404


# --- regrade -----------------------------------------------------------------------------

@pytest.fixture
def corrected(app, make_user):
    """Three attempts served MR-1 version 1, then the key is corrected; a fourth is served
    version 2. Essays left blank, so every attempt is graded."""
    _import(app)
    exam_id = _exam(app)
    people = [make_user("learner", name=f"{n} Test") for n in ("Ann", "Bo", "Cy", "Di")]
    ids = {"Ann": _sit(app, exam_id, people[0], {1: 0, 2: [0]}),  # wrong → right
           "Bo": _sit(app, exam_id, people[1], {1: 1}),  # right → wrong
           "Cy": _sit(app, exam_id, people[2], {1: 2})}  # wrong either way
    _import(app, BANK.replace(KEY_V1, KEY_V2))
    ids["Di"] = _sit(app, exam_id, people[3], {1: 0}, minute=30)  # already version 2
    return ids


def _version_of(attempt_id: int) -> int:
    item = _item(attempt_id, 1)
    return db.session.get(QuestionVersion, item.question_version_id).version


def test_the_dry_run_lists_exactly_the_affected_attempts(app, client, signed_in, corrected):
    signed_in("trainer")
    html = client.get("/exam-results/questions/MR-1/regrade").get_data(as_text=True)
    table = html[html.index('data-testid="regrade-plan"'):html.index("</table>")]
    assert f'data-attempt="{corrected["Ann"]}"' in table and "Ann Test" in table
    assert f'data-attempt="{corrected["Bo"]}"' in table and "Bo Test" in table
    assert "Cy Test" not in table and "Di Test" not in table
    assert table.count("data-attempt=") == 2
    assert "0 → 1 / 1" in table and "1 → 0 / 1" in table
    assert "1 → <strong>2</strong> / 10" in table  # Ann: 1 (half of MR-2) → 2
    assert 'data-testid="unchanged-count">1<' in html
    with app.app_context():  # a dry run writes nothing
        assert _version_of(corrected["Ann"]) == 1 and _audit("exam.regrade") == []


def test_confirming_applies_audits_and_leaves_others_untouched(app, client, signed_in,
                                                                corrected):
    signed_in("trainer")
    url = "/exam-results/questions/MR-1/regrade"
    refused = post_form(client, url, {"version": "2", "reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.get_data(
        as_text=True)
    with app.app_context():
        di_before = (_item(corrected["Di"], 1).score, db.session.get(Attempt,
                                                                    corrected["Di"]).score)
    response = post_form(client, url, {"version": "2", "reason": "Key was inverted (T-17)."})
    assert response.status_code == 302
    with app.app_context():
        scores = {n: db.session.get(Attempt, i).score for n, i in corrected.items()}
        assert scores["Ann"] == 2.0 and scores["Bo"] == 0.0 and scores["Cy"] == 0.0
        assert _item(corrected["Ann"], 1).status == "correct"
        assert [_version_of(corrected[n]) for n in ("Ann", "Bo", "Cy", "Di")] == [2, 2, 2, 2]
        assert (_item(corrected["Di"], 1).score, scores["Di"]) == di_before
        entries = _audit("exam.regrade")
        assert sorted(int(e.object_id) for e in entries) == sorted(
            [corrected["Ann"], corrected["Bo"]])
        ann = next(e for e in entries if e.object_id == str(corrected["Ann"]))
        assert (ann.before["score"], ann.after["score"]) == (1.0, 2.0)
        assert ann.before["items"][0]["question_version"] == 1
        assert all(e.reason == "Key was inverted (T-17)." for e in entries)
        assert len(_audit("exam.regrade_question")) == 1
    again = client.get(url).get_data(as_text=True)
    assert 'data-testid="nothing-to-regrade"' in again


def test_a_stale_confirmation_changes_nothing(app, client, signed_in, corrected):
    signed_in("trainer")
    response = post_form(client, "/exam-results/questions/MR-1/regrade",
                         {"version": "1", "reason": "Old page"})
    assert response.status_code == 302
    with app.app_context():
        assert _version_of(corrected["Ann"]) == 1 and _audit("exam.regrade") == []


def test_essays_are_never_regraded(app, client, signed_in, make_user):
    _import(app)
    exam_id = _exam(app)
    attempt_id = _sit(app, exam_id, make_user("learner"), {3: "Lineage helps."})
    _import(app, BANK.replace("- Quantifies the saving", "- Quantifies the saving in RMB"))
    signed_in("trainer")
    html = client.get("/exam-results/questions/MR-3/regrade").get_data(as_text=True)
    assert 'data-testid="nothing-to-regrade"' in html and "written answers excluded" in html
    with app.app_context():
        item = _item(attempt_id, 3)
        assert item.status == "needs_marking"
        assert db.session.get(QuestionVersion, item.question_version_id).version == 1
