"""New passwords: common, personal, repetitive and sequential ones are refused (ASVS 6.2.4,
6.2.11) wherever a password is set; the own-account page and the CLI here, the admin pages
in tests/admin/test_admin_passwords.py."""

from __future__ import annotations

import html as html_lib

import pytest
import sqlalchemy as sa
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.auth.models import User
from app.auth.passwords import Weakness, password_weakness
from app.extensions import db
from tests.helpers import PASSWORD, login, post_form

ALICE = {"email": "alice.wong@example.com", "name": "Alice Wong"}
STRONG = "violet kettle marathon"
INSTEAD = "Write three or four unrelated words instead"

# (password, why) refused for Alice; each entry point below is tried with these.
WEAK = [
    ("password1234", Weakness.COMMON),
    ("aaaaaaaaaaaa", Weakness.PATTERN),
    ("1234567890ab", Weakness.COMMON),
    ("alice.wong2024", Weakness.PERSONAL),
]


def field_block(page: str, field_id: str) -> str:
    """The unescaped HTML of the form field whose input has this id (label, help, errors)."""
    at = page.index(f'id="{field_id}"')
    start = page.rindex('<div class="field', 0, at)
    return html_lib.unescape(page[start:page.index("</div>", at)])


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_weak_passwords_are_refused_with_their_reason(password, why):
    assert password_weakness(password, **ALICE) is why


@pytest.mark.parametrize("password", [
    "AliceWong!2024", "wongalice1990", "alice-tangerine", "example2024!!",
    "presales-academy-2024",  # the site's own name, kept strong-looking by separators
])
def test_passwords_built_from_the_persons_email_name_or_the_site_are_refused(password):
    assert password_weakness(password, **ALICE) is Weakness.PERSONAL


def test_the_persons_words_only_count_for_that_person():
    assert password_weakness("alice.wong2024", **ALICE) is Weakness.PERSONAL
    assert password_weakness("alice.wong2024", email="bob@example.org", name="Bob Li") is None
    assert password_weakness("violet kettle marathon alice", **ALICE) is None


@pytest.mark.parametrize("password", [
    "qwertyuiopas", "abcdefghijkl", "zxcvbnmasdfg", "P@ssw0rd1234", "iloveyou1234",
    "football123", "1q2w3e4r5t6y", "demo-password",
])
def test_keyboard_rows_sequences_and_dressed_up_common_passwords_are_refused(password):
    assert password_weakness(password) is not None


def test_every_one_of_the_10000_most_common_passwords_is_refused():
    ranked = FREQUENCY_LISTS["passwords"][:10_000]
    assert len(ranked) == 10_000
    assert [p for p in ranked if password_weakness(p) is None] == []


@pytest.mark.parametrize("password", [STRONG, "tangerine-walrus-orbit", PASSWORD,
                                      "Lantern quietly folds 9 maps"])
def test_passphrases_are_accepted(password):
    assert password_weakness(password, **ALICE) is None


def test_short_passwords_are_still_refused_first():
    assert password_weakness("Xq#9vL!2", **ALICE) is Weakness.TOO_SHORT


def test_very_long_passwords_are_judged_without_failing():
    assert password_weakness("tangerine walrus orbit lantern " * 20) is None
    assert password_weakness("a" * 500) is Weakness.PATTERN


# The own-account page.

def _change(client, new):
    return post_form(client, "/account", {"current_password": PASSWORD, "new_password": new,
                                          "confirm": new})


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_the_account_page_refuses_a_weak_new_password_at_the_field(
        app, client, make_user, password, why):
    alice = make_user(**ALICE)
    login(client, alice)
    response = _change(client, password)
    assert response.status_code == 200
    block = field_block(response.get_data(as_text=True), "new_password")
    assert 'class="field has-error"' in block and INSTEAD in block
    if why is Weakness.PERSONAL:
        assert "built from the person's name or email address" in block
    assert login(app.test_client(), alice.email, PASSWORD).status_code == 302  # unchanged
    assert login(app.test_client(), alice.email, password).status_code == 200


def test_the_account_page_accepts_a_passphrase(app, client, make_user):
    alice = make_user(**ALICE)
    login(client, alice)
    assert _change(client, STRONG).status_code == 302
    assert login(app.test_client(), alice.email, STRONG).status_code == 302


def test_the_refusal_is_translated(client, make_user):
    alice = make_user(locale="zh_CN", **ALICE)
    login(client, alice)
    block = field_block(_change(client, "password1234").get_data(as_text=True), "new_password")
    assert "最常见" in block and INSTEAD not in block


# The command line.

def _account(app, email):
    with app.app_context():
        return db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_users_add_refuses_a_weak_password(app, runner, password, why):
    result = runner.invoke(args=["users", "add", ALICE["email"], "--name", ALICE["name"],
                                 "--password-stdin"], input=f"{password}\n")
    assert result.exit_code == 1 and INSTEAD in result.output
    assert _account(app, ALICE["email"]) is None


def test_users_add_accepts_a_passphrase(app, runner, client):
    result = runner.invoke(args=["users", "add", ALICE["email"], "--name", ALICE["name"],
                                 "--password-stdin"], input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert login(client, ALICE["email"], STRONG).status_code == 302


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_users_set_password_refuses_a_weak_password(app, runner, make_user, password, why):
    alice = make_user(**ALICE)
    result = runner.invoke(args=["users", "set-password", alice.email, "--password-stdin"],
                           input=f"{password}\n")
    assert result.exit_code == 1 and INSTEAD in result.output
    assert login(app.test_client(), alice.email, PASSWORD).status_code == 302


def test_users_set_password_accepts_a_passphrase(app, runner, make_user):
    alice = make_user(**ALICE)
    result = runner.invoke(args=["users", "set-password", alice.email, "--password-stdin"],
                           input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), alice.email, STRONG).status_code == 302


def test_the_demo_accounts_keep_the_documented_demo_password(app, client):
    from app.main.cli import DEMO_PASSWORD, load_demo_accounts

    assert password_weakness(DEMO_PASSWORD) is not None  # hence the demo-only exception
    with app.app_context():
        assert load_demo_accounts() == 6
        db.session.commit()
    assert login(client, "learner@example.com", "demo-password").status_code == 302
