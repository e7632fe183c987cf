"""Answering twice is impossible, through the real HTTP stack: a link worker's "Submit answers"
arrives ten times at the same moment (a double click, several tabs). Exactly one submission is
kept; the others are told the survey is already answered; nobody sees a 500 or "database is
locked". Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.extensions import db
from supervision.pulse.models import PulseAnswer, PulseInvitation, PulseResponse

from .conftest import PASSWORD, Factory
from .live_server import csrf_token_in, live_server

TABS = 10


@pytest.fixture
def live(databases, tmp_path) -> Iterator[tuple[object, str]]:
    with live_server(databases, tmp_path, "pulse_race") as served:
        yield served


def _tabs(base: str, email: str) -> list[requests.Session]:
    """One sign-in, its cookie in every tab: signing in again would end the other sessions."""
    first = requests.Session()
    token = csrf_token_in(first.get(f"{base}/sign-in", timeout=60))
    response = first.post(f"{base}/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=60)
    assert response.status_code == 302 and response.headers["Location"].endswith("/home"), response.text[:300]
    tabs = [first]
    for _ in range(TABS - 1):
        tab = requests.Session()
        tab.cookies.update(first.cookies)
        tabs.append(tab)
    return tabs


def test_ten_submissions_at_once_keep_exactly_one(live):
    app, base = live
    make = Factory(app)
    organisation = make.organisation(name="Ogmore Valleys")
    person = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    round_id = make.pulse_round(organisation)
    make.pulse_invitation(person, round_id)
    questions = f"{base}/wellbeing/surveys/{round_id}/questions"

    tabs = _tabs(base, person.email)
    tokens = [csrf_token_in(tab.get(questions, timeout=60)) for tab in tabs]
    barrier = threading.Barrier(TABS)

    def submit(index: int) -> requests.Response:
        # Each tab chose a different answer, so the one kept shows which submission won.
        data = {"B1": str(index % 5 + 1), "S1": "4", "submit": "y", "csrf_token": tokens[index]}
        barrier.wait(timeout=60)
        return tabs[index].post(questions, data=data, allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(TABS) as pool:
        responses = list(pool.map(submit, range(TABS)))

    for response in responses:
        assert response.status_code != 500, response.text[:500]
        assert "database is locked" not in response.text
    winners = [i for i, r in enumerate(responses) if r.status_code == 303]
    assert len(winners) == 1, sorted(r.status_code for r in responses)
    assert responses[winners[0]].headers["Location"].endswith(f"/wellbeing/surveys/{round_id}/result")
    losers = [r for r in responses if r.status_code == 409]
    assert len(losers) == TABS - 1
    assert all("You have already answered this survey" in r.text for r in losers)

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 1
        response = db.session.scalar(select(PulseResponse))
        assert response.submitted
        assert {a.item: a.value for a in db.session.scalars(select(PulseAnswer))} == {
            "B1": winners[0] % 5 + 1, "S1": 4}
        assert db.session.scalar(select(PulseInvitation.answered)) is True
        db.session.remove()
