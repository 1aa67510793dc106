"""The builder's question picker, bank-scoped tags with the live count, and the steps of
the builder page that keep what was typed."""

from __future__ import annotations

import random
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.banks.markdown_format import parse_bank
from app.banks.models import QuestionBank
from app.banks.services import import_banks
from app.exams.draws import draw_questions
from app.exams.models import Exam
from app.extensions import db
from tests.exams.test_builder import BANK, _add_fixed, _create, _post, _rules, _settings
from tests.helpers import post_form

# A second bank sharing the tag "agents" with the builder bank, and one of its own.
OTHER_BANK = """---
id: other-bank
title: Other bank
area: product
language: en
tags: agents, pricing
---

## OQ-1
type: single
tags: agents, pricing

What does the starter plan cost?

- [x] Nothing
- [ ] A lot
"""


def _import(app, *texts) -> dict[str, int]:
    with app.app_context():
        for text in texts:
            bank, issues = parse_bank(text, "bank.md")
            assert bank is not None, issues
            import_banks([bank], actor_label="test")
        db.session.commit()
        return dict(db.session.execute(sa.select(QuestionBank.bank_id, QuestionBank.id)).all())


@pytest.fixture
def banks(app):
    return _import(app, BANK, OTHER_BANK)


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def _picker(client, exam_id, **query) -> str:
    response = client.get(f"/exam-admin/{exam_id}/picker", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _listed(html: str) -> list[str]:
    return re.findall(r'name="pick" value="([^"]+)"', html)


def _pick(client, exam_id, ids, query=None, **fields):
    path = f"/exam-admin/{exam_id}/picker"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return post_form(client, path, {"pick": list(ids), "target": "0", **fields},
                     token_from="/exam-admin/")


# --- Searching ------------------------------------------------------------------------------
def test_the_picker_lists_every_current_question_with_its_stem_and_preview(
        client, trainer, banks):
    exam_id = _create(client)
    html = _picker(client, exam_id)
    assert _listed(html) == ["BQ-1", "BQ-2", "BQ-3", "BQ-4", "OQ-1"]
    assert "Which protocols does DataHub SSO support?" in html  # the stem
    assert "OpenID Connect" in html  # the options, as learners see them
    assert "is-correct" in html  # trainers may manage banks: the key is marked


@pytest.mark.parametrize(("query", "expected"), [
    ({"q": "protocols"}, ["BQ-2"]),
    ({"q": "bq-3"}, ["BQ-3"]),  # by ID, any case
    ({"tag": "agents"}, ["BQ-1", "BQ-3", "OQ-1"]),
    ({"type": "essay"}, ["BQ-4"]),
    ({"difficulty": "hard"}, ["BQ-3"]),
    ({"q": "100%_"}, []),  # LIKE wildcards are searched as text
])
def test_the_picker_searches_by_text_id_tag_type_and_difficulty(
        client, trainer, banks, query, expected):
    assert _listed(_picker(client, _create(client), **query)) == expected


def test_the_picker_searches_one_bank_and_offers_its_tags_once(client, trainer, banks):
    exam_id = _create(client)
    html = _picker(client, exam_id, bank=banks["other-bank"])
    assert _listed(html) == ["OQ-1"]
    tags = re.search(r'<select[^>]*name="tag".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option[^>]*value="([^"]*)"', tags) == ["", "agents", "pricing"]
    everything = _picker(client, exam_id)
    tags = re.search(r'<select[^>]*name="tag".*?</select>', everything, re.S).group(0)
    assert re.findall(r'value="agents"', tags) == ['value="agents"']  # deduplicated


def test_values_the_picker_does_not_offer_are_ignored(client, trainer, banks):
    html = _picker(client, _create(client), bank="999", type="nonsense", page="-3")
    assert len(_listed(html)) == 5


def test_retired_questions_are_not_offered(app, client, trainer, banks):
    _import(app, BANK[:BANK.index("## BQ-4")])  # BQ-4 leaves its file: retired
    assert "BQ-4" not in _listed(_picker(client, _create(client)))


def test_the_picker_marks_questions_the_exam_already_holds(client, trainer, banks):
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-2")
    html = _picker(client, exam_id, q="BQ-2")
    assert "in section 1" in html


# --- Picking --------------------------------------------------------------------------------
def test_ticked_questions_become_a_new_fixed_section_in_the_order_listed(
        app, client, trainer, banks):
    exam_id = _create(client)
    response = _pick(client, exam_id, ["BQ-3", "OQ-1", "BQ-3"], section_title="Picked")
    assert response.status_code == 302 and response.location.endswith("#sections")
    assert _rules(app, exam_id) == [(1, "fixed", ["BQ-3", "OQ-1"], None, 0, [])]
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(sa.text(
            "exam_rules"))).scalar() == 1


