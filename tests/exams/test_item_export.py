"""The item-level export: one row per attempt and served question, CSV and XLSX."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import User
from app.database import utcnow
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.item_exports import letter, shown_response
from app.exams.marking import entry, mark_item
from app.exams.models import Attempt, AttemptItem, Exam
from app.extensions import db
from tests.exams.builders import make_exam
from tests.helpers import switch_to

FORMULA_ANSWER = "=HYPERLINK(\"http://evil\")"


def _sit(app, exam_id: int, person_id: int) -> int:
    """Answer TK-1 (the right option), TK-3 with a formula, TK-6 (the essay); submit."""
    with app.app_context():
        now = utcnow()
        attempt = start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person_id),
                                now)
        save_answer(attempt, 1, 1, 1, now)  # original index 1: "In the customer network"
        save_answer(attempt, 3, FORMULA_ANSWER, 2, now)
        save_answer(attempt, 6, "Lineage answers the regulator.", 3, now)
        submit_attempt(attempt, now)
        db.session.commit()
        return attempt.id


def _mark_essay(app, attempt_id: int, marker_id: int) -> None:
    with app.app_context():
        item_id = db.session.execute(sa.select(AttemptItem.id).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == 6)).scalar_one()
        found = entry(item_id)
        assert found is not None
        mark_item(found, 2.5, "Good.", db.session.get(User, marker_id), utcnow())
        db.session.commit()


def _csv(client, exam_id: int) -> list[list[str]]:
    response = client.get(f"/exam-results/exams/{exam_id}/items.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_one_row_per_attempt_and_question_with_version_response_score_marker(
        app, client, signed_in, make_user):
    exam_id = make_exam(app, shuffle_options=True)
    learner = make_user("learner", name="Lena Learner")
    attempt_id = _sit(app, exam_id, learner.id)
    trainer = signed_in("trainer", name="Tom Trainer")
    _mark_essay(app, attempt_id, trainer.id)
    rows = _csv(client, exam_id)
    header = rows[0]
    assert header[:10] == ["Person", "Email", "Attempt ID", "Attempt", "State", "Position",
                           "Question ID", "Served version", "Type", "Response as shown"]
    assert header[10:13] == ["Score", "Max", "Marker"]
    assert len(rows) == 1 + 6  # six served questions, one attempt
    by_question = {row[6]: row for row in rows[1:]}
    with app.app_context():
        order = db.session.execute(sa.select(AttemptItem.option_order).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.position == 1)).scalar_one()
    # The option as the learner saw it: its letter in the shuffled order, and its text.
    shown = f"{letter(order.index(1))}. In the customer network"
    tk1 = by_question["TK-1"]
    assert tk1[:5] == ["Lena Learner", learner.email, str(attempt_id), "1", "Graded"]
    assert tk1[7:10] == ["1", "single", shown]
    assert tk1[10:13] == ["1.0", "1.0", "automatic"]
    # A typed answer that looks like a formula stays text.
    assert by_question["TK-3"][9] == "'" + FORMULA_ANSWER
    essay = by_question["TK-6"]
    assert essay[9] == "Lineage answers the regulator."
    assert essay[10:13] == ["2.5", "3.0", "Tom Trainer"] and essay[13]
    assert by_question["TK-2"][9] == "" and by_question["TK-2"][10] == "0.0"


def test_the_xlsx_has_the_same_rows(app, client, signed_in, make_user):
    exam_id = make_exam(app)
    learner = make_user("learner", name="张三")
    _sit(app, exam_id, learner.id)
    signed_in("trainer")
    response = client.get(f"/exam-results/exams/{exam_id}/items.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    values = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert values[0][6] == "Question ID" and len(values) == 7
    assert {row[0] for row in values[1:]} == {"张三"}
    tk1 = next(row for row in values[1:] if row[6] == "TK-1")
    assert tk1[9] == "B. In the customer network" and tk1[10] == 1
    tk3 = next(row for row in values[1:] if row[6] == "TK-3")
    assert tk3[9] == "'" + FORMULA_ANSWER


def test_only_this_exams_attempts_and_only_for_trainers(app, client, signed_in, make_user):
    exam_id = make_exam(app)
    other = make_exam(app)
    _sit(app, other, make_user("learner", name="Olga Outsider").id)
    signed_in("learner")
    assert client.get(f"/exam-results/exams/{exam_id}/items.csv").status_code == 403
    switch_to(client, make_user("trainer"))
    rows = _csv(client, exam_id)
    assert rows[1:] == []
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Attempt.id))).scalar_one() == 1


def test_the_response_is_written_as_the_learner_saw_it():
    choice = {"type": "multiple", "choices": [{"text": "SAML"}, {"text": "OIDC"},
                                              {"text": "Telnet"}]}
    assert shown_response(choice, [0, 1], [2, 1, 0]) == "B. OIDC; C. SAML"
    assert shown_response(choice, [7], [0, 1, 2]) == "7"  # malformed: as stored
    matching = {"type": "matching", "pairs": [{"left": "PIPL", "right": "Personal"},
                                              {"left": "DSL", "right": "Data"}]}
    assert shown_response(matching, {"0": 0, "1": 0}, [1, 0]) == \
        "PIPL → B. Personal; DSL → B. Personal"
    ordering = {"type": "ordering", "sequence": ["Qualify", "Discover"]}
    assert shown_response(ordering, [1, 0], [1, 0]) == "1. Discover; 2. Qualify"
    assert shown_response({"type": "essay"}, None, []) == ""
    assert [letter(n) for n in (0, 25, 26)] == ["A", "Z", "AA"]
