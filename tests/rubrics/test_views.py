"""Rubric pages: the list, one rubric with its versions, uploads with a dry run first;
who may see them; hostile Markdown; a Chinese rubric."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.rubrics.format import parse_rubric
from app.rubrics.models import Rubric as RubricRow
from app.rubrics.models import RubricVersion
from app.rubrics.services import import_rubrics
from tests.helpers import csrf_token, login, post_form
from tests.rubrics.test_import import OTHER, RUBRIC

SAMPLES = Path(__file__).resolve().parents[2] / "question_banks" / "rubrics"


def _load(app, *texts: str) -> None:
    with app.app_context():
        rubrics = []
        for text in texts:
            rubric, issues = parse_rubric(text, "rubrics/test.md")
            assert issues == [], [str(i) for i in issues]
            rubrics.append(rubric)
        import_rubrics(rubrics, actor_label="loader@example.com")
        db.session.commit()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _imports(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "rubric.import")).scalar()


def _upload(client, *files: tuple[str, str]):
    data = {"files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files]}
    return post_form(client, "/rubrics/upload", data, content_type="multipart/form-data")


def _confirm(client, page: str):
    payload = re.search(r'name="payload" type="hidden" value="([^"]*)"', page)
    assert payload, "no confirmation form"
    return post_form(client, "/rubrics/upload/confirm", {"payload": html.unescape(payload[1])},
                     token_from="/rubrics/upload")


def test_a_reviewer_sees_the_list_with_a_kind_filter(app, client, signed_in):
    _load(app, RUBRIC, OTHER)
    signed_in("reviewer")
    page = client.get("/rubrics/").get_data(as_text=True)
    assert "Test demonstration" in page and "Test interview" in page
    assert "Product demonstration" in page and "Interview" in page  # kind labels
    assert "2 rubrics" in page
    assert re.search(r"<td>1</td>\s*<td>2</td>", page)  # version 1, 2 criteria
    assert "Upload rubrics" not in page  # reviewers do not manage rubrics
    only = client.get("/rubrics/?kind=interview").get_data(as_text=True)
    assert "Test interview" in only and "Test demonstration" not in only
    none = client.get("/rubrics/?kind=professionalism").get_data(as_text=True)
    assert "No rubric of this kind." in none
    assert client.get("/rubrics/?kind=nonsense").status_code == 200


def test_a_reviewer_sees_a_rubric_its_levels_and_its_history(app, client, signed_in):
    _load(app, RUBRIC)
    _load(app, RUBRIC.replace("Clear enough.", "Clear and on time."))
    signed_in("reviewer")
    page = client.get("/rubrics/test-demo").get_data(as_text=True)
    assert "<p>Score the <strong>demo</strong> as the customer would.</p>" in page
    assert "Communication" in page and "Weight: 40" in page and "Weight: 60" in page
    assert "<p>Listen for the customer&#39;s words.</p>" in page \
        or "<p>Listen for the customer's words.</p>" in page
    assert re.search(r"<td>2</td>\s*<td>50</td>\s*<td class=\"markdown\"><p>Clear and on time.",
                     page)
    assert "Clear enough." not in page
    assert "loader@example.com" in page and "You are looking at version" not in page
    old = client.get("/rubrics/test-demo?version=1").get_data(as_text=True)
    assert "You are looking at version 1; the current version is 2." in old
    assert "Clear enough." in old and "Clear and on time." not in old
    assert client.get("/rubrics/test-demo?version=3").status_code == 404
    assert client.get("/rubrics/no-such-rubric").status_code == 404


def test_hostile_markdown_is_rendered_sanitised(app, client, signed_in):
    hostile = (RUBRIC
               .replace("Score the **demo**", "<script>alert('d')</script>Score the "
                        "[demo](javascript:alert(1)) <a href=\"javascript:alert(2)\">now</a>")
               .replace("Listen for the customer's words.",
                        "<img src=x onerror=\"alert(3)\"> <iframe src=\"https://evil\"></iframe>")
               .replace("Clear enough.", "<b onclick=\"alert(4)\">Clear</b> enough."))
    _load(app, hostile)
    signed_in("reviewer")
    page = client.get("/rubrics/test-demo").get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:" not in page
    assert "onerror" not in page and "onclick" not in page and "<iframe" not in page
    assert "Score the <a>demo</a> <a>now</a> as the customer would." in page  # text kept
    assert "<b>Clear</b> enough." in page


def test_a_chinese_rubric_shows_correctly(app, client, signed_in):
    _load(app, (SAMPLES / "product-demo-zh.md").read_text(encoding="utf-8"))
    signed_in("manager")
    listing = client.get("/rubrics/").get_data(as_text=True)
    assert "产品演示评分表——Skyline DataHub" in listing and "简体中文" in listing
    page = client.get("/rubrics/product-demo-zh").get_data(as_text=True)
    assert '<article lang="zh-CN">' in page
    assert "沟通表达" in page and "应对客户提问" in page
    assert "照着幻灯片或屏幕念" in page
    assert "评审人扮演客户" in page  # the description
    assert "Product demonstration" in page  # the page itself speaks the viewer's language


def test_a_trainer_uploads_with_a_dry_run_then_confirms(app, client, signed_in):
    signed_in("trainer")
    assert client.get("/rubrics/upload").status_code == 200

    bad = _upload(client, ("demo.md", RUBRIC),
                  ("interview.md", OTHER.replace("- 5 = 10:", "- 5 = ten:")))
    text = bad.get_data(as_text=True)
    line = OTHER.split("\n").index("- 5 = 10: Listens and answers the question asked.") + 1
    assert f"interview.md:{line}: [listening] points" in text
    assert "1 error: correct the files" in text and 'name="payload"' not in text
    assert _count(app, RubricRow) == 0

    dry = _upload(client, ("demo.md", RUBRIC), ("interview.md", OTHER)).get_data(as_text=True)
    assert "2 rubrics read, 3 criteria." in dry and "2 added, 0 changed, 0 unchanged" in dry
    assert "test-demo: new rubric (version 1)." in dry
    assert _count(app, RubricRow) == 0 and _imports(app) == 0  # a dry run only

    response = _confirm(client, dry)
    assert response.status_code == 302 and response.location.endswith("/rubrics/")
    index = client.get("/rubrics/").get_data(as_text=True)
    assert "test-demo: new rubric (version 1)." in index and "Test interview" in index
    assert _count(app, RubricVersion) == 2

    changed = RUBRIC.replace("No structure.", "No visible structure.")
    dry = _upload(client, ("demo.md", changed), ("interview.md", OTHER)).get_data(as_text=True)
    assert "0 added, 1 changed, 1 unchanged" in dry
    assert "test-demo: changed (version 1 → 2)." in dry
    _confirm(client, dry)
    with app.app_context():
        by = db.session.execute(sa.select(RubricVersion.created_by)
                                .where(RubricVersion.version == 2)).scalar_one()
        actors = db.session.execute(sa.select(AuditEntry.actor_id).where(
            AuditEntry.action == "rubric.import")).scalars().all()
    assert by.endswith("@example.com") and len(actors) == 3 and None not in actors


def test_an_upload_that_changes_the_kind_is_refused_in_the_dry_run(app, client, signed_in):
    _load(app, RUBRIC)
    signed_in("admin")
    dry = _upload(client, ("demo.md", RUBRIC.replace("kind: demo", "kind: interview")))
    text = html.unescape(dry.get_data(as_text=True))
    assert "demo.md:2: rubric 'test-demo' is a demo rubric" in text
    assert "give it a new id instead" in text and 'name="payload"' not in text


def test_the_same_id_in_two_uploaded_files_is_an_error(client, signed_in):
    signed_in("trainer")
    text = _upload(client, ("a.md", RUBRIC), ("b.md", RUBRIC)).get_data(as_text=True)
    assert "duplicate rubric ID" in html.unescape(text) and 'name="payload"' not in text


def test_upload_refuses_other_file_types_and_a_tampered_confirmation(app, client, signed_in):
    signed_in("trainer")
    page = _upload(client, ("demo.txt", RUBRIC)).get_data(as_text=True)
    assert "Upload rubric files ending in .md." in page
    bad = post_form(client, "/rubrics/upload/confirm", {"payload": "not json"},
                    token_from="/rubrics/upload")
    assert bad.status_code == 400
    wrong = post_form(client, "/rubrics/upload/confirm", {"payload": '[["a.md", "%%%"]]'},
                      token_from="/rubrics/upload")
    assert wrong.status_code == 400
    no_csrf = client.post("/rubrics/upload/confirm", data={"payload": "[]"})
    assert no_csrf.status_code == 400
    assert _count(app, RubricRow) == 0


def test_an_oversized_file_is_refused(app, client, signed_in):
    signed_in("trainer")
    app.config["RUBRIC_UPLOAD_MAX_BYTES"] = 1024
    page = _upload(client, ("demo.md", RUBRIC + "x" * 2048)).get_data(as_text=True)
    assert "demo.md is larger than 1 KB" in page and 'name="payload"' not in page


def test_a_learner_gets_403_on_every_rubric_page(app, client, make_user):
    _load(app, RUBRIC)
    login(client, make_user("learner"))
    token = csrf_token(client, "/")
    for path in ("/rubrics/", "/rubrics/test-demo", "/rubrics/test-demo?version=1",
                 "/rubrics/upload"):
        assert client.get(path).status_code == 403, path
    for path in ("/rubrics/upload", "/rubrics/upload/confirm"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_reviewers_managers_and_supervisors_cannot_upload(client, make_user):
    login(client, make_user("reviewer", "manager", "supervisor"))
    assert client.get("/rubrics/").status_code == 200
    assert client.get("/rubrics/upload").status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/rubrics/upload/confirm",
                       data={"csrf_token": token, "payload": "[]"}).status_code == 403
