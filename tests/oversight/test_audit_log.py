"""The readable audit log: sentences, changed fields, filters, pages, the CSV file and the
"verify the chain" button (the same check as ``flask audit verify``)."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit import log as audit
from app.audit.models import AuditEntry
from app.complaints import services as complaints
from app.extensions import db
from app.oversight import audit_words as words
from tests.audit.test_log import tamper
from tests.evaluations.builders import user
from tests.helpers import csrf_token, login


def _write(app, n, *, action="test.action", label="test", **fields):
    with app.app_context():
        for i in range(n):
            audit.record(action, object_type=fields.get("object_type", "thing"),
                         object_id=fields.get("object_id", i), actor_label=label,
                         before=fields.get("before"), after=fields.get("after", {"value": i}),
                         reason=fields.get("reason"))
        db.session.commit()


def _html(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- words ------------------------------------------------------------------------------------

def test_a_sentence_escapes_who_and_what(app):
    with app.test_request_context():
        html = str(words.sentence("exam.publish", "<b>Li</b>", "<script>x</script>"))
    assert html == "&lt;b&gt;Li&lt;/b&gt; published the exam &lt;script&gt;x&lt;/script&gt;"


def test_an_unknown_action_falls_back_to_its_key(app):
    with app.test_request_context():
        assert words.action_name("course.frobnicate") == "course.frobnicate"
        html = str(words.sentence("course.<i>", "Li", "Course 3"))
    assert html == "Li: <code>course.&lt;i&gt;</code> Course 3"


def test_changed_fields_list_only_what_differs_one_level_deep(app):
    with app.test_request_context():
        changes = words.changed_fields(
            {"name": "Old", "note": None, "plan": {"weights": 1, "bands": [1, 2]}, "gone": 3},
            {"name": "New", "note": "", "plan": {"weights": 2, "bands": [1, 2]}, "new": True})
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("name", "Old", "New"), ("plan.weights", "1", "2"), ("gone", "3", ""),
        ("new", "", "yes")]


# --- the page ---------------------------------------------------------------------------------

def test_unknown_kinds_and_missing_objects_show_as_kind_and_id(app, client, signed_in):
    _write(app, 1, action="widget.spin", object_type="widgets", object_id="W-1")
    _write(app, 1, action="exam.publish", object_type="exams", object_id="987654")
    _write(app, 1, action="exam.publish", object_type="exams", object_id="99999999999999999999")
    signed_in("supervisor")
    html = _html(client, "/oversight/audit")
    assert "test: <code>widget.spin</code> widgets W-1" in html
    assert "test published the exam Exam 987654" in html
    assert "Exam 99999999999999999999" in html


def test_objects_are_linked_only_for_readers_who_may_open_them(app, client, make_user):
    author = make_user("learner", name="Author")
    with app.app_context():
        complaint = complaints.file(user(author), kind="complaint", topic="training",
                                    title="Lab <down>", body="The lab was unavailable.")
        db.session.commit()
        reference = complaint.reference
    supervisor, admin = app.test_client(), app.test_client()
    login(supervisor, make_user("supervisor"))
    login(admin, make_user("admin"))
    link = f'<a href="/complaints/{reference}">{reference}</a>'
    assert link in _html(supervisor, "/oversight/audit")
    admin_html = _html(admin, "/oversight/audit")
    assert link not in admin_html and f"filed the complaint {reference}" in admin_html
    assert "Lab &lt;down&gt;" in admin_html and "Lab <down>" not in admin_html


def test_free_text_finds_words_json_and_chinese(app, client, signed_in):
    _write(app, 1, after={"display_name": "王小明"}, reason="typo 50%_off")
    _write(app, 2)
    signed_in("supervisor")
    assert "1 entry" in _html(client, "/oversight/audit?q=王小明")
    assert "1 entry" in _html(client, "/oversight/audit?q=50%25_off")
    assert "No entry matches." in _html(client, "/oversight/audit?q=5%25")
    # the words of an action find it too: the signed-in supervisor's account was created
    assert "created the account of" in _html(client, "/oversight/audit?q=created+the+account")


def test_pages_of_fifty_keep_the_filters(app, client, signed_in):
    _write(app, 120, action="exam.publish", object_type="widgets")
    signed_in("supervisor")
    html = _html(client, "/oversight/audit?action=exam.publish&page=2")
    assert html.count('<tr class="audit-entry">') == 50
    assert '<strong aria-current="page">2</strong>' in html
    assert 'href="/oversight/audit?action=exam.publish&amp;page=3"' in html
    last = _html(client, "/oversight/audit?action=exam.publish&page=3")
    assert last.count('<tr class="audit-entry">') == 20


@pytest.mark.parametrize(("query", "message"), [
    ("since=2026-13-40", "Not a valid date value."),
    ("since=2026-05-02&until=2026-05-01", "“Until” is before “From”: write a date on or after "
                                          "2 May 2026."),
    ("person=999999", "No person has the ID “999999”"),
    ("person=abc", "No person has the ID “abc”"),
    ("action=no.such", "No entry has the action “no.such”"),
    ("page=99999999999999999999999999", "There is no page 99999999999999999999999999: this "
                                        "view has 1. Showing the last page."),
    ("page=-3", "“-3” is not a page number"),
    ("page=two", "“two” is not a page number"),
    ("page=%C2%B2", "“²” is not a page number"),
    ("q=" + "x" * 201, "Field cannot be longer than 200 characters."),
])
def test_bad_filters_give_a_message_not_an_error(client, signed_in, query, message):
    signed_in("supervisor")
    html = _html(client, f"/oversight/audit?{query}")
    assert message in html


def test_the_csv_file_is_the_filtered_view_with_formulas_neutralised(app, client, signed_in):
    _write(app, 2, action="exam.publish", object_type="widgets", label="=HYPERLINK(1)",
            reason="+cmd")
    _write(app, 3)
    signed_in("supervisor")
    response = client.get("/oversight/audit.csv?action=exam.publish")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="audit-log.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3  # the header and the two entries
    assert rows[1][2] == "'=HYPERLINK(1)" and rows[1][8] == "'+cmd"
    assert rows[1][3].startswith("'=HYPERLINK(1) published the exam widgets")


def test_a_csv_of_bad_filters_goes_back_to_the_page(client, signed_in):
    signed_in("supervisor")
    response = client.get("/oversight/audit.csv?since=nope")
    assert response.status_code == 302 and "since=nope" in response.headers["Location"]


# --- verify the chain -------------------------------------------------------------------------

def test_verify_shows_the_result_and_the_head(app, client, signed_in):
    _write(app, 3)
    signed_in("supervisor")
    html = client.post("/oversight/audit/verify?action=test.action",
                       data={"csrf_token": csrf_token(client, "/oversight/audit")}
                       ).get_data(as_text=True)
    with app.app_context():
        report = audit.verify_chain()
    assert "The audit log is intact" in html
    assert f"{report.checked} entries checked" in html
    assert f'<code class="chain-head">{report.head}</code>' in html
    assert "3 entries" in html  # the filters of the page it was pressed on are kept


def test_verify_names_the_edited_entry(app, client, signed_in):
    _write(app, 3)
    signed_in("admin")
    with app.app_context():
        target = db.session.execute(sa.select(sa.func.min(AuditEntry.id))).scalar_one() + 1
        tamper(sa.update(AuditEntry).where(AuditEntry.id == target).values(reason="forged"))
    html = client.post("/oversight/audit/verify",
                       data={"csrf_token": csrf_token(client, "/oversight/audit")}
                       ).get_data(as_text=True)
    assert "The audit log is BROKEN" in html
    assert f"Entry {target} does not match its hash: it was edited." in html


def test_verify_needs_the_form_token_and_the_permission(client, signed_in, make_user, app):
    signed_in("supervisor")
    assert client.post("/oversight/audit/verify").status_code == 400
    learner = app.test_client()
    login(learner, make_user("learner"))
    token = csrf_token(learner, "/")
    assert learner.post("/oversight/audit/verify", data={"csrf_token": token}).status_code == 403
    assert learner.get("/oversight/audit.csv").status_code == 403


# --- in Chinese -------------------------------------------------------------------------------

def test_the_sentences_render_in_chinese(app, client, signed_in, make_user):
    reader = signed_in("supervisor", locale="zh_CN")
    make_user("learner", name="李伟")
    html = _html(client, "/oversight/audit")
    assert "test 创建了 <a href=" in html and ">李伟</a> 的账号" in html
    assert "审计日志" in html and "验证哈希链" in html
    assert reader  # the reader's own account creation is listed too


def test_every_action_the_app_records_has_words():
    """A literal action key (or a module constant) passed to audit.record has a sentence."""
    missing, found = set(), 0
    for path in Path("app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        for node in ast.walk(tree):
            if _is_record_call(node):
                for key in _keys(node.args[0], constants):
                    found += 1
                    if key not in words.ACTIONS:
                        missing.add(f"{path}:{node.lineno}: {key}")
    assert found > 40 and not missing, sorted(missing)


def _is_record_call(node) -> bool:
    """``audit.record(...)`` or ``record(...)`` (imported from app.audit.log)."""
    if not (isinstance(node, ast.Call) and node.args):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "record"
            and isinstance(func.value, ast.Name) and func.value.id == "audit") or (
        isinstance(func, ast.Name) and func.id == "record")


def _keys(arg, constants) -> list[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        return _keys(arg.body, constants) + _keys(arg.orelse, constants)
    if isinstance(arg, ast.Name) and arg.id in constants:
        return [constants[arg.id]]
    return []  # built at run time (need.{action}, {kind}.file): listed by hand
