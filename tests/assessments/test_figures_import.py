"""The manager's CSV of figures, read and entered by the service (no page in between)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from app.assessments import services as svc
from app.assessments.models import PeriodState
from app.database import utcnow
from app.extensions import db
from tests.evaluations.builders import user


def _open_period(manager):
    today = utcnow().date()
    period = svc.create_period(svc.Plan(name="2026 Q3", cadence="quarterly",
                                        starts_on=today - timedelta(days=30),
                                        ends_on=today + timedelta(days=30)), manager)
    period.move_to(PeriodState.OPEN)
    db.session.flush()
    return period


def test_an_empty_cell_keeps_the_figure_already_entered(app, make_user):
    with app.app_context():
        manager_ = make_user("manager")
        person_ = make_user("learner", manager=manager_, name="Li Wei")
        manager, person = user(manager_), user(person_)
        period = _open_period(manager)
        svc.enter_performance(period, person, D(70), D(80), "from the form", manager)
        data = f"email,success_rate,satisfaction,note\n{person.email},90,,\n".encode()
        upload = svc.read_figures(period, data, "figures.csv", manager)
        assert upload.errors == []
        assert svc.import_figures(period, upload, manager) == 1
        entry = svc.performance_entry(period, person)
        assert (entry.success_rate, entry.satisfaction) == (D(90), D(80))
        assert (entry.note, entry.source) == ("from the form", "csv")


def test_a_row_outside_the_managers_team_is_an_error_of_its_line(app, make_user):
    with app.app_context():
        manager_ = make_user("manager")
        make_user("learner", manager=manager_)
        stranger = make_user("learner")
        manager = user(manager_)
        period = _open_period(manager)
        data = f"email,success_rate\n{stranger.email.upper()},90\n".encode()
        upload = svc.read_figures(period, data, "figures.csv", manager)
        assert [str(e) for e in upload.errors] == [
            f"line 2: {stranger.email.lower()} is not in your team for this period"]
