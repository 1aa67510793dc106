"""Administrators create, edit, deactivate accounts, set roles and passwords,
and import HR lists; every change lands in the audit log."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from tests.helpers import login, post_form


def _user(app, email):
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one()
        return {"id": user.id, "name": user.display_name, "roles": sorted(user.roles),
                "team": user.team.name if user.team else None, "active": user.active,
                "manager": user.manager.email if user.manager else None,
                "locale": user.locale, "has_password": bool(user.password_hash)}


def _audit(app, action=None):
    with app.app_context():
        stmt = sa.select(AuditEntry).order_by(AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        return [(e.action, e.actor_label, e.object_id, e.before, e.after)
                for e in db.session.execute(stmt).scalars()]


def _user_form(**overrides):
    data = {"email": "new.person@example.com", "display_name": "王小明", "team": "华南售前",
            "manager_email": "", "roles": ["learner", "reviewer"], "locale": "zh_CN",
            "active": "y", "password": ""}
    data.update(overrides)
    return data


def test_admin_creates_an_account_with_roles_team_and_manager(app, client, signed_in, make_user):
    admin = signed_in("admin")
    boss = make_user("manager")
    response = post_form(client, "/admin/users/new", _user_form(manager_email=boss.email,
                                                                password="initial-secret-1"))
    assert response.status_code == 302
    user = _user(app, "new.person@example.com")
    assert user["roles"] == ["learner", "reviewer"] and user["team"] == "华南售前"
    assert user["manager"] == boss.email and user["locale"] == "zh_CN" and user["has_password"]
    action, actor, object_id, _, after = _audit(app, "user.create")[-1]
    assert (action, actor, object_id) == ("user.create", admin.email, str(user["id"]))
    assert after["roles"] == ["learner", "reviewer"] and "password" not in str(after)


def test_creating_a_duplicate_email_is_refused_clearly(client, signed_in, make_user):
    signed_in("admin")
    taken = make_user()
    response = post_form(client, "/admin/users/new", _user_form(email=taken.email))
    assert response.status_code == 200
    assert f"An account with the email {taken.email} already exists." in response.get_data(
        as_text=True)


def test_form_errors_name_the_field(client, signed_in):
    signed_in("admin")
    response = post_form(client, "/admin/users/new",
                         _user_form(email="nope", roles=[], password="short"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invalid email address." in html
    assert "Give the person at least one role." in html
    assert "at least 10 characters" in html


def test_admin_edits_roles_and_the_change_is_audited_with_before_and_after(
        app, client, signed_in, make_user):
    signed_in("admin")
    person = make_user("learner", name="Before Name")
    response = post_form(client, f"/admin/users/{person.id}", _user_form(
        email=person.email, display_name="After Name", roles=["learner", "trainer"],
        team="", locale="en"))
    assert response.status_code == 302
    assert _user(app, person.email)["roles"] == ["learner", "trainer"]
    _, _, object_id, before, after = _audit(app, "user.update")[-1]
    assert object_id == str(person.id)
    assert before == {"display_name": "Before Name", "roles": ["learner"]}
    assert after == {"display_name": "After Name", "roles": ["learner", "trainer"]}


def test_saving_without_changes_records_nothing(app, client, signed_in, make_user):
    signed_in("admin")
    person = make_user("learner", name="Same")
    before = len(_audit(app))
    post_form(client, f"/admin/users/{person.id}", _user_form(
        email=person.email, display_name="Same", roles=["learner"], team="", locale="en"))
    assert len(_audit(app)) == before


def test_a_manager_loop_is_refused(app, client, signed_in, make_user):
    signed_in("admin")
    top = make_user("manager")
    middle = make_user("manager", manager=top)
    response = post_form(client, f"/admin/users/{top.id}", _user_form(
        email=top.email, roles=["manager"], manager_email=middle.email, locale="en"))
    assert "loop in the reporting line" in response.get_data(as_text=True)
    assert _user(app, top.email)["manager"] is None


def test_deactivating_ends_the_persons_sessions(app, client, signed_in, make_user):
    signed_in("admin")
    person = make_user("learner")
    their_browser = app.test_client()
    login(their_browser, person)
    assert their_browser.get("/account").status_code == 200
    post_form(client, f"/admin/users/{person.id}", _user_form(
        email=person.email, roles=["learner"], active="", locale="en"))
    assert _user(app, person.email)["active"] is False
    assert their_browser.get("/account").status_code == 302
    assert login(app.test_client(), person).status_code == 200  # cannot sign in again


def test_admins_cannot_lock_themselves_out(app, client, signed_in):
    admin = signed_in("admin")
    response = post_form(client, f"/admin/users/{admin.id}", _user_form(
        email=admin.email, roles=["learner"], locale="en"))
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    assert "admin" in _user(app, admin.email)["roles"]


def test_an_import_cannot_demote_the_importing_admin_either(app, client, signed_in):
    admin = signed_in("admin")
    html = _upload(client, f"email,name,roles\n{admin.email},Me,learner\n").get_data(
        as_text=True)
    assert "Line 2" in html and "cannot remove your own administrator role" in html
    assert "admin" in _user(app, admin.email)["roles"]


def test_the_last_active_administrator_cannot_be_removed(app, runner, make_user, tmp_path):
    only_admin = make_user("admin")
    result = runner.invoke(args=["users", "import", _csv(tmp_path, f"email,name,roles\n"
                                                             f"{only_admin.email},A,learner\n")])
    assert result.exit_code == 1
    assert "At least one active administrator must remain." in result.output
    second = make_user("admin")
    result = runner.invoke(args=["users", "import", _csv(tmp_path, f"email,name,roles\n"
                                                             f"{second.email},B,learner\n")])
    assert result.exit_code == 0, result.output
    assert _user(app, second.email)["roles"] == ["learner"]


def _csv(folder, text: str) -> str:
    path = folder / f"list{len(list(folder.iterdir()))}.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_deactivated_account_is_refused_even_with_a_live_session(app, client, signed_in):
    person = signed_in("learner")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == person.id).values(active=False))
        db.session.commit()
    assert client.get("/account").status_code == 302


def test_password_reset_ends_sessions_and_is_audited_without_the_password(
        app, client, signed_in, make_user):
    signed_in("admin")
    person = make_user()
    their_browser = app.test_client()
    login(their_browser, person)
    response = post_form(client, f"/admin/users/{person.id}/password",
                         {"password": "reset-secret-99", "confirm": "reset-secret-99"})
    assert response.status_code == 302
    assert their_browser.get("/account").status_code == 302
    assert login(app.test_client(), person.email, "reset-secret-99").status_code == 302
    entry = _audit(app, "user.password_reset")[-1]
    assert entry[3] is None and entry[4] is None


def test_unknown_user_is_404(client, signed_in):
    signed_in("admin")
    assert client.get("/admin/users/999999").status_code == 404


def test_the_people_list_filters_by_text_role_and_status(client, signed_in, make_user):
    signed_in("admin")
    make_user("trainer", name="Zhang Min 张敏", team="培训部")
    make_user("learner", name="Li Lei", active=False)
    html = client.get("/admin/users?q=张敏").get_data(as_text=True)
    assert "Zhang Min 张敏" in html and "Li Lei" not in html
    html = client.get("/admin/users?q=培训部").get_data(as_text=True)
    assert "Zhang Min 张敏" in html
    html = client.get("/admin/users?role=trainer").get_data(as_text=True)
    assert "Zhang Min 张敏" in html and "Li Lei" not in html
    html = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Li Lei" in html and "Zhang Min" not in html


def _upload(client, text: str, encoding="utf-8"):
    data = {"file": (io.BytesIO(text.encode(encoding)), "people.csv")}
    return post_form(client, "/admin/users/import", data,
                     content_type="multipart/form-data")


def test_csv_import_creates_and_updates_people_with_managers_from_the_same_file(
        app, client, signed_in, make_user):
    signed_in("admin")
    existing = make_user("learner", email="existing@example.com", name="Old Name")
    response = _upload(client, "email,name,roles,team,manager_email,language\n"
                               "li@example.com,李伟,learner,华东售前,chen@example.com,zh_CN\n"
                               "chen@example.com,陈杰,manager;reviewer,华东售前,,zh_CN\n"
                               f"{existing.email},New Name,learner,,chen@example.com,en\n")
    assert response.status_code == 302
    li = _user(app, "li@example.com")
    assert li["manager"] == "chen@example.com" and li["team"] == "华东售前"
    assert not li["has_password"]  # an administrator sets it later
    assert _user(app, existing.email)["name"] == "New Name"
    assert _user(app, existing.email)["manager"] == "chen@example.com"
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Imported: 2 created, 1 updated, 0 unchanged." in page


def test_csv_import_with_any_bad_row_imports_nothing_and_lists_every_problem(
        app, client, signed_in):
    signed_in("admin")
    response = _upload(client, "email,name,roles,manager_email\n"
                               "ok@example.com,OK,,\n"
                               "bad-email,Bad,,\n"
                               "ok2@example.com,OK2,pilot,\n"
                               "ok3@example.com,OK3,,ghost@example.com\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "Line 3" in html and "Line 4" in html
    assert "Line 5" in html and "ghost@example.com is neither on this list" in html
    with app.app_context():
        assert db.session.execute(
            sa.select(sa.func.count()).select_from(User)
            .where(User.email.like("ok%@example.com"))).scalar() == 0


def test_csv_import_reports_a_manager_that_exists_nowhere(app, client, signed_in):
    signed_in("admin")
    html = _upload(client, "email,name,manager_email\n"
                           "a@example.com,A,ghost@example.com\n").get_data(as_text=True)
    assert "Line 2" in html and "ghost@example.com is neither on this list" in html


def test_csv_import_refuses_a_file_that_is_not_utf8(client, signed_in):
    signed_in("admin")
    # Latin-1, which is not GB18030 either (GBK, which is, is read: see test_import_report).
    html = _upload(client, "email,name\nx@example.com,Zoë\n", encoding="latin-1").get_data(
        as_text=True)
    assert "not UTF-8" in html


def test_importing_the_same_list_twice_changes_nothing(app, client, signed_in):
    signed_in("admin")
    text = "email,name,roles\nsame@example.com,Same,trainer\n"
    _upload(client, text)
    before = len(_audit(app))
    _upload(client, text)
    assert len(_audit(app)) == before
    assert "0 created, 0 updated, 1 unchanged" in client.get("/admin/users").get_data(
        as_text=True)
