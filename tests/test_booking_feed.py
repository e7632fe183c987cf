"""Private calendar feeds: making and renewing the address, the public .ics behind its token, what
it lists for each role, bounded queries, and who may reach the page."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from supervision.accounts.models import Role
from supervision.booking import feed
from supervision.booking.models import Booking, CalendarFeed, SupervisionSession
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries, post, sign_in

ADDRESS_RE = re.compile(r'value="(http[^"]+/supervision/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def people(make):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Dr Rhodri Evans")
    carys = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins", email="carys@example.org")
    huw = make.user(Role.link_worker, organisation=organisation, name="Huw Parry", email="huw@example.org")
    make.assign(supervisor, carys, organisation)
    return supervisor, carys, huw


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def make_address(client) -> tuple[str, str]:
    assert post(client, "/supervision/calendar", {}).status_code == 302
    match = ADDRESS_RE.search(page(client.get("/supervision/calendar")))
    assert match, "no address on the page"
    return match.group(1), match.group(2)


def events_in(data: bytes) -> list:
    text = data.decode()
    cal = icalendar.Calendar.from_ical(text)
    other = vobject.readOne(text)
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [v.uid.value for v in getattr(other, "vevent_list", [])]
    return events


def test_making_an_address_then_reading_the_feed(app, client, signed_in, make, people):
    supervisor, carys, huw = people
    one_to_one = make.session_type(supervisor)
    soon = make.supervision_session(one_to_one, utcnow() + timedelta(days=3))
    mine = make.booking(soon, carys, status="requested")
    group = make.supervision_session(make.session_type(supervisor, kind="group", name="Peer group"),
                                     utcnow() + timedelta(days=5))
    make.booking(group, carys)
    make.booking(group, huw)
    # Not listed: too long ago, too far ahead, cancelled, declined, or someone else's.
    make.booking(make.supervision_session(one_to_one, utcnow() - timedelta(days=31)), carys)
    make.booking(make.supervision_session(one_to_one, utcnow() + timedelta(days=370)), carys)
    make.booking(make.supervision_session(one_to_one, utcnow() + timedelta(days=8), status="cancelled"), carys,
                 status="cancelled")
    make.booking(make.supervision_session(one_to_one, utcnow() + timedelta(days=9)), carys, status="declined")
    make.booking(make.supervision_session(one_to_one, utcnow() + timedelta(days=10)), huw)

    signed_in(carys)
    assert "Create my calendar address" in page(client.get("/supervision/calendar"))
    _, token = make_address(client)
    assert len(token) >= 43  # 32 random bytes
    # A calendar program never signs in: a fresh client holds no session.
    response = app.test_client().get(f"/supervision/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    events = events_in(response.data)
    with app.app_context():
        uids = {db.session.get(Booking, mine).uid}
    assert uids <= {str(e["UID"]) for e in events}
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Peer group: group peer supervision with Dr Rhodri Evans", "Supervision with Dr Rhodri Evans"]
    assert b"Huw" not in response.data and b"huw@example.org" not in response.data
    assert {str(e["STATUS"]) for e in events} == {"TENTATIVE", "CONFIRMED"}


def test_the_supervisors_feed_lists_their_active_sessions_without_group_names(app, client, signed_in, make,
                                                                              people):
    supervisor, carys, huw = people
    one_to_one = make.supervision_session(make.session_type(supervisor), utcnow() + timedelta(days=2))
    make.booking(one_to_one, carys)
    group = make.supervision_session(make.session_type(supervisor, kind="group", name="Peer group"),
                                     utcnow() + timedelta(days=4))
    make.booking(group, carys)
    make.booking(group, huw)
    make.supervision_session(make.session_type(supervisor), utcnow() + timedelta(days=6), status="cancelled")
    signed_in(supervisor)
    address, token = make_address(client)
    events = events_in(client.get(f"/supervision/calendar/{token}.ics").data)
    with app.app_context():
        uids = {db.session.get(SupervisionSession, i).uid for i in (one_to_one, group)}
    assert {str(e["UID"]) for e in events} == uids
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Peer group: group peer supervision (2 booked)", "Supervision: Carys Jenkins"]


def test_a_new_address_stops_the_old_one_at_once(app, client, signed_in, make, people):
    _, carys, _ = people
    signed_in(carys)
    _, old = make_address(client)
    # A second click on "create" keeps the address already made.
    assert post(client, "/supervision/calendar", {}).status_code == 302
    assert ADDRESS_RE.search(page(client.get("/supervision/calendar"))).group(2) == old
    confirm = client.get("/supervision/calendar/new-address")
    assert confirm.status_code == 200 and "Are you sure" in page(confirm)
    assert client.get(f"/supervision/calendar/{old}.ics").status_code == 200  # nothing changed yet
    assert post(client, "/supervision/calendar/new-address", {}).status_code == 302
    new = ADDRESS_RE.search(page(client.get("/supervision/calendar"))).group(2)
    assert new != old
    assert client.get(f"/supervision/calendar/{old}.ics").status_code == 404
    assert client.get(f"/supervision/calendar/{new}.ics").status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(CalendarFeed))
        assert stored.token_hash != new and len(stored.token_hash) == 64


def test_tokens_cannot_be_guessed(app, client, signed_in, make, people):
    _, carys, huw = people
    signed_in(carys)
    _, token = make_address(client)
    for guess in ("", "x", token[:-1], token + "a", token.upper() if token != token.upper() else token.lower(),
                  "a" * 300):
        assert client.get(f"/supervision/calendar/{guess}.ics").status_code == 404, guess
    with app.app_context():
        # The hash is stored, never a lookup by the token itself: a different person's hash opens nothing.
        stored = db.session.scalar(select(CalendarFeed.token_hash))
        assert feed.owner_of(stored) is None


def test_an_inactive_persons_feed_is_shut(app, client, signed_in, make, people):
    from supervision.accounts.models import User

    _, carys, _ = people
    signed_in(carys)
    _, token = make_address(client)
    with app.app_context():
        db.session.get(User, carys.id).active = False
        db.session.commit()
    assert client.get(f"/supervision/calendar/{token}.ics").status_code == 404


def test_the_feed_takes_the_same_queries_for_2_or_50_sessions(app, make, people):
    supervisor, carys, huw = people
    one_to_one = make.session_type(supervisor)
    group = make.session_type(supervisor, kind="group", capacity=3, min_attendees=1)
    tokens = {}
    for person in (carys, supervisor):
        browser = app.test_client()
        sign_in(browser, person.email)
        tokens[person.id] = make_address(browser)[1]

    def add_sessions(first: int, last: int) -> None:
        for day in range(first, last):
            session_id = make.supervision_session(one_to_one if day % 2 else group,
                                                  utcnow() + timedelta(days=day + 1))
            make.booking(session_id, carys)
            if not day % 2:
                make.booking(session_id, huw)

    def queries(count: int) -> dict[int, int]:
        counted = {}
        for person_id, token in tokens.items():
            with counting_queries(app) as statements:
                response = app.test_client().get(f"/supervision/calendar/{token}.ics")
            assert len(events_in(response.data)) == count
            counted[person_id] = len(statements)
        return counted

    add_sessions(0, 2)
    few = queries(2)
    add_sessions(2, 50)
    assert queries(50) == few


@pytest.mark.parametrize("roles, status", [
    ((Role.link_worker,), 200), ((Role.supervisor,), 200), ((Role.link_worker, Role.supervisor), 200),
    ((Role.employer,), 403), ((Role.admin,), 403), ((Role.employer, Role.admin), 403),
])
def test_who_may_have_a_calendar_address(client, signed_in, make, roles, status):
    person = make.user(*roles)
    signed_in(person)
    assert client.get("/supervision/calendar").status_code == status
    assert post(client, "/supervision/calendar", {}).status_code == (302 if status == 200 else 403)
    assert client.get("/supervision/calendar/new-address").status_code == status
    assert post(client, "/supervision/calendar/new-address", {}).status_code == (302 if status == 200 else 403)
