"""Every page, every role, both languages, no server error.

The demo data (``flask demo load``) plus one finished exam; each demo account, in
English and in Simplified Chinese, walks every page reachable from the navigation
and the pages those link to (GET only, same origin, breadth first, bounded), and
no page may answer 5xx.
"""

from __future__ import annotations

import shutil
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.helpers import csrf_token, login, make_app

ROLES = ("learner", "trainer", "reviewer", "manager", "supervisor", "admin")
LANGUAGES = ("en", "zh_CN")
MAX_DEPTH = 3  # the home page is depth 0
MAX_URLS = 150  # per role and language
# Never followed: signing out, static files (no server code worth crawling).
SKIPPED_PREFIXES = ("/logout", "/static/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _same_origin_path(href: str) -> str | None:
    """The path and query of a same-origin link, or None for anything else."""
    href, _ = urldefrag(href.strip())
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None  # mailto:, javascript:, data:
    if parts.netloc and parts.netloc != "localhost":
        return None
    if not parts.path.startswith("/"):
        return None  # relative links: the app writes none
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIPPED_PREFIXES) else path


def _finish_one_exam(app) -> None:
    """The demo learner sits the demo exam; the trainer marks the essays: graded."""
    from app.auth.models import User
    from app.exams.attempts import save_answer, start_attempt, submit_attempt
    from app.exams.marking import attempt_entries, can_mark, mark_item
    from app.exams.models import AttemptState, Exam
    from app.main.cli import DEMO_EXAM_TITLE

    answers = {"single": 0, "truefalse": 0, "multiple": [0, 1], "short": "MLPS 2.0",
               "numeric": "42", "essay": "Lineage shows where every figure comes from."}
    with app.app_context():
        exam = db.session.execute(sa.select(Exam).where(Exam.title == DEMO_EXAM_TITLE)).scalar_one()
        learner = db.session.execute(sa.select(User).where(
            User.email == "learner@example.com")).scalar_one()
        trainer = db.session.execute(sa.select(User).where(
            User.email == "trainer@example.com")).scalar_one()
        start = exam.opens_at + timedelta(minutes=5)
        attempt = start_attempt(exam, learner, start)
        for seq, found in enumerate(attempt_entries(attempt), start=1):
            kind = found.version.content.get("type")
            if kind in answers:
                save_answer(attempt, found.item.position, answers[kind], seq,
                            start + timedelta(seconds=seq))
        submit_attempt(attempt, start + timedelta(minutes=10))
        for found in attempt_entries(attempt):
            if can_mark(found) and found.item.status == "needs_marking":
                mark_item(found, found.item.points / 2, "Good start.", trainer,
                          start + timedelta(hours=1))
        db.session.commit()
        assert attempt.state == AttemptState.GRADED, attempt.state


@pytest.fixture(scope="module")
def demo_app(template_database, tmp_path_factory):
    """One app for the whole crawl: the migrated database, the demo loaded once."""
    if template_database.startswith("sqlite:///"):
        copy = tmp_path_factory.mktemp("crawl") / "crawl.db"
        shutil.copyfile(template_database.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    else:
        url = template_database
    app = make_app(url)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    _finish_one_exam(app)
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":  # leave the shared database empty
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        db.engine.dispose()


def crawl(client, start: str = "/") -> tuple[list[str], list[str]]:
    """Breadth first from ``start``; returns (visited URLs, problems)."""
    seen = {start}
    queue = deque([(start, 0)])
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_URLS:
        url, depth = queue.popleft()
        visited.append(url)
        try:
            response = client.get(url)
        except Exception as error:  # TESTING propagates the exception a 500 would hide
            problems.append(f"GET {url} raised {type(error).__name__}: {error}")
            continue
        if response.status_code >= 500:
            problems.append(f"GET {url} answered {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_origin_path(response.location or "")
            if target and target.startswith("/login"):
                problems.append(f"GET {url} signed the crawler out (-> {response.location})")
            elif target and target not in seen:
                seen.add(target)
                queue.append((target, depth))
            continue
        if depth >= MAX_DEPTH or response.mimetype != "text/html":
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            target = _same_origin_path(href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, depth + 1))
    return visited, problems


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_a_server_error(demo_app, role, language):
    from app.main.cli import DEMO_PASSWORD

    client = demo_app.test_client()
    assert login(client, f"{role}@example.com", DEMO_PASSWORD).status_code == 302
    switched = client.post("/language", data={"lang": language, "next": "/",
                                              "csrf_token": csrf_token(client, "/")})
    assert switched.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert f'<html lang="{"zh-CN" if language == "zh_CN" else "en"}">' in home

    visited, problems = crawl(client)
    where = f"{role}@example.com in {language}"
    assert problems == [], f"{where}:\n" + "\n".join(problems)
    assert len(visited) >= 8, f"{where}: the crawl reached only {visited}"
