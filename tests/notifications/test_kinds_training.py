"""Training notices: who hears that an item is planned for them or starts tomorrow, and that
their need was answered; and who does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth.audience import AudienceChoice
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications.kinds import training as training_kinds
from app.notifications.models import Notification
from app.notifications.words import describe
from app.training import services as svc
from tests.training.builders import item, need, today


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


def _notice(kind: str, person) -> Notification:
    return db.session.execute(sa.select(Notification).where(
        Notification.kind == kind, Notification.user_id == person.id)).scalar_one()


def _item_on(trainer, days_ahead: int, choice: AudienceChoice, title: str = "Discovery lab"):
    """A one-day item ``days_ahead`` days from today (any year: it is one day long)."""
    day = today() + timedelta(days=days_ahead)
    return svc.create_item(svc.ItemInput(title=title, area="communication",
                                         delivery="internal", starts_on=day, ends_on=day,
                                         location="Room 3"), choice, _user(trainer))


def test_an_item_planned_for_a_team_is_told_to_that_team_once(ctx, make_user):
    trainer = make_user("trainer")
    east, west = make_user("learner", team="East"), make_user("learner", team="West")
    team = _user(east).team_id
    planned = _item_on(trainer, 5, AudienceChoice("teams", team_ids=(team,)))
    item(trainer, title="Last week's workshop", starts_in=-7)  # over already: nobody is told
    db.session.commit()
    assert _told("training.planned") == [east.id]  # not the other team, not the trainer
    # A wider audience admits the other team: only the newcomers hear it.
    svc.update_item(planned, svc.ItemInput(
        title=planned.title, area=planned.area, delivery=planned.delivery,
        starts_on=planned.starts_on, ends_on=planned.ends_on),
        AudienceChoice("teams", team_ids=(team, _user(west).team_id)), _user(trainer))
    db.session.commit()
    assert _told("training.planned") == sorted([east.id, west.id])
    told = describe(_notice("training.planned", east), _user(east))
    assert "Discovery lab" in told.text and told.link == f"/training/items/{planned.id}"
    svc.set_status(planned, "cancelled", _user(trainer), note="Trainer ill")
    assert "cancelled" in describe(_notice("training.planned", east), _user(east)).text


def test_an_item_starting_tomorrow_is_told_to_its_audience_once(ctx, make_user):
    trainer = make_user("trainer")
    one, two = make_user("learner"), make_user("learner", team="East")
    gone = make_user("learner", active=False)
    tomorrow = _item_on(trainer, 1, AudienceChoice("people", emails=(one.email,)))
    _item_on(trainer, 2, AudienceChoice("people", emails=(two.email,)), title="Later")
    cancelled = _item_on(trainer, 1, AudienceChoice("people", emails=(two.email,)),
                         title="Off")
    svc.set_status(cancelled, "cancelled", _user(trainer), note="No room")
    db.session.commit()
    now = utcnow()
    made, again = training_kinds.due(now), training_kinds.due(now + timedelta(minutes=10))
    db.session.commit()
    assert (made, again) == (1, 0)  # run twice: told once
    assert _told("training.tomorrow") == [one.id]  # not the later item's, not the cancelled
    assert gone.id not in _told("training.planned")
    told = describe(_notice("training.tomorrow", one), _user(one))
    assert "Discovery lab" in told.text and "Room 3" in told.text
    assert told.link == f"/training/items/{tomorrow.id}"


def test_a_need_answered_is_told_to_its_author_only(ctx, make_user):
    manager = make_user("manager")
    trainer = make_user("trainer")
    author = make_user("learner", manager=manager)
    colleague = make_user("learner")
    asked = need(author, topic="Objection handling")
    own = need(trainer, topic="Facilitation")
    answer = _item_on(trainer, 10, AudienceChoice("people", emails=(colleague.email,)),
                      title="Objections clinic")
    svc.answer_need(asked, _user(trainer), action="plan", item=answer)
    svc.answer_need(own, _user(trainer), action="decline", response="Not this year")
    db.session.commit()
    assert _told("training.need_answered") == [author.id]  # not the manager, not the trainer
    notice = _notice("training.need_answered", author)
    told = describe(notice, _user(author))
    assert "Objection handling" in told.text and "Objections clinic" in told.text
    assert told.link == f"/training/needs/{asked.id}"
    assert describe(notice, _user(colleague)).link is None  # not their need: no link
    svc.answer_need(asked, _user(trainer), action="decline", response="Budget")
    db.session.commit()
    assert _told("training.need_answered") == [author.id, author.id]
