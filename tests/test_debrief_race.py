"""A request cannot be accepted twice, through the real HTTP stack: 20 supervisors, each signed in
with their own session (and second step), press Accept on the same request at the same moment.
Exactly one wins; the others are told another supervisor accepted it; nobody sees a 500 or
"database is locked". Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from supervision.accounts.models import Role
from supervision.debriefs.models import DebriefEvent, DebriefRequest, RequestStatus
from supervision.extensions import db

from .conftest import PASSWORD, Factory, steady_totp_code
from .live_server import csrf_token_in, live_server

PEOPLE = 20


@pytest.fixture
def live(databases, tmp_path) -> Iterator[tuple[object, str]]:
    """A Cwtch server on its own database, serving each request in its own thread."""
    with live_server(databases, tmp_path, "debrief_race") as served:
        yield served


_token = csrf_token_in


def _signed_in(base: str, email: str) -> requests.Session:
    """Password, then the second step every supervisor must have."""
    browser = requests.Session()
    token = _token(browser.get(f"{base}/sign-in", timeout=60))
    response = browser.post(f"{base}/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=60)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code"), response.text[:300]
    token = _token(browser.get(f"{base}/sign-in/code", timeout=60))
    response = browser.post(f"{base}/sign-in/code", data={"code": steady_totp_code(margin=15), "csrf_token": token},
                            allow_redirects=False, timeout=60)
    assert response.status_code == 302 and not response.headers["Location"].endswith("/sign-in/code"), \
        response.text[:300]
    return browser


def test_twenty_supervisors_accept_at_once_exactly_one_wins(live):
    app, base = live
    make = Factory(app)
    organisation = make.organisation(name="Ogmore Valleys")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    supervisors = [make.user(Role.supervisor, organisation=organisation, name=f"Supervisor {i}")
                   for i in range(PEOPLE)]
    # Half-way to its target, so every supervisor of the organisation may accept it.
    request_id = make.debrief_request(link_worker, widened=True)
    view = f"{base}/debriefs/queue/{request_id}"

    with ThreadPoolExecutor(PEOPLE) as pool:
        browsers = list(pool.map(lambda person: _signed_in(base, person.email), supervisors))
    # Each takes the token from the Accept button on the request's page, as a person would.
    tokens = [_token(browser.get(view, timeout=60)) for browser in browsers]
    barrier = threading.Barrier(PEOPLE)

    def accept(index: int) -> requests.Response:
        barrier.wait(timeout=60)
        return browsers[index].post(f"{view}/accept", data={"csrf_token": tokens[index]},
                                    allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(PEOPLE) as pool:
        responses = list(pool.map(accept, range(PEOPLE)))

    for response in responses:
        assert response.status_code != 500, response.text[:500]
        assert "database is locked" not in response.text
    winners = [i for i, r in enumerate(responses) if r.status_code == 302]
    losers = [r for r in responses if r.status_code == 409]
    assert len(winners) == 1, sorted(r.status_code for r in responses)
    assert responses[winners[0]].headers["Location"].endswith(f"/debriefs/queue/{request_id}")
    assert len(losers) == PEOPLE - 1
    assert all("Another supervisor has accepted this request" in r.text for r in losers)
    # No loser learns who won.
    assert not any(f"Supervisor {winners[0]}<" in r.text for r in losers)

    with app.app_context():
        debrief = db.session.get(DebriefRequest, request_id)
        assert debrief.status == RequestStatus.accepted
        assert debrief.handler_id == supervisors[winners[0]].id
        assert db.session.scalars(select(DebriefEvent.action).where(DebriefEvent.request_id == request_id)).all() \
            == ["accepted"]
        db.session.remove()
