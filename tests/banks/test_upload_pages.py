"""The bank and rubric upload pages share one layout (_upload_page.html): form, dry run."""

from __future__ import annotations

import io
import re

from tests.banks.test_import import BANK
from tests.helpers import post_form
from tests.rubrics.test_views import RUBRIC


def _post(client, path: str, field: str, name: str, text: str) -> str:
    data = {field: (io.BytesIO(text.encode("utf-8")), name)}
    return post_form(client, path, data, content_type="multipart/form-data").get_data(as_text=True)


def _forms(page: str) -> list[str]:
    """The action of every upload form on the page, in order (the header has forms too)."""
    return [action for action in re.findall(r'<form method="post"[^>]* action="([^"]+)"', page)
            if "/upload" in action]


def test_both_upload_pages_show_the_file_form_and_no_dry_run_before_a_file(client, signed_in):
    signed_in("trainer")
    for path, heading, back, fields in (
            ("/banks/upload", "Upload a bank", "/banks/",
             ("file", "format", "bank_id", "title", "area", "language")),
            ("/rubrics/upload", "Upload rubrics", "/rubrics/", ("files",))):
        page = client.get(path).get_data(as_text=True)
        assert _forms(page) == [path]
        assert f"<h1>{heading}</h1>" in page and re.search(f"<title>[^<]*{heading}", page)
        assert f'<p class="breadcrumb"><a href="{back}">' in page
        assert 'enctype="multipart/form-data"' in page and 'class="help"' in page
        assert all(f'name="{name}"' in page for name in fields), path
        assert 'data-testid="dry-run"' not in page


def test_a_clean_file_gets_the_dry_run_with_a_confirm_form(client, signed_in):
    signed_in("trainer")
    bank = _post(client, "/banks/upload", "file", "bank.md", BANK)
    assert _forms(bank) == ["/banks/upload", "/banks/upload/confirm"]
    assert "Check result" in bank and "2 questions read." in bank
    rubric = _post(client, "/rubrics/upload", "files", "demo.md", RUBRIC)
    assert _forms(rubric) == ["/rubrics/upload", "/rubrics/upload/confirm"]
    assert "Check result" in rubric and "1 rubric read" in rubric


def test_a_file_with_errors_gets_the_message_and_no_confirm_form(client, signed_in):
    signed_in("trainer")
    bank = _post(client, "/banks/upload", "file", "bank.md",
                 BANK.replace("type: short", "type: long"))
    assert _forms(bank) == ["/banks/upload"]
    assert re.search(r'flash-error">\d+ errors?: correct the file and upload it again', bank)
    rubric = _post(client, "/rubrics/upload", "files", "demo.md",
                   RUBRIC.replace("kind: demo", "kind: nonsense"))
    assert _forms(rubric) == ["/rubrics/upload"]
    assert re.search(r'flash-error">\d+ errors?: correct the files and upload them again', rubric)
