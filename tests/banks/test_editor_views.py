"""The bank editor's pages: check, preview, save through the import; new question, new bank,
download."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.banks.markdown_format import parse_bank
from app.banks.models import Question, QuestionBank, QuestionVersion
from app.banks.services import import_banks
from app.extensions import db
from tests.banks.test_import import BANK
from tests.helpers import login, post_form

EDIT = "/banks/questions/TB-001/edit"
GOOD = """## TB-001
type: single
tags: agents

Which tier runs **inside** the customer's network?

- [ ] Catalogue
- [x] Edge
  > Right.
- [ ] Control plane

> Agents connect outbound only.
"""


def _import(app, text=BANK, name="test-bank.md"):
    with app.app_context():
        bank, issues = parse_bank(text, name)
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        db.session.commit()


def _textarea(page: str) -> str:
    match = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S)
    assert match, "no textarea"
    return html.unescape(match.group(1))


def _versions(app, question_id):
    with app.app_context():
        return db.session.execute(
            sa.select(QuestionVersion.version, QuestionVersion.content).join(Question)
            .where(Question.question_id == question_id).order_by(QuestionVersion.version)).all()


def _post(client, path, text, button="check", **extra):
    return post_form(client, path, {"text": text, button: "1", **extra}, token_from=path)


def test_only_bank_managers_reach_the_editor(app, client, make_user):
    _import(app)
    login(client, make_user("learner", "reviewer", "manager", "supervisor"))
    for path in (EDIT, "/banks/bank/test-bank/new-question", "/banks/new",
                 "/banks/bank/test-bank/download"):
        assert client.get(path).status_code == 403, path


def test_the_editor_shows_the_questions_current_source(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    page = client.get(EDIT).get_data(as_text=True)
    source = _textarea(page)
    assert source.startswith("## TB-001\ntype: single\ntags: agents\n")
    assert "- [x] Edge" in source and "> Agents connect outbound only." in source
    assert 'name="base_version" type="hidden" value="1"' in page


def test_check_shows_every_error_at_its_line_keeps_the_text_and_stores_nothing(
        app, client, signed_in):
    _import(app)
    signed_in("trainer")
    bad = GOOD.replace("- [x] Edge", "- [ ] Edge").replace("tags: agents", "tags: nope")
    page = _post(client, EDIT, bad).get_data(as_text=True)
    assert "Line 3:" in page and "nope" in page
    assert "right option" in page
    assert _textarea(page) == bad
    assert 'data-testid="preview"' not in page
    assert len(_versions(app, "TB-001")) == 1


def test_check_previews_as_learners_see_it_and_with_the_key(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    page = _post(client, EDIT, GOOD).get_data(as_text=True)
    assert "No errors." in page and 'data-testid="preview"' in page
    assert "<strong>inside</strong>" in page
    assert page.count("✓ right") == 1  # the key view only
    assert len(_versions(app, "TB-001")) == 1  # a check stores nothing


def test_save_makes_a_new_version_through_the_import(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    with app.app_context():
        revision = db.session.execute(sa.select(QuestionBank.revision)).scalar_one()
    response = _post(client, EDIT, GOOD, "save", base_version="1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/banks/questions/TB-001")
    versions = _versions(app, "TB-001")
    assert [v.version for v in versions] == [1, 2]
    assert "**inside**" in versions[1].content["stem"]
    assert _versions(app, "TB-002")[-1].version == 1  # the other question is unchanged
    page = client.get("/banks/questions/TB-001").get_data(as_text=True)
    assert "TB-001 saved as version 2." in page and "question text" in page
    with app.app_context():
        assert db.session.execute(sa.select(QuestionBank.revision)).scalar_one() == revision + 1
        actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.object_id)
                                     .order_by(AuditEntry.id)).all()
    assert ("bank.import", "test-bank") in actions[-2:]
    assert ("bank.question_save", "TB-001") in actions[-2:]


def test_a_refused_save_keeps_the_typed_text_and_stores_nothing(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    bad = GOOD.replace("type: single", "type: long")
    page = _post(client, EDIT, bad, "save", base_version="1").get_data(as_text=True)
    assert "Nothing was saved" in page and "Line 2:" in page
    assert _textarea(page) == bad
    assert len(_versions(app, "TB-001")) == 1


def test_a_save_over_someone_elses_newer_version_is_refused(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    assert _post(client, EDIT, GOOD, "save", base_version="1").status_code == 302
    mine = GOOD.replace("Control plane", "The control plane")
    page = _post(client, EDIT, mine, "save", base_version="1").get_data(as_text=True)
    assert "someone saved version 2" in page and _textarea(page) == mine
    assert len(_versions(app, "TB-001")) == 2


def test_saving_the_same_text_changes_nothing(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    source = _textarea(client.get(EDIT).get_data(as_text=True))
    response = _post(client, EDIT, source, "save", base_version="1")
    assert response.status_code == 302
    assert "unchanged: nothing was saved" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert len(_versions(app, "TB-001")) == 1


def test_a_new_question_starts_from_its_types_template_and_saves_at_the_end(
        app, client, signed_in):
    _import(app)
    signed_in("trainer")
    path = "/banks/bank/test-bank/new-question"
    chooser = client.get(path).get_data(as_text=True)
    assert 'name="type"' in chooser and "Numeric" in chooser
    page = client.get(path + "?type=numeric").get_data(as_text=True)
    text = _textarea(page)
    assert text.startswith("## TB-003\ntype: numeric\n") and "No errors." in page
    response = _post(client, path, text, "save")
    assert response.headers["Location"].endswith("/banks/questions/TB-003")
    with app.app_context():
        stored = db.session.execute(sa.select(Question).where(
            Question.question_id == "TB-003")).scalar_one()
        assert (stored.type, stored.position, stored.version) == ("numeric", 3, 1)


def test_a_new_question_may_not_take_an_id_in_use(app, client, signed_in):
    _import(app)
    _import(app, BANK.replace("id: test-bank", "id: other-bank").replace("TB-00", "OB-00"),
            "other-bank.md")
    signed_in("trainer")
    path = "/banks/bank/test-bank/new-question"
    for taken in ("TB-001", "OB-001"):
        text = GOOD.replace("TB-001", taken)
        page = _post(client, path, text, "save").get_data(as_text=True)
        assert f"the ID {taken} is already used" in page and _textarea(page) == text
    assert len(_versions(app, "OB-001")) == 1 and len(_versions(app, "TB-001")) == 1


def test_a_new_empty_bank_is_created_through_the_import(app, client, signed_in):
    signed_in("trainer")
    response = post_form(client, "/banks/new", {
        "bank_id": "pitch-skills", "title": "Pitch skills", "area": "communication",
        "language": "en", "tags": "opening, closing"})
    assert response.headers["Location"].endswith("/banks/bank/pitch-skills/new-question")
    with app.app_context():
        bank = db.session.execute(sa.select(QuestionBank)).scalar_one()
        assert (bank.bank_id, bank.area, bank.tags) == ("pitch-skills", "communication",
                                                        ["opening", "closing"])
        actions = db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id))
        assert actions.scalars().all()[-1] == "bank.import"
    text = _textarea(client.get("/banks/bank/pitch-skills/new-question?type=essay")
                     .get_data(as_text=True))
    assert text.startswith("## PS-001\ntype: essay\n")


def test_a_new_bank_is_refused_with_the_field_named_and_what_was_typed_kept(
        app, client, signed_in):
    _import(app)
    signed_in("trainer")
    page = post_form(client, "/banks/new", {
        "bank_id": "test-bank", "title": "Again", "area": "product", "language": "en"}
    ).get_data(as_text=True)
    assert "exists already" in page and 'value="Again"' in page
    page = post_form(client, "/banks/new", {
        "bank_id": "new-bank", "title": "New", "area": "product", "language": "en",
        "tags": "Bad Tag!"}).get_data(as_text=True)
    assert 'value="Bad Tag!"' in page and 'class="field has-error"' in page
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(QuestionBank)
                                  ).scalar_one() == 1


def test_a_bank_downloads_as_markdown_that_reads_back_the_same(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    response = client.get("/banks/bank/test-bank/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-bank.md"'
    assert response.mimetype == "text/markdown"
    again, issues = parse_bank(response.get_data(as_text=True), "test-bank.md")
    original, _ = parse_bank(BANK, "test-bank.md")
    assert again is not None and original is not None, issues
    assert [q.content() for q in again.questions] == [q.content() for q in original.questions]


def test_the_check_endpoint_answers_json_for_lint_as_you_type(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    bad = GOOD.replace("type: single", "type: long")
    response = post_form(client, "/banks/bank/test-bank/check",
                         {"text": bad, "question_id": "TB-001"}, token_from=EDIT)
    body = response.get_json()
    assert body["ok"] is False and body["issues"][0]["line"] == 2
    good = post_form(client, "/banks/bank/test-bank/check",
                     {"text": GOOD, "question_id": "TB-001"}, token_from=EDIT).get_json()
    assert good == {"ok": True, "issues": []}


def test_a_banks_details_change_through_the_import_and_keep_used_tags(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    path = "/banks/bank/test-bank/settings"
    form = client.get(path).get_data(as_text=True)
    assert 'value="agents, 中文"' in form and 'name="bank_id"' not in form
    page = post_form(client, path, {"title": "Test bank", "area": "product", "language": "en",
                                    "tags": "agents"}).get_data(as_text=True)
    assert "TB-002" in page and "中文" in page and 'value="agents"' in page  # still used
    response = post_form(client, path, {"title": "Renamed bank", "area": "technical",
                                        "language": "en", "tags": "agents, 中文, pricing"})
    assert response.status_code == 302
    with app.app_context():
        bank = db.session.execute(sa.select(QuestionBank)).scalar_one()
        assert (bank.title, bank.area, bank.tags) == ("Renamed bank", "technical",
                                                      ["agents", "中文", "pricing"])
    assert len(_versions(app, "TB-001")) == 1  # the questions are unchanged
    tagged = GOOD.replace("tags: agents", "tags: agents, pricing")
    assert _post(client, EDIT, tagged, "save", base_version="1").status_code == 302
    assert _versions(app, "TB-001")[-1].content["tags"] == ["agents", "pricing"]


def test_no_text_gives_a_server_error_and_bad_form_values_are_refused(app, client, signed_in):
    _import(app)
    signed_in("trainer")
    texts = ["\x00", "## ", "## TB-001\n```\n", "\ufeff## TB-001", "---\nid: x\n---\n",
             "## TB-001\r\ntype: essay\r\n\r\n", GOOD.replace("TB-001", "TB-001\n## X")]
    for text in texts:
        for button in ("check", "save"):
            for path in (EDIT, "/banks/bank/test-bank/new-question"):
                response = _post(client, path, text, button, base_version="1")
                assert response.status_code == 200, (text, button, path)
    assert _post(client, EDIT, GOOD, "save", base_version="abc").status_code == 400
    too_long = _post(client, EDIT, GOOD + "x" * 50_001, "save", base_version="1")
    assert too_long.status_code == 400 and "longer than 50000" in too_long.get_data(as_text=True)
    assert len(_versions(app, "TB-001")) == 1
