"""Every download goes through one helper: an attachment whose name survives Chinese.

A file name in any language reaches the browser twice: as the RFC 5987
``filename*=UTF-8''…`` form modern browsers read, and as an ASCII ``filename`` for the
rest. Names that are ASCII already keep the header they had.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader
from werkzeug.http import parse_options_header

from app.assessments.models import AssessmentPeriod
from app.downloads import CSV_TYPE, PDF_TYPE, XLSX_TYPE, attachment, content_disposition
from app.evaluations import evidence
from app.evaluations.models import Evaluation
from app.exams import exports
from app.exams.models import Exam
from app.extensions import db
from app.oversight.archive import exports as archive_exports
from app.training.models import Certificate
from tests.evaluations.builders import user
from tests.oversight.builders import full_archive, login
from tests.training.builders import PDF

ASCII_FALLBACK = re.compile(r'^attachment; filename="([\x20-\x21\x23-\x5b\x5d-\x7e]+)"(;|$)')


def _names(header: str) -> tuple[str, str | None]:
    """The ASCII fallback and the decoded RFC 5987 name (None when the header has none)."""
    fallback = ASCII_FALLBACK.match(header)
    assert fallback, header
    encoded = re.search(r"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]+)$", header)
    return fallback.group(1), unquote(encoded.group(1), errors="strict") if encoded else None


@pytest.mark.parametrize(("name", "fallback"), [
    ("证书.pdf", "file.pdf"),
    ("演示 slides.pdf", "slides.pdf"),
    ("Café 报告 2026.xlsx", "Cafe 2026.xlsx"),
    ('a "quoted" \\ name.csv', "a _quoted_ _ name.csv"),
])
def test_a_name_outside_ascii_is_sent_in_both_forms(name, fallback):
    header = content_disposition(name)
    assert _names(header) == (fallback, name)
    assert parse_options_header(header) == ("attachment", {"filename": name})


def test_an_ascii_name_keeps_the_quoted_header_it_had():
    assert content_disposition("archive-7.pdf") == 'attachment; filename="archive-7.pdf"'


def test_the_helper_sends_the_bytes_unchanged_never_cached(app):
    data = "姓名,分数\n李伟,90\n".encode("utf-8-sig")
    with app.test_request_context():
        response = attachment(data, "成绩.csv", CSV_TYPE)
        response.direct_passthrough = False
        assert response.get_data() == data
    assert response.status_code == 200 and response.content_length == len(data)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert _names(response.headers["Content-Disposition"]) == ("file.csv", "成绩.csv")


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True)]


@pytest.fixture
def chinese_archive(app, make_user, tmp_path):
    """A full archive whose person, course, period, exam and files all have Chinese names."""
    cast = full_archive(app, make_user, tmp_path, name="李伟", course_title="售前演示讲故事",
                        period_name="2026年第四季度", team="华东")
    with app.app_context():
        exam = db.session.execute(sa.select(Exam)).scalar_one()
        exam.title = "季度产品考试"
        certificate = db.session.execute(sa.select(Certificate)).scalar_one()
        certificate.filename = "峰会 证书.pdf"
        evaluation = db.session.execute(sa.select(Evaluation)).scalar_one()
        evidence_file = evidence.attach(evaluation, "演示 slides.pdf", PDF, user(cast.manager))
        db.session.commit()
        ids = {"exam": exam.id, "certificate": certificate.id, "evaluation": evaluation.id,
               "evidence": evidence_file.id}
    return cast, ids


def test_every_download_route_names_its_file_for_any_browser(app, client, make_user,
                                                             chinese_archive):
    cast, ids = chinese_archive
    login(client, make_user("admin", "supervisor"))
    person, period = cast.person.id, cast.period_id
    generated = {  # named by id: the ASCII header they always had, now on every route
        f"/people/{person}/archive.pdf": (f"archive-{person}.pdf", PDF_TYPE),
        f"/oversight/archive/{period}.csv": (f"archive-period-{period}.csv", CSV_TYPE),
        f"/oversight/archive/{period}.xlsx": (f"archive-period-{period}.xlsx", XLSX_TYPE),
        f"/assessments/periods/{period}/records.csv": (
            f"assessment-{period}-records.csv", CSV_TYPE),
        f"/assessments/periods/{period}/records.xlsx": (
            f"assessment-{period}-records.xlsx", XLSX_TYPE),
        f"/exam-results/exams/{ids['exam']}/results.csv": (
            f"exam-{ids['exam']}-results.csv", CSV_TYPE),
        f"/exam-results/exams/{ids['exam']}/results.xlsx": (
            f"exam-{ids['exam']}-results.xlsx", XLSX_TYPE),
    }
    bodies = {}
    for url, (name, mimetype) in generated.items():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == mimetype, url
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response.headers["Cache-Control"] == "no-store", url
        bodies[url] = response.data
    stored = {  # named by the person who uploaded the file
        f"/training/certificates/{ids['certificate']}": ("峰会 证书.pdf", "file.pdf"),
        f"/evaluations/{ids['evaluation']}/files/{ids['evidence']}": (
            "演示 slides.pdf", "slides.pdf"),
    }
    for url, (name, fallback) in stored.items():
        response = client.get(url)
        assert response.status_code == 200 and response.data == PDF, url
        assert response.mimetype == PDF_TYPE
        assert _names(response.headers["Content-Disposition"]) == (fallback, name)
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "private, no-store"
    _the_bodies_are_what_the_exports_build(app, bodies, person, period, ids["exam"])


def _the_bodies_are_what_the_exports_build(app, bodies, person, period_id, exam_id):
    with app.test_request_context():
        period = db.session.get(AssessmentPeriod, period_id)
        exam_rows = exports.result_rows(db.session.get(Exam, exam_id))
        assert bodies[f"/exam-results/exams/{exam_id}/results.csv"] == exports.results_csv(
            exam_rows)
        assert _xlsx_rows(bodies[f"/exam-results/exams/{exam_id}/results.xlsx"]) == (
            _xlsx_rows(exports.results_xlsx(exam_rows)))
        assert bodies[f"/oversight/archive/{period_id}.csv"] == archive_exports.period_csv(
            period)
        assert _xlsx_rows(bodies[f"/oversight/archive/{period_id}.xlsx"]) == _xlsx_rows(
            archive_exports.period_xlsx(period))
    records = _csv_rows(bodies[f"/assessments/periods/{period_id}/records.csv"])
    sheet = _xlsx_rows(bodies[f"/assessments/periods/{period_id}/records.xlsx"])
    assert [row[0] for row in sheet] == [row[0] for row in records]
    assert ["李伟", "华东"] in [[row[0], row[2]] for row in records]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        bodies[f"/people/{person}/archive.pdf"])).pages)
    assert "李伟" in text and "售前演示讲故事" in text
