"""Results per exam, item statistics, the CSV and XLSX exports, and who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.auth.models import User
from app.banks.markdown_format import parse_bank
from app.banks.services import import_banks
from app.exams.attempts import save_answer, start_attempt, submit_attempt
from app.exams.exports import ResultRow, combine_per_person, first_attempts
from app.exams.models import Exam, ExamRule
from app.extensions import db
from tests.helpers import csrf_token

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FORMULA_NAME = "=cmd|' /C calc'!A0"

BANK = """---
id: results-bank
title: Results bank
area: product
language: en
---
""" + "".join(f"""
## RQ-{n}
type: single

Question {n}?

- [x] Right {n}
- [ ] Wrong {n}
- [ ] Other {n}
""" for n in (1, 2, 3, 4)) + """
## RQ-9
type: essay

Explain.
"""

# Five people, four one-point questions. RQ-4 is keyed so that the strongest get it wrong.
# Right answers (option 0) by person; totals 3, 2, 2, 1, 1 of 4.
PATTERN = {
    "Ada": (0, 0, 0, 1), "Ben": (0, 0, 1, 1), "张三": (0, 1, 1, 0),
    FORMULA_NAME: (1, 1, 1, 0), "Eve": (1, 2, None, 0),
}


def _setup_exam(app, title: str, questions, **settings) -> int:
    with app.app_context():
        exam = Exam(title=title, opens_at=T0, closes_at=T0 + timedelta(hours=3),
                    time_limit_minutes=60, published_at=T0 - timedelta(days=1), pass_mark=60,
                    **settings)
        exam.rules = [ExamRule(position=1, kind="fixed", question_ids=list(questions))]
        db.session.add(exam)
        db.session.commit()
        return exam.id


def _sit(app, exam_id, person, answers, minute=0) -> int:
    with app.app_context():
        now = T0 + timedelta(minutes=minute)
        attempt = start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person.id),
                                now)
        for seq, (position, response) in enumerate(answers.items(), start=1):
            save_answer(attempt, position, response, seq, now + timedelta(seconds=seq))
        submit_attempt(attempt, now + timedelta(minutes=12, seconds=5))
        db.session.commit()
        return attempt.id


@pytest.fixture
def results(app, make_user):
    """Exam A sat by five people; exam B sat only by an outsider."""
    with app.app_context():
        bank, issues = parse_bank(BANK, "results-bank.md")
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        db.session.commit()
    exam_a = _setup_exam(app, "Exam A", ["RQ-1", "RQ-2", "RQ-3", "RQ-4"])
    exam_b = _setup_exam(app, "Exam B", ["RQ-1", "RQ-9"])
    for index, (name, picks) in enumerate(PATTERN.items()):
        person = make_user("learner", name=name, team="East",
                           email=f"p{index}@example.com")
        _sit(app, exam_a, person, {pos: pick for pos, pick in enumerate(picks, start=1)})
    outsider = make_user("learner", name="Olga Outsider", email="olga@example.com")
    _sit(app, exam_b, outsider, {1: 0, 2: "Long text."})
    return exam_a, exam_b


def _row(html: str, question_id: str) -> str:
    start = html.index(f'data-question="{question_id}"')
    return html[start:html.index("</tr>", start)]


def test_the_results_page_summarises_people_and_questions(client, signed_in, results):
    exam_a, _ = results
    signed_in("trainer")
    html = client.get(f"/exam-results/exams/{exam_a}").get_data(as_text=True)
    # Percent per person: 75, 50, 50, 25, 25 → mean 45, median 50, sample SD √437.5 = 20.9.
    assert 'data-testid="people">5<' in html
    assert 'data-testid="mean">45.0%<' in html and 'data-testid="median">50.0%<' in html
    assert 'data-testid="sd">20.9<' in html and 'data-testid="pass-rate">20.0%<' in html
    assert "张三" in html and "=cmd|&#39; /C calc&#39;!A0" in html
    assert "0:12:05" in html  # time used
    # Facility of RQ-1: 3 of 5 right = 60 %; RQ-4 discriminates negatively and is flagged.
    assert "60.0%" in _row(html, "RQ-1")
    assert 'data-testid="negative-discrimination"' in _row(html, "RQ-4")
    assert html.count('data-testid="negative-discrimination"') == 1
    # Option counts by option text (responses are original indices).
    rq2 = re.sub(r"<[^>]+>", "", _row(html, "RQ-2"))
    assert "Right 2 ✓: 2" in rq2 and "Wrong 2: 2" in rq2 and "Other 2: 1" in rq2


def test_the_distribution_chart_is_inline_accessible_svg(client, signed_in, results):
    exam_a, _ = results
    signed_in("trainer")
    html = client.get(f"/exam-results/exams/{exam_a}").get_data(as_text=True)
    chart = html.index("<svg", html.index("<main"))  # the header has an icon
    svg = html[chart:html.index("</svg>", chart)]
    assert 'role="img"' in svg and '<title id="dist-title">' in svg
    assert "20–30%: 2" in svg and "50–60%: 2" in svg and "70–80%: 1" in svg
    assert svg.count("<rect") == 10
    assert "<script" not in svg and "style=" not in svg



def test_the_pass_mark_line_meets_the_axis_tick_of_its_value(client, signed_in, results):
    exam_a, _ = results  # pass mark 60
    signed_in("trainer")
    html = client.get(f"/exam-results/exams/{exam_a}").get_data(as_text=True)
    chart = html.index("<svg", html.index("<main"))  # the header has an icon
    svg = html[chart:html.index("</svg>", chart)]
    ticks = {v: float(x) for v, x in re.findall(
        r'<line class="axis-tick" data-value="([^"]+)" x1="([^"]+)"', svg)}
    assert list(ticks) == [str(v) for v in range(0, 101, 10)]
    pass_x = float(re.search(r'<line class="pass-line" data-value="60" x1="([^"]+)"', svg)[1])
    assert pass_x == ticks["60"]
    bars = [(float(x), float(w)) for x, w in re.findall(
        r'<rect x="([^"]+)" y="[^"]+" width="([^"]+)"', svg)]
    for k, (x, w) in enumerate(bars):  # the band k×10–(k+1)×10 lies between its ticks
        assert ticks[str(k * 10)] < x and x + w < ticks[str(k * 10 + 10)]

def test_another_exams_learner_never_appears(client, signed_in, results):
    exam_a, exam_b = results
    signed_in("trainer")
    for url in (f"/exam-results/exams/{exam_a}", f"/exam-results/exams/{exam_a}/results.csv"):
        assert "Olga" not in client.get(url).get_data(as_text=True)
    assert "Ada" not in client.get(f"/exam-results/exams/{exam_b}").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get(
        f"/exam-results/exams/{exam_a}/results.xlsx").data))
    assert all("Olga" not in str(cell.value) for row in book.active.iter_rows()
               for cell in row)


def test_an_attempt_awaiting_marking_is_listed_but_not_counted(client, signed_in, results):
    _, exam_b = results
    signed_in("trainer")
    html = client.get(f"/exam-results/exams/{exam_b}").get_data(as_text=True)
    assert "Olga Outsider" in html and "Awaiting marking" in html
    assert 'data-testid="people">0<' in html and 'data-testid="mean">—<' in html


def test_the_csv_has_a_bom_and_neutralises_formulas(client, signed_in, results):
    exam_a, _ = results
    signed_in("trainer")
    response = client.get(f"/exam-results/exams/{exam_a}/results.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Name", "Email", "Team", "Attempt", "State", "How it ended"]
    assert len(rows) == 6
    by_name = {row[0]: row for row in rows[1:]}
    assert "'" + FORMULA_NAME in by_name and FORMULA_NAME not in by_name
    assert by_name["张三"][1:5] == ["p2@example.com", "East", "1", "Graded"]
    assert by_name["Ada"][5] == "Submitted by the person"
    assert by_name["Ada"][8:] == ["3.0", "4.0", "75.0", "yes"]
    assert by_name["Ben"][-1] == "no"


def test_the_xlsx_parses_back(client, signed_in, results):
    exam_a, _ = results
    signed_in("trainer")
    response = client.get(f"/exam-results/exams/{exam_a}/results.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Name" and len(values) == 6
    by_name = {row[0]: row for row in values[1:]}
    assert "'" + FORMULA_NAME in by_name
    assert sheet.cell(row=2, column=1).data_type == "s"
    ada = by_name["Ada"]
    assert ada[8:] == (3, 4, 75, "yes") and isinstance(ada[6], datetime)
    assert ada[6] == datetime(2026, 12, 1, 17, 0)  # 09:00 UTC in Asia/Shanghai


def _row_of(number: int, score: float, user_id: int = 1) -> ResultRow:
    return ResultRow(number, user_id, "P", "p@example.com", "", number, "graded", T0,
                     T0, score, 10.0, 60.0)


def test_results_combine_by_highest_or_last_and_items_use_the_first_attempt():
    rows = [_row_of(1, 5.0), _row_of(2, 8.0), _row_of(3, 6.0),
            ResultRow(4, 1, "P", "", "", 4, "in_progress", T0, None, None, 10.0, 60.0)]
    assert [r.number for r in combine_per_person(rows, "highest")] == [2]
    assert [r.number for r in combine_per_person(rows, "last")] == [3]
    assert [r.number for r in first_attempts(rows)] == [1]
    tie = [_row_of(1, 8.0), _row_of(2, 8.0)]
    assert [r.number for r in combine_per_person(tie, "highest")] == [1]


ROUTES = [("GET", "/exam-results/"), ("GET", "/exam-results/marking"),
          ("POST", "/exam-results/marking/items/{item}"), ("GET", "/exam-results/attempts/{a}"),
          ("GET", "/exam-results/questions/RQ-1/regrade"),
          ("POST", "/exam-results/questions/RQ-1/regrade"),
          ("GET", "/exam-results/exams/{exam}"), ("GET", "/exam-results/exams/{exam}/results.csv"),
          ("GET", "/exam-results/exams/{exam}/results.xlsx")]


@pytest.mark.parametrize("role", ["learner", "manager", "reviewer", "supervisor"])
def test_every_route_refuses_people_without_the_permission(app, client, signed_in, results,
                                                           role):
    exam_a, _ = results
    signed_in(role)
    token = csrf_token(client, "/")
    for method, pattern in ROUTES:
        url = pattern.format(item=1, a=1, exam=exam_a)
        data = {"csrf_token": token, "points": "1", "reason": "x", "version": "1"}
        response = client.open(url, method=method, data=data if method == "POST" else None)
        assert response.status_code == 403, f"{role}: {method} {url}"


def test_trainers_and_admins_reach_every_page(client, signed_in, results):
    exam_a, _ = results
    signed_in("admin")
    for url in ("/exam-results/", "/exam-results/marking", "/exam-results/attempts/1",
                "/exam-results/questions/RQ-1/regrade", f"/exam-results/exams/{exam_a}"):
        assert client.get(url).status_code == 200, url
