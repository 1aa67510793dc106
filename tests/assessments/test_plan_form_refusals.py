"""The new-period and plan forms refuse bad numbers beside their field, keep what was typed
and store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.assessments.models import AssessmentPeriod
from app.database import utcnow
from app.extensions import db
from tests.helpers import post_form
from tests.helpers import switch_to as login


def _data(**overrides) -> dict:
    today = utcnow().date()
    data = {"name": "2027 Q1", "cadence": "quarterly", "starts_on": str(today),
            "ends_on": str(today + timedelta(days=89)), "audience": "everyone",
            "weight_knowledge": "30", "weight_capability": "30", "weight_performance": "25",
            "weight_professionalism": "15", "band_excellent": "90", "band_good": "75",
            "band_qualified": "60", "exam_combine": "mean", "capability_kinds": ["demo"],
            "part_project_reviews": "40", "part_success_rate": "30", "part_satisfaction": "30"}
    return {**data, **overrides}


def _error_of(html: str, field_id: str) -> str:
    """The message shown in the field block of ``field_id`` (empty when none)."""
    block = re.search(rf'<div class="field has-error">(?:(?!<div class="field).)*?'
                      rf'id="{field_id}".*?</div>', html, re.S)
    return block.group(0) if block else ""


@pytest.mark.parametrize(("overrides", "field_id", "message", "kept"), [
    ({"weight_performance": "30"}, "weight_professionalism",
     "The four weights must total 100 (they total 105).", ('weight_performance', "30")),
    ({"weight_knowledge": "-5", "weight_capability": "65"}, "weight_knowledge",
     "Number must be between 0 and 100.", ('weight_knowledge', "-5")),
    ({"weight_capability": "3O"}, "weight_capability", "Not a valid decimal value",
     ('weight_capability', "3O")),
    ({"band_good": "95"}, "band_qualified", "Bands must fall", ('band_good', "95")),
    ({"ends_on": str(utcnow().date() - timedelta(days=1))}, "ends_on",
     "cannot end before it starts", ('name', "2027 Q1")),
])
def test_a_bad_plan_is_refused_at_its_field_with_the_input_kept(
        app, client, make_user, overrides, field_id, message, kept):
    login(client, make_user("manager"))
    response = post_form(client, "/assessments/periods/new", _data(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in _error_of(html, field_id)
    name, value = kept
    (tag,) = re.findall(rf'<input[^>]*id="{name}"[^>]*>', html)
    assert f'value="{value}"' in tag
    with app.app_context():
        assert db.session.execute(sa.select(AssessmentPeriod)).first() is None
