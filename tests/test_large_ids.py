"""An id too big for the database's integer answers 404 on every route that takes one, signed in as
the person the route is for, never 500 (SQLite's driver and PostgreSQL both overflow)."""
from __future__ import annotations

import pytest
from flask import url_for

from supervision.accounts.models import Role
from supervision.converters import MAX_ID

from .conftest import post

HUGE = "99999999999999999999"


def _id_routes(app) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if type(converter).__name__ == "IdConverter"]
        if not ids:
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **{name: 1 for name in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path.replace("/1", f"/{HUGE}")))
    return found


def test_every_id_route_uses_the_bounded_converter(app):
    routes = _id_routes(app)
    assert len(routes) > 50
    assert all(rule._converters[name].max == MAX_ID for rule in app.url_map.iter_rules()
               for name in rule._converters if type(rule._converters[name]).__name__ == "IdConverter")


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.admin])
def test_a_huge_id_answers_404(app, client, make, signed_in, role):
    organisation = make.organisation()
    signed_in(make.user(role, organisation=organisation))
    for endpoint, method, path in _id_routes(app):
        response = client.get(path) if method == "GET" else post(client, path, {})
        assert response.status_code == 404, (endpoint, method, path, response.status_code)
