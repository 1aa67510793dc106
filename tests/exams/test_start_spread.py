"""Spread starts (exam day for a whole company): each person's Start opens at the opening
plus a delay fixed for them, the page says when, an early press is refused without a draw,
and nobody loses time for starting later."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.database import utcnow
from app.exams import attempts as svc
from app.exams.models import Attempt, Exam
from app.extensions import db
from tests.exams.builders import make_exam
from tests.exams.test_builder import _settings
from tests.helpers import login, post_form

SPREAD = 600


def _spread_exam(app, opened_ago: timedelta = timedelta(seconds=1), spread: int = SPREAD,
                 minutes: int = 30) -> int:
    exam_id = make_exam(app, minutes=minutes, start_spread_seconds=spread)
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.opens_at = utcnow() - opened_ago
        db.session.commit()
    return exam_id


def _delay(app, exam_id: int, email: str) -> float:
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        return svc.start_delay(exam, user).total_seconds()


def _person_waiting(app, make_user, exam_id: int, at_least: float = 30.0):
    """A learner whose own start opens at least ``at_least`` seconds from now."""
    for _ in range(50):
        person = make_user("learner")
        if _delay(app, exam_id, person.email) > at_least + 2:
            return person
    raise AssertionError("no delay that long in 50 people")


def test_delays_are_fixed_per_person_and_spread_over_the_whole_range(app, make_user):
    exam_id = _spread_exam(app)
    people = [make_user("learner") for _ in range(60)]
    delays = [_delay(app, exam_id, p.email) for p in people]
    assert delays == [_delay(app, exam_id, p.email) for p in people]  # the same every time
    assert all(0 <= d < SPREAD for d in delays)
    assert min(delays) < SPREAD * 0.2 and max(delays) > SPREAD * 0.8
    assert len(set(delays)) == len(delays)


def test_the_start_page_says_when_and_an_early_start_is_refused_before_any_draw(
        app, client, make_user):
    exam_id = _spread_exam(app)
    person = _person_waiting(app, make_user, exam_id)
    login(client, person)
    page = client.get(f"/exams/{exam_id}/").get_data(as_text=True)
    opens_in = float(re.search(r'data-start-gate data-opens-in="([\d.]+)"', page).group(1))
    assert abs(opens_in - (_delay(app, exam_id, person.email) - 1)) < 5
    assert "Starts are spread over 600 seconds" in page
    refused = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    assert refused.status_code == 302 and refused.location.endswith(f"/exams/{exam_id}/")
    assert "Your start opens" in client.get(f"/exams/{exam_id}/").get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Attempt.id))).scalar() == 0


def test_once_the_persons_start_has_opened_they_start_with_the_whole_time(
        app, client, signed_in):
    exam_id = _spread_exam(app, opened_ago=timedelta(seconds=SPREAD + 1), minutes=30)
    signed_in("learner")
    page = client.get(f"/exams/{exam_id}/").get_data(as_text=True)
    assert "data-start-gate" not in page
    started = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    assert "/exams/attempts/" in started.location
    with app.app_context():
        attempt = db.session.execute(sa.select(Attempt)).scalar_one()
        assert attempt.deadline_at - attempt.started_at == timedelta(minutes=30)


def test_without_a_spread_everyone_may_start_at_the_opening(app, client, signed_in):
    exam_id = _spread_exam(app, spread=0)
    signed_in("learner")
    assert "data-start-gate" not in client.get(f"/exams/{exam_id}/").get_data(as_text=True)
    started = post_form(client, f"/exams/{exam_id}/start", token_from=f"/exams/{exam_id}/")
    assert "/exams/attempts/" in started.location


def test_before_the_opening_the_wait_counts_to_the_persons_own_start(app, client, make_user):
    exam_id = _spread_exam(app, opened_ago=timedelta(minutes=-10))  # opens in ten minutes
    person = make_user("learner")
    login(client, person)
    page = client.get(f"/exams/{exam_id}/").get_data(as_text=True)
    opens_in = float(re.search(r'data-opens-in="([\d.]+)"', page).group(1))
    assert abs(opens_in - (600 + _delay(app, exam_id, person.email))) < 5


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def test_a_spread_needs_the_window_to_hold_the_time_limit_and_the_spread(client, trainer):
    # 09:00-10:00 for 60 minutes: a spread would cut the last one's time.
    refused = post_form(client, "/exam-admin/new", _settings(
        closes_at="2099-06-01T10:00", start_spread_seconds="60"))
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "the exam must stay open for at least the time limit plus 60 seconds" in html
    assert "1 Jun 2099, 10:01" in html  # when it may close instead, in the display zone
    too_long = post_form(client, "/exam-admin/new", _settings(start_spread_seconds="601"))
    assert too_long.status_code == 200
    created = post_form(client, "/exam-admin/new", _settings(
        closes_at="2099-06-01T10:01", start_spread_seconds="60"))
    assert created.status_code == 302
