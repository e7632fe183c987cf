"""Sign-in history: each person sees their own sign-ins and failures of the last 30 days, newest
first, at most 50, in UK time, with the IP address, and nobody else's."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from flask_babel import force_locale

from supervision.accounts.models import Role
from supervision.audit.models import AuditEvent
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import sign_in
from .test_admin import counting_queries

HISTORY = "/account/sign-in-history"


def rows(response) -> list[list[str]]:
    text = html.unescape(response.get_data(as_text=True))
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', text, re.S)
    if body is None:
        return []
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return found


def add_events(app, *events: dict) -> None:
    with app.app_context():
        for event in events:
            db.session.add(AuditEvent(**event))
        db.session.commit()


def london(app, moment) -> str:
    with app.test_request_context(), force_locale("en"):
        return app.jinja_env.filters["datetime"](moment)


def test_history_shows_own_recent_sign_ins_newest_first(app, client, make):
    person = make.user(Role.link_worker, name="Carys Jenkins")
    other = make.user(Role.link_worker, name="Huw Parry")
    now = utcnow()
    an_hour_ago, two_days_ago, three_days_ago = now - timedelta(hours=1), now - timedelta(days=2), now - timedelta(days=3)
    add_events(
        app,
        dict(actor_id=person.id, action="login", created_at=an_hour_ago, ip="203.0.113.5"),
        dict(actor_id=person.id, action="login", outcome="failure", created_at=two_days_ago, ip="198.51.100.7"),
        dict(actor_id=person.id, action="password_change", created_at=three_days_ago, ip="203.0.113.5"),
        # Too old, not about signing in, and somebody else's: none of these are shown.
        dict(actor_id=person.id, action="login", created_at=now - timedelta(days=31), ip="203.0.113.66"),
        dict(actor_id=person.id, action="invite", created_at=an_hour_ago, ip="203.0.113.77"),
        dict(actor_id=other.id, action="login", created_at=an_hour_ago, ip="192.0.2.99"),
    )
    assert sign_in(client, person.email).status_code == 302
    found = rows(client.get(HISTORY))
    assert [r[1:] for r in found] == [
        ["Sign in", "Succeeded", "127.0.0.1"],
        ["Sign in", "Succeeded", "203.0.113.5"],
        ["Sign in", "Failed", "198.51.100.7"],
        ["Password change", "Succeeded", "203.0.113.5"],
    ]
    assert [r[0] for r in found[1:]] == [london(app, t) for t in (an_hour_ago, two_days_ago, three_days_ago)]


def test_history_shows_at_most_50_with_a_fixed_number_of_queries(app, client, make):
    person = make.user(Role.link_worker)
    now = utcnow()
    add_events(app, *[dict(actor_id=person.id, action="login", outcome="failure", ip="198.51.100.7",
                           created_at=now - timedelta(hours=n + 1)) for n in range(3)])
    sign_in(client, person.email)
    client.get(HISTORY)  # warm up
    with counting_queries(app) as few:
        assert len(rows(client.get(HISTORY))) == 4
    add_events(app, *[dict(actor_id=person.id, action="login", ip="198.51.100.8",
                           created_at=now - timedelta(hours=n + 10)) for n in range(60)])
    with counting_queries(app) as many:
        assert len(rows(client.get(HISTORY))) == 50
    assert len(many) == len(few)


def test_a_new_person_sees_only_this_sign_in(app, client, make):
    make.user(Role.link_worker, email="someone.else@example.org")
    sign_in(client, "someone.else@example.org")
    person = make.user(Role.link_worker)
    other_browser = app.test_client()
    sign_in(other_browser, person.email)
    assert [r[1:] for r in rows(other_browser.get(HISTORY))] == [["Sign in", "Succeeded", "127.0.0.1"]]


def test_history_is_linked_from_your_account_and_needs_sign_in(client, make):
    response = client.get(HISTORY)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    person = make.user(Role.link_worker)
    sign_in(client, person.email)
    assert f'href="{HISTORY}"' in client.get("/account").get_data(as_text=True)
