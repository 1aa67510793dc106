"""Who may produce a score about whom (§1.3.1, §3.1), written as the attacks.

Each test is somebody without authority trying, over HTTP, to make a score reach a
person's assessment record: another team's manager, a trainer (for what trainers may
not coordinate), and the person themselves. None of it may count. The rules are in
app/auth/permissions.evaluation_authority; they decide at scheduling time and again
when the record folds its sources.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.assessments import services as svc
from app.assessments.models import AssessmentPeriod
from app.database import utcnow
from app.evaluations import services as evaluations
from app.evaluations.models import Evaluation, EvaluationState, Review, ReviewState
from app.extensions import db
from tests.evaluations.builders import RUBRIC, rubric_version, user
from tests.helpers import post_form
from tests.helpers import switch_to as login

KINDS = ("demo", "interview", "project-review", "professionalism")



@pytest.fixture
def org(app, make_user):
    """Boss → manager → person (and colleague); another team; a trainer; a reviewer;
    one test rubric of each kind; an open period covering today."""
    with app.app_context():
        boss = make_user("manager", "reviewer", name="Big Boss")
        manager = make_user("manager", "reviewer", name="Chen Jie", manager=boss)
        people = {
            "boss": boss, "manager": manager,
            "person": make_user("learner", "manager", "trainer", manager=manager,
                                name="Li Wei"),
            "colleague": make_user("learner", manager=manager, name="Zhao Lei"),
            "other_manager": make_user("manager", "reviewer", name="Other Manager"),
            "trainer": make_user("trainer", "reviewer", name="Tina Trainer"),
            "reviewer": make_user("reviewer", name="Rui Reviewer"),
            "admin": make_user("admin", name="Ada Admin"),
        }
        people["outsider"] = make_user("learner", manager=people["other_manager"])
        people["rubrics"] = {}
        for kind in KINDS:
            text = RUBRIC.replace("kind: demo", f"kind: {kind}").replace(
                "id: test-demo", f"id: test-{kind}")
            people["rubrics"][kind] = rubric_version(text).id
        today = utcnow().date()
        period = svc.create_period(svc.Plan(
            name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            capability_kinds=["demo", "interview"]), user(manager))
        period.state = "open"
        people["period_id"] = period.id
        db.session.commit()
    return people


def _schedule_form(org, subject, kind, reviewers):
    when = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    due = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    return {"subject": subject.id, "rubric": org["rubrics"][kind], "scenario": "Show it.",
            "scheduled_at": when, "due_at": due, "reviewers": [r.id for r in reviewers],
            "spread_limit": "100"}


def _evaluations_of(app, person) -> list[Evaluation]:
    with app.app_context():
        return list(db.session.execute(sa.select(Evaluation).where(
            Evaluation.subject_id == person.id)).scalars())


def _attempt_to_schedule(app, client, org, actor, subject, kind):
    """``actor`` posts the scheduling form; returns (response, evaluations created)."""
    login(client, actor)
    before = len(_evaluations_of(app, subject))
    response = post_form(client, "/evaluations/new",
                         _schedule_form(org, subject, kind, [org["reviewer"]]),
                         token_from="/evaluations/new")
    return response, len(_evaluations_of(app, subject)) - before


def _record_html(client, org, person) -> str:
    login(client, org["manager"])
    return client.get(f"/assessments/periods/{org['period_id']}/people/{person.id}"
                      ).get_data(as_text=True)


def _row(html: str, indicator: str) -> str:
    return html.split(f'id="indicator-{indicator}"')[1].split("</tr>")[0]


def _released_directly(app, org, coordinator, kind, reviewer=None) -> int:
    """An evaluation written straight into the database, scored 100 and released,
    as the hole before this rule let anyone do: the fold must still not count it."""
    reviewer = reviewer or org["reviewer"]
    with app.app_context():
        from app.rubrics.models import RubricVersion
        version = db.session.get(RubricVersion, org["rubrics"][kind])
        now = utcnow()
        evaluation = Evaluation(
            subject_id=org["person"].id, coordinator_id=coordinator.id, kind=kind,
            rubric_version_id=version.id, scenario="x", scheduled_at=now, due_at=now,
            spread_limit=100, state=EvaluationState.OPEN)
        evaluation.reviews = [Review(reviewer_id=reviewer.id, round=1,
                                     state=ReviewState.PENDING)]
        db.session.add(evaluation)
        db.session.flush()
        review = evaluation.reviews[0]
        evaluations.save_scores(review, {"talk": 3, "show": 2}, {}, "", submit=True)
        evaluations.release(evaluation, user(coordinator))
        db.session.commit()
        return evaluation.id


# -- at scheduling time --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_another_teams_manager_cannot_schedule_any_evaluation_of_the_person(
        app, client, org, kind):
    response, created = _attempt_to_schedule(app, client, org, org["other_manager"],
                                             org["person"], kind)
    assert created == 0 and response.status_code == 200
    # the person is not even offered, and the form keeps what was typed
    html = response.get_data(as_text=True)
    assert "Li Wei" not in html.split('name="subject"')[1].split("</select>")[0]
    assert "Show it." in html


@pytest.mark.parametrize("kind", ["project-review", "professionalism"])
def test_a_trainer_cannot_schedule_a_project_review_or_professionalism(app, client, org, kind):
    response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["person"],
                                             kind)
    assert created == 0 and response.status_code == 200
    assert "You may not coordinate this kind of evaluation of Li Wei" in response.get_data(
        as_text=True)


@pytest.mark.parametrize("kind", ["demo", "interview"])
def test_a_trainer_schedules_demonstrations_and_interviews_of_anyone(app, client, org, kind):
    response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["outsider"],
                                             kind)
    assert response.status_code == 302 and created == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_person_cannot_schedule_an_evaluation_of_themselves(app, client, org, kind):
    # Li Wei is a trainer and a manager too: neither role gives authority over oneself.
    response, created = _attempt_to_schedule(app, client, org, org["person"], org["person"],
                                             kind)
    assert created == 0 and response.status_code == 200


def test_an_admin_as_such_schedules_nothing(app, client, org):
    login(client, org["admin"])
    assert client.get("/evaluations/new").status_code == 403
    response = post_form(client, "/evaluations/new",
                         _schedule_form(org, org["person"], "demo", [org["reviewer"]]),
                         token_from="/")
    assert response.status_code == 403 and not _evaluations_of(app, org["person"])


def test_the_managers_manager_schedules_all_but_professionalism(app, client, org):
    for kind, allowed in (("demo", True), ("project-review", True),
                          ("professionalism", False)):
        response, created = _attempt_to_schedule(app, client, org, org["boss"],
                                                 org["person"], kind)
        assert created == (1 if allowed else 0), kind


def test_the_picker_lists_only_whom_the_scheduler_may_evaluate_and_no_default(
        app, client, org):
    login(client, org["manager"])
    html = client.get("/evaluations/new").get_data(as_text=True)
    picker = html.split('name="subject"')[1].split("</select>")[0]
    assert "Li Wei" in picker and "Zhao Lei" in picker
    assert org["outsider"].email not in picker and "Chen Jie" not in picker
    assert "Other Manager" not in picker
    assert not re.search(r'selected value="\d', picker)  # nobody is chosen for the scheduler
    # asking for someone outside the team by URL preselects nobody
    html = client.get(f"/evaluations/new?subject={org['outsider'].id}").get_data(as_text=True)
    picker = html.split('name="subject"')[1].split("</select>")[0]
    assert not re.search(r'selected value="\d', picker)
    # an empty choice is a message at the field, not a 500
    data = _schedule_form(org, org["person"], "demo", [org["reviewer"]])
    refused = post_form(client, "/evaluations/new", {**data, "subject": ""})
    assert refused.status_code == 200
    assert "Choose the person evaluated." in refused.get_data(as_text=True)


def test_rating_professionalism_from_someone_elses_record_is_refused(app, client, org):
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    for actor in ("other_manager", "trainer", "boss", "person"):
        login(client, org[actor])
        response = post_form(client, f"{path}/professionalism", token_from="/")
        assert response.status_code in (403, 404), actor
    assert not _evaluations_of(app, org["person"])


# -- when the record folds its sources -------------------------------------------------------


@pytest.mark.parametrize("actor,kind,indicator", [
    ("other_manager", "professionalism", "professionalism"),
    ("trainer", "professionalism", "professionalism"),
    ("boss", "professionalism", "professionalism"),
    ("other_manager", "demo", "capability"),
    ("trainer", "project-review", "performance"),
])
def test_a_source_produced_outside_the_authority_is_not_counted_and_the_record_says_why(
        app, client, org, actor, kind, indicator):
    eid = _released_directly(app, org, org[actor], kind)
    with app.app_context():
        result = svc.compute(db.session.get(AssessmentPeriod, org["period_id"]),
                             user(org["person"]))
        item = result.indicators[indicator]
        assert item.value is None and not item.sources
        assert [x["id"] for x in item.detail["excluded"]] == [eid]
    row = _row(_record_html(client, org, org["person"]), indicator)
    names = {"other_manager": "Other Manager", "trainer": "Tina Trainer", "boss": "Big Boss"}
    assert "Not counted:" in row and names[actor] in row
    assert "who has no authority over Li Wei" in row and "100.00" not in row


def test_a_source_produced_by_the_person_themselves_never_counts(app, client, org):
    # A coordinator who is the person: the record folds nothing from it.
    _released_directly(app, org, org["person"], "demo", reviewer=org["colleague"])
    with app.app_context():
        result = svc.compute(db.session.get(AssessmentPeriod, org["period_id"]),
                             user(org["person"]))
        assert result.indicators["capability"].value is None


@pytest.mark.parametrize("actor,kind,indicator", [
    ("manager", "professionalism", "professionalism"),
    ("trainer", "demo", "capability"),
    ("boss", "project-review", "performance"),
])
def test_a_source_within_the_authority_counts(app, org, actor, kind, indicator):
    _released_directly(app, org, org[actor], kind)
    with app.app_context():
        result = svc.compute(db.session.get(AssessmentPeriod, org["period_id"]),
                             user(org["person"]))
        assert result.indicators[indicator].value == 100


# -- delegation of the professionalism rating --------------------------------------------------


def _delegate(client, org, to):
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    login(client, org["manager"])
    return post_form(client, f"{path}/delegation", {"delegate": to.id}, token_from=path)


def test_the_manager_delegates_professionalism_on_the_record_and_it_counts(
        app, client, org):
    _delegate(client, org, org["trainer"])
    html = _record_html(client, org, org["person"])
    assert "Delegated to Tina Trainer for this period" in html
    response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["person"],
                                             "professionalism")
    assert response.status_code == 302 and created == 1
    made = _evaluations_of(app, org["person"])[0].id
    with app.app_context():
        from app.audit.models import AuditEntry
        assert db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "evaluation.delegate")).scalar_one()
        evaluation = db.session.get(Evaluation, made)
        evaluations.save_scores(evaluation.reviews[0], {"talk": 3, "show": 2}, {}, "",
                                submit=True)
        evaluations.release(evaluation, user(org["trainer"]))
        db.session.commit()
        period = db.session.get(AssessmentPeriod, org["period_id"])
        assert svc.compute(period, user(org["person"])).indicators[
            "professionalism"].value == 100
    # withdrawn: the delegate's rating stops counting, and they cannot schedule another
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    login(client, org["manager"])
    post_form(client, f"{path}/delegation/revoke", token_from=path)
    with app.app_context():
        period = db.session.get(AssessmentPeriod, org["period_id"])
        assert svc.compute(period, user(org["person"])).indicators[
            "professionalism"].value is None
    _response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["person"],
                                              "professionalism")
    assert created == 0


def test_only_the_line_manager_delegates(app, client, org):
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    for actor in ("other_manager", "boss", "person"):
        login(client, org[actor])
        response = post_form(client, f"{path}/delegation", {"delegate": org["trainer"].id},
                             token_from="/")
        assert response.status_code in (403, 404), actor
    _response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["person"],
                                              "professionalism")
    assert created == 0


def test_a_delegation_made_by_someone_no_longer_the_manager_does_not_count(app, client, org):
    _delegate(client, org, org["trainer"])
    with app.app_context():
        user(org["person"]).manager_id = org["other_manager"].id  # moved to another team
        db.session.commit()
    _response, created = _attempt_to_schedule(app, client, org, org["trainer"], org["person"],
                                              "professionalism")
    assert created == 0


# -- what the record shows, in the reader's language ---------------------------------------------


def test_figures_typed_in_chinese_read_in_english_on_the_persons_record(app, client, org):
    with app.app_context():
        manager = user(org["manager"])
        manager.locale = "zh_CN"
        db.session.commit()
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    login(client, org["manager"])
    post_form(client, f"{path}/performance", {"success_rate": "80", "satisfaction": "90"},
              token_from=path)
    zh = client.get(path).get_data(as_text=True)
    assert "项目成功率" in _row(zh, "performance")
    with app.app_context():
        record = svc.record_for(db.session.get(AssessmentPeriod, org["period_id"]),
                                user(org["person"]))
        snapshot = svc.snapshot(svc.compute(record.period, record.person))
        labels = [s["label"] for s in snapshot["indicators"]["performance"]["sources"]]
        assert labels == ["success_rate", "satisfaction"]  # keys are stored, not labels
    with app.app_context():
        user(org["manager"]).locale = "en"
        db.session.commit()
    en = _record_html(client, org, org["person"])
    row = _row(en, "performance")
    assert "Project success rate" in row and "项目成功率" not in row


def test_rate_professionalism_uses_the_rubric_in_the_persons_language(app, client, org):
    with app.app_context():
        zh = RUBRIC.replace("kind: demo", "kind: professionalism").replace(
            "id: test-demo", "id: a-zh-professionalism").replace("language: en",
                                                                 "language: zh_CN")
        rubric_version(zh)
        user(org["manager"]).locale = "zh_CN"  # the manager reads Chinese…
        db.session.commit()
    path = f"/assessments/periods/{org['period_id']}/people/{org['person'].id}"
    login(client, org["manager"])
    started = post_form(client, f"{path}/professionalism", token_from=path)
    assert started.status_code == 302
    with app.app_context():
        made = db.session.get(Evaluation, int(re.search(r"/evaluations/(\d+)/",
                                                        started.location).group(1)))
        assert made.rubric_version.rubric.language == "en"  # …the person reads English
        assert made.coordinator_id == org["manager"].id
