"""An administrator creating an account or resetting a password gets the same refusal of
common, personal and repetitive passwords as everyone else, at the password field."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.auth.test_passwords import ALICE, INSTEAD, STRONG, WEAK, field_block
from tests.helpers import PASSWORD, login, post_form


def _new_alice(**overrides):
    data = {"email": ALICE["email"], "display_name": ALICE["name"], "team": "华南售前",
            "manager_email": "", "roles": ["learner", "reviewer"], "locale": "zh_CN",
            "active": "y", "password": ""}
    data.update(overrides)
    return data


def _exists(app, email):
    with app.app_context():
        return db.session.execute(
            sa.select(User).where(User.email == email)).scalar_one_or_none() is not None


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_creating_an_account_refuses_a_weak_initial_password_at_the_field(
        app, client, signed_in, password, why):
    signed_in("admin")
    response = post_form(client, "/admin/users/new", _new_alice(password=password))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    block = field_block(page, "password")
    assert 'class="field has-error"' in block and INSTEAD in block
    assert html.unescape(page).count(INSTEAD) == 1  # at the field, not also flashed
    # What else was typed is still there.
    assert f'value="{ALICE["email"]}"' in page and f'value="{ALICE["name"]}"' in page
    assert 'value="华南售前"' in page
    assert not _exists(app, ALICE["email"])


def test_creating_an_account_judges_the_new_persons_name_not_the_admins(
        app, client, signed_in):
    signed_in("admin", name="Bob Li")
    response = post_form(client, "/admin/users/new", _new_alice(password="wongalice1990"))
    assert "built from the person's name or email address" in field_block(
        response.get_data(as_text=True), "password")
    assert not _exists(app, ALICE["email"])


def test_creating_an_account_accepts_a_passphrase(app, client, signed_in):
    signed_in("admin")
    response = post_form(client, "/admin/users/new", _new_alice(password=STRONG))
    assert response.status_code == 302
    assert login(app.test_client(), ALICE["email"], STRONG).status_code == 302


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_a_reset_refuses_a_weak_password_at_the_field(
        app, client, signed_in, make_user, password, why):
    signed_in("admin")
    alice = make_user(**ALICE)
    response = post_form(client, f"/admin/users/{alice.id}/password",
                         {"password": password, "confirm": password})
    assert response.status_code == 200
    block = field_block(response.get_data(as_text=True), "password")
    assert 'class="field has-error"' in block and INSTEAD in block
    assert login(app.test_client(), alice.email, PASSWORD).status_code == 302  # unchanged


def test_a_reset_accepts_a_passphrase(app, client, signed_in, make_user):
    signed_in("admin")
    alice = make_user(**ALICE)
    response = post_form(client, f"/admin/users/{alice.id}/password",
                         {"password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    assert login(app.test_client(), alice.email, STRONG).status_code == 302
