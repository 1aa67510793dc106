"""Saving a form whose value must be unique answers with a message at the field and keeps
what was typed; a unique constraint broken by a simultaneous save is explained, not a 500."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from app.assessments.models import AssessmentPeriod
from app.auth.models import Team, User
from app.database import utcnow
from app.extensions import db
from app.main.actions import carry_out
from tests.helpers import post_form


def field_errors(html: str, field_id: str) -> list[str]:
    """The error messages shown inside the form field whose input has this id."""
    found = []
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', html, re.S):
        if re.search(rf'\bid="{re.escape(field_id)}"', block):
            found += [html_lib.unescape(m.strip())
                      for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', block, re.S)]
    return found


def _period_form(name: str, **overrides) -> dict:
    today = utcnow().date()
    data = {"name": name, "cadence": "quarterly", "starts_on": str(today),
            "ends_on": str(today + timedelta(days=89)), "audience": "everyone",
            "weight_knowledge": "40", "weight_capability": "20", "weight_performance": "25",
            "weight_professionalism": "15", "band_excellent": "92", "band_good": "75",
            "band_qualified": "60", "exam_combine": "best", "capability_kinds": ["demo"],
            "part_project_reviews": "40", "part_success_rate": "30", "part_satisfaction": "30",
            "description": "Exams in week 10; demos in week 11."}
    data.update(overrides)
    return data


def _periods_named(app, name: str) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(AssessmentPeriod)
                                  .where(AssessmentPeriod.name == name)).scalar()


def test_a_taken_period_name_is_refused_at_the_field_and_the_plan_is_kept(
        app, client, signed_in):
    signed_in("manager")
    assert post_form(client, "/assessments/periods/new",
                     _period_form("2027 Q1")).status_code == 302
    again = post_form(client, "/assessments/periods/new", _period_form("2027 Q1"))
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert field_errors(html, "name") == [
        "Another period is already called 2027 Q1: choose another name."]
    # everything typed is still there
    assert 'value="2027 Q1"' in html and "Exams in week 10; demos in week 11." in html
    assert 'value="40"' in html and 'value="92"' in html
    assert re.search(r'<option selected value="best">|<option value="best" selected>', html)
    assert _periods_named(app, "2027 Q1") == 1


def test_the_taken_name_message_is_in_the_persons_language(client, signed_in):
    signed_in("manager", locale="zh_CN")
    post_form(client, "/assessments/periods/new", _period_form("2027 Q1"))
    again = post_form(client, "/assessments/periods/new", _period_form("2027 Q1"))
    assert field_errors(again.get_data(as_text=True), "name") == [
        "已有名为 2027 Q1 的考核周期，请换一个名称。"]


def test_renaming_a_period_to_a_taken_name_is_refused_at_the_field(app, client, signed_in):
    signed_in("manager")
    post_form(client, "/assessments/periods/new", _period_form("2027 Q1"))
    post_form(client, "/assessments/periods/new", _period_form("2027 Q2"))
    with app.app_context():
        second = db.session.execute(sa.select(AssessmentPeriod.id).where(
            AssessmentPeriod.name == "2027 Q2")).scalar_one()
    path = f"/assessments/periods/{second}/plan"
    refused = post_form(client, path, _period_form(" 2027 Q1 ", weight_knowledge="35",
                                                   weight_capability="25"))
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert field_errors(html, "name") == [
        "Another period is already called 2027 Q1: choose another name."]
    assert 'value="35"' in html and 'value="25"' in html
    assert _periods_named(app, "2027 Q2") == 1 and _periods_named(app, "2027 Q1") == 1
    # keeping its own name is of course fine
    assert post_form(client, path, _period_form("2027 Q2")).status_code == 302


def _user_form(**overrides) -> dict:
    data = {"email": "new.person@example.com", "display_name": "王小明", "team": "华南售前",
            "manager_email": "", "roles": ["learner", "reviewer"], "locale": "zh_CN",
            "active": "y", "password": ""}
    data.update(overrides)
    return data


def test_a_taken_email_on_a_new_account_is_refused_at_the_field(app, client, signed_in,
                                                                 make_user):
    signed_in("admin")
    taken = make_user(email="taken@example.com")
    response = post_form(client, "/admin/users/new", _user_form(email="Taken@Example.com"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_errors(html, "email") == [
        f"An account with the email {taken.email} already exists."]
    assert 'value="Taken@Example.com"' in html and 'value="王小明"' in html
    assert 'value="华南售前"' in html
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User).where(
            User.display_name == "王小明")).scalar() == 0


def test_changing_an_email_to_a_taken_one_is_refused_at_the_field(app, client, signed_in,
                                                                  make_user):
    signed_in("admin")
    taken = make_user(email="taken@example.com")
    person = make_user(email="person@example.com")
    response = post_form(client, f"/admin/users/{person.id}",
                         _user_form(email=taken.email, display_name="Renamed Person"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert field_errors(html, "email") == [f"Another account already uses {taken.email}."]
    assert 'value="Renamed Person"' in html
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.email == "person@example.com" and user.display_name != "Renamed Person"


def test_an_unknown_manager_is_refused_at_the_manager_field(client, signed_in):
    signed_in("admin")
    response = post_form(client, "/admin/users/new",
                         _user_form(manager_email="ghost@example.com"))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "manager_email") == [
        "No account has the manager's email ghost@example.com."]


def test_a_unique_constraint_broken_at_the_same_moment_is_explained_not_a_500(app):
    """What a simultaneous save looks like from the loser's side: the check passed, then
    the database refused the duplicate. carry_out rolls back and explains."""
    with app.app_context():
        db.session.add(Team(name="East"))
        db.session.commit()
    with app.test_request_context("/", method="POST"):
        def step():
            db.session.add(Team(name="East"))  # as if both requests had checked first
            db.session.flush()

        assert carry_out(step, ValueError, "saved") is False
        messages = get_flashed_messages(with_categories=True)
        assert messages == [("error", "Someone else saved the same thing at the same moment, "
                                      "so nothing was saved. Check the page and save again.")]
        assert db.session.execute(sa.select(sa.func.count()).select_from(Team)).scalar() == 1


def test_other_integrity_errors_are_bugs_and_propagate(app):
    with app.test_request_context("/", method="POST"):
        def step():
            db.session.add(Team(name=None))  # NOT NULL: a bug, not a race
            db.session.flush()

        with pytest.raises(sa.exc.IntegrityError):
            carry_out(step, ValueError, "saved")
        db.session.rollback()
