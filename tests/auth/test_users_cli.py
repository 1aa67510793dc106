"""``flask users add | import | set-password``."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from app.main.cli import DEMO_ACCOUNTS
from app.notifications.models import Notification
from tests.helpers import login


def _get(app, email):
    with app.app_context():
        return db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()


def test_users_add_reads_the_password_from_stdin(app, runner, client, make_user):
    boss = make_user("manager")
    result = runner.invoke(args=["users", "add", "Zhao@Example.com", "--name", "赵磊",
                                 "--roles", "learner,reviewer", "--team", "华北售前",
                                 "--manager", boss.email, "--password-stdin"],
                           input="cli-password-1\n")
    assert result.exit_code == 0, result.output
    assert "Created zhao@example.com (learner, reviewer)" in result.output
    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == "zhao@example.com")
                                  ).scalar_one()
        assert user.roles == {Role.LEARNER, Role.REVIEWER}
        assert user.team.name == "华北售前" and user.manager.email == boss.email
    assert login(client, "zhao@example.com", "cli-password-1").status_code == 302


def test_users_add_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "add", "p@example.com", "--name", "P"],
                           input="prompted-pass-1\nprompted-pass-1\n")
    assert result.exit_code == 0, result.output
    assert _get(app, "p@example.com") is not None


def test_users_add_refuses_unknown_roles_and_short_passwords(app, runner):
    result = runner.invoke(args=["users", "add", "a@example.com", "--name", "A",
                                 "--roles", "wizard", "--password-stdin"], input="long-enough-1\n")
    assert result.exit_code == 1 and "'wizard' is not a valid Role" in result.output
    result = runner.invoke(args=["users", "add", "a@example.com", "--name", "A",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    assert _get(app, "a@example.com") is None


def test_users_import_is_all_or_nothing_and_names_file_and_line(app, runner, tmp_path):
    bad = tmp_path / "hr.csv"
    bad.write_text("email,name,roles\nok@example.com,OK,\nbroken,Broken,\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: email 'broken' is not a valid email address" in result.output
    assert "nothing was imported" in result.output
    assert _get(app, "ok@example.com") is None

    good = tmp_path / "hr-fixed.csv"
    good.write_text("\ufeffemail,name,roles\nok@example.com,OK,trainer\n", encoding="utf-8")
    result = runner.invoke(args=["users", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged" in result.output
    assert _get(app, "ok@example.com").roles == {Role.TRAINER}



def test_users_import_reads_gb18030_and_names_the_line_of_an_unreadable_file(
        app, runner, tmp_path):
    chinese = tmp_path / "花名册.csv"
    chinese.write_bytes("email,name,team\nzhao@example.com,赵䶮,华北售前\n".encode("gb18030"))
    result = runner.invoke(args=["users", "import", str(chinese)])
    assert result.exit_code == 0, result.output
    assert _get(app, "zhao@example.com").display_name == "赵䶮"

    broken = tmp_path / "hr.csv"
    broken.write_bytes(b"email,name\nqian@example.com,Qian\nsun@example.com,\xff\n")
    result = runner.invoke(args=["users", "import", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:3: hr.csv is neither UTF-8 nor GB18030/GBK text: line 3" in result.output
    assert _get(app, "qian@example.com") is None


def test_users_set_password_ends_sessions(app, runner, make_user):
    person = make_user()
    browser = app.test_client()
    login(browser, person)
    result = runner.invoke(args=["users", "set-password", person.email, "--password-stdin"],
                           input="from-the-cli-1\n")
    assert result.exit_code == 0, result.output
    assert browser.get("/account").status_code == 302
    assert login(app.test_client(), person.email, "from-the-cli-1").status_code == 302


def test_users_set_password_for_an_unknown_email_fails_clearly(runner):
    result = runner.invoke(args=["users", "set-password", "ghost@example.com",
                                 "--password-stdin"], input="whatever-123\n")
    assert result.exit_code == 1 and "No account has the email ghost@example.com" in result.output


def test_demo_load_is_idempotent(app, runner, tmp_path):
    from tests.courses.builders import write_course

    write_course(tmp_path / "courses", "sample-course")
    app.config["COURSES_DIR"] = str(tmp_path / "courses")
    (tmp_path / "banks").mkdir()
    (tmp_path / "banks" / "b.md").write_text(
        "---\nid: demo-bank\ntitle: Demo\narea: product\nlanguage: en\n---\n\n"
        "## DB-1\ntype: truefalse\n\nDataHub agents connect outbound.\n\n"
        "- [x] True\n- [ ] False\n", encoding="utf-8")
    app.config["BANKS_DIR"] = str(tmp_path / "banks")
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "6 created" in first.output
    assert second.exit_code == 0 and "0 created, 6 already there" in second.output
    assert "Sample courses: 1 (1 added or changed)" in first.output
    assert "Sample courses: 1 (0 added or changed)" in second.output
    assert "Sample question banks: 1 (1 added or changed)" in first.output
    assert "Sample question banks: 1 (0 added or changed)" in second.output
    assert "Demo exam: created." in first.output and "Demo exam: already there." in second.output
    assert "plan created." in first.output and "plan: already there." in second.output
    assert "Time-based notices: 0 created." in second.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 6
        told = dict(db.session.execute(
            sa.select(User.email, sa.func.count(Notification.id)).join(Notification)
            .group_by(User.email)).all())
    # the demo shows every role a few unread notices (issue 16)
    assert set(told) == {email for email, *_ in DEMO_ACCOUNTS}, told
    assert all(count >= 2 for count in told.values()), told
