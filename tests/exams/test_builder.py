"""The trainers' exam builder: who may use it, settings, sections, audience,
accommodations, publishing, freezing once attempts exist, and duplicating."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import Team, User
from app.banks.markdown_format import parse_bank
from app.banks.models import QuestionBank
from app.banks.services import import_banks
from app.exams import builder
from app.exams.attempts import in_audience, start_attempt
from app.exams.models import Accommodation, Exam, ExamAudience, ExamRule
from app.extensions import db
from tests.exams.test_attempts import BANK as ATTEMPTS_BANK
from tests.helpers import csrf_token, login, post_form

# The attempts tests' bank, under its own bank and question IDs.
BANK = ATTEMPTS_BANK.replace("exam-bank", "builder-bank").replace("Exam bank", "Builder bank") \
    .replace("## EQ-", "## BQ-")

# A window far ahead, so publishing (which needs a window still to come) always works.
OPENS, CLOSES = "2099-06-01T09:00", "2099-06-01T12:00"
DURING = datetime(2099, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TOKEN_PAGE = "/exam-admin/"


def _import(app, text=BANK):
    with app.app_context():
        bank, issues = parse_bank(text, "builder-bank.md")
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        db.session.commit()
        return db.session.execute(sa.select(QuestionBank.id)).scalar_one()


@pytest.fixture
def bank_pk(app):
    return _import(app)


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def _settings(**changes) -> dict:
    data = {"title": "Q4 product exam", "instructions": "Read **carefully**.",
            "audience": "everyone", "opens_at": OPENS, "closes_at": CLOSES,
            "time_limit_minutes": "60", "attempts_allowed": "1", "combine": "highest",
            "pass_mark": "60", "scoring": "partial", "review_score": "y",
            "review_when": "after_close"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _create(client, **changes) -> int:
    response = post_form(client, "/exam-admin/new", _settings(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/exam-admin/(\d+)", response.location).group(1))


def _post(client, path, data=None):
    return post_form(client, path, data or {}, token_from=TOKEN_PAGE)


def _add_fixed(client, exam_id, ids, title=""):
    return _post(client, f"/exam-admin/{exam_id}/sections/fixed",
                 {"section_title": title, "question_ids": ids})


def _add_random(client, exam_id, bank_pk, count, tags=(), **extra):
    return _post(client, f"/exam-admin/{exam_id}/sections/random",
                 {"bank": bank_pk, "count": count, "tags": list(tags), **extra})


def _page(client, exam_id) -> str:
    response = client.get(f"/exam-admin/{exam_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _exam(app, exam_id) -> Exam:
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        db.session.expunge_all()
        return exam


def _rules(app, exam_id) -> list[tuple]:
    with app.app_context():
        return [(r.position, r.kind, r.question_ids, r.bank_pk, r.count, r.tags)
                for r in db.session.get(Exam, exam_id).rules]


def _audit(app, action) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == action).order_by(AuditEntry.id)).scalars().all()
        db.session.expunge_all()
        return entries


def _start_attempt(app, exam_id, person):
    with app.app_context():
        start_attempt(db.session.get(Exam, exam_id), db.session.get(User, person.id), DURING)
        db.session.commit()


def _published_with_attempt(app, client, make_user, bank_pk) -> int:
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-1\nBQ-2")
    _add_random(client, exam_id, bank_pk, 1, ["agents"])
    _post(client, f"/exam-admin/{exam_id}/publish")
    _start_attempt(app, exam_id, make_user("learner"))
    return exam_id


# --- Access ---------------------------------------------------------------------------------
def _builder_requests(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/exam-admin"):
            url = rule.build({name: 1 for name in rule.arguments})[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


@pytest.mark.parametrize("role", ["learner", "reviewer", "manager", "supervisor"])
def test_everyone_but_trainers_and_admins_gets_403_on_every_builder_route(
        app, make_user, role):
    client = app.test_client()
    login(client, make_user(role))
    token = csrf_token(client, "/")
    requests = list(_builder_requests(app))
    assert len(requests) >= 14
    for method, url in requests:
        data = {"csrf_token": token} if method == "POST" else None
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_trainers_and_admins_reach_the_builder(client, signed_in, role):
    signed_in(role)
    assert client.get("/exam-admin/").status_code == 200
    assert client.get("/exam-admin/new").status_code == 200


# --- Settings -------------------------------------------------------------------------------
def test_times_entered_in_the_display_zone_are_stored_as_utc(app, client, trainer):
    exam_id = _create(client, opens_at="2026-12-01T09:00", closes_at="2026-12-01T12:30")
    exam = _exam(app, exam_id)
    assert exam.opens_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert exam.closes_at == datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    html = _page(client, exam_id)
    assert 'value="2026-12-01T09:00"' in html and 'value="2026-12-01T12:30"' in html
    assert "Asia/Shanghai" in html


def test_the_exam_must_close_after_it_opens(client, trainer):
    response = post_form(client, "/exam-admin/new",
                         _settings(opens_at="2099-06-01T12:00", closes_at="2099-06-01T09:00"))
    assert response.status_code == 200
    assert "The exam must close after it opens." in response.get_data(as_text=True)


@pytest.mark.parametrize("minutes", ["0", "601"])
def test_the_time_limit_is_1_to_600_minutes(app, client, trainer, minutes):
    response = post_form(client, "/exam-admin/new", _settings(time_limit_minutes=minutes))
    assert response.status_code == 200
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Exam)).scalar() == 0


def test_every_setting_is_saved(app, client, trainer):
    exam_id = _create(client, attempts_allowed="3", combine="last", pass_mark="75.5",
                      shuffle_questions="y", shuffle_options="y", scoring="all-or-nothing",
                      review_score=None, review_correctness="y", review_answers="y",
                      review_explanations="y", review_when="after_submit")
    exam = _exam(app, exam_id)
    assert (exam.attempts_allowed, exam.combine, exam.pass_mark) == (3, "last", 75.5)
    assert exam.shuffle_questions and exam.shuffle_options and exam.scoring == "all-or-nothing"
    assert not exam.review_score
    assert exam.review_correctness and exam.review_answers and exam.review_explanations
    assert exam.review_when == "after_submit" and exam.published_at is None


def test_instructions_are_rendered_once_and_sanitised(app, client, trainer):
    exam_id = _create(client, instructions="Read **this**.\n\n<script>alert('owned')</script>"
                                           "<img src=x onerror=alert(2)>")
    stored = _exam(app, exam_id).instructions_html
    assert "<strong>this</strong>" in stored
    assert "script" not in stored and "onerror" not in stored
    html = _page(client, exam_id)
    assert "<strong>this</strong>" in html
    assert "<script>alert" not in html and "<img src=x onerror" not in html


# --- Audience -------------------------------------------------------------------------------
def test_the_audience_can_be_chosen_teams(app, client, trainer, make_user):
    east, west = make_user("learner", team="East"), make_user("learner", team="West")
    with app.app_context():
        east_team = db.session.execute(sa.select(Team.id).where(Team.name == "East")).scalar()
    exam_id = _create(client, audience="teams", teams=[str(east_team)])
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert exam.audience == "teams"
        assert in_audience(exam, db.session.get(User, east.id))
        assert not in_audience(exam, db.session.get(User, west.id))
    assert re.search(rf'<input checked id="teams-\d" name="teams" type="checkbox" '
                     rf'value="{east_team}">', _page(client, exam_id))


def test_teams_audience_needs_a_team(client, trainer, make_user):
    make_user("learner", team="East")
    response = post_form(client, "/exam-admin/new", _settings(audience="teams"))
    assert "Choose at least one existing team." in response.get_data(as_text=True)


def test_named_people_unknown_emails_are_refused_by_name(app, client, trainer, make_user):
    known, other = make_user("learner"), make_user("learner")
    exam_id = _create(client)
    response = post_form(client, f"/exam-admin/{exam_id}", _settings(
        audience="people", people=f"{known.email}\nghost@example.com, nobody@example.com"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No accounts have the emails ghost@example.com, nobody@example.com." in html
    assert _exam(app, exam_id).audience == "everyone"
    response = post_form(client, f"/exam-admin/{exam_id}", _settings(
        audience="people", people=known.email.upper()))
    assert response.status_code == 302
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert in_audience(exam, db.session.get(User, known.id))
        assert not in_audience(exam, db.session.get(User, other.id))
    assert known.email in _page(client, exam_id)


# --- Sections -------------------------------------------------------------------------------
def test_a_trainer_builds_an_exam_with_a_fixed_and_a_random_section(
        app, client, trainer, bank_pk):
    exam_id = _create(client)
    assert _add_fixed(client, exam_id, "BQ-1, BQ-2", "Basics").status_code == 302
    assert _add_random(client, exam_id, bank_pk, 2, ["agents"]).status_code == 302
    assert _rules(app, exam_id) == [(1, "fixed", ["BQ-1", "BQ-2"], None, 0, []),
                                    (2, "random", [], bank_pk, 2, ["agents"])]
    html = _page(client, exam_id)
    assert "Basics" in html and "2 questions to draw from" in html
    assert re.search(r'data-testid="total-questions">4<', html)
    assert re.search(r'data-testid="total-points">5<', html)  # 1 + 2 fixed, 2 × 1 random


def test_random_sections_without_points_each_show_about(client, trainer, bank_pk):
    exam_id = _create(client)
    _add_random(client, exam_id, bank_pk, 2)
    html = _page(client, exam_id)
    assert "4 questions to draw from" in html
    assert re.search(r'data-testid="total-points">about 4.5<', html)  # 2 × (1+2+1+5)/4
    _add_random(client, exam_id, bank_pk, 1, ["security"], points_each="3")
    assert re.search(r'data-testid="total-points">about 7.5<', _page(client, exam_id))


def test_unknown_question_ids_are_refused_by_name(app, client, trainer, bank_pk):
    exam_id = _create(client)
    response = _add_fixed(client, exam_id, "BQ-1\nNOPE-1, NOPE-2")
    assert response.status_code == 200
    assert "Unknown question IDs: NOPE-1, NOPE-2." in response.get_data(as_text=True)
    assert _rules(app, exam_id) == []


def test_retired_questions_are_refused_and_flagged(app, client, trainer, bank_pk):
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-1, BQ-4")
    _import(app, BANK[:BANK.index("## BQ-4")])  # BQ-4 leaves the file: retired
    response = _add_fixed(client, exam_id, "BQ-4")
    assert "Retired question ID (no longer in its bank): BQ-4." in response.get_data(as_text=True)
    assert "Retired question ID" in _page(client, exam_id)  # the saved section is flagged
    response = _post(client, f"/exam-admin/{exam_id}/publish")
    assert _exam(app, exam_id).published_at is None


def test_an_unsatisfiable_random_section_is_refused_saying_how_many(
        app, client, trainer, bank_pk):
    exam_id = _create(client)
    response = _add_random(client, exam_id, bank_pk, 3, ["agents"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Only 2 questions are available for this bank, tags and difficulty." in html
    response = _add_random(client, exam_id, bank_pk, 1, ["agents", "security"])
    assert "No current question matches" in response.get_data(as_text=True)
    response = _add_random(client, exam_id, bank_pk, 2, ["agents"], difficulty="hard")
    assert "Only 1 question is available" in response.get_data(as_text=True)
    assert _rules(app, exam_id) == []


def test_sections_are_edited_reordered_and_removed(app, client, trainer, bank_pk):
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-1")
    _add_random(client, exam_id, bank_pk, 1)
    with app.app_context():
        first, second = (r.id for r in db.session.get(Exam, exam_id).rules)
    assert client.get(f"/exam-admin/{exam_id}/sections/{first}").status_code == 200
    response = _post(client, f"/exam-admin/{exam_id}/sections/{first}",
                     {"question_ids": "BQ-3\nNOPE-9"})
    assert "Unknown question ID: NOPE-9." in response.get_data(as_text=True)
    _post(client, f"/exam-admin/{exam_id}/sections/{first}", {"question_ids": "BQ-3\nBQ-2"})
    _post(client, f"/exam-admin/{exam_id}/sections/{second}/move", {"direction": "up"})
    assert [r[:3] for r in _rules(app, exam_id)] == [(1, "random", []),
                                                    (2, "fixed", ["BQ-3", "BQ-2"])]
    _post(client, f"/exam-admin/{exam_id}/sections/{second}/remove")
    assert [r[:3] for r in _rules(app, exam_id)] == [(1, "fixed", ["BQ-3", "BQ-2"])]


def test_a_section_of_another_exam_is_not_found(client, trainer, bank_pk):
    one, two = _create(client), _create(client)
    _add_fixed(client, one, "BQ-1")
    assert client.get(f"/exam-admin/{two}/sections/1").status_code == 404
    assert _post(client, f"/exam-admin/{two}/sections/1/remove").status_code == 404


# --- Accommodations -------------------------------------------------------------------------
def test_an_accommodation_needs_a_reason_and_every_change_is_audited(
        app, client, trainer, make_user):
    person = make_user("learner")
    exam_id = _create(client)
    path = f"/exam-admin/{exam_id}/accommodations"
    response = _post(client, path, {"email": person.email, "extra_minutes": "15",
                                    "extra_attempts": "0", "reason": "  "})
    assert "Give the reason" in response.get_data(as_text=True)
    response = _post(client, path, {"email": "ghost@example.com", "extra_minutes": "15",
                                    "extra_attempts": "0", "reason": "Dyslexia"})
    assert "No account has the email ghost@example.com." in response.get_data(as_text=True)
    assert _audit(app, "exam.accommodation") == []
    _post(client, path, {"email": person.email, "extra_minutes": "15",
                         "extra_attempts": "1", "reason": "Dyslexia (HR ticket 42)"})
    html = _page(client, exam_id)
    assert person.email in html and "Dyslexia (HR ticket 42)" in html
    [entry] = _audit(app, "exam.accommodation")
    assert entry.reason == "Dyslexia (HR ticket 42)" and entry.object_id == str(exam_id)
    assert entry.after["person"] == person.email and entry.after["extra_minutes"] == 15
    with app.app_context():
        row_id = db.session.execute(sa.select(Accommodation.id)).scalar_one()
    remove = f"/exam-admin/{exam_id}/accommodations/{row_id}/remove"
    _post(client, remove, {"reason": ""})
    assert len(_audit(app, "exam.accommodation")) == 1
    _post(client, remove, {"reason": "Entered for the wrong exam"})
    entries = _audit(app, "exam.accommodation")
    assert len(entries) == 2 and entries[1].after is None
    assert entries[1].reason == "Entered for the wrong exam"
    with app.app_context():
        assert db.session.execute(sa.select(Accommodation)).first() is None


# --- Publishing -----------------------------------------------------------------------------
def test_publishing_needs_a_section_and_is_audited(app, client, trainer, bank_pk):
    exam_id = _create(client)
    response = _post(client, f"/exam-admin/{exam_id}/publish")
    assert "Add at least one section before publishing." in client.get(
        response.location).get_data(as_text=True)
    assert _exam(app, exam_id).published_at is None
    _add_fixed(client, exam_id, "BQ-1")
    _post(client, f"/exam-admin/{exam_id}/publish")
    assert _exam(app, exam_id).published_at is not None
    assert [e.object_id for e in _audit(app, "exam.publish")] == [str(exam_id)]
    _add_fixed(client, exam_id, "BQ-2")  # a live exam's sections are audited too
    [sections] = _audit(app, "exam.sections")
    assert len(sections.before["sections"]) == 1 and len(sections.after["sections"]) == 2
    post_form(client, f"/exam-admin/{exam_id}", _settings(title="Renamed"))
    [update] = _audit(app, "exam.update")
    assert update.before["title"] == "Q4 product exam" and update.after["title"] == "Renamed"
    _post(client, f"/exam-admin/{exam_id}/unpublish")
    assert _exam(app, exam_id).published_at is None
    assert len(_audit(app, "exam.unpublish")) == 1


def test_publishing_refuses_a_window_that_has_closed(app, client, trainer, bank_pk):
    exam_id = _create(client, opens_at="2020-01-01T09:00", closes_at="2020-01-01T12:00")
    _add_fixed(client, exam_id, "BQ-1")
    response = _post(client, f"/exam-admin/{exam_id}/publish")
    assert "window has already closed" in client.get(response.location).get_data(as_text=True)
    assert _exam(app, exam_id).published_at is None


# --- Freezing and duplicating ---------------------------------------------------------------
def test_once_an_attempt_exists_sections_are_frozen(app, client, trainer, make_user, bank_pk):
    exam_id = _published_with_attempt(app, client, make_user, bank_pk)
    before = _rules(app, exam_id)
    with app.app_context():
        first = db.session.get(Exam, exam_id).rules[0].id
    response = _add_fixed(client, exam_id, "BQ-3")
    assert "1 attempt has started, so the sections of this exam are frozen." in (
        response.get_data(as_text=True))
    response = _post(client, f"/exam-admin/{exam_id}/sections/{first}", {"question_ids": "BQ-3"})
    assert "sections of this exam are frozen" in response.get_data(as_text=True)
    _post(client, f"/exam-admin/{exam_id}/sections/{first}/move", {"direction": "down"})
    _post(client, f"/exam-admin/{exam_id}/sections/{first}/remove")
    assert _rules(app, exam_id) == before
    html = _page(client, exam_id)
    assert "Add the section" not in html and "frozen" in html


def test_once_an_attempt_exists_scoring_settings_are_frozen_but_the_close_may_extend(
        app, client, trainer, make_user, bank_pk):
    exam_id = _published_with_attempt(app, client, make_user, bank_pk)
    response = post_form(client, f"/exam-admin/{exam_id}", _settings(
        title="Q4 exam (extended)", time_limit_minutes="90", scoring="all-or-nothing",
        closes_at="2099-06-01T15:00", review_answers="y"))
    assert response.status_code == 302
    exam = _exam(app, exam_id)
    assert exam.title == "Q4 exam (extended)" and exam.review_answers
    assert exam.closes_at == datetime(2099, 6, 1, 7, 0, tzinfo=UTC)
    assert exam.time_limit_minutes == 60 and exam.scoring == "partial"  # not in the form
    response = post_form(client, f"/exam-admin/{exam_id}", _settings(closes_at=CLOSES))
    assert "may close later, not earlier" in response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(Exam, exam_id)
        changed = replace(builder.ExamSettings.of(stored), pass_mark=50.0)
        with pytest.raises(builder.BuilderError, match="frozen: pass_mark"):
            builder.update_exam(stored, changed, builder.audience_of(stored))


def test_duplicate_gives_an_editable_unpublished_copy(app, client, trainer, make_user, bank_pk):
    exam_id = _published_with_attempt(app, client, make_user, bank_pk)
    _post(client, f"/exam-admin/{exam_id}/accommodations",
          {"email": trainer.email, "extra_minutes": "10", "extra_attempts": "0",
           "reason": "Tested the exam"})
    response = _post(client, f"/exam-admin/{exam_id}/duplicate")
    copy_id = int(re.search(r"/exam-admin/(\d+)", response.location).group(1))
    assert copy_id != exam_id
    copy = _exam(app, copy_id)
    assert copy.title == "Copy of Q4 product exam" and copy.published_at is None
    assert copy.opens_at == _exam(app, exam_id).opens_at
    assert _rules(app, copy_id) == _rules(app, exam_id)
    assert _add_fixed(client, copy_id, "BQ-3").status_code == 302
    assert len(_rules(app, copy_id)) == 3 and len(_rules(app, exam_id)) == 2
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Accommodation).where(
            Accommodation.exam_id == copy_id)).scalar() == 0


def test_duplicate_keeps_the_audience(app, client, trainer, make_user):
    person = make_user("learner")
    exam_id = _create(client, audience="people", people=person.email)
    response = _post(client, f"/exam-admin/{exam_id}/duplicate")
    copy_id = int(re.search(r"/exam-admin/(\d+)", response.location).group(1))
    with app.app_context():
        rows = db.session.execute(sa.select(ExamAudience.user_id).where(
            ExamAudience.exam_id == copy_id)).scalars().all()
    assert rows == [person.id] and _exam(app, copy_id).audience == "people"


def test_the_list_shows_state_window_and_attempts(app, client, trainer, make_user, bank_pk):
    exam_id = _published_with_attempt(app, client, make_user, bank_pk)
    _create(client, title="Draft exam")
    html = client.get("/exam-admin/").get_data(as_text=True)
    assert "Q4 product exam" in html and "Draft exam" in html
    assert "Published" in html and "Draft" in html
    assert re.search(rf'/exam-admin/{exam_id}">Q4 product exam</a></td>\s*<td>[^<]+</td>\s*'
                     r'<td><span class="badge done">Published</span></td>\s*<td>1</td>', html)


def test_counting_an_unsaved_section_adds_nothing_to_the_session(app, bank_pk):
    """Counting candidates for an unsaved section adds nothing to the session."""
    from app.exams.builder_rules import RandomSection, check_random

    with app.app_context():
        check_random(RandomSection("", bank_pk, 2, ("agents",)))
        assert not any(isinstance(obj, ExamRule) for obj in db.session.new)
