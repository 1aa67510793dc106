"""Complaint notices: who hears that a complaint or suggestion arrived (an anonymous one
without a trace of its author), that theirs moved on or was answered, that one is open too
long; and who does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.complaints import services as svc
from app.complaints.models import Complaint
from app.database import utcnow
from app.extensions import db
from app.notifications.kinds import complaints as complaint_kinds
from app.notifications.models import Notification, OutboxMessage
from app.notifications.words import describe
from tests.helpers import login, post_form


@pytest.fixture
def people(app, make_user):
    return {"author": make_user("learner", name="Li Wei", email="li.wei@example.com"),
            "colleague": make_user("learner"), "manager": make_user("manager"),
            "supervisor": make_user("supervisor"), "second": make_user("supervisor"),
            "retired": make_user("supervisor", active=False)}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield
        db.session.remove()


def _user(person) -> User:
    return db.session.get_one(User, person.id)


def _told(kind: str) -> list[int]:
    return sorted(db.session.execute(sa.select(Notification.user_id).where(
        Notification.kind == kind)).scalars())


def _notices(kind: str, person) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(
        Notification.kind == kind, Notification.user_id == person.id)
        .order_by(Notification.id)).scalars())


def _file(person, title: str, kind: str = "complaint") -> Complaint:
    complaint = svc.file(_user(person), kind=kind, topic="assessment", title=title,
                         body="Details.")
    db.session.commit()
    return complaint


def test_a_signed_complaint_reaches_the_supervision_group_at_once(ctx, people):
    complaint = _file(people["author"], "Unfair essay mark")
    group = sorted([people["supervisor"].id, people["second"].id])
    assert _told("complaint.arrived") == group  # not the author, manager, inactive member
    notice = _notices("complaint.arrived", people["supervisor"])[0]
    assert notice.visible_from <= utcnow() and notice.object_id == complaint.reference
    told = describe(notice, _user(people["supervisor"]))
    assert "Unfair essay mark" in told.text and "Li Wei" not in told.text
    assert told.link == f"/complaints/{complaint.reference}"
    assert describe(notice, _user(people["colleague"])).link is None  # may not open it


def test_an_anonymous_suggestion_is_told_a_day_later_with_no_trace_of_its_author(
        app, client, people):
    login(client, people["colleague"])
    before = post_form(client, "/complaints/new", {"kind": "complaint", "topic": "training",
                                                   "title": "Filed before", "body": "b"})
    post_form(client, "/logout", token_from="/")
    login(client, people["author"])
    filed = post_form(client, "/complaints/new", {
        "kind": "suggestion", "topic": "training", "title": "More labs",
        "body": "Hands-on labs, please.", "anonymous": "y"})
    assert before.status_code == filed.status_code == 302
    with app.test_request_context():
        suggestion = db.session.execute(sa.select(Complaint).where(
            Complaint.title == "More labs")).scalar_one()
        # Filing it wrote nothing but its row: no notice, no e-mail, whose id or time
        # would sit between the signed complaints' ones.
        assert not db.session.execute(sa.select(Notification).where(
            Notification.object_id == suggestion.reference)).first()
        signed_ids = [n.id for n in db.session.execute(sa.select(Notification)).scalars()]
        now = utcnow()
        assert complaint_kinds.due(now) == 0  # the same day: not yet
        next_day = now + timedelta(days=1)
        made, again = complaint_kinds.due(next_day), complaint_kinds.due(next_day)
        db.session.commit()
        assert (made, again) == (2, 0)  # each member once; run twice, told once
        rows = db.session.execute(sa.select(Notification).where(
            Notification.object_id == suggestion.reference)).scalars().all()
        assert sorted(n.user_id for n in rows) == sorted(
            [people["supervisor"].id, people["second"].id])
        for row in rows:
            assert row.params == {"kind": "suggestion"}  # nothing of its author
            assert row.user_id != people["author"].id
            assert (row.visible_from.minute, row.visible_from.second,
                    row.visible_from.microsecond) == (0, 0, 0)
            assert row.visible_from >= next_day
            assert row.id > max(signed_ids)  # told after, not among, the signed ones
            told = describe(row, db.session.get_one(User, row.user_id))
            assert "More labs" in told.text and "anonymous" in told.text
            for trace in ("Li Wei", "li.wei", str(people["author"].id)):
                assert trace not in told.text and trace not in (told.link or "")
            assert told.link == f"/complaints/{suggestion.reference}"
        assert not db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.user_id == people["author"].id)).first()


def test_the_author_hears_that_their_complaint_moved_on_or_was_answered(ctx, people):
    complaint = _file(people["author"], "Unfair essay mark")
    handler = _user(people["supervisor"])
    svc.handle(complaint, handler, state="investigating", owner=None, response="",
               action_taken="", linked_path="")
    svc.handle(complaint, handler, state="investigating", owner=_user(people["second"]),
               response="", action_taken="", linked_path="")  # a new owner: no news for them
    svc.handle(complaint, handler, state="resolved", owner=None,
               response="The mark was corrected.", action_taken="Regraded", linked_path="")
    db.session.commit()
    assert _told("complaint.changed") == [people["author"].id] * 2  # nobody else
    moved, answered = _notices("complaint.changed", people["author"])
    author = _user(people["author"])
    assert "Investigating" in describe(moved, author).text
    assert "has an answer" in describe(answered, author).text
    assert "Resolved" in describe(answered, author).text
    assert describe(answered, author).link == f"/complaints/{complaint.reference}"
    assert describe(answered, _user(people["colleague"])).link is None


def test_a_complaint_open_too_long_is_told_to_the_group_once(app, ctx, people):
    days = app.config["COMPLAINT_OPEN_DAYS"]
    late = _file(people["author"], "Still waiting")
    recent = _file(people["author"], "Just filed")
    closed = _file(people["author"], "Settled long ago")
    old_idea = _file(people["author"], "An old idea", kind="suggestion")
    for row in (late, closed, old_idea):
        row.received_on = row.received_on - timedelta(days=days + 1)
    svc.handle(closed, _user(people["supervisor"]), state="rejected", owner=None,
               response="Out of scope.", action_taken="", linked_path="")
    db.session.commit()
    now = utcnow()
    made, again = complaint_kinds.due(now), complaint_kinds.due(now + timedelta(hours=1))
    db.session.commit()
    assert (made, again) == (2, 0)  # once per member for the one late complaint
    assert _told("complaint.overdue") == sorted([people["supervisor"].id,
                                                 people["second"].id])
    notice = _notices("complaint.overdue", people["second"])[0]
    assert notice.object_id == late.reference and recent.reference != notice.object_id
    told = describe(notice, _user(people["second"]))
    assert f"open for {days + 1} days" in told.text
    assert told.link == f"/complaints/{late.reference}"
