"""An id in a URL beyond what an id column holds is "not found", never a server error.

One mechanism covers every route: the default ``int`` URL converter is bounded
(app/__init__.py), so routing itself answers 404 before any view or query runs.
"""

from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app import MAX_URL_ID
from app.auth.models import Role
from tests.helpers import csrf_token, login

HUGE_IDS = ("99999999999999999999", str(2**63), str(2**31))


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]


def _fill(rule, value: str) -> str:
    """The rule's URL with every int argument set to ``value`` (the others: a word)."""
    values = {name: (int(value) if isinstance(converter, IntegerConverter) else "x")
              for name, converter in rule._converters.items()}
    values.update(rule.defaults or {})
    return rule.build(values)[1]


def test_every_int_route_answers_404_to_a_huge_id(app, client, make_user):
    login(client, make_user(*[r.value for r in Role]))
    token = csrf_token(client, "/")
    rules = _int_rules(app)
    assert len(rules) >= 30  # the walk really walked
    wrong = []
    for rule in rules:
        for value in HUGE_IDS:
            url = _fill(rule, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                data = {"csrf_token": token} if method != "GET" else None
                response = client.open(url, method=method, data=data)
                if response.status_code != 404:
                    wrong.append(f"{method} {url} answered {response.status_code}")
        url = _fill(rule, str(MAX_URL_ID))  # the largest id is a route: no overflow
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            if response.status_code >= 500:
                wrong.append(f"{method} {url} answered {response.status_code}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("path", [
    "/exams/attempts/{}", "/exam-results/attempts/{}", "/people/{}/archive",
    "/oversight/archive/{}.csv", "/complaints/{}", "/evaluations/{}", "/training/needs/{}"])
def test_the_reported_urls_answer_404(client, make_user, path):
    """Those of the issue; complaints are found by reference, so theirs is no int route."""
    login(client, make_user(*[r.value for r in Role]))
    assert client.get(path.format("99999999999999999999")).status_code == 404


@pytest.mark.parametrize("path", ["/exams/attempts/{}", "/people/{}/archive",
                                  "/evaluations/{}", "/training/needs/{}"])
def test_the_largest_id_still_reaches_the_view(app, path):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match(path.format(MAX_URL_ID))
    assert list(args.values()) == [MAX_URL_ID]
    with pytest.raises(NotFound):
        adapter.match(path.format(MAX_URL_ID + 1))


def test_the_bound_fits_the_id_columns(app):
    """Ids are INTEGER columns: 32-bit on PostgreSQL (SQLite's are 64-bit)."""
    import sqlalchemy as sa

    from app.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            assert not isinstance(table.c.id.type, sa.BigInteger), table.name
    assert MAX_URL_ID == 2**31 - 1
