"""Supervisors and admins browse and filter the audit log."""

from __future__ import annotations

from datetime import timedelta

from app.database import utcnow
from tests.helpers import login, post_form


def _setup(client, signed_in, make_user):
    """An admin creates one account and renames another: three entries to filter."""
    admin = signed_in("admin", name="Admin Person")
    renamed = make_user("learner", name="Old 旧名")
    post_form(client, "/admin/users/new", {"email": "fresh@example.com",
                                           "display_name": "Fresh", "roles": ["learner"],
                                           "locale": "en", "active": "y"})
    post_form(client, f"/admin/users/{renamed.id}", {"email": renamed.email,
                                                     "display_name": "New 新名",
                                                     "roles": ["learner"], "locale": "en",
                                                     "active": "y"})
    return admin, renamed


def test_a_supervisor_reads_the_log_in_words_with_before_and_after(app, client, signed_in,
                                                                  make_user):
    admin, renamed = _setup(client, signed_in, make_user)
    supervisor_browser = app.test_client()
    login(supervisor_browser, make_user("supervisor"))
    html = supervisor_browser.get("/oversight/audit").get_data(as_text=True)
    assert "Admin Person</a> changed the account of" in html
    assert f'<a href="/people/{renamed.id}/archive">New 新名</a>' in html
    assert "<td>Old 旧名</td><td>New 新名</td>" in html  # the changed field, before and after


def test_filters_by_person_action_object_and_time(app, client, signed_in, make_user):
    admin, renamed = _setup(client, signed_in, make_user)
    by_action = client.get("/oversight/audit?action=user.update").get_data(as_text=True)
    assert "1 entry" in by_action and "New 新名</td>" in by_action

    by_object = client.get(f"/oversight/audit?kind=users&object_id={renamed.id}"
                           ).get_data(as_text=True)
    assert "2 entries" in by_object  # created (by the test builder), then renamed

    by_actor = client.get(f"/oversight/audit?person={admin.id}").get_data(as_text=True)
    # The two changes the admin made, plus the creation of the admin's own account:
    # the person filter matches who acted and whose account was acted on.
    assert "3 entries" in by_actor

    by_text = client.get("/oversight/audit?q=fresh@example.com").get_data(as_text=True)
    assert "1 entry" in by_text

    today = utcnow().date()
    future = (today + timedelta(days=3)).isoformat()
    none_yet = client.get(f"/oversight/audit?since={future}").get_data(as_text=True)
    assert "No entry matches." in none_yet
    window = (f"/oversight/audit?action=user.update&since={(today - timedelta(days=1)).isoformat()}"
              f"&until={(today + timedelta(days=1)).isoformat()}")
    assert "1 entry" in client.get(window).get_data(as_text=True)


def test_a_bad_date_is_reported_on_its_field(client, signed_in):
    signed_in("supervisor")
    html = client.get("/oversight/audit?since=yesterday").get_data(as_text=True)
    assert "Not a valid date value." in html
