"""The archive as files (§4.3): one person's as a PDF, everyone's per period as CSV and
Excel, each only for those who may read it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from app.assessments import services as assessments
from app.auth.models import User
from app.complaints import services as complaints
from app.courses.models import Course, CourseProgress
from app.database import utcnow
from app.extensions import db
from app.oversight.archive import entries as archive
from app.oversight.archive.pdf import archive_pdf
from tests.evaluations.builders import user
from tests.oversight.builders import full_archive, login

TRICKY_TITLE = "Lab <b>was</b> down & out"
HEADERS = ["Person", "Email", "Team", "Date", "What", "Title", "Result or state", "Detail"]


def _squeezed(text: str) -> str:
    """Without any whitespace: table cells wrap lines wherever they must."""
    return "".join(text.split())


def _pdf_text(data: bytes) -> str:
    return _squeezed("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_pdf_holds_every_item_in_chinese_and_english(app, client, make_user, tmp_path):
    cast = full_archive(app, make_user, tmp_path, name="李伟", course_title="售前演示讲故事",
                        complaint_title=TRICKY_TITLE, team="华东")
    login(client, cast.person)
    response = client.get(f"/people/{cast.person.id}/archive.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="archive-{cast.person.id}.pdf"')
    text = _pdf_text(response.data)
    for expected in ("Archive of 李伟", cast.person.email, "华东", "Generated on",
                     "2026 Q4", "Date", "What", "Title", "Result or state",
                     "Course completed", "售前演示讲故事", "Exam", "Quarterly product exam #1",
                     "Evaluation", "Test demonstration", "100.00 / 100",
                     "Assessment record", "Incomplete", "Performance interview",
                     "Agreed to rehearse.", "Improvement plan item", "Rehearse the demo",
                     "Due", "Course feedback", "★★★★", "Complaint", TRICKY_TITLE, "Received",
                     "Training attended", "Competitor briefing", "Internal course",
                     "Certificate or report", "Cloud summit", "summit-certificate.pdf",
                     "Page 1"):
        assert _squeezed(expected) in text, expected


def test_the_pdf_speaks_the_readers_language(app, client, make_user, tmp_path):
    cast = full_archive(app, make_user, tmp_path, name="李伟")
    reader = make_user("supervisor", locale="zh_CN")
    login(client, reader)
    text = _pdf_text(client.get(f"/people/{cast.person.id}/archive.pdf").data)
    with app.test_request_context(), force_locale("zh_CN"):
        title = gettext("Archive of %(name)s", name="李伟")
        complaint = gettext("Complaint")
    assert title != "Archive of 李伟"
    assert _squeezed(title) in text and complaint in text
    assert "Quarterly product exam #1".replace(" ", "") in text


def test_the_pdf_is_for_the_person_their_manager_and_supervisors(app, client, make_user,
                                                                 tmp_path):
    cast = full_archive(app, make_user, tmp_path)
    path = f"/people/{cast.person.id}/archive.pdf"
    for who, status in ((cast.manager, 200), (cast.supervisor, 200), (cast.colleague, 404)):
        login(client, who)
        assert client.get(path).status_code == status
    assert client.get("/people/99999/archive.pdf").status_code == 404


def test_a_long_archive_runs_over_pages_with_numbers_and_repeated_headers(app):
    now = utcnow()
    entries = [archive.Entry(now - timedelta(hours=n), "course", f"Course number {n}", "")
               for n in range(150)]
    person = User(display_name="Li Wei", email="li.wei@example.com")
    with app.test_request_context():
        data = archive_pdf(person, [(None, entries)], now)
    pages = [_squeezed(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert f"Page{number}" in page and "Resultorstate" in page
    assert "Outsideanyassessmentperiod" in pages[0]
    assert all(f"Coursenumber{n}" in "".join(pages) for n in range(150))


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads the Chinese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_periods_archive_as_csv_and_excel_for_the_supervision_group(app, client, make_user,
                                                                     tmp_path):
    cast = full_archive(app, make_user, tmp_path, name="李伟", team="华东",
                        complaint_title="=1+1")
    admin = make_user("admin")
    kinds = ["Assessment record", "Certificate or report", "Complaint", "Course completed",
             "Course feedback", "Evaluation", "Exam", "Improvement plan item",
             "Performance interview", "Training attended", "Training attended"]
    for who in (cast.supervisor, admin):
        login(client, who)
        response = client.get(f"/oversight/archive/{cast.period_id}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="archive-period-{cast.period_id}.csv"')
        header, *rows = _csv_rows(response.data)
        assert header == HEADERS
        assert sorted(row[4] for row in rows) == kinds
        assert all(row[:3] == ["李伟", cast.person.email, "华东"] for row in rows)
        assert ["Rehearse the demo", "Due"] in [row[5:7] for row in rows]
        assert "'=1+1" in [row[5] for row in rows]  # text, never a formula
        response = client.get(f"/oversight/archive/{cast.period_id}.xlsx")
        assert response.status_code == 200
        header, *cells = _xlsx_rows(response.data)
        assert header == HEADERS
        assert all(isinstance(row[3], datetime) for row in cells)  # real dates, not text
        assert [[*row[:3], row[3].date().isoformat(), *("" if v is None else v
                                                        for v in row[4:])]
                for row in cells] == rows


def test_a_period_export_holds_only_that_periods_entries(app, client, make_user, tmp_path):
    cast = full_archive(app, make_user, tmp_path)
    today = utcnow().date()
    with app.app_context():
        earlier = assessments.create_period(assessments.Plan(
            name="2026 Q2", cadence="quarterly", starts_on=today - timedelta(days=120),
            ends_on=today - timedelta(days=60)), user(cast.manager))
        course = db.session.execute(sa.select(Course)).scalar_one()
        db.session.add(CourseProgress(user_id=cast.colleague.id, course_id=course.id,
                                      completed_at=utcnow() - timedelta(days=90)))
        db.session.commit()
        earlier_id = earlier.id
    login(client, cast.supervisor)
    header, *rows = _csv_rows(client.get(f"/oversight/archive/{earlier_id}.csv").data)
    assert [(row[1], row[4]) for row in rows] == [(cast.colleague.email, "Course completed")]
    _header, *rows = _csv_rows(client.get(f"/oversight/archive/{cast.period_id}.csv").data)
    assert {row[1] for row in rows} == {cast.person.email}


def test_period_exports_refuse_everyone_else_and_unknown_periods(app, client, make_user,
                                                                 tmp_path):
    cast = full_archive(app, make_user, tmp_path)
    for who in (cast.person, cast.manager):
        login(client, who)
        for kind in ("csv", "xlsx"):
            assert client.get(f"/oversight/archive/{cast.period_id}.{kind}").status_code == 403
        assert client.get("/oversight/archives").status_code == 403
    login(client, cast.supervisor)
    for kind in ("csv", "xlsx"):
        assert client.get(f"/oversight/archive/99999.{kind}").status_code == 404


def test_the_archives_page_links_every_period_and_every_active_person(app, client,
                                                                      make_user, tmp_path):
    cast = full_archive(app, make_user, tmp_path, name="Li Wei")
    make_user(name="Zhao Min")
    make_user(name="An Ning")
    gone = make_user(name="Gone Person", active=False)
    login(client, cast.supervisor)
    html = client.get("/oversight/archives").get_data(as_text=True)
    for link in (f"/oversight/archive/{cast.period_id}.csv",
                 f"/oversight/archive/{cast.period_id}.xlsx",
                 f"/people/{cast.person.id}/archive"):
        assert f'href="{link}"' in html, link
    assert f"/people/{gone.id}/archive" not in html
    assert html.index("An Ning") < html.index("Li Wei") < html.index("Zhao Min")


def test_many_peoples_archives_cost_the_same_queries_as_one(app, make_user, tmp_path):
    cast = full_archive(app, make_user, tmp_path)
    others = [make_user() for _ in range(5)]
    with app.app_context():
        course = db.session.execute(sa.select(Course)).scalar_one()
        for n, other in enumerate(others):
            db.session.add(CourseProgress(user_id=other.id, course_id=course.id,
                                          completed_at=utcnow() - timedelta(days=n)))
            complaints.file(user(other), kind="complaint", topic="training",
                            title=f"Complaint {n}", body="Text.")
        db.session.commit()
        ids = [cast.person.id, *(o.id for o in others)]
        one = _queries(app, lambda: archive.entries_for(ids[:1]))
        many = _queries(app, lambda: archive.entries_for(ids))
        assert len(one) == len(many) == len(archive._SOURCES) == 10  # one query per kind
        found = archive.entries_for(ids)
        for person_id in ids:  # the one-person view gives the very same entries
            db.session.expire_all()
            assert archive.entries(db.session.get(User, person_id)) == found[person_id]
        assert len(found[others[0].id]) == 2


def _queries(app, action) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return seen
