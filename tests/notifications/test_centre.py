"""The notification centre: who is told, the unread count, opening, marking read, settings."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification, NotificationPreference, OutboxMessage
from tests.helpers import login, post_form


def _tell(app, people, what="x", **kwargs):
    params = {"what": what, **kwargs.pop("params", {})}
    with app.app_context():
        users = [db.session.get(User, p.id) for p in people]
        made = services.notify(users, "test.notice", object_type="users",
                               object_id=users[0].id, params=params, **kwargs)
        db.session.commit()
        return [n.id for n in made]


def _count(app, model=Notification):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_notify_tells_each_active_person_once(app, make_user, test_kind):
    one, two = make_user(), make_user()
    gone = make_user(active=False)
    ids = _tell(app, [one, two, one, gone])
    assert len(ids) == 2
    with app.app_context():
        owners = sorted(db.session.get(Notification, i).user_id for i in ids)
    assert owners == sorted([one.id, two.id])


def test_an_action_rolled_back_notifies_nobody(app, make_user, test_kind):
    person = make_user()
    with app.app_context():
        services.notify([db.session.get(User, person.id)], "test.notice",
                        object_type="users", object_id=person.id)
        db.session.rollback()
    assert _count(app) == 0


def test_a_dedupe_key_tells_nobody_twice(app, make_user, test_kind):
    one, two = make_user(), make_user()
    assert len(_tell(app, [one], dedupe_key="k1")) == 1
    assert len(_tell(app, [one, two], dedupe_key="k1")) == 1  # only two is new
    assert _count(app) == 2


def test_the_header_counts_unread_and_opening_marks_read(app, client, make_user, test_kind):
    person = make_user()
    ids = _tell(app, [person], what="the quarterly exam", params={"open": True})
    _tell(app, [person], what="another")
    login(client, person)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'data-testid="unread-count">.*?>2</span>', html)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Test notice about the quarterly exam" in page
    response = post_form(client, f"/notifications/{ids[0]}/open", token_from="/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications/settings")
    assert re.search(r'data-testid="unread-count">.*?>1</span>',
                     client.get("/").get_data(as_text=True))
    post_form(client, "/notifications/read-all", token_from="/notifications/")
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)


def test_a_notice_without_a_page_for_the_reader_goes_back_to_the_list(app, client, make_user,
                                                                      test_kind):
    person = make_user()
    [notice] = _tell(app, [person], params={"open": False})
    login(client, person)
    response = post_form(client, f"/notifications/{notice}/open", token_from="/notifications/",
                         follow_redirects=True)
    assert "That page is not open to you now" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, notice).read_at is not None


def test_nobody_opens_or_sees_another_persons_notice(app, client, make_user, test_kind):
    owner, other = make_user(), make_user("admin", "supervisor")
    [notice] = _tell(app, [owner], what="private matter", params={"open": True})
    login(client, other)
    assert "private matter" not in client.get("/notifications/").get_data(as_text=True)
    response = post_form(client, f"/notifications/{notice}/open", token_from="/notifications/")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Notification, notice).read_at is None


def test_a_notice_waits_until_its_visible_moment(app, client, make_user, test_kind):
    person = make_user()
    [notice] = _tell(app, [person], what="later", visible_from=utcnow() + timedelta(hours=1))
    login(client, person)
    assert "later" not in client.get("/notifications/").get_data(as_text=True)
    assert 'data-testid="unread-count"' not in client.get("/").get_data(as_text=True)
    assert post_form(client, f"/notifications/{notice}/open",
                     token_from="/notifications/").status_code == 404


def test_no_mail_server_queues_no_mail(app, make_user, test_kind):
    _tell(app, [make_user()])
    assert _count(app, OutboxMessage) == 0


def test_each_persons_choice_decides_their_mail(app, make_user, test_kind):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    at_once, digest, off = make_user(), make_user(), make_user()
    with app.app_context():
        db.session.add_all([NotificationPreference(user_id=digest.id, kind="test.notice",
                                                   email="digest"),
                            NotificationPreference(user_id=off.id, kind="test.notice",
                                                   email="off")])
        db.session.commit()
    _tell(app, [at_once, digest, off])
    with app.app_context():
        queued = db.session.execute(sa.select(OutboxMessage)).scalars().all()
        assert [m.user_id for m in queued] == [at_once.id]
        pending = db.session.execute(sa.select(Notification.user_id).where(
            Notification.digest_pending)).scalars().all()
        assert pending == [digest.id]


def test_settings_save_a_choice_and_refuse_an_unknown_one(app, client, make_user, test_kind):
    person = make_user()
    login(client, person)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "A test notice" in page and "For me as a learner" in page
    assert "As a member of the supervision group" not in page
    post_form(client, "/notifications/settings", {"kind_test__notice": "digest"})
    with app.app_context():
        assert services.delivery(person.id, "test.notice") == "digest"
    refused = post_form(client, "/notifications/settings", {"kind_test__notice": "sometimes"})
    assert "Not a valid choice" in refused.get_data(as_text=True)
    with app.app_context():
        assert services.delivery(person.id, "test.notice") == "digest"


def test_the_centre_reads_in_chinese(app, client, make_user, test_kind):
    person = make_user(locale="zh_CN")
    _tell(app, [person])
    login(client, person)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "通知" in html


def test_any_page_number_gives_a_page(app, client, make_user, test_kind):
    person = make_user()
    _tell(app, [person], what="only one")
    login(client, person)
    for number in ("abc", "-3", "0", "99999999999999999999999999", "%C2%B2"):
        response = client.get(f"/notifications/?page={number}")
        assert response.status_code == 200, number
        assert "Test notice about only one" in response.get_data(as_text=True), number
