"""Importing from Moodle the way a trainer does it: refuse the file or keep the good questions
(Moodle's way, audited), images stored with the bank, and downloading a bank back as Moodle
XML or GIFT. The readers themselves have their own tests (test_gift*, test_aiken*,
test_moodle_xml*)."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.banks.models import Question, QuestionAsset
from app.banks.moodle_xml import read_moodle_xml
from app.banks.questions import Asset, Bank, Choice
from app.banks.questions import Question as QuestionModel
from app.banks.services import bank_by_id, bank_model, import_banks
from app.extensions import db
from tests.helpers import post_form, switch_to

# Two good questions around one Moodle would refuse too (an answer block never closed is
# an error in any reader): keep-the-good imports the two.
GIFT = """::Edge tier::Which tier runs in the customer's network? {=Edge ~Catalogue ~Control plane}

::Broken::This block is never closed {=yes ~no

::Port::Which port do agents use? {#443}
"""


def _png() -> bytes:
    """A real 1x1 PNG, so a browser could show it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _upload(client, text: str, name: str = "moodle.txt", **fields) -> str:
    data = {"file": (io.BytesIO(text.encode("utf-8")), name), "format": "gift",
            "bank_id": "moodle-edge", "on_errors": "refuse", **fields}
    return post_form(client, "/banks/upload", data, content_type="multipart/form-data"
                     ).get_data(as_text=True)


def _confirm(client, page: str):
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"',
                             page.split('action="/banks/upload/confirm"')[1]))
    return client.post("/banks/upload/confirm", data=fields)


def test_by_default_one_broken_question_refuses_the_whole_file(app, client, signed_in):
    signed_in("trainer")
    page = _upload(client, GIFT)
    assert "1 error: correct the file" in page
    assert "/banks/upload/confirm" not in page
    with app.app_context():
        assert bank_by_id("moodle-edge") is None


def test_keep_the_good_lists_the_refused_question_and_imports_the_others_audited(
        app, client, signed_in):
    trainer = signed_in("trainer")
    page = _upload(client, GIFT, on_errors="keep-good")
    assert 'data-testid="refused"' in page
    assert "2 questions read." in page
    refused = page.split('data-testid="refused"')[1].split("</div>")[0]
    assert "Line 3" in refused and "moodle-edge-broken" in refused
    assert "2 added" in page
    response = _confirm(client, page)
    assert response.status_code == 302
    with app.app_context():
        ids = set(db.session.execute(sa.select(Question.question_id)).scalars())
        entry = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "bank.import")).scalar_one()
    assert ids == {"moodle-edge-edge-tier", "moodle-edge-port"}
    assert entry.actor_id == trainer.id
    assert entry.after["mode"] == "keep-good" and entry.after["added"] == 2
    assert [(r["line"], r["id"]) for r in entry.after["refused"]] == [(3, "moodle-edge-broken")]
    flashes = client.get("/banks/").get_data(as_text=True)
    assert "were left out; the others were imported" in flashes \
        or "was left out; the others were imported" in flashes


def test_keep_the_good_still_refuses_a_file_whose_own_settings_are_wrong(client, signed_in):
    signed_in("trainer")
    page = _upload(client, "::Only::broken {=yes", on_errors="keep-good")
    assert "/banks/upload/confirm" not in page  # no good question: nothing to import
    page = _upload(client, GIFT, on_errors="keep-good", area="nowhere")
    assert "/banks/upload/confirm" not in page


def test_a_tampered_mode_is_refused(client, signed_in):
    signed_in("trainer")
    page = _upload(client, GIFT, on_errors="everything")
    assert "Not a valid value" in page or "Invalid value" in page
    assert "/banks/upload/confirm" not in page


def test_cli_keep_good_and_strict(app, runner, tmp_path):
    path = tmp_path / "moodle.gift"
    path.write_text(GIFT, encoding="utf-8")
    strict = runner.invoke(args=["banks", "import", "--bank-id", "cli-edge", str(path)])
    assert strict.exit_code != 0 and "nothing was imported" in strict.output
    lint = runner.invoke(args=["banks", "lint", "--keep-good", str(path)])
    assert lint.exit_code == 0 and "refuse only their questions" in lint.output
    kept = runner.invoke(args=["banks", "import", "--keep-good", "--bank-id", "cli-edge",
                               str(path)])
    assert kept.exit_code == 0, kept.output
    assert "cli-edge: added (2 added" in kept.output and "left out" in kept.output
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "bank.import")).scalar_one()
    assert entry.actor_label == "cli" and entry.after["refused"][0]["id"] == "cli-edge-broken"


def _import_image_bank(app) -> tuple[Bank, Asset]:
    bank, asset = _bank_with_image()
    with app.app_context():
        import_banks([bank], source_format="moodle-xml")
        db.session.commit()
    return bank, asset


def _bank_with_image() -> tuple[Bank, Asset]:
    asset = Asset("diagram.png", "image/png", _png())
    question = QuestionModel(
        id="IMG-001", type="single", stem=f"Which tier is this?\n\n![the tiers]({asset.url})",
        choices=(Choice("Edge", True), Choice("Catalogue", False)))
    return Bank(id="image-bank", title="Images", area="product", language="en",
                questions=[question], path="images.xml", assets=(asset,)), asset


