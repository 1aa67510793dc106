"""The calendar: each person's private feed (exactly their events, times in UTC), its
address (created, reset: the old one is dead), and single events as .ics downloads."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from icalendar import Calendar

from app.assessments import follow_up
from app.assessments import services as assessment_svc
from app.assessments.models import PeriodState
from app.auth.audience import AudienceChoice
from app.auth.models import User
from app.database import utcnow
from app.exams.models import Exam, ExamAudience
from app.extensions import db
from app.notifications import calendar
from app.training import services as training_svc
from app.training.states import ItemStatus
from tests.evaluations.builders import schedule, user
from tests.exams.builders import make_exam
from tests.helpers import login, post_form
from tests.training.builders import item

ADDRESS_RE = re.compile(r'id="calendar-address"[^>]*value="([^"]+)"')


def _for_people(app, exam_id: int, *people) -> None:
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        exam.audience = "people"
        db.session.add_all([ExamAudience(exam_id=exam_id, user_id=p.id) for p in people])
        db.session.commit()


def _published_records(manager, people):
    """One period; each of ``people`` with a record their manager has published."""
    today = utcnow().date()
    period = assessment_svc.create_period(assessment_svc.Plan(
        name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30)), user(manager))
    period.state = PeriodState.SCORING
    records = []
    for person in people:
        record = assessment_svc.record_for(period, user(person))
        assessment_svc.enter_performance(period, user(person), D(80), D(90), "",
                                         user(manager))
        assessment_svc.save_feedback(record, "Clear demos.", "Late documents.")
        assessment_svc.publish(record, user(manager), reason="Exams still to come")
        records.append(record)
    return records


@pytest.fixture
def world(app, make_user):
    """Li Wei and Zhang Min each with an exam, a training item, a scorecard to write and a
    follow-up of their own; plus what both share and what neither should see."""
    manager = make_user("manager", name="Chen Jie")
    trainer = make_user("trainer")
    li = make_user("learner", "reviewer", manager=manager, name="Li Wei")
    zhang = make_user("learner", "reviewer", manager=manager, name="Zhang Min")
    subject = make_user("learner", manager=manager, name="Subject Sun")
    ids: dict[str, int] = {}
    ids["exam_li"] = make_exam(app, closes_in=timedelta(days=3))
    ids["exam_zhang"] = make_exam(app)
    ids["exam_all"] = make_exam(app)
    ids["exam_draft"] = make_exam(app)
    ids["exam_old"] = make_exam(app)
    _for_people(app, ids["exam_li"], li)
    _for_people(app, ids["exam_zhang"], zhang)
    with app.app_context():
        db.session.get(Exam, ids["exam_draft"]).published_at = None
        old = db.session.get(Exam, ids["exam_old"])  # ended long before the feed's window
        old.opens_at = utcnow() - timedelta(days=200)
        old.closes_at = utcnow() - timedelta(days=199)
        ids["train_li"] = item(trainer, title="Li's workshop", starts_in=1, days=1,
                               choice=AudienceChoice(kind="people", emails=(li.email,))).id
        ids["train_zhang"] = item(trainer, title="Zhang's workshop", starts_in=1,
                                  choice=AudienceChoice(kind="people",
                                                        emails=(zhang.email,))).id
        ids["train_all"] = item(trainer, title="Everyone's seminar", starts_in=2).id
        cancelled = item(trainer, title="Called off", starts_in=3)
        training_svc.set_status(cancelled, ItemStatus.CANCELLED, user(trainer), "No trainer")
        ids["train_cancelled"] = cancelled.id
        db.session.commit()
    with app.app_context():
        ids["eval_li"] = schedule(subject, [li], manager).id
        ids["eval_zhang"] = schedule(subject, [zhang], manager).id
    with app.app_context():
        records = _published_records(manager, [li, zhang])
        for key, person, record in (("li", li, records[0]), ("zhang", zhang, records[1])):
            interview = follow_up.record_interview(
                record, utcnow().date() + timedelta(days=5), "Agreed to rehearse.",
                user(manager))
            plan_item = follow_up.add_item(record, f"Goal of {key}", "Two rehearsals",
                                           utcnow().date() + timedelta(days=20), [],
                                           user(manager))
            done = follow_up.add_item(record, "Done already", "", utcnow().date(), [],
                                      user(manager))
            follow_up.mark_done(done, user(person))
            ids[f"interview_{key}"], ids[f"improve_{key}"] = interview.id, plan_item.id
            ids[f"done_{key}"] = done.id
        db.session.commit()
    return {"li": li, "zhang": zhang, "manager": manager, "trainer": trainer, "ids": ids}


def _make_token(app, person) -> str:
    with app.test_request_context():
        token = calendar.token_of(calendar.create_feed(db.session.get(User, person.id)))
        db.session.commit()
        return token


def _feed(client, token: str):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data), response.get_data(as_text=True)


def _uids(cal) -> set[str]:
    return {str(event["UID"]) for event in cal.walk("VEVENT")}


def _by_uid(cal) -> dict:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def test_the_feed_holds_exactly_the_persons_events(app, client, world):
    ids = world["ids"]
    cal, _text = _feed(client, _make_token(app, world["li"]))
    assert _uids(cal) == {
        f"exam-{ids['exam_li']}@presales-academy", f"exam-{ids['exam_all']}@presales-academy",
        f"training-{ids['train_li']}@presales-academy",
        f"training-{ids['train_all']}@presales-academy",
        f"evaluation-{ids['eval_li']}-due@presales-academy",
        f"interview-{ids['interview_li']}@presales-academy",
        f"improvement-{ids['improve_li']}@presales-academy",
    }
    cal, _text = _feed(client, _make_token(app, world["zhang"]))
    assert f"exam-{ids['exam_zhang']}@presales-academy" in _uids(cal)
    assert not any(uid.startswith(f"exam-{ids['exam_li']}@") for uid in _uids(cal))


def test_the_manager_sees_the_interviews_they_hold_not_their_people_s_plans(app, client,
                                                                           world):
    ids = world["ids"]
    cal, _text = _feed(client, _make_token(app, world["manager"]))
    uids = _uids(cal)
    assert {f"interview-{ids['interview_li']}@presales-academy",
            f"interview-{ids['interview_zhang']}@presales-academy"} <= uids
    assert not any(uid.startswith(("improvement-", "evaluation-")) for uid in uids)
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert "Assessment interview with Li Wei (2026 Q4)" in summaries


def test_a_submitted_scorecard_leaves_the_feed(app, client, world):
    from tests.evaluations.builders import score

    token = _make_token(app, world["li"])
    with app.app_context():
        from app.evaluations.models import Evaluation
        score(db.session.get(Evaluation, world["ids"]["eval_li"]), world["li"], 2, 2)
    cal, _text = _feed(client, token)
    assert not any(uid.startswith("evaluation-") for uid in _uids(cal))


def test_times_are_utc_and_due_dates_are_whole_days(app, client, world):
    ids = world["ids"]
    cal, text = _feed(client, _make_token(app, world["li"]))
    assert str(cal["X-WR-TIMEZONE"]) == app.config["BABEL_DEFAULT_TIMEZONE"]
    assert str(cal["X-WR-CALNAME"]) == "Presales Academy: Li Wei"
    events = _by_uid(cal)
    exam = events[f"exam-{ids['exam_li']}@presales-academy"]
    start, end = exam["DTSTART"].dt, exam["DTEND"].dt
    assert isinstance(start, datetime) and start.utcoffset() == timedelta(0)
    with app.app_context():
        stored = db.session.get(Exam, ids["exam_li"])
        assert (start, end) == (stored.opens_at.replace(microsecond=0),
                                stored.closes_at.replace(microsecond=0))
    assert re.search(r"^DTSTART:\d{8}T\d{6}Z\r?$", text, re.MULTILINE)  # UTC, no TZID
    assert "TZID" not in text
    assert str(exam["URL"]) == f"{app.config['PUBLIC_URL']}/exams/{ids['exam_li']}/"
    training = events[f"training-{ids['train_li']}@presales-academy"]
    first, after = training["DTSTART"].dt, training["DTEND"].dt
    assert type(first) is date and (after - first).days == 2  # two days, end exclusive
    due = events[f"improvement-{ids['improve_li']}@presales-academy"]
    assert type(due["DTSTART"].dt) is date
    assert due["DTSTART"].dt == utcnow().date() + timedelta(days=20)
    assert re.search(r"^DTSTART;VALUE=DATE:\d{8}\r?$", text, re.MULTILINE)
    assert type(events[f"evaluation-{ids['eval_li']}-due@presales-academy"]["DTSTART"].dt) \
        is date


def test_the_feed_speaks_the_person_s_language(app, client, make_user):
    person = make_user("learner", locale="zh_CN", name="王芳")
    exam_id = make_exam(app)
    cal, _text = _feed(client, _make_token(app, person))
    exam = _by_uid(cal)[f"exam-{exam_id}@presales-academy"]
    # Dates in the description are written the Chinese way, whatever the browser asks.
    assert "年" in str(exam["DESCRIPTION"])


def test_the_feed_needs_no_sign_in_and_a_bad_token_is_404(app, client, world):
    li, zhang = world["li"], world["zhang"]
    token = _make_token(app, li)
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # nobody signed in
    user_part, digest = token.split("-", 1)
    wrong_digest = f"{user_part}-{'0' * len(digest)}"
    someone_else = f"{zhang.id}-{digest}"
    for bad in (wrong_digest, someone_else, "nonsense", f"{user_part}-", f"x-{digest}",
                f"99999999999999999-{digest}", f"{token}0"):
        response = client.get(f"/calendar/{bad}.ics")
        assert response.status_code == 404, bad
        if not bad.startswith(token):  # the page echoes the path asked for, nothing more
            assert token not in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(User, li.id).active = False
        db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404  # a closed account


def test_the_address_is_created_shown_and_reset(app, client, world):
    li = world["li"]
    login(client, li)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Create my calendar address" in page and not ADDRESS_RE.search(page)
    response = post_form(client, "/calendar/address", token_from="/notifications/settings")
    assert response.status_code == 302
    page = client.get("/notifications/settings").get_data(as_text=True)
    old = ADDRESS_RE.search(page).group(1)
    assert old.startswith(app.config["PUBLIC_URL"] + "/calendar/") and old.endswith(".ics")
    old_path = old.removeprefix(app.config["PUBLIC_URL"])
    post_form(client, "/calendar/address", token_from="/notifications/settings")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert ADDRESS_RE.search(page).group(1) == old  # creating again keeps the address

    response = client.post("/calendar/address/reset")  # no CSRF token: refused
    assert response.status_code == 400
    response = post_form(client, "/calendar/address/reset", token_from="/notifications/settings")
    assert response.status_code == 302
    new = ADDRESS_RE.search(client.get("/notifications/settings").get_data(as_text=True)
                            ).group(1)
    assert new != old
    post_form(client, "/logout", token_from="/")
    assert client.get(old_path).status_code == 404
    assert client.get(new.removeprefix(app.config["PUBLIC_URL"])).status_code == 200


def test_an_exam_s_ics_only_for_who_may_start_it(app, client, world):
    ids = world["ids"]
    login(client, world["li"])
    start = client.get(f"/exams/{ids['exam_li']}/").get_data(as_text=True)
    assert f'href="/calendar/exam/{ids["exam_li"]}.ics"' in start
    response = client.get(f"/calendar/exam/{ids['exam_li']}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    cal = Calendar.from_ical(response.data)
    assert _uids(cal) == {f"exam-{ids['exam_li']}@presales-academy"}
    assert cal.walk("VEVENT")[0]["DTSTART"].dt.utcoffset() == timedelta(0)
    for other in (ids["exam_zhang"], ids["exam_draft"], 999999):
        assert client.get(f"/exams/{other}/").status_code == 404
        assert client.get(f"/calendar/exam/{other}.ics").status_code == 404
    post_form(client, "/logout", token_from="/")
    response = client.get(f"/calendar/exam/{ids['exam_li']}.ics")
    assert response.status_code == 302  # the downloads need a signed-in person


def test_a_training_item_s_ics_as_its_page(app, client, world):
    ids = world["ids"]
    login(client, world["zhang"])
    page = client.get(f"/training/items/{ids['train_li']}").get_data(as_text=True)
    assert f'href="/calendar/training/{ids["train_li"]}.ics"' in page
    response = client.get(f"/calendar/training/{ids['train_li']}.ics")
    assert response.status_code == 200
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["UID"]) == f"training-{ids['train_li']}@presales-academy"
    assert str(event["SUMMARY"]) == "Training: Li's workshop"
    cancelled = client.get(f"/calendar/training/{ids['train_cancelled']}.ics")
    assert str(Calendar.from_ical(cancelled.data).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert client.get("/calendar/training/999999.ics").status_code == 404


def test_the_token_is_an_hmac_of_the_person_and_nonce(app, world):
    """The database alone does not give the address: the token depends on SECRET_KEY."""
    token = _make_token(app, world["li"])
    with app.test_request_context():
        feed = calendar.feed_of(db.session.get(User, world["li"].id))
        assert feed.nonce not in token
        app.config["SECRET_KEY"] = "another-secret-key-of-enough-length-0123"
        assert calendar.token_of(feed) != token
        assert calendar.owner_of(token) is None