def test_picks_can_join_an_existing_fixed_section_without_repeats(app, client, trainer, banks):
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-1")
    with app.app_context():
        rule_id = db.session.execute(sa.text("select id from exam_rules")).scalar()
    html = _picker(client, exam_id, section=rule_id)
    assert re.search(rf'<option selected value="{rule_id}">Section 1</option>', html)
    response = post_form(client, f"/exam-admin/{exam_id}/picker",
                         {"pick": ["BQ-1", "BQ-2"], "target": str(rule_id)},
                         token_from="/exam-admin/")
    assert response.status_code == 302
    assert _rules(app, exam_id) == [(1, "fixed", ["BQ-1", "BQ-2"], None, 0, [])]


def test_picking_nothing_is_refused_and_keeps_the_search(app, client, trainer, banks):
    exam_id = _create(client)
    response = _pick(client, exam_id, [], query={"q": "protocols"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tick at least one question to add." in html
    assert _listed(html) == ["BQ-2"] and _rules(app, exam_id) == []


def test_a_refused_pick_keeps_the_ticks(app, client, trainer, banks):
    exam_id = _create(client)
    response = _pick(client, exam_id, ["BQ-1", "GHOST-9"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Unknown question ID: GHOST-9." in html
    assert re.search(r'<input type="checkbox" name="pick" value="BQ-1" id="pick-\d+" checked>',
                     html)
    assert _rules(app, exam_id) == []


def test_picking_into_a_published_exam_is_audited(app, client, trainer, banks):
    exam_id = _create(client)
    _add_fixed(client, exam_id, "BQ-1")
    _post(client, f"/exam-admin/{exam_id}/publish")
    _pick(client, exam_id, ["BQ-2"])
    with app.app_context():
        [entry] = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "exam.sections")).scalars().all()
        assert len(entry.after["sections"]) == 2


@pytest.mark.parametrize("role", ["learner", "manager", "supervisor"])
def test_only_those_who_manage_exams_reach_the_picker_and_the_count(
        client, signed_in, banks, role):
    signed_in(role)
    assert client.get("/exam-admin/1/picker").status_code == 403
    assert client.get(f"/exam-admin/draw-count?bank={banks['other-bank']}").status_code == 403


# --- Random rules: the chosen bank's tags and the live count ---------------------------------
def _draw_count(client, **query):
    return client.get("/exam-admin/draw-count", query_string=query)


def test_the_count_says_how_many_questions_a_rule_can_draw(client, trainer, banks):
    builder_bank = banks["builder-bank"]
    found = _draw_count(client, bank=builder_bank).get_json()
    assert found == {"count": 4, "label": "4 questions to draw from",
                     "tags": ["agents", "security"], "unknown_tags": []}
    assert _draw_count(client, bank=builder_bank, tags="agents").get_json()["count"] == 2
    assert _draw_count(client, bank=builder_bank, tags="agents",
                       difficulty="hard").get_json()["label"] == "1 question to draw from"
    wrong = _draw_count(client, bank=builder_bank, tags="pricing").get_json()
    assert wrong["count"] == 0 and wrong["unknown_tags"] == ["pricing"]


def test_the_count_refuses_unknown_banks_and_difficulties(client, trainer, banks):
    assert _draw_count(client, bank=999).status_code == 404
    assert _draw_count(client, bank="x").status_code == 404
    assert _draw_count(client, bank=banks["other-bank"], difficulty="brutal").status_code == 400


def _tag_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*id="tags".*?</select>', html, re.S).group(0)
    return re.findall(r'value="([^"]*)"', select)


def test_a_random_rule_offers_only_the_chosen_banks_tags(client, trainer, banks):
    exam_id = _create(client)
    page = client.get(f"/exam-admin/{exam_id}").get_data(as_text=True)
    assert _tag_options(page) == ["agents", "security"]  # the first bank (by title)
    assert 'data-testid="draw-count" data-draw-count aria-live="polite">4 questions' in page
    other = client.get(f"/exam-admin/{exam_id}?bank={banks['other-bank']}").get_data(
        as_text=True)
    assert _tag_options(other) == ["agents", "pricing"]
    assert ">1 question to draw from<" in other


def test_a_refused_random_rule_shows_its_banks_tags_and_count(client, trainer, banks):
    exam_id = _create(client)
    response = _post(client, f"/exam-admin/{exam_id}/sections/random",
                     {"bank": banks["other-bank"], "count": "3", "tags": ["pricing"]})
    html = response.get_data(as_text=True)
    assert "Only 1 question is available" in html
    assert _tag_options(html) == ["agents", "pricing"]
    assert re.search(r'<option selected value="pricing">', html)


# --- Steps ----------------------------------------------------------------------------------
def test_the_builder_page_is_in_steps_that_one_save_keeps_together(app, client, trainer):
    exam_id = _create(client)
    html = client.get(f"/exam-admin/{exam_id}").get_data(as_text=True)
    steps = re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#([\w-]+)"', steps) == ["settings", "sections", "audience-step",
                                                   "accommodations", "review"]
    for panel in ("settings", "sections", "audience-step", "accommodations", "review"):
        assert f'id="{panel}" data-tab-panel' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # a panel named like a field would steal its label
    response = post_form(client, f"/exam-admin/{exam_id}", _settings(
        title="Typed title", closes_at="2099-05-01T09:00", review_answers="y",
        audience="people", people="someone@example.com"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The exam must close after it opens." in html
    assert 'value="Typed title"' in html and "someone@example.com" in html
    assert re.search(r'<input checked id="review_answers"', html)


def test_a_random_rule_may_draw_one_question_type_only(app, client, trainer, banks):
    builder_bank = banks["builder-bank"]
    assert _draw_count(client, bank=builder_bank, type="single").get_json()["count"] == 1
    assert _draw_count(client, bank=builder_bank, type="riddle").status_code == 400
    exam_id = _create(client)
    response = _post(client, f"/exam-admin/{exam_id}/sections/random",
                     {"bank": builder_bank, "count": "2", "question_type": "essay"})
    assert "Only 1 question is available" in response.get_data(as_text=True)
    _post(client, f"/exam-admin/{exam_id}/sections/random",
          {"bank": builder_bank, "count": "1", "question_type": "essay"})
    with app.app_context():
        exam = db.session.get(Exam, exam_id)
        assert [r.question_type for r in exam.rules] == ["essay"]
        assert [s.content["id"] for s in draw_questions(exam, random.Random(1))] == ["BQ-4"]
    assert "Essay" in client.get(f"/exam-admin/{exam_id}").get_data(as_text=True)


def test_editing_a_random_rule_offers_the_banks_tags_and_switches_bank(
        app, client, trainer, banks):
    exam_id = _create(client)
    _post(client, f"/exam-admin/{exam_id}/sections/random",
          {"bank": banks["builder-bank"], "count": "1", "tags": ["security"]})
    with app.app_context():
        rule_id = db.session.get(Exam, exam_id).rules[0].id
    path = f"/exam-admin/{exam_id}/sections/{rule_id}"
    html = client.get(path).get_data(as_text=True)
    assert _tag_options(html) == ["agents", "security"]
    assert re.search(r'<option selected value="security">', html)
    assert ">1 question to draw from<" in html
    other = client.get(f"{path}?bank={banks['other-bank']}").get_data(as_text=True)
    assert _tag_options(other) == ["agents", "pricing"]
    _post(client, path, {"bank": banks["other-bank"], "count": "1", "tags": ["pricing"]})
    assert _rules(app, exam_id) == [(1, "random", [], banks["other-bank"], 1, ["pricing"])]
