"""The supervision dashboard (§4.1) brings the figures of every part together."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from app.assessments import services as assessments
from app.complaints.models import Complaint
from app.complaints.services import new_reference
from app.database import utcnow
from app.evaluations.models import Evaluation
from app.extensions import db
from app.training import services as svc
from tests.evaluations.builders import schedule, user
from tests.exams.test_results_pages import results  # noqa: F401 - a fixture
from tests.helpers import login
from tests.training.builders import item


def test_the_dashboard_shows_progress_results_lateness_and_complaint_ages(
        app, client, make_user):
    with app.app_context():
        manager = make_user("manager", name="Chen Jie")
        person = make_user("learner", manager=manager, team="East", name="Li Wei")
        reviewer, supervisor = make_user("reviewer"), make_user("supervisor")
        today = utcnow().date()
        period = assessments.create_period(assessments.Plan(
            name="2026 Q4", cadence="quarterly", starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            weights={"knowledge": D(0), "capability": D(0), "performance": D(100),
                     "professionalism": D(0)}), user(manager))
        period.state = "scoring"
        record = assessments.record_for(period, user(person))
        assessments.enter_performance(period, user(person), D(80), D(90), "", user(manager))
        assessments.save_feedback(record, "Good.", "")
        assessments.publish(record, user(manager))
        late = schedule(person, [reviewer], manager)
        db.session.get(Evaluation, late.id).due_at = utcnow() - timedelta(days=2)
        db.session.add(Complaint(reference=new_reference(), kind="complaint",
                                 topic="assessment", author_id=person.id, title="Old", body="…",
                                 state="received",
                                 received_on=today - timedelta(days=40)))
        db.session.commit()
    login(client, supervisor)
    html = client.get("/oversight/supervision").get_data(as_text=True)
    progress = html.split("Assessment progress")[1].split("</table>")[0]
    assert "2026 Q4" in progress and ">1<" in progress  # one covered, one published
    by_group = html.split("Results in 2026 Q4")[1].split("Late evaluations")[0]
    assert "East" in by_group and "Chen Jie" in by_group and "85.00" in by_group
    assert "Li Wei · Product demonstration" in html
    ages = html.split("by age")[1]
    assert "<dt>30 days or more</dt><dd>1</dd>" in ages


def test_the_dashboard_flags_questions_and_shows_the_years_plan_execution(
        app, client, make_user, results):  # noqa: F811 - the imported fixture
    trainer, supervisor = make_user("trainer"), make_user("supervisor")
    with app.app_context():
        session = item(trainer)
        svc.set_status(session, "delivered", user(trainer))
        item(trainer, title="Not yet")
        db.session.commit()
    login(client, supervisor)
    html = client.get("/oversight/supervision").get_data(as_text=True)
    flags = html[html.index('data-testid="question-flags"'):].split("</table>")[0]
    assert "RQ-4" in flags and "RQ-1" not in flags and "Exam A" in flags
    assert "/exam-results/" not in flags  # supervisors read the flag, not the marking pages
    assert 'data-testid="plan-planned">2<' in html
    assert 'data-testid="plan-delivered">1<' in html
