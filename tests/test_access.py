"""Every route needs a signed-in person unless it is login, static or health;
every role-restricted route refuses people without the role."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.auth.models import Role
from app.auth.permissions import ROLE_GRANTS
from tests.helpers import csrf_token, login

PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "main.healthz", "main.healthz_write",
                    "static", "calendar.feed"}  # the feed: its secret token is the key
DUMMY_ARGS = {"IntegerConverter": 1, "FloatConverter": 1.0, "PathConverter": "x/y",
              "UUIDConverter": "00000000-0000-0000-0000-000000000001"}


def _dummy(converter) -> object:
    """A plausible value for a converter (or a subclass of one, e.g. the bounded int)."""
    return next((DUMMY_ARGS[cls.__name__] for cls in type(converter).__mro__
                 if cls.__name__ in DUMMY_ARGS), "x")


def _url_for_rule(rule: Rule) -> str:
    """Fill every converter of a rule with a plausible value."""
    values = {name: _dummy(rule._converters[name])
              for name in rule.arguments if name in rule._converters}
    values.update(rule.defaults or {})
    return rule.build(values)[1]


def _rules(app):
    return [r for r in app.url_map.iter_rules()]


def test_only_login_language_static_and_health_are_public(app):
    from app.auth.login import is_public_endpoint

    with app.test_request_context():
        public = {r.endpoint for r in _rules(app) if is_public_endpoint(r.endpoint)}
    assert public == PUBLIC_ENDPOINTS


def test_every_other_route_sends_an_anonymous_visitor_to_login(app, client):
    checked = 0
    for rule in _rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert response.location.startswith("/login?next="), f"{method} {url}"
            checked += 1
    assert checked >= 10  # the walk really walked


def test_an_anonymous_json_request_gets_401_not_a_redirect(client):
    response = client.post("/logout", json={}, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "signed_out"


def _restricted_views(app):
    for rule in _rules(app):
        permission = getattr(app.view_functions[rule.endpoint], "required_permission", None)
        if permission is not None:
            yield rule, permission


# Whole areas that only some roles reach: every route under them must be restricted.
RESTRICTED_PREFIXES = ("/admin/", "/oversight/")


def test_every_route_of_a_restricted_area_requires_a_permission(app):
    unguarded = [rule.rule for rule in _rules(app)
                 if rule.rule.startswith(RESTRICTED_PREFIXES)
                 and getattr(app.view_functions[rule.endpoint], "required_permission", None)
                 is None]
    assert unguarded == []
    assert {p for _, p in _restricted_views(app)}, "no role-restricted routes found"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_restricted_routes_answer_403_without_the_role(app, client, make_user, role):
    person = make_user(role)
    login(client, person)
    token = csrf_token(client, "/")
    for rule, permission in _restricted_views(app):
        allowed = Role(role) in ROLE_GRANTS[permission]
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            if allowed:
                assert response.status_code != 403, f"{role} refused {method} {url}"
            else:
                assert response.status_code == 403, (
                    f"{role} got {response.status_code} for {method} {url}"
                )


def test_public_pages_work_anonymously(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200


def test_every_form_post_without_a_csrf_token_is_refused(app, client, make_user):
    """CSRF is checked before any view runs (CSRFProtect), so no view needs its own check."""
    login(client, make_user(*[r.value for r in Role]))
    checked = 0
    for rule in _rules(app):
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"anything": "1"})
            assert response.status_code == 400, f"{method} {url} answered {response.status_code}"
            checked += 1
    assert checked >= 50  # the walk really walked
