"""The person's acknowledge-or-disagree form on their published record: one titled group of
radio buttons, not a bulleted list under its title said twice."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.assessments.models import AssessmentRecord
from app.extensions import db
from tests.assessments import test_pages
from tests.assessments.test_pages import _publish, login
from tests.helpers import post_form

team = test_pages.team  # the fixture: a manager, their people and an assessment period


def _response_form(html: str) -> str:
    match = re.search(r'<form [^>]*action="[^"]*/respond"[^>]*>(.*?)</form>', html, re.S)
    assert match, "no response form on the record page"
    return match.group(1)


def test_the_response_is_one_fieldset_with_one_legend_and_radio_buttons(app, client, team):
    _publish(app, team)
    path = f"/assessments/periods/{team['period_id']}/people/{team['person'].id}"
    login(client, team["person"])
    html = client.get(path).get_data(as_text=True)
    form = _response_form(html)
    assert "<ul" not in form and "<li" not in form
    assert form.count("<fieldset") == 1 and form.count("<legend") == 1
    assert re.search(r"<legend><h2>Your response</h2></legend>", form)
    assert html.count("Your response") == 1  # the heading is the legend, said once
    radios = re.findall(r'<label class="checkbox"><input [^>]*type="radio"[^>]*> ([^<]+)</label>',
                        form)
    assert radios == ["I have read the record and acknowledge it", "I disagree"]
    post_form(client, f"{path}/respond", {"response": "agree"}, token_from=path)
    with app.app_context():
        assert db.session.execute(sa.select(AssessmentRecord.state)).scalar_one() == \
            "acknowledged"


def test_other_radio_groups_are_fieldsets_too(client, signed_in):
    signed_in("learner")
    html = client.get("/complaints/new").get_data(as_text=True)
    assert '<fieldset id="kind">' in html and '<fieldset id="topic">' in html
    assert '<ul id="kind"' not in html and '<label for="kind">' not in html
