"""Learners find, read and complete courses, and rate them; trainers see statistics."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.courses.models import CourseFeedback, CourseProgress
from app.courses.sync import sync_courses
from app.extensions import db
from tests.courses.builders import SVG, write_course
from tests.helpers import login, post_form

LESSONS = {
    "01-welcome.md": "# Welcome\n\n## Why\n\nBecause.\n\n![Diagram](diagram.svg)\n",
    "02-details.md": "# Details\n\n```python\nprint('hi')\n```\n\n"
                     "| A | B |\n|---|---|\n| 1 | 2 |\n",
    "03-wrap-up.md": "# Wrap-up\n\nDone. Back to [welcome](01-welcome.md).\n",
}


@pytest.fixture
def courses(app, tmp_path):
    write_course(tmp_path, "datahub-basics", lessons=LESSONS, assets={"diagram.svg": SVG},
                 meta={"title": "DataHub basics", "summary": "Connectors and pipelines."})
    write_course(tmp_path, "demo-zh", meta={"title": "演示技巧", "area": "demonstration",
                                            "language": "zh_CN", "summary": "产品演示的方法"})
    write_course(tmp_path, "ethics", meta={"title": "Ethics at work", "area": "professionalism"})
    with app.app_context():
        assert sync_courses(tmp_path).ok
        db.session.commit()
    return tmp_path


def _complete(client, lesson):
    return post_form(client, f"/courses/datahub-basics/lessons/{lesson}/complete",
                     token_from=f"/courses/datahub-basics/lessons/{lesson}")


def test_catalogue_groups_by_family_and_filters(client, signed_in, courses):
    signed_in()
    html = client.get("/courses/").get_data(as_text=True)
    knowledge, skills, qualities = (html.index(f"<h2>{t}</h2>") for t in
                                    ("Professional knowledge", "Skills", "Qualities"))
    assert knowledge < html.index("DataHub basics") < skills < html.index("演示技巧") < qualities
    assert "Ethics at work" in html[qualities:]
    by_area = client.get("/courses/?area=professionalism").get_data(as_text=True)
    assert "Ethics at work" in by_area and "DataHub basics" not in by_area
    by_language = client.get("/courses/?language=zh_CN").get_data(as_text=True)
    assert "演示技巧" in by_language and "DataHub basics" not in by_language
    by_text = client.get("/courses/?q=pipelines").get_data(as_text=True)
    assert "DataHub basics" in by_text and "Ethics at work" not in by_text
    assert "No course matches" in client.get("/courses/?q=zzzz").get_data(as_text=True)


def test_reading_lessons_moves_progress_and_continue_resumes(client, signed_in, courses):
    signed_in()
    course_page = client.get("/courses/datahub-basics/").get_data(as_text=True)
    assert "Start the course" in course_page and 'aria-valuenow="0"' in course_page
    lesson = client.get("/courses/datahub-basics/lessons/details").get_data(as_text=True)
    assert 'class="highlight"' in lesson and "<table>" in lesson
    assert 'rel="prev" href="/courses/datahub-basics/lessons/welcome"' in lesson
    assert 'rel="next" href="/courses/datahub-basics/lessons/wrap-up"' in lesson
    course_page = client.get("/courses/datahub-basics/").get_data(as_text=True)
    assert re.search(r'href="/courses/datahub-basics/lessons/details" data-testid="continue">'
                     r'Continue where you left off', course_page)
    response = _complete(client, "details")
    assert response.location == "/courses/datahub-basics/lessons/wrap-up"
    assert 'aria-valuenow="33"' in client.get("/courses/datahub-basics/").get_data(as_text=True)


def test_a_lesson_page_has_its_table_of_contents_and_working_image(client, signed_in, courses):
    signed_in()
    html = client.get("/courses/datahub-basics/lessons/welcome").get_data(as_text=True)
    assert 'href="#sec-why"' in html and 'id="sec-why"' in html
    assert 'src="../assets/diagram.svg"' in html
    image = client.get("/courses/datahub-basics/assets/diagram.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert "sandbox" in image.headers["Content-Security-Policy"]


def test_completing_every_lesson_completes_the_course_with_its_date(app, client, signed_in,
                                                                   courses):
    person = signed_in()
    _complete(client, "welcome")
    _complete(client, "details")
    response = _complete(client, "wrap-up")
    assert response.location == "/courses/datahub-basics/feedback"
    with app.app_context():
        progress = db.session.execute(sa.select(CourseProgress).where(
            CourseProgress.user_id == person.id)).scalar_one()
        assert progress.completed_at is not None
    learning = client.get("/learning").get_data(as_text=True)
    completed_section = learning[learning.index("Completed"):]
    assert "DataHub basics" in completed_section
    assert "Completed" in client.get("/courses/").get_data(as_text=True)


def test_completing_twice_is_harmless(client, signed_in, courses):
    signed_in()
    _complete(client, "welcome")
    _complete(client, "welcome")
    assert 'aria-valuenow="33"' in client.get("/courses/datahub-basics/").get_data(as_text=True)


def test_feedback_only_after_completion_one_per_learner_and_editable(app, client, signed_in,
                                                                     courses):
    signed_in()
    response = client.get("/courses/datahub-basics/feedback")
    assert response.status_code == 302 and response.location == "/courses/datahub-basics/"
    for lesson in ("welcome", "details", "wrap-up"):
        _complete(client, lesson)
    post_form(client, "/courses/datahub-basics/feedback", {"rating": "4", "comment": "Good 很好"})
    post_form(client, "/courses/datahub-basics/feedback", {"rating": "2", "comment": "Changed"})
    with app.app_context():
        rows = db.session.execute(sa.select(CourseFeedback.rating, CourseFeedback.comment)).all()
    assert rows == [(2, "Changed")]
    invalid = post_form(client, "/courses/datahub-basics/feedback", {"rating": "9"})
    assert "Not a valid choice" in invalid.get_data(as_text=True)


def test_a_learner_sees_only_their_own_progress(app, client, signed_in, make_user, courses):
    signed_in()
    for lesson in ("welcome", "details", "wrap-up"):
        _complete(client, lesson)
    other = app.test_client()
    login(other, make_user("learner"))
    page = other.get("/courses/datahub-basics/").get_data(as_text=True)
    assert 'aria-valuenow="0"' in page and "Completed" not in page
    assert "DataHub basics" not in other.get("/learning").get_data(as_text=True)


def test_statistics_are_for_trainers_and_admins_only(app, client, signed_in, make_user,
                                                     courses):
    signed_in("learner")
    for lesson in ("welcome", "details", "wrap-up"):
        _complete(client, lesson)
    post_form(client, "/courses/datahub-basics/feedback", {"rating": "5", "comment": "Superb"})
    assert client.get("/courses/stats").status_code == 403
    assert client.get("/courses/datahub-basics/stats").status_code == 403
    second = app.test_client()
    login(second, make_user("learner"))
    second.get("/courses/datahub-basics/lessons/welcome")
    trainer = app.test_client()
    login(trainer, make_user("trainer"))
    index = trainer.get("/courses/stats").get_data(as_text=True)
    assert "DataHub basics" in index and "50%" in index
    html = trainer.get("/courses/datahub-basics/stats").get_data(as_text=True)
    assert re.search(r'data-testid="started">2<', html)
    assert re.search(r'data-testid="completed">1<', html)
    assert re.search(r'data-testid="rating">5.0<', html) and "Superb" in html
    # drop-off: two reached the first lesson, one the others
    rows = re.findall(r"<td>(\d)\. [^<]+</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>", html)
    assert rows == [("1", "2", "1"), ("2", "1", "1"), ("3", "1", "1")]


def test_assets_are_served_only_from_inside_their_course(client, signed_in, courses):
    signed_in()
    assert client.get("/courses/datahub-basics/assets/diagram.svg").status_code == 200
    for path in ["/courses/datahub-basics/assets/../course.md",
                 "/courses/datahub-basics/assets/%2e%2e/%2e%2e/config.py",
                 "/courses/datahub-basics/assets/..%2fcourse.md",
                 "/courses/ethics/assets/diagram.svg",
                 "/courses/datahub-basics/assets/01-welcome.md"]:
        assert client.get(path).status_code == 404, path


def test_unknown_and_retired_courses_are_404(app, client, signed_in, courses):
    signed_in()
    assert client.get("/courses/nope/").status_code == 404
    assert client.get("/courses/datahub-basics/lessons/nope").status_code == 404
    (courses / "ethics").rename(courses.parent / "ethics-parked")
    with app.app_context():
        sync_courses(courses)
        db.session.commit()
    assert client.get("/courses/ethics/").status_code == 404
    assert "Ethics at work" not in client.get("/courses/").get_data(as_text=True)


@contextmanager
def count_queries(app):
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("size", [5, 60])
def test_a_lesson_page_costs_the_same_queries_whatever_the_course_size(app, client, signed_in,
                                                                       tmp_path, size):
    lessons = {f"{n:02d}-lesson-{n}.md": f"# Lesson {n}\n\nText {n}.\n"
               for n in range(1, size + 1)}
    write_course(tmp_path, "big-course", lessons=lessons)
    with app.app_context():
        sync_courses(tmp_path)
        db.session.commit()
    signed_in()
    client.get("/courses/big-course/lessons/lesson-2")  # first visit inserts progress rows
    with count_queries(app) as statements:
        assert client.get("/courses/big-course/lessons/lesson-3").status_code == 200
    queries = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    # 1 sign-in lookup (session, person, roles), the header's unread notices, then the
    # lesson page's own 7.
    assert len(queries) == 9, queries


def test_a_retired_course_stays_in_my_learning(app, client, signed_in, courses):
    signed_in()
    for lesson in ("welcome", "details", "wrap-up"):
        _complete(client, lesson)
    (courses / "datahub-basics").rename(courses.parent / "parked-course")
    with app.app_context():
        sync_courses(courses)
        db.session.commit()
    learning = client.get("/learning").get_data(as_text=True)
    assert "DataHub basics" in learning[learning.index("Completed"):]
