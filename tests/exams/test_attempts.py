"""The rules the server enforces on attempts: who starts, the clock, saves, submit, grading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.banks.markdown_format import parse_bank
from app.banks.services import import_banks
from app.exams import attempts as svc
from app.exams.models import (
    Accommodation,
    Attempt,
    AttemptItem,
    AttemptState,
    Exam,
    ExamAudience,
    ExamRule,
)
from app.extensions import db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

BANK = """---
id: exam-bank
title: Exam bank
area: product
language: en
tags: agents, security
---

## EQ-1
type: single
tags: agents

Where do agents run?

- [ ] In the cloud
- [x] In the customer network

## EQ-2
type: multiple
points: 2
tags: security

Which protocols does DataHub SSO support?

- [x] SAML 2.0
- [x] OpenID Connect
- [ ] Telnet

## EQ-3
type: short
difficulty: hard
tags: agents

Name the regulation on classified protection.

- MLPS 2.0

## EQ-4
type: essay
points: 5

Explain the value of lineage to a bank's CDO.
"""


def _import(text=BANK):
    bank, issues = parse_bank(text, "exam-bank.md")
    assert bank is not None, issues
    import_banks([bank], actor_label="test")
    db.session.commit()


@pytest.fixture
def setup(app, make_user):
    """A published 60-minute exam, open 09:00–12:00, with the four questions fixed."""
    learner = make_user("learner", team="East")
    with app.app_context():
        _import()
        exam = Exam(title="Q4 exam", opens_at=T0, closes_at=T0 + timedelta(hours=3),
                    time_limit_minutes=60, published_at=T0 - timedelta(days=1))
        exam.rules = [ExamRule(position=1, kind="fixed",
                               question_ids=["EQ-1", "EQ-2", "EQ-3", "EQ-4"])]
        db.session.add(exam)
        db.session.commit()
        exam_id = exam.id
    ctx = app.app_context()
    ctx.push()
    yield db.session.get(Exam, exam_id), db.session.get(User, learner.id)
    db.session.remove()
    ctx.pop()


def _start(exam, user, now=T0):
    attempt = svc.start_attempt(exam, user, now)
    db.session.commit()
    return attempt


def test_start_serves_exact_versions_and_a_server_deadline(setup):
    exam, user = setup
    attempt = _start(exam, user, T0 + timedelta(minutes=5))
    assert attempt.deadline_at == T0 + timedelta(minutes=65)
    assert attempt.max_score == 9
    items = db.session.execute(sa.select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)).scalars().all()
    assert [i.points for i in items] == [1, 2, 1, 5]
    assert all(i.question_version_id for i in items)


def test_the_deadline_never_passes_the_window_close(setup):
    exam, user = setup
    attempt = _start(exam, user, T0 + timedelta(hours=2, minutes=30))
    assert attempt.deadline_at == exam.closes_at


@pytest.mark.parametrize("case,message", [
    ("unpublished", "not published"), ("early", "not opened yet"), ("late", "has closed"),
    ("outsider", "not for you"),
])
def test_who_cannot_start(setup, case, message):
    exam, user = setup
    now = T0
    if case == "unpublished":
        exam.published_at = None
    elif case == "early":
        now = T0 - timedelta(minutes=1)
    elif case == "late":
        now = exam.closes_at
    elif case == "outsider":
        exam.audience = "people"
        db.session.add(ExamAudience(exam_id=exam.id, user_id=_other_user()))
    db.session.flush()
    with pytest.raises(svc.AttemptRefused, match=message):
        svc.start_attempt(exam, user, now)


def _other_user() -> int:
    other = User(email="other@example.com", display_name="Other", locale="en")
    db.session.add(other)
    db.session.flush()
    return other.id


def test_team_audience_admits_the_team(setup):
    exam, user = setup
    exam.audience = "teams"
    db.session.add(ExamAudience(exam_id=exam.id, team_id=user.team_id))
    db.session.commit()
    assert _start(exam, user).number == 1


def test_reload_resumes_the_same_attempt_and_attempts_run_out(setup):
    exam, user = setup
    first = _start(exam, user)
    assert _start(exam, user, T0 + timedelta(minutes=10)).id == first.id
    svc.submit_attempt(first, T0 + timedelta(minutes=20))
    db.session.commit()
    with pytest.raises(svc.AttemptRefused, match="used all your attempts"):
        svc.start_attempt(exam, user, T0 + timedelta(minutes=30))


def test_an_accommodation_adds_time_and_an_attempt(setup):
    exam, user = setup
    db.session.add(Accommodation(exam_id=exam.id, user_id=user.id, extra_minutes=15,
                                 extra_attempts=1, reason="Medical certificate"))
    db.session.commit()
    first = _start(exam, user)
    assert first.deadline_at == T0 + timedelta(minutes=75)
    svc.submit_attempt(first, T0 + timedelta(minutes=5))
    assert _start(exam, user, T0 + timedelta(minutes=6)).number == 2


def test_saves_are_ordered_by_sequence_and_a_stale_page_is_refused(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 1, 1, seq=2, now=T0 + timedelta(minutes=1))
    with pytest.raises(svc.SaveRefused) as refused:
        svc.save_answer(attempt, 1, 0, seq=1, now=T0 + timedelta(minutes=2))  # older tab
    assert refused.value.reason == "stale"
    db.session.commit()
    item = db.session.execute(sa.select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id, AttemptItem.position == 1)).scalar_one()
    assert (item.response, item.seq) == (1, 2)


def test_a_save_after_deadline_and_grace_is_refused_and_earlier_answers_are_graded(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 1, 1, seq=1, now=T0 + timedelta(minutes=59))
    svc.save_answer(attempt, 3, "mlps 2.0", seq=2, now=T0 + timedelta(minutes=60, seconds=20))
    with pytest.raises(svc.SaveRefused) as refused:
        svc.save_answer(attempt, 2, [0, 1], seq=3, now=T0 + timedelta(minutes=60, seconds=31))
    assert refused.value.reason == "closed" and "Everything saved before" in str(refused.value)
    db.session.commit()
    assert attempt.state == AttemptState.GRADED  # an unanswered essay needs no marker
    assert attempt.score == 2.0  # EQ-1 and EQ-3 (inside the grace), not EQ-2


def test_an_answered_essay_waits_for_a_marker(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 4, "Lineage shows regulators where each figure came from.",
                    seq=1, now=T0 + timedelta(minutes=3))
    svc.submit_attempt(attempt, T0 + timedelta(minutes=4))
    assert attempt.state == AttemptState.AWAITING_MARKING


def test_submitting_twice_is_harmless(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 2, [0, 1], seq=1, now=T0 + timedelta(minutes=3))
    svc.submit_attempt(attempt, T0 + timedelta(minutes=4))
    finished = attempt.finished_at
    svc.submit_attempt(attempt, T0 + timedelta(minutes=9))
    assert attempt.finished_at == finished and attempt.score == 2.0


def test_an_abandoned_attempt_is_finalised_by_the_sweep(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 1, 1, seq=1, now=T0 + timedelta(minutes=5))
    db.session.commit()
    assert svc.close_expired(T0 + timedelta(minutes=60)) == 0  # not yet past the grace
    assert svc.close_expired(T0 + timedelta(minutes=61)) == 1
    assert (attempt.state, attempt.finished_at) == (AttemptState.GRADED, attempt.deadline_at)
    assert attempt.score == 1.0


def test_grading_uses_the_served_version_after_the_key_changes(setup):
    exam, user = setup
    attempt = _start(exam, user)
    svc.save_answer(attempt, 1, 1, seq=1, now=T0 + timedelta(minutes=1))
    db.session.commit()
    _import(BANK.replace("- [ ] In the cloud\n- [x] In the customer network",
                         "- [x] In the cloud\n- [ ] In the customer network"))
    svc.submit_attempt(attempt, T0 + timedelta(minutes=2))
    item = db.session.execute(sa.select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id, AttemptItem.position == 1)).scalar_one()
    assert item.score == 1.0  # graded against version 1, which it was served


def test_random_rules_draw_from_the_bank_with_tags_and_difficulty(setup):
    exam, user = setup
    exam.rules = [ExamRule(position=1, kind="random", bank_pk=_bank_pk(), count=1,
                           tags=["agents"], difficulty="hard", points_each=3)]
    db.session.commit()
    attempt = _start(exam, user)
    item = db.session.execute(sa.select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id)).scalar_one()
    assert item.points == 3 and attempt.max_score == 3


def test_a_draw_sees_every_import_at_once(setup):
    """Draws reuse the rows a rule draws from; any import that adds, changes, retires or
    brings back a question must reach the very next draw."""
    from app.banks.models import Question, QuestionVersion

    exam, user = setup

    def drawn_versions() -> dict[str, int]:
        rows = db.session.execute(
            sa.select(Question.question_id, QuestionVersion.version)
            .join(Question, Question.id == QuestionVersion.question_pk)
            .where(QuestionVersion.id.in_([i["question_version_id"]
                                           for i in svc.prepare_draw(exam).items]))).all()
        return dict(rows)

    assert drawn_versions() == {"EQ-1": 1, "EQ-2": 1, "EQ-3": 1, "EQ-4": 1}
    assert drawn_versions() == {"EQ-1": 1, "EQ-2": 1, "EQ-3": 1, "EQ-4": 1}  # reused
    _import(BANK.replace("Where do agents run?", "Where do DataHub agents run?"))
    assert drawn_versions()["EQ-1"] == 2
    without_eq3 = BANK[:BANK.index("## EQ-3")] + BANK[BANK.index("## EQ-4"):]
    _import(without_eq3.replace("Where do agents run?", "Where do DataHub agents run?"))
    assert set(drawn_versions()) == {"EQ-1", "EQ-2", "EQ-4"}  # retired: no longer served
    _import(BANK.replace("Where do agents run?", "Where do DataHub agents run?"))
    assert set(drawn_versions()) == {"EQ-1", "EQ-2", "EQ-3", "EQ-4"}  # brought back


def _bank_pk() -> int:
    from app.banks.models import QuestionBank

    return db.session.execute(sa.select(QuestionBank.id)).scalar_one()


def test_a_save_costs_at_most_three_statements(app, setup):
    """What a save request does: read the served question, share-lock the open attempt,
    one conditional UPDATE."""
    exam, user = setup
    attempt_id, user_id = _start(exam, user).id, user.id
    db.session.remove()  # a new request starts with nothing loaded
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        target = svc.answer_target(attempt_id, user_id, 1)
        svc.store_answer(attempt_id, target, 1, 1, seq=1, now=T0 + timedelta(minutes=1))
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    kinds = [s.split()[0] for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    assert kinds == ["SELECT", "SELECT", "UPDATE"]


def test_two_people_never_see_each_others_attempts(setup, make_user):
    exam, user = setup
    db.session.commit()  # let the builder's own session write
    other = db.session.get(User, make_user("learner").id)
    mine, theirs = _start(exam, user), _start(exam, other)
    assert mine.id != theirs.id and svc.attempts_of(exam, other) == [theirs]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attempt)).scalar() == 2


def test_the_close_expired_command_finalises_abandoned_attempts(app, setup):
    exam, user = setup
    exam.opens_at, exam.closes_at = datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 2,
                                                                                tzinfo=UTC)
    attempt = _start(exam, user, datetime(2020, 1, 1, 9, tzinfo=UTC))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["exams", "close-expired"])
    assert result.exit_code == 0 and "1 expired attempt(s) finalised." in result.output
    db.session.refresh(attempt)
    assert attempt.state == AttemptState.GRADED


@pytest.mark.parametrize("ended", ["person", "deadline"])
def test_ending_an_attempt_stores_a_finished_state_never_an_intermediate_one(setup, ended):
    # Why AttemptState has no "submitted" or "expired": grading runs in the same call.
    exam, user = setup
    attempt = _start(exam, user)
    if ended == "person":
        svc.submit_attempt(attempt, T0 + timedelta(minutes=4))
    else:
        svc.close_expired(T0 + timedelta(minutes=61))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.execute(sa.select(Attempt.state, Attempt.expired).where(
        Attempt.id == attempt.id)).one()
    assert stored == (AttemptState.GRADED, ended == "deadline")
