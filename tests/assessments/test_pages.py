"""Assessment pages over HTTP: the plan, the team table, the record, publishing, responding."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.assessments import services as svc
from app.assessments.models import AssessmentPeriod, AssessmentRecord, PerformanceEntry
from app.database import utcnow
from app.extensions import db
from tests.evaluations.builders import user
from tests.helpers import post_form
from tests.helpers import switch_to as login


@pytest.fixture
def team(app, make_user):
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        people = {"manager": manager,
                  "person": make_user("learner", manager=manager, name="Li Wei"),
                  "colleague": make_user("learner", manager=manager, name="Zhao Lei"),
                  "other_manager": make_user("manager", name="Other Manager"),
                  "supervisor": make_user("supervisor")}
        people["outsider"] = make_user("learner", manager=people["other_manager"],
                                       name="Out Sider")
        today = utcnow().date()
        period = svc.create_period(svc.Plan(
            name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30), description="Exams in **week 10**."),
            user(manager))
        people["period_id"] = period.id
        db.session.commit()
    return people


def _open(app, period_id):
    with app.app_context():
        db.session.get(AssessmentPeriod, period_id).state = "open"
        db.session.commit()


def test_a_manager_creates_a_period_with_its_plan(app, client, team):
    login(client, team["manager"])
    today = utcnow().date()
    data = {"name": "2027 Q1", "cadence": "quarterly", "starts_on": str(today),
            "ends_on": str(today + timedelta(days=89)), "audience": "everyone",
            "weight_knowledge": "30", "weight_capability": "30", "weight_performance": "30",
            "weight_professionalism": "15", "band_excellent": "90", "band_good": "75",
            "band_qualified": "60", "exam_combine": "mean", "capability_kinds": ["demo"],
            "part_project_reviews": "40", "part_success_rate": "30", "part_satisfaction": "30"}
    refused = post_form(client, "/assessments/periods/new", data)
    assert "total 100 (they total 105)" in refused.get_data(as_text=True)
    done = post_form(client, "/assessments/periods/new", {**data, "weight_performance": "25"})
    assert done.status_code == 302
    with app.app_context():
        period = db.session.execute(sa.select(AssessmentPeriod).where(
            AssessmentPeriod.name == "2027 Q1")).scalar_one()
        assert period.capability_kinds == ["demo"] and period.weights["performance"] == "25"


def test_people_see_the_plan_only_once_the_period_opens(app, client, team):
    pid = team["period_id"]
    login(client, team["person"])
    assert client.get(f"/assessments/periods/{pid}").status_code == 404
    _open(app, pid)
    html = client.get(f"/assessments/periods/{pid}").get_data(as_text=True)
    assert "<strong>week 10</strong>" in html and "30 %" in html
    assert "Zhao Lei" not in html  # the plan, not the team's records


def test_the_team_table_shows_only_the_managers_own_people(app, client, team):
    pid = team["period_id"]
    _open(app, pid)
    login(client, team["manager"])
    html = client.get(f"/assessments/periods/{pid}?sort=name").get_data(as_text=True)
    assert "Li Wei" in html and "Zhao Lei" in html and "Out Sider" not in html
    assert html.count("missing") >= 8  # no sources yet: every indicator missing
    login(client, team["supervisor"])
    assert "Out Sider" in client.get(f"/assessments/periods/{pid}").get_data(as_text=True)


def test_guessing_another_teams_record_gets_404(app, client, team):
    pid = team["period_id"]
    _open(app, pid)
    login(client, team["other_manager"])
    path = f"/assessments/periods/{pid}/people/{team['person'].id}"
    assert client.get(path).status_code == 404
    assert post_form(client, f"{path}/feedback", {"went_well": "x"},
                     token_from="/assessments/").status_code == 404
    login(client, team["person"])
    assert client.get(path).status_code == 404  # a draft is not the person's yet
    login(client, team["supervisor"])
    assert client.get(path).status_code == 200
    assert post_form(client, f"{path}/publish", token_from="/assessments/").status_code == 403


def test_the_manager_scores_publishes_and_the_person_acknowledges(app, client, team):
    pid = team["period_id"]
    _open(app, pid)
    path = f"/assessments/periods/{pid}/people/{team['person'].id}"
    login(client, team["manager"])
    post_form(client, f"{path}/performance", {"success_rate": "80", "satisfaction": "90"},
              token_from=path)
    post_form(client, f"{path}/feedback", {"went_well": "Clear demos.",
                                           "problems": "Late documents."}, token_from=path)
    refused = post_form(client, f"{path}/publish", {}, token_from=path, follow_redirects=True)
    assert "needs a reason" in refused.get_data(as_text=True)
    post_form(client, f"{path}/publish", {"reason": "Joined in November"}, token_from=path)
    with app.app_context():
        record = db.session.execute(sa.select(AssessmentRecord)).scalar_one()
        assert record.state == "published"
        assert record.snapshot["indicators"]["performance"]["value"] == "85.00"  # (30*80+30*90)/60
    login(client, team["person"])
    html = client.get(path).get_data(as_text=True)
    assert "Clear demos." in html and "Late documents." in html and "85.00" in html
    assert "Joined in November" in html
    assert "Out Sider" not in client.get("/assessments/").get_data(as_text=True)
    disagree = post_form(client, f"{path}/respond", {"response": "disagree"}, token_from=path,
                         follow_redirects=True)
    assert "Say what you disagree with" in disagree.get_data(as_text=True)
    post_form(client, f"{path}/respond", {"response": "agree"}, token_from=path)
    with app.app_context():
        assert db.session.execute(sa.select(AssessmentRecord.state)).scalar_one() == \
            "acknowledged"


def test_figures_import_from_csv_all_or_nothing(app, client, team):
    pid = team["period_id"]
    _open(app, pid)
    login(client, team["manager"])
    page = f"/assessments/periods/{pid}"

    def upload(text: str):
        return post_form(client, f"{page}/performance/import",
                         {"file": (io.BytesIO(text.encode()), "figures.csv")},
                         token_from=page, content_type="multipart/form-data",
                         follow_redirects=True).get_data(as_text=True)

    person, colleague, outsider = (team[k].email for k in ("person", "colleague", "outsider"))
    bad = upload(f"email,success_rate,satisfaction\n{person},80,4.5/5\n{outsider},70,80\n")
    assert "line 3" in bad and "not in your team" in bad and "Nothing was imported" in bad
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(PerformanceEntry)
                                  ).scalar() == 0
    good = upload(f"email,success_rate,satisfaction\n{person},80,4.5/5\n{colleague},95%,\n")
    assert "Figures imported for 2 people" in good
    with app.app_context():
        figures = dict(db.session.execute(sa.select(PerformanceEntry.person_id,
                                                    PerformanceEntry.satisfaction)).all())
        assert figures == {team["person"].id: D("90.00"), team["colleague"].id: None}


def _publish(app, team, reason="New joiner"):
    with app.app_context():
        period = db.session.get(AssessmentPeriod, team["period_id"])
        period.state = "scoring"
        record = svc.record_for(period, user(team["person"]))
        svc.enter_performance(period, user(team["person"]), D(80), D(90), "",
                              user(team["manager"]))
        svc.save_feedback(record, "Clear demos.", "Late documents.")
        svc.publish(record, user(team["manager"]), reason=reason)
        db.session.commit()


def test_interview_plan_and_decision_through_the_record_page(app, client, team):
    _publish(app, team)
    path = f"/assessments/periods/{team['period_id']}/people/{team['person'].id}"
    login(client, team["manager"])
    today = str(utcnow().date())
    post_form(client, f"{path}/interview", {"held_on": today,
                                            "notes": "Agreed: rehearse demos."}, token_from=path)
    post_form(client, f"{path}/plan", {"goal": "Tell the customer's story",
                                       "action": "Two rehearsals", "due_on": today},
              token_from=path)
    refused = post_form(client, f"{path}/decision", {"pay": "raise", "comment": ""},
                        token_from=path, follow_redirects=True)
    assert "differs from the proposal" in refused.get_data(as_text=True)
    post_form(client, f"{path}/decision", {"pay": "keep", "comment": "Decide in Q1."},
              token_from=path)
    html = client.get(path).get_data(as_text=True)
    assert "Agreed: rehearse demos." in html and "Tell the customer&#39;s story" in html
    assert "Decide in Q1." in html
    login(client, team["person"])
    html = client.get(path).get_data(as_text=True)
    assert "Agreed: rehearse demos." in html and "Tell the customer&#39;s story" in html
    assert "Decide in Q1." not in html  # pay decisions stay with management
    assert "Request a change" not in html
    item_id = html.split("/plan/")[1].split('"')[0]
    post_form(client, f"{path}/plan/{item_id}", token_from=path)
    assert "Reopen" in client.get(path).get_data(as_text=True)


def test_a_change_after_publication_through_the_pages(app, client, team, make_user):
    _publish(app, team)
    path = f"/assessments/periods/{team['period_id']}/people/{team['person'].id}"
    login(client, team["manager"])
    post_form(client, f"{path}/changes", {"performance": "82", "reason": "Rate was 74 %."},
              token_from=path)
    html = client.get(path).get_data(as_text=True)
    assert "waiting for approval" in html and "85.00" in html  # not applied yet
    with app.app_context():
        change_id = db.session.execute(sa.text("SELECT id FROM assessment_changes")).scalar()
    # the requester cannot approve; another team's manager cannot even see it
    assert post_form(client, f"/assessments/changes/{change_id}", {"decision": "approve"},
                     token_from="/assessments/").status_code == 403
    login(client, team["other_manager"])
    assert post_form(client, f"/assessments/changes/{change_id}", {"decision": "approve"},
                     token_from="/assessments/").status_code == 404
    admin = make_user("admin")
    login(client, admin)
    assert "Rate was 74 %." in client.get("/assessments/").get_data(as_text=True)
    post_form(client, f"/assessments/changes/{change_id}", {"decision": "approve",
                                                            "note": "Checked."},
              token_from="/assessments/")
    login(client, team["person"])
    html = client.get(path).get_data(as_text=True)
    assert "82.00" in html and "85.00" not in html


def test_the_overview_and_exports_cover_only_what_the_viewer_may_see(app, client, team):
    _publish(app, team)
    with app.app_context():  # a hostile formula in feedback stays text in the export
        record = db.session.execute(sa.select(AssessmentRecord)).scalar_one()
        record.went_well = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    page = f"/assessments/periods/{team['period_id']}"
    login(client, team["manager"])
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="total-distribution"' in html
    csv_text = client.get(f"{page}/records.csv").get_data().decode("utf-8-sig")
    assert "Li Wei" in csv_text and "Zhao Lei" in csv_text and "Out Sider" not in csv_text
    assert "'=HYPERLINK" in csv_text
    xlsx = client.get(f"{page}/records.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    login(client, team["person"])
    assert client.get(f"{page}/records.csv").status_code == 403


def test_the_manager_rates_professionalism_and_it_counts_once_released(app, client, team):
    from tests.evaluations.builders import RUBRIC, rubric_version

    _open(app, team["period_id"])
    with app.app_context():
        rubric_version(RUBRIC.replace("kind: demo", "kind: professionalism"))
        db.session.commit()
    path = f"/assessments/periods/{team['period_id']}/people/{team['person'].id}"
    login(client, team["manager"])
    started = post_form(client, f"{path}/professionalism", token_from=path)
    review = started.headers["Location"]
    assert review.endswith("/review")
    post_form(client, review, {"level-talk": "3", "level-show": "2", "action": "submit"},
              token_from=review)
    evaluation = review.removesuffix("/review")
    post_form(client, f"{evaluation}/release", token_from=evaluation)
    html = client.get(path).get_data(as_text=True)
    row = html.split('id="indicator-professionalism"')[1].split("</tr>")[0]
    assert "100.00" in row and "Rate professionalism" not in row


def test_the_plan_is_edited_while_planning_and_fixed_once_open(app, client, team):
    pid = team["period_id"]
    login(client, team["manager"])
    form = client.get(f"/assessments/periods/{pid}/plan").get_data(as_text=True)
    assert 'value="2026 Q4"' in form and 'value="30.00"' in form
    today = utcnow().date()
    data = {"name": "2026 Q4 (revised)", "cadence": "quarterly",
            "starts_on": str(today - timedelta(days=30)),
            "ends_on": str(today + timedelta(days=30)), "audience": "everyone",
            "weight_knowledge": "40", "weight_capability": "20", "weight_performance": "25",
            "weight_professionalism": "15", "band_excellent": "90", "band_good": "75",
            "band_qualified": "60", "exam_combine": "best", "part_project_reviews": "40",
            "part_success_rate": "30", "part_satisfaction": "30"}
    assert post_form(client, f"/assessments/periods/{pid}/plan", data).status_code == 302
    with app.app_context():
        period = db.session.get(AssessmentPeriod, pid)
        assert period.name == "2026 Q4 (revised)" and period.weights["knowledge"] == "40"
        assert period.exam_combine == "best"
    _open(app, pid)
    closed = client.get(f"/assessments/periods/{pid}/plan", follow_redirects=True)
    assert "The plan is fixed once the period opens." in closed.get_data(as_text=True)
