"""Assessment records from their sources: plans, indicators, publishing, responding, access."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.assessments import services as svc
from app.assessments.models import AssessmentPeriod, PeriodState, RecordState
from app.audit.models import AuditEntry
from app.auth.permissions import Permission, can
from app.database import utcnow
from app.evaluations import services as evaluations
from app.exams.models import Attempt, AttemptState, Exam
from app.extensions import db
from tests.evaluations.builders import RUBRIC, rubric_version, schedule, score, user


def _exam(title: str, combine: str = "highest") -> Exam:
    now = utcnow()
    exam = Exam(title=title, opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=5),
                time_limit_minutes=30, published_at=now, combine=combine)
    db.session.add(exam)
    db.session.flush()
    return exam


def _attempt(exam: Exam, person, number: int, score: float, max_score: float, days_ago=1):
    when = utcnow() - timedelta(days=days_ago)
    db.session.add(Attempt(exam_id=exam.id, user_id=person.id, number=number, started_at=when,
                           deadline_at=when, finished_at=when, state=AttemptState.GRADED,
                           score=score, max_score=max_score, seed=1))
    db.session.flush()


def _released(subject, reviewers, coordinator, kind: str, talk: int, show: int):
    """A released evaluation of ``kind``; the test rubric gives (2,2)=70, (3,2)=100, (2,1)=30."""
    text = RUBRIC.replace("kind: demo", f"kind: {kind}").replace("id: test-demo",
                                                                  f"id: test-{kind}")
    evaluation = schedule(subject, reviewers, coordinator, version=rubric_version(text),
                          spread_limit="100")
    for reviewer in reviewers:
        score(evaluation, reviewer, talk, show)
    evaluations.release(evaluation, user(coordinator))
    db.session.commit()
    return evaluation


@pytest.fixture
def team(app, make_user):
    with app.app_context():
        manager = make_user("manager", "reviewer", name="Chen Jie")
        people = {"manager": manager,
                  "person": make_user("learner", manager=manager, name="Li Wei", team="East"),
                  "colleague": make_user("learner", manager=manager, team="East"),
                  "other_manager": make_user("manager"),
                  "reviewer": make_user("reviewer"),
                  "supervisor": make_user("supervisor")}
        people["outsider"] = make_user("learner", manager=people["other_manager"])
        yield people


def _period(team, **changes) -> AssessmentPeriod:
    today = utcnow().date()
    plan = svc.Plan(name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
                    ends_on=today + timedelta(days=30), **changes)
    period = svc.create_period(plan, user(team["manager"]))
    period.state = PeriodState.OPEN
    db.session.commit()
    return period


def _full_sources(team, period):
    person = user(team["person"])
    first, second = _exam("Product"), _exam("Industry", combine="last")
    _attempt(first, person, 1, 6, 10)
    _attempt(first, person, 2, 9, 10)    # highest: 90
    _attempt(second, person, 1, 40, 50)
    _attempt(second, person, 2, 35, 50)  # last: 70
    period.exam_ids = [first.id, second.id]
    db.session.commit()
    reviewers = [team["reviewer"], team["manager"]]
    _released(team["person"], reviewers, team["manager"], "demo", 2, 2)       # 70
    _released(team["person"], reviewers, team["manager"], "interview", 3, 2)  # 100
    _released(team["person"], [team["reviewer"]], team["manager"], "project-review", 2, 1)
    _released(team["person"], [team["manager"]], team["manager"], "professionalism", 3, 2)
    svc.enter_performance(period, person, D("80"), D("90"), "", user(team["manager"]))
    db.session.commit()


def test_every_indicator_comes_from_its_sources(team):
    period = _period(team)
    _full_sources(team, period)
    result = svc.compute(period, user(team["person"]))
    values = {k: i.value for k, i in result.indicators.items()}
    # knowledge: mean of 90 and 70; capability: mean of 70 and 100;
    # performance: (40*30 + 30*80 + 30*90) / 100 = 63; professionalism: 100
    assert values == {"knowledge": D("80.00"), "capability": D("85.00"),
                      "performance": D("63.00"), "professionalism": D("100.00")}
    # 0.30*80 + 0.30*85 + 0.25*63 + 0.15*100 = 24 + 25.5 + 15.75 + 15
    assert result.total == D("80.25") and result.band == "good"
    knowledge = result.indicators["knowledge"]
    assert sorted((s.label, s.value) for s in knowledge.sources) == [
        ("Industry", D("70.00")), ("Product", D("90.00"))]
    assert {s.kind for s in result.indicators["performance"].sources} == {"evaluation", "entry"}


def test_sources_outside_the_period_or_unreleased_do_not_count(team):
    period = _period(team)
    person = user(team["person"])
    exam = _exam("Old")
    _attempt(exam, person, 1, 10, 10, days_ago=60)  # before the period started
    period.exam_ids = [exam.id]
    pending = schedule(team["person"], [team["reviewer"]], team["manager"])
    score(pending, team["reviewer"], 3, 2)  # ready, not released
    result = svc.compute(period, person)
    assert result.indicators["knowledge"].missing and result.indicators["capability"].missing


def test_publishing_needs_feedback_and_a_reason_when_incomplete(team):
    period = _period(team)
    manager, person = user(team["manager"]), user(team["person"])
    record = svc.record_for(period, person)
    with pytest.raises(svc.AssessmentRefused, match="feedback"):
        svc.publish(record, manager)
    svc.save_feedback(record, "Clear demos.", "Project documents late.")
    with pytest.raises(svc.AssessmentRefused, match="needs a reason"):
        svc.publish(record, manager)
    svc.publish(record, manager, reason="On leave for six weeks")
    db.session.commit()
    assert record.state == RecordState.PUBLISHED and record.total is None
    assert record.snapshot["missing"] == list(svc.ind.INDICATORS)
    entry = db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == "assessment.record.publish")).scalar_one()
    assert entry.reason == "On leave for six weeks"


def test_a_published_record_is_frozen_against_later_sources(team):
    period = _period(team)
    _full_sources(team, period)
    record = svc.record_for(period, user(team["person"]))
    svc.save_feedback(record, "Good quarter.", "")
    svc.publish(record, user(team["manager"]))
    db.session.commit()
    _released(team["person"], [team["reviewer"]], team["manager"], "demo", 2, 1)  # 30 later
    assert svc.compute(period, user(team["person"])).total != record.total
    assert record.total == D("80.25") and record.snapshot["total"] == "80.25"
    with pytest.raises(svc.AssessmentRefused, match="change request"):
        svc.save_feedback(record, "Edited silently", "")


def test_the_person_acknowledges_or_disagrees_with_a_comment(team):
    period = _period(team)
    record = svc.record_for(period, user(team["person"]))
    with pytest.raises(svc.AssessmentRefused, match="not published"):
        svc.respond(record, user(team["person"]), agree=True)
    svc.save_feedback(record, "Fine.", "")
    svc.publish(record, user(team["manager"]), reason="Joined mid-quarter")
    with pytest.raises(svc.AssessmentRefused, match="Only the person"):
        svc.respond(record, user(team["colleague"]), agree=True)
    with pytest.raises(svc.AssessmentRefused, match="disagree"):
        svc.respond(record, user(team["person"]), agree=False)
    svc.respond(record, user(team["person"]), agree=False, comment="The demo was in Q3.")
    assert record.state == RecordState.DISPUTED and record.response_comment


def test_a_period_is_published_only_when_every_record_is(team):
    period = _period(team, audience="people", user_ids=[team["person"].id])
    manager = user(team["manager"])
    svc.advance(period, manager)  # open -> scoring
    with pytest.raises(svc.AssessmentRefused, match="Li Wei"):
        svc.advance(period, manager)
    record = svc.record_for(period, user(team["person"]))
    svc.save_feedback(record, "Fine.", "")
    svc.publish(record, manager, reason="New joiner")
    assert svc.advance(period, manager) == PeriodState.PUBLISHED
    with pytest.raises(svc.AssessmentRefused, match="does not cover"):
        svc.record_for(period, user(team["colleague"]))


def test_plans_are_checked_and_fixed_once_open(team):
    today = utcnow().date()
    bad = svc.Plan(name="Bad", cadence="monthly", starts_on=today, ends_on=today,
                   weights={**svc.ind.DEFAULT_WEIGHTS, "knowledge": D(20)})
    with pytest.raises(svc.AssessmentRefused, match="total 100"):
        svc.create_period(bad, user(team["manager"]))
    period = _period(team)
    with pytest.raises(svc.AssessmentRefused, match="fixed once the period opens"):
        svc.update_plan(period, svc.Plan(name="X", cadence="quarterly", starts_on=today,
                                         ends_on=today), user(team["manager"]))
    with pytest.raises(svc.AssessmentRefused, match="between 0 and 100"):
        svc.enter_performance(period, user(team["person"]), D("120"), None, "",
                              user(team["manager"]))


def test_managers_see_only_their_team_and_the_person_only_once_published(team):
    period = _period(team)
    record = svc.record_for(period, user(team["person"]))
    outsider_record = svc.record_for(period, user(team["outsider"]))
    manager, other = user(team["manager"]), user(team["other_manager"])
    assert can(manager, Permission.VIEW_RECORD, record)
    assert can(manager, Permission.SCORE_RECORD, record)
    assert not can(manager, Permission.VIEW_RECORD, outsider_record)
    assert not can(other, Permission.VIEW_RECORD, record)
    assert not can(user(team["person"]), Permission.VIEW_RECORD, record)  # still a draft
    supervisor = user(team["supervisor"])
    assert can(supervisor, Permission.VIEW_RECORD, record)
    assert not can(supervisor, Permission.SCORE_RECORD, record)
    svc.save_feedback(record, "Fine.", "")
    svc.publish(record, manager, reason="New joiner")
    assert can(user(team["person"]), Permission.VIEW_RECORD, record)
    assert not can(user(team["colleague"]), Permission.VIEW_RECORD, record)
    assert {p.id for p in svc.people_covered(period, manager)} == {
        team["person"].id, team["colleague"].id}
