"""No double booking, through the real HTTP stack: 20 link workers, each signed in with their own
session, post for the same slot (or the last places of a group) at the same moment. Exactly one
wins the slot; a group never goes over capacity; nobody sees a 500 or "database is locked"."""
from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from supervision.accounts.models import Role, User
from supervision.booking import slots
from supervision.booking.models import Booking, BookingStatus, SessionType
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import PASSWORD, Factory
from .live_server import csrf_token_in, live_server

PEOPLE = 20
BOOKING_PAGE = re.compile(r"^(?:https?://[^/]+)?/supervision/bookings/\d+$")


@pytest.fixture
def live(databases, tmp_path) -> Iterator[tuple[object, str]]:
    """A Cwtch server on its own database, serving each request in its own thread."""
    with live_server(databases, tmp_path, "race") as served:
        yield served


_token = csrf_token_in


def _signed_in(base: str, email: str) -> requests.Session:
    browser = requests.Session()
    token = _token(browser.get(f"{base}/sign-in", timeout=60))
    response = browser.post(f"{base}/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.text[:300]
    return browser


def _race(base: str, people: list, path: str, data: dict) -> list[requests.Response]:
    """Sign everyone in, fetch each a CSRF token from the form page, then post all at once."""
    with ThreadPoolExecutor(PEOPLE) as pool:
        browsers = list(pool.map(lambda person: _signed_in(base, person.email), people))
    tokens = [_token(browser.get(base + path, timeout=60)) for browser in browsers]
    barrier = threading.Barrier(len(browsers))

    def go(index: int) -> requests.Response:
        barrier.wait(timeout=60)
        return browsers[index].post(base + path, data={**data, "csrf_token": tokens[index]},
                                    allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(len(browsers)) as pool:
        return list(pool.map(go, range(len(browsers))))


def _world(app, *, group: bool):
    make = Factory(app)
    organisation = make.organisation(name="Ogmore Valleys")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.supervisor_settings(supervisor, min_notice_hours=0, max_days_ahead=28)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "17:00")
    people = [make.user(Role.link_worker, organisation=organisation, name=f"Link worker {i}") for i in range(PEOPLE)]
    for person in people:
        make.assign(supervisor, person, organisation)
    if group:
        type_id = make.session_type(supervisor, kind="group", capacity=5, min_attendees=1)
        return make, supervisor, people, type_id
    return make, supervisor, people, make.session_type(supervisor)


def _assert_no_failures(responses: list[requests.Response]) -> None:
    for response in responses:
        assert response.status_code != 500, response.text[:500]
        assert "database is locked" not in response.text


def test_twenty_people_one_slot_exactly_one_wins(live):
    app, base = live
    _, supervisor, people, type_id = _world(app, group=False)
    with app.app_context():
        kind = db.session.get(SessionType, type_id)
        user = db.session.get(User, supervisor.id)
        slot = slots.free_slots(user, kind, now=utcnow(), start=(utcnow() + timedelta(days=3)).date(), days=1)[0]
        db.session.remove()
    start = slot.starts_at.strftime("%Y-%m-%dT%H:%MZ")
    responses = _race(base, people, f"/supervision/with/{supervisor.id}/{type_id}/book?start={start}",
                      {"agenda": "Same slot for everyone"})
    _assert_no_failures(responses)
    winners = [r for r in responses if r.status_code in (302, 303)]
    losers = [r for r in responses if r.status_code == 409]
    assert len(winners) == 1, sorted(r.status_code for r in responses)
    assert BOOKING_PAGE.match(winners[0].headers["Location"])
    assert len(losers) == PEOPLE - 1
    assert all("That time was just taken" in r.text for r in losers)
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 1
        db.session.remove()


def test_twenty_people_two_places_never_over_capacity(live):
    app, base = live
    make, supervisor, people, type_id = _world(app, group=True)
    session_id = make.supervision_session(type_id, (utcnow() + timedelta(days=4)).replace(microsecond=0))
    for _ in range(3):  # 3 of 5 places already taken: 2 left
        make.booking(session_id, make.user(Role.link_worker, organisation=people[0].organisation))
    responses = _race(base, people, f"/supervision/groups/{session_id}/join", {"agenda": ""})
    _assert_no_failures(responses)
    assert all(r.status_code in (302, 303) and BOOKING_PAGE.match(r.headers["Location"]) for r in responses), \
        sorted(r.status_code for r in responses)
    with app.app_context():
        counts = dict(db.session.execute(
            select(Booking.status, func.count(Booking.id)).where(Booking.session_id == session_id)
            .group_by(Booking.status)).all())
        db.session.remove()
    assert counts == {BookingStatus.confirmed: 5, BookingStatus.waitlisted: PEOPLE - 2}