def test_an_imported_image_is_stored_once_and_shown_to_anyone_signed_in(app, client,
                                                                         signed_in):
    _import_image_bank(app)
    _, asset = _import_image_bank(app)  # a re-import stores nothing twice
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(QuestionAsset)
                                  ).scalar_one() == 1
    anonymous = client.get(asset.url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    signed_in("learner")
    response = client.get(asset.url)
    assert response.status_code == 200 and response.data == asset.data
    assert response.mimetype == "image/png"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(asset.url, headers={"If-None-Match": f'"{asset.sha256}"'}
                      ).status_code == 304
    assert client.get(f"/banks/assets/{'0' * 64}/diagram.png").status_code == 404


def test_the_stored_question_renders_the_image_link(app, client, signed_in):
    _, asset = _import_image_bank(app)
    signed_in("trainer")
    page = client.get("/banks/questions/IMG-001").get_data(as_text=True)
    assert f'src="{asset.url}"' in page


def test_a_bank_downloads_as_moodle_xml_with_its_images_and_reads_back_the_same(
        app, client, signed_in):
    bank, asset = _import_image_bank(app)
    with app.app_context():
        assert bank_model(bank_by_id("image-bank")).assets == (asset,)
    signed_in("trainer")
    response = client.get("/banks/bank/image-bank/download?format=moodle-xml")
    assert response.status_code == 200
    assert "image-bank.xml" in response.headers["Content-Disposition"]
    assert "@@PLUGINFILE@@/diagram.png" in response.get_data(as_text=True)
    assert base64.b64encode(asset.data).decode() in response.get_data(as_text=True)
    again, issues = read_moodle_xml(response.data, "image-bank.xml", "image-bank")
    assert again is not None, issues
    assert [q.content() for q in again.questions] == [q.content() for q in bank.questions]
    assert again.assets == (asset,)


@pytest.mark.parametrize("fmt, ending", [("gift", ".gift"), ("markdown", ".md")])
def test_a_bank_downloads_as_gift_and_markdown(app, client, signed_in, fmt, ending):
    _import_image_bank(app)
    signed_in("trainer")
    response = client.get(f"/banks/bank/image-bank/download?format={fmt}")
    assert response.status_code == 200
    assert f"image-bank{ending}" in response.headers["Content-Disposition"]
    assert "Which tier is this?" in response.get_data(as_text=True)


def test_download_refuses_an_unknown_format_and_people_without_the_right(app, client,
                                                                      signed_in, make_user):
    _import_image_bank(app)
    signed_in("trainer")
    assert client.get("/banks/bank/image-bank/download?format=docx").status_code == 404
    switch_to(client, make_user("learner"))
    assert client.get("/banks/bank/image-bank/download?format=moodle-xml").status_code == 403


def test_cli_exports_each_format(app, runner, tmp_path):
    _, asset = _import_image_bank(app)
    out = tmp_path / "bank.xml"
    result = runner.invoke(args=["banks", "export", "--format", "moodle-xml", "-o", str(out),
                                 "image-bank"])
    assert result.exit_code == 0, result.output
    again, _ = read_moodle_xml(out.read_bytes(), str(out), "image-bank")
    assert again is not None and again.assets == (asset,)
    gift = runner.invoke(args=["banks", "export", "--format", "gift", "image-bank"])
    assert gift.exit_code == 0 and "Which tier is this?" in gift.output


def test_the_gift_download_names_the_questions_gift_cannot_hold(app, client, signed_in):
    bank, _ = _bank_with_image()
    bank.questions.append(QuestionModel(id="ORD-1", type="ordering", stem="Put in order",
                                        sequence=("Discover", "Demo", "Close")))
    with app.app_context():
        import_banks([bank], source_format="moodle-xml")
        db.session.commit()
    signed_in("trainer")
    text = client.get("/banks/bank/image-bank/download?format=gift").get_data(as_text=True)
    assert text.startswith("// Not written: GIFT cannot hold ORD-1 (use Moodle XML)\n")
    assert "Which tier is this?" in text and "Put in order" not in text


@pytest.mark.parametrize("name, text", [
    ("long.gift", "::Long::" + "a" * 200_001 + " {=yes ~no}\n"),
    ("long.md", "---\nid: long-bank\ntitle: Long\narea: product\nlanguage: en\n---\n\n"
                "## LONG-1\ntype: short\n\n" + "a" * 200_001 + "\n\n- yes\n"),
])
def test_a_question_too_long_to_render_is_a_lint_error_not_a_crash(runner, tmp_path, name,
                                                                   text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    lint = runner.invoke(args=["banks", "lint", "--format",
                               "gift" if name.endswith(".gift") else "markdown", str(path)])
    assert lint.exit_code == 1
    assert "characters long" in lint.output and "the limit is 200,000" in lint.output
    imported = runner.invoke(args=["banks", "import", "--keep-good", str(path)])
    assert imported.exit_code == 1 and "nothing was imported" in imported.output
