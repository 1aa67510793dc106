"""Exam notices: who hears that an exam opens or closes soon, that a result is ready, that
answers wait for marking; and who does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.banks.markdown_format import parse_bank
from app.banks.services import import_banks
from app.exams import builder, marking
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.models import AttemptItem, AttemptState, Exam, ExamAudience, ExamRule
from app.extensions import db
from app.notifications.kinds import exams as exam_kinds
from app.notifications.models import Notification
from app.notifications.words import describe

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

BANK = """---
id: notice-bank
title: Notice bank
area: product
language: en
---

## NB-1
type: single

Where do agents run?

- [ ] In the cloud
- [x] In the customer network

## NB-2
type: essay
points: 4

Why does lineage matter?
"""


@pytest.fixture
def ctx(app):
    with app.app_context():
        bank, issues = parse_bank(BANK, "notice-bank.md")
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        db.session.commit()
    with app.test_request_context():
        yield
        db.session.remove()


def _user(person) -> User:
    return db.session.get_one(User, person.id)


def _exam(*, questions=("NB-1",), opens_at=T0, closes_at=T0 + timedelta(hours=3),
          published=True, author=None, team_id=None, **settings) -> Exam:
    exam = Exam(title="Quarterly product exam", opens_at=opens_at, closes_at=closes_at,
                time_limit_minutes=60, published_at=T0 - timedelta(days=1) if published else None,
                created_by_id=author.id if author else None, **settings)
    exam.rules = [ExamRule(position=1, kind="fixed", question_ids=list(questions))]
    db.session.add(exam)
    db.session.flush()
    if team_id is not None:
        exam.audience = "teams"
        db.session.add(ExamAudience(exam_id=exam.id, team_id=team_id))
    db.session.commit()
    return exam


def _told(kind: str) -> list[int]:
    return sorted(db.session.execute(sa.select(Notification.user_id).where(
        Notification.kind == kind)).scalars())


def _notice(kind: str, person) -> Notification:
    return db.session.execute(sa.select(Notification).where(
        Notification.kind == kind, Notification.user_id == person.id)).scalar_one()


def _sit(exam: Exam, person, now: datetime, essay: str | None = None):
    attempt = start_attempt(exam, _user(person), now)
    save_answer(attempt, 1, 1, seq=1, now=now + timedelta(minutes=1))
    if essay is not None:
        save_answer(attempt, 2, essay, seq=2, now=now + timedelta(minutes=2))
    submit_attempt(attempt, now + timedelta(minutes=3))
    db.session.commit()
    return attempt


def test_an_exam_that_opens_is_told_to_its_audience_only_once(ctx, make_user):
    east, west = make_user("learner", team="East"), make_user("learner", team="West")
    already = make_user("learner", team="East")
    trainer = make_user("trainer")
    team = _user(east).team_id
    # Published with its window open: the audience hears it at once.
    now_open = _exam(published=False, team_id=team, opens_at=T0 - timedelta(hours=1))
    builder.publish_exam(now_open, T0, actor=_user(trainer))
    db.session.commit()
    assert _told("exam.opened") == sorted([east.id, already.id])
    # Published before it opens: nobody yet; the run after the opening tells them, once.
    later = _exam(published=False, team_id=team, opens_at=T0 + timedelta(hours=2),
                  closes_at=T0 + timedelta(hours=5))
    builder.publish_exam(later, T0, actor=_user(trainer))
    exam_kinds.due(T0 + timedelta(hours=1))
    db.session.commit()
    assert len(_told("exam.opened")) == 2
    start_attempt(later, _user(already), T0 + timedelta(hours=2, minutes=1))  # started: not told
    made = exam_kinds.due(T0 + timedelta(hours=3))  # opened (and closes within a day)
    again = exam_kinds.due(T0 + timedelta(hours=3, minutes=5))
    db.session.commit()
    assert (made, again) == (2, 0)  # run twice: told once
    assert _told("exam.opened") == sorted([east.id, already.id, east.id])
    assert west.id not in _told("exam.opened")  # outside the audience: hears nothing
    notice = _notice("exam.opened", already)
    told = describe(notice, _user(already))
    assert "Quarterly product exam" in told.text
    assert told.link == f"/exams/{now_open.id}/"
    assert describe(notice, _user(west)).link is None  # not for them: no link


def test_an_exam_closing_within_a_day_is_told_to_who_has_not_started(ctx, make_user):
    waiting, started = make_user("learner"), make_user("learner")
    inactive = make_user("learner", active=False)
    exam = _exam(closes_at=T0 + timedelta(hours=30))
    start_attempt(exam, _user(started), T0 + timedelta(minutes=1))
    db.session.commit()
    exam_kinds.due(T0 + timedelta(minutes=5))
    assert _told("exam.closing") == []  # 30 hours away: not yet
    now = T0 + timedelta(hours=7)  # 23 hours before the close
    exam_kinds.due(now)
    exam_kinds.due(now + timedelta(hours=1))
    db.session.commit()
    assert _told("exam.closing") == [waiting.id]  # once; never who started, nor the inactive
    assert inactive.id not in _told("exam.opened")
    told = describe(_notice("exam.closing", waiting), _user(waiting))
    assert "closes on" in told.text and "Quarterly product exam" in told.text
    assert told.link == f"/exams/{exam.id}/"


def test_a_result_is_told_when_the_review_policy_shows_it(ctx, make_user):
    quick, late, other = make_user("learner"), make_user("learner"), make_user("learner")
    hidden = make_user("learner")
    after_submit = _exam(review_when="after_submit")
    attempt = _sit(after_submit, quick, T0)
    assert _told("exam.result") == [quick.id]  # shown at once: told at grading
    notice = _notice("exam.result", quick)
    assert describe(notice, _user(quick)).link == f"/exams/attempts/{attempt.id}/result"
    assert describe(notice, _user(other)).link is None  # someone else's result: no link
    assert "Quarterly product exam" in describe(notice, _user(quick)).text

    after_close = _exam(review_when="after_close")
    _sit(after_close, late, T0)
    nothing_shown = _exam(review_when="after_submit", review_score=False)
    _sit(nothing_shown, hidden, T0)  # the result page shows nothing: no notice, ever
    exam_kinds.due(T0 + timedelta(hours=2))  # still open: nothing
    db.session.commit()
    assert _told("exam.result") == [quick.id]
    assert exam_kinds.due(T0 + timedelta(hours=3, minutes=1)) == 1  # closed: now it shows
    assert exam_kinds.due(T0 + timedelta(hours=4)) == 0
    db.session.commit()
    assert _told("exam.result") == sorted([quick.id, late.id])


def test_written_answers_are_told_once_per_exam_and_the_result_once_marked(ctx, make_user):
    author, colleague = make_user("trainer"), make_user("trainer")
    first, second, third = make_user("learner"), make_user("learner"), make_user("learner")
    exam = _exam(questions=("NB-1", "NB-2"), author=_user(author), review_when="after_submit")
    one = _sit(exam, first, T0, essay="It explains each figure.")
    two = _sit(exam, second, T0, essay="Regulators ask for it.")
    assert one.state == two.state == AttemptState.AWAITING_MARKING
    assert _told("exam.marking") == [author.id]  # one notice for the exam, not per answer
    assert _told("exam.result") == []  # waiting for a marker: not ready
    notice = _notice("exam.marking", author)
    assert describe(notice, _user(author)).link == "/exam-results/marking"
    assert describe(notice, _user(first)).link is None
    for attempt in (one, two):
        item = db.session.execute(sa.select(AttemptItem).where(
            AttemptItem.attempt_id == attempt.id, AttemptItem.position == 2)).scalar_one()
        found = marking.entry(item.id)
        assert found is not None
        marking.mark_item(found, 3, None, _user(colleague), T0 + timedelta(minutes=30))
    db.session.commit()
    assert _told("exam.result") == sorted([first.id, second.id])  # told once marked
    _sit(exam, third, T0 + timedelta(hours=1), essay="Lineage is trust.")  # a new backlog
    assert _told("exam.marking") == [author.id, author.id]
    assert colleague.id not in _told("exam.marking")  # the author marks while they may


def test_answers_waiting_in_an_exam_without_its_author_reach_every_trainer(ctx, make_user):
    one, two, learner = make_user("trainer"), make_user("trainer"), make_user("learner")
    exam = _exam(questions=("NB-1", "NB-2"))
    _sit(exam, learner, T0, essay="Because.")
    assert _told("exam.marking") == sorted([one.id, two.id])
    notice = _notice("exam.marking", one)
    notice.object_id = "999999"  # as if the exam were deleted: the notice says so
    assert "deleted" in describe(notice, _user(one)).text
    assert describe(notice, _user(one)).link is None
    db.session.rollback()
