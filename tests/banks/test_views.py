"""Trainers browse banks and questions, see versions, and upload with a dry run first."""

from __future__ import annotations

import io

from tests.banks.test_import import BANK
from tests.helpers import login, post_form

GIFT = """$CATEGORY: $course$/Presales/Security

// [id:GF-1]
::Agents::Which DataHub tier runs in the customer network? {
  =The edge tier #Right.
  ~The catalogue tier #No.
}

::SSO::DataHub supports OpenID Connect. {T}
"""


def _upload(client, text, name="bank.md", **fields):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name), **fields}
    return post_form(client, "/banks/upload", data, content_type="multipart/form-data")


def _confirm(client, html):
    import re

    fields = dict(re.findall(r'name="(filename|content|format|bank_id|title|area|language)" '
                             r'type="hidden" value="([^"]*)"', html))
    return post_form(client, "/banks/upload/confirm", fields, token_from="/banks/upload")


def test_only_trainers_and_admins_reach_the_bank_pages(client, make_user):
    login(client, make_user("learner", "reviewer", "manager", "supervisor"))
    for path in ("/banks/", "/banks/questions", "/banks/upload", "/banks/questions/TB-001"):
        assert client.get(path).status_code == 403, path


def test_upload_shows_lint_results_first_and_imports_only_on_confirm(client, signed_in):
    signed_in("trainer")
    bad = _upload(client, BANK.replace("type: short", "type: long")).get_data(as_text=True)
    assert "bank.md:" in bad and "[TB-002]" in bad and "Nothing was imported" in bad
    assert "No banks yet" in client.get("/banks/").get_data(as_text=True)

    dry = _upload(client, BANK).get_data(as_text=True)
    assert "2 questions read." in dry and "2 added, 0 changed, 0 unchanged, 0 retired" in dry
    assert "No banks yet" in client.get("/banks/").get_data(as_text=True)  # dry run only
    response = _confirm(client, dry)
    assert response.status_code == 302
    index = client.get("/banks/").get_data(as_text=True)
    assert "Test bank" in index and "test-bank: 2 added" in index


def test_a_gift_file_uploads_into_the_same_model(client, signed_in):
    signed_in("trainer")
    dry = _upload(client, GIFT, "moodle-security.gift", title="Security from Moodle",
                  area="technical", language="en").get_data(as_text=True)
    assert "2 questions read." in dry
    _confirm(client, dry)
    html = client.get("/banks/questions?bank=moodle-security").get_data(as_text=True)
    assert "GF-1" in html and "True or false" in html
    index = client.get("/banks/").get_data(as_text=True)
    assert "Security from Moodle" in index and "Technology" in index


def test_the_browser_filters_and_a_question_shows_key_and_history(client, signed_in):
    signed_in("trainer")
    _confirm(client, _upload(client, BANK).get_data(as_text=True))
    by_type = client.get("/banks/questions?type=short").get_data(as_text=True)
    assert "TB-002" in by_type and "TB-001" not in by_type
    by_tag = client.get("/banks/questions?tag=中文").get_data(as_text=True)
    assert "TB-002" in by_tag and "TB-001" not in by_tag
    by_text = client.get("/banks/questions?q=customer").get_data(as_text=True)
    assert "TB-001" in by_text and "TB-002" not in by_text

    changed = BANK.replace("- [ ] Catalogue\n- [x] Edge", "- [x] Catalogue\n- [ ] Edge")
    _confirm(client, _upload(client, changed).get_data(as_text=True))
    page = client.get("/banks/questions/TB-001").get_data(as_text=True)
    assert "Answer key" in page and "Agents connect outbound only." in page
    assert "first version" in page and "options or key" in page  # history: v2 changed the choices
    old = client.get("/banks/questions/TB-001?version=1").get_data(as_text=True)
    assert "You are looking at version 1" in old
    assert client.get("/banks/questions/TB-001?version=9").status_code == 404
    assert client.get("/banks/questions/NOPE").status_code == 404


def test_an_oversized_upload_is_refused_with_the_limit(app, client, signed_in):
    signed_in("trainer")
    app.config["BANK_UPLOAD_MAX_BYTES"] = 1024
    html = _upload(client, BANK + "\n" + "x" * 2048).get_data(as_text=True)
    assert "the limit is 1 KB: split the bank" in html


def test_the_matching_key_pairs_each_left_item_with_its_right_answer(client, signed_in):
    signed_in("trainer")
    bank = BANK + """
## TB-003
type: matching

Match them.

- -> DISTRACTOR
- LEFTA -> RIGHTA
- LEFTB -> RIGHTB
"""
    _confirm(client, _upload(client, bank).get_data(as_text=True))
    html = client.get("/banks/questions/TB-003").get_data(as_text=True)
    key = html[html.index("Answer key"):]
    assert key.index("LEFTA") < key.index("RIGHTA") < key.index("LEFTB") < key.index("RIGHTB")
    assert "Distractor:" in key and "DISTRACTOR" in key
