"""Notices of evaluations: each kind reaches the right people and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.database import utcnow
from app.evaluations import services as svc
from app.extensions import db
from app.notifications.kinds import KINDS
from app.notifications.kinds import evaluations as kinds
from app.notifications.models import Notification
from app.notifications.words import Described, describe
from tests.evaluations.builders import (
    RUBRIC,
    give_authority,
    rubric_version,
    schedule,
    score,
    user,
)
from tests.helpers import login, post_form

INTERVIEW = RUBRIC.replace("id: test-demo", "id: test-interview").replace(
    "kind: demo", "kind: interview").replace("title: Test demonstration", "title: Interview")


def notices(kind: str) -> list[Notification]:
    return list(db.session.execute(sa.select(Notification).where(Notification.kind == kind)
                                   .order_by(Notification.id)).scalars())


def told(kind: str) -> list[int]:
    return [n.user_id for n in notices(kind)]


def read(notice: Notification, reader: User) -> Described:
    """The notice in words for ``reader``, as the centre shows it (links need a request)."""
    with current_app.test_request_context():
        return describe(notice, reader)


def everything_for(person) -> list[str]:
    return [n.kind for n in db.session.execute(sa.select(Notification).where(
        Notification.user_id == person.id)).scalars()]


@pytest.fixture
def people(app, make_user):
    with app.app_context():
        yield {"subject": make_user("learner", name="Ana Subject"),
               "alice": make_user("reviewer"), "bob": make_user("reviewer"),
               "carol": make_user("reviewer"), "coordinator": make_user("manager"),
               "stranger": make_user("reviewer")}


def test_assigned_tells_each_reviewer_with_a_link_to_their_scorecard(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    assert sorted(told("evaluation.assigned")) == sorted([people["alice"].id, people["bob"].id])
    assert everything_for(people["subject"]) == everything_for(people["coordinator"]) == []
    first = notices("evaluation.assigned")[0]
    words = read(first, user(people["alice"]))
    assert "Ana Subject" in words.text and "Product demonstration" in words.text
    assert words.link == f"/evaluations/{evaluation.id}/review"
    assert read(first, user(people["stranger"])).link is None

    svc.add_reviewer(evaluation, user(people["carol"]), user(people["coordinator"]))
    db.session.commit()
    assert sorted(told("evaluation.assigned")) == sorted(
        [people["alice"].id, people["bob"].id, people["carol"].id])


def test_a_rescore_asks_the_reviewer_again_and_nobody_else(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 1, 1)   # 0
    score(evaluation, people["bob"], 3, 2)     # 100: moderation
    svc.moderate(evaluation, user(people["coordinator"]), "Bob saw the dry run.",
                 accept=False, rescore=[people["bob"].id])
    db.session.commit()
    again = [n for n in notices("evaluation.assigned") if n.params["round"] == 2]
    assert [n.user_id for n in again] == [people["bob"].id]
    words = read(again[0], user(people["bob"]))
    assert "score again" in words.text and words.link.endswith("/review")


def test_assigned_opens_the_reviewers_scorecard_from_the_centre(app, client, make_user):
    with app.app_context():
        subject, reviewer, coordinator = make_user(), make_user("reviewer"), make_user("manager")
        evaluation_id = schedule(subject, [reviewer], coordinator).id
        [notice] = [n.id for n in notices("evaluation.assigned")]
    login(client, reviewer)
    assert 'data-testid="unread-count"' in client.get("/").get_data(as_text=True)
    opened = post_form(client, f"/notifications/{notice}/open", token_from="/notifications/")
    assert opened.headers["Location"].endswith(f"/evaluations/{evaluation_id}/review")
    page = client.get(opened.headers["Location"])
    assert page.status_code == 200 and 'name="action"' in page.get_data(as_text=True)
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_due_soon_tells_only_who_still_owes_a_review_once(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])  # due in 3 days
    score(evaluation, people["bob"], 2, 2)
    assert kinds.due(utcnow()) == 0  # 3 days away: not yet
    soon = utcnow() + timedelta(days=1, hours=12)
    assert kinds.due(soon) == 1
    assert kinds.due(soon) == 0
    db.session.commit()
    assert told("evaluation.due_soon") == [people["alice"].id]
    assert "due soon" in read(notices("evaluation.due_soon")[0], user(people["alice"])).text


def test_overdue_tells_the_reviewer_who_owes_and_late_tells_the_coordinator(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["bob"], 2, 2)
    later = utcnow() + timedelta(days=4)
    assert kinds.due(later) == 2
    assert kinds.due(later) == 0
    db.session.commit()
    assert told("evaluation.overdue") == [people["alice"].id]
    assert told("evaluation.late") == [people["coordinator"].id]
    assert told("evaluation.due_soon") == []
    assert everything_for(people["subject"]) == []
    late = read(notices("evaluation.late")[0], user(people["coordinator"]))
    assert "Late" in late.text and late.link == f"/evaluations/{evaluation.id}"
    assert read(notices("evaluation.late")[0], user(people["stranger"])).link is None


def test_a_released_or_complete_evaluation_is_never_late(people):
    evaluation = schedule(people["subject"], [people["alice"]], people["coordinator"])
    score(evaluation, people["alice"], 2, 2)
    assert kinds.due(utcnow() + timedelta(days=4)) == 0


def test_ready_tells_the_coordinator_once_every_review_is_in(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 2, 2)   # 70
    assert told("evaluation.ready") == []
    score(evaluation, people["bob"], 2, 2)     # 70: within the spread
    assert told("evaluation.ready") == [people["coordinator"].id]
    assert told("evaluation.moderation") == []
    text = read(notices("evaluation.ready")[0], user(people["coordinator"])).text
    assert "ready to release" in text and "70" not in text
    assert everything_for(people["subject"]) == []


def test_moderation_tells_the_coordinator_when_the_reviewers_disagree(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 1, 1)   # 0
    score(evaluation, people["bob"], 3, 2)     # 100
    assert told("evaluation.moderation") == [people["coordinator"].id]
    assert told("evaluation.ready") == []
    text = read(notices("evaluation.moderation")[0], user(people["coordinator"])).text
    assert "more than 20 points" in text and "100" not in text
    assert everything_for(people["subject"]) == []


def test_the_coordinator_who_submits_the_last_card_is_not_told_of_it(people):
    evaluation = schedule(people["subject"], [people["coordinator"]], people["coordinator"])
    assert told("evaluation.assigned") == []  # nobody is told of their own step
    score(evaluation, people["coordinator"], 2, 2)
    assert told("evaluation.ready") == []


def test_released_tells_the_person_only_at_release_and_without_the_score(people):
    manager = people["coordinator"]
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]], manager)
    score(evaluation, people["alice"], 2, 2)
    score(evaluation, people["bob"], 2, 2)
    assert everything_for(people["subject"]) == []  # nothing before release
    svc.release(evaluation, user(manager))
    db.session.commit()
    assert told("evaluation.released") == [people["subject"].id]
    words = read(notices("evaluation.released")[0], user(people["subject"]))
    assert "released" in words.text and "70" not in words.text
    assert words.link == f"/evaluations/{evaluation.id}"
    assert read(notices("evaluation.released")[0], user(people["stranger"])).link is None


def test_an_interview_is_announced_to_the_person_a_demonstration_is_not(people):
    schedule(people["subject"], [people["alice"]], people["coordinator"])
    assert told("evaluation.interview_scheduled") == []
    interview = schedule(people["subject"], [people["alice"]], people["coordinator"],
                         version=rubric_version(INTERVIEW))
    assert told("evaluation.interview_scheduled") == [people["subject"].id]
    words = read(notices("evaluation.interview_scheduled")[0], user(people["subject"]))
    assert "Room 3" in words.text and words.link == f"/evaluations/{interview.id}"
    assert read(notices("evaluation.interview_scheduled")[0],
                user(people["stranger"])).link is None


def test_an_interview_scheduled_after_the_fact_is_not_announced(people):
    plan = svc.Schedule(subject=user(people["subject"]), rubric_version=rubric_version(INTERVIEW),
                        scenario="Held yesterday.", scheduled_at=utcnow() - timedelta(days=1),
                        place="", due_at=utcnow() + timedelta(days=1),
                        reviewers=[user(people["alice"])], evidence_links=[])
    give_authority(people["subject"], people["coordinator"], "interview")
    svc.schedule(plan, user(people["coordinator"]))
    db.session.commit()
    assert told("evaluation.interview_scheduled") == []
    assert told("evaluation.assigned") == [people["alice"].id]


def test_a_notice_of_an_evaluation_that_no_longer_exists_reads_without_a_link(people):
    reader = user(people["alice"])
    for key in ("evaluation.assigned", "evaluation.due_soon", "evaluation.overdue",
                "evaluation.ready", "evaluation.moderation", "evaluation.late",
                "evaluation.released", "evaluation.interview_scheduled"):
        gone = Notification(user_id=reader.id, kind=key, object_type="evaluations",
                            object_id="999999", params={})
        words = read(gone, reader)
        assert "no longer exists" in words.text and words.link is None
        assert KINDS[key].label()


def test_an_inactive_reviewer_is_not_told(people, app):
    schedule(people["subject"], [people["alice"], people["bob"]], people["coordinator"])
    assert people["alice"].id in told("evaluation.assigned")
    bob = db.session.get(User, people["bob"].id)
    bob.active = False
    db.session.commit()
    assert kinds.due(utcnow() + timedelta(days=4)) == 2  # alice overdue, coordinator late
    assert people["bob"].id not in told("evaluation.overdue")
