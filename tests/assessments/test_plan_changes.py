"""Correcting a period's plan after it opens: while no record is published, with a reason,
audited; drafts follow the corrected plan; afterwards the change-request path instead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.assessments import plan_changes
from app.assessments import services as svc
from app.assessments.models import AssessmentPeriod
from app.assessments.sources import compute
from app.audit.models import AuditEntry
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from tests.helpers import post_form
from tests.helpers import switch_to as login

WEIGHTS = {"knowledge": D(0), "capability": D(0), "performance": D(100),
           "professionalism": D(0)}


@pytest.fixture
def team(app, make_user):
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        people = {"manager": manager,
                  "person": make_user("learner", manager=manager, name="Li Wei"),
                  "supervisor": make_user("supervisor")}
        today = utcnow().date()
        period = svc.create_period(svc.Plan(
            name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30)), db.session.get(User, manager.id))
        period.state = "open"
        people["period_id"] = period.id
        db.session.commit()
    return people


def _period(pid: int) -> AssessmentPeriod:
    period = db.session.get(AssessmentPeriod, pid)
    assert period is not None
    return period


def _correction(period: AssessmentPeriod, **changes) -> plan_changes.PlanCorrection:
    plan = {"weights": {k: D(v) for k, v in period.weights.items()},
            "bands": {k: D(v) for k, v in period.bands.items()},
            "performance_formula": {k: D(v) for k, v in period.performance_formula.items()},
            "exam_ids": list(period.exam_ids), "exam_combine": period.exam_combine,
            "capability_kinds": list(period.capability_kinds)}
    return plan_changes.PlanCorrection(**{**plan, **changes})


def _publish(pid: int, person_id: int, manager_id: int) -> None:
    period, person = _period(pid), db.session.get(User, person_id)
    manager = db.session.get(User, manager_id)
    record = svc.record_for(period, person)
    svc.save_feedback(record, "Clear demos.", "")
    svc.publish(record, manager, reason="Joined late")
    db.session.commit()


def _corrections() -> list[AuditEntry]:
    return list(db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == plan_changes.ACTION)).scalars())


def test_a_correction_is_stored_audited_with_its_reason_and_drafts_follow_it(app, team):
    with app.app_context():
        period, person = _period(team["period_id"]), db.session.get(User, team["person"].id)
        manager = db.session.get(User, team["manager"].id)
        svc.enter_performance(period, person, D(80), D(90), "", manager)
        assert compute(period, person).total is None  # three indicators have no source
        changed = plan_changes.correct_plan(period, _correction(period, weights=WEIGHTS),
                                            "  Only figures this quarter  ", manager)
        db.session.commit()
        assert changed == ["weights"]
        assert period.weights == {"knowledge": "0", "capability": "0", "performance": "100",
                                  "professionalism": "0"}
        result = compute(_period(team["period_id"]), person)
        assert result.total == D("85.00") and result.band == "good"  # (30*80+30*90)/60
        (entry,) = _corrections()
        assert entry.reason == "Only figures this quarter"
        assert entry.before == {"weights": {"knowledge": "30", "capability": "30",
                                            "performance": "25", "professionalism": "15"}}
        assert entry.after == {"weights": period.weights}


@pytest.mark.parametrize(("changes", "reason", "field", "message"), [
    ({"weights": WEIGHTS}, "  ", "reason", "Give the reason"),
    ({"weights": {**WEIGHTS, "knowledge": D(5)}}, "Fix", "weights", "they total 105"),
    ({"weights": {**WEIGHTS, "knowledge": D(-5), "capability": D(5)}}, "Fix", "weights",
     "cannot be negative"),
    ({"bands": {"excellent": D(60), "good": D(75), "qualified": D(50)}}, "Fix", "bands",
     "Bands must fall"),
    ({"exam_combine": "median"}, "Fix", "exam_combine", "several exams combine"),
    ({}, "Fix", None, "Nothing changed"),
])
def test_a_bad_correction_is_refused_beside_its_part_and_nothing_is_stored(
        app, team, changes, reason, field, message):
    with app.app_context():
        period = _period(team["period_id"])
        manager = db.session.get(User, team["manager"].id)
        with pytest.raises(svc.AssessmentRefused, match=message) as refused:
            plan_changes.correct_plan(period, _correction(period, **changes), reason, manager)
        assert refused.value.field == field
        db.session.rollback()
        assert _period(team["period_id"]).weights["knowledge"] == "30" and not _corrections()


def test_no_correction_while_planning_or_once_a_record_is_published(app, team):
    with app.app_context():
        period = _period(team["period_id"])
        manager = db.session.get(User, team["manager"].id)
        period.state = "planning"
        with pytest.raises(svc.AssessmentRefused, match="edit the plan instead"):
            plan_changes.correct_plan(period, _correction(period, weights=WEIGHTS), "Fix",
                                      manager)
        period.state = "open"
        db.session.commit()
        assert plan_changes.correctable(period)
        _publish(team["period_id"], team["person"].id, team["manager"].id)
        period = _period(team["period_id"])
        assert not plan_changes.correctable(period)
        with pytest.raises(svc.AssessmentRefused, match="Li Wei's record is published"):
            plan_changes.correct_plan(period, _correction(period, weights=WEIGHTS), "Fix",
                                      manager)


def _form(**overrides) -> dict:
    data = {"weight_knowledge": "30", "weight_capability": "30", "weight_performance": "25",
            "weight_professionalism": "15", "band_excellent": "90", "band_good": "75",
            "band_qualified": "60", "exam_combine": "mean",
            "capability_kinds": ["demo", "interview"], "part_project_reviews": "40",
            "part_success_rate": "30", "part_satisfaction": "30", "reason": ""}
    return {**data, **overrides}


@pytest.mark.parametrize(("overrides", "message", "kept"), [
    ({"weight_knowledge": "40", "reason": "Exams matter more"},
     "The four weights must total 100 (they total 110).", 'value="40"'),
    ({"weight_knowledge": "-10", "weight_capability": "70", "reason": "x"},
     "Number must be between 0 and 100.", 'value="-10"'),
    ({"weight_knowledge": "thirty", "reason": "x"}, "Not a valid decimal value",
     'value="thirty"'),
    ({"weight_knowledge": "40", "weight_capability": "20"},
     "Give the reason for the correction", 'value="40"'),
])
def test_the_form_refuses_with_a_field_message_and_keeps_what_was_typed(
        app, client, team, overrides, message, kept):
    login(client, team["manager"])
    path = f"/assessments/periods/{team['period_id']}/plan/correct"
    response = post_form(client, path, _form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html and kept in html and 'class="error"' in html
    with app.app_context():
        assert _period(team["period_id"]).weights["knowledge"] == "30" and not _corrections()


def test_a_manager_corrects_the_plan_and_the_period_page_shows_it(app, client, team):
    pid = team["period_id"]
    login(client, team["manager"])
    page = client.get(f"/assessments/periods/{pid}").get_data(as_text=True)
    assert f"/assessments/periods/{pid}/plan/correct" in page
    form = client.get(f"/assessments/periods/{pid}/plan/correct").get_data(as_text=True)
    assert 'value="30.00"' in form
    done = post_form(client, f"/assessments/periods/{pid}/plan/correct", _form(
        weight_knowledge="40", weight_capability="20", reason="The demo day was cancelled"),
        follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Plan corrected" in html and "40 %" in html and "20 %" in html
    assert "The demo day was cancelled" in html
    assert "Professional knowledge: 30 → 40" in html
    login(client, team["person"])  # the people covered see the corrected plan and why
    html = client.get(f"/assessments/periods/{pid}").get_data(as_text=True)
    assert "40 %" in html and "The demo day was cancelled" in html
    assert "/plan/correct" not in html
    assert client.get(f"/assessments/periods/{pid}/plan/correct").status_code == 403


def test_after_publication_the_page_offers_the_change_request_instead(app, client, team):
    pid, person = team["period_id"], team["person"]
    with app.app_context():
        _publish(pid, person.id, team["manager"].id)
    login(client, team["manager"])
    path = f"/assessments/periods/{pid}/plan/correct"
    html = client.get(path).get_data(as_text=True)
    assert "The plan is fixed" in html and 'name="weight_knowledge"' not in html
    assert f"/assessments/periods/{pid}/people/{person.id}#changes" in html
    refused = post_form(client, path, _form(weight_knowledge="40", weight_capability="20",
                                            reason="Late fix"),
                        token_from=f"/assessments/periods/{pid}")
    assert "Li Wei&#39;s record is published" in refused.get_data(as_text=True)
    page = client.get(f"/assessments/periods/{pid}").get_data(as_text=True)
    assert f"/people/{person.id}#changes" in page and f"{path}\"" not in page
    with app.app_context():
        assert _period(pid).weights["knowledge"] == "30" and not _corrections()


def test_a_period_manager_who_is_not_the_line_manager_is_sent_to_the_record(
        app, client, team, make_user):
    pid, person = team["period_id"], team["person"]
    with app.app_context():
        _publish(pid, person.id, team["manager"].id)
    login(client, make_user("admin"))
    html = client.get(f"/assessments/periods/{pid}/plan/correct").get_data(as_text=True)
    assert "Li Wei's record (their manager requests changes)" in html
    assert "Request a change to" not in html


@pytest.mark.parametrize(("data", "message", "kept"), [
    ({"performance": "120", "reason": "Rate was 74 %."}, "Number must be between 0 and 100.",
     'value="120"'),
    ({"performance": "eighty", "reason": "Rate was 74 %."}, "Not a valid decimal value",
     'value="eighty"'),
    ({"performance": "82"}, "Give the reason", 'value="82"'),
])
def test_a_refused_change_request_keeps_what_was_typed_beside_its_field(
        app, client, team, data, message, kept):
    pid, person = team["period_id"], team["person"]
    with app.app_context():
        _publish(pid, person.id, team["manager"].id)
    login(client, team["manager"])
    path = f"/assessments/periods/{pid}/people/{person.id}"
    response = post_form(client, f"{path}/changes", data, token_from=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and kept in html
    assert 'aria-invalid="true"' in html
    if "reason" in data:
        assert "Rate was 74 %." in html
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM assessment_changes")).scalar() == 0
