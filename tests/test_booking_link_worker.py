"""The link worker's supervision pages: the overview, finding a time and booking it.
Cancelling, moving, answering proposals, joining groups and who may see which page:
test_booking_link_worker_changes.py."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from supervision.accounts.models import Role
from supervision.booking.models import Booking, BookingStatus
from supervision.booking.views import PAST_LIMIT
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries, post

START_RE = re.compile(r'href="([^"]*/book\?start=[^"]+)"')


@dataclass
class World:
    organisation: object
    link_worker: object
    other_link_worker: object
    supervisor: object
    other_supervisor: object
    dual: object  # a supervisor who is also a link worker
    employer: object
    admin: object
    one_to_one: int
    group: int

    def people(self) -> dict:
        return {"supervisor": self.supervisor, "employer": self.employer, "admin": self.admin}


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    other_link_worker = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    other_supervisor = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    dual = make.user(Role.supervisor, Role.link_worker, organisation=organisation, name="Nia Thomas")
    make.assign(supervisor, link_worker, organisation)
    make.assign(supervisor, other_link_worker, organisation)
    make.assign(dual, other_link_worker, organisation)
    make.supervisor_settings(supervisor, min_notice_hours=0, max_days_ahead=28, cancel_cutoff_hours=24)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "17:00")
    return World(
        organisation=organisation, link_worker=link_worker, other_link_worker=other_link_worker,
        supervisor=supervisor, other_supervisor=other_supervisor, dual=dual,
        employer=make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
        admin=make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        one_to_one=make.session_type(supervisor, name="One-to-one supervision"),
        group=make.session_type(supervisor, kind="group", name="Peer group: Ogmore", capacity=3, min_attendees=1),
    )


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def path(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def hours(n: float):
    return utcnow() + timedelta(hours=n)


def session_with(make, world, type_id=None, *, starts_in: float = 72, who=None, status="confirmed", **booking):
    """A session straight in the database with one booking for `who` (the link worker by default)."""
    session_id = make.supervision_session(type_id or world.one_to_one, hours(starts_in).replace(microsecond=0))
    return session_id, make.booking(session_id, who or world.link_worker, status=status, **booking)


def bookings_of(app, person) -> list[Booking]:
    with app.app_context():
        rows = list(db.session.scalars(select(Booking).where(Booking.link_worker_id == person.id)))
        db.session.expunge_all()
        return rows


def first_slot_link(app, client, world) -> str:
    """The first free time offered next week, as the page links it."""
    week = (utcnow() + timedelta(days=7)).date().isoformat()
    response = client.get(path(app, "booking.find_time", supervisor_id=world.supervisor.id,
                               type_id=world.one_to_one, week=week))
    assert response.status_code == 200
    return html.unescape(START_RE.search(response.get_data(as_text=True)).group(1))


# --- the overview ------------------------------------------------------------------------------

def test_overview_lists_sessions_by_what_they_need(app, client, make, signed_in, world):
    _, proposed = session_with(make, world, starts_in=30, status="proposed")
    _, confirmed = session_with(make, world, starts_in=50)
    _, waiting = session_with(make, world, starts_in=70, status="requested")
    group_session, _ = session_with(make, world, world.group, starts_in=90, status="waitlisted")
    _, past = session_with(make, world, starts_in=-48)
    open_group = make.supervision_session(world.group, hours(120))
    make.booking(open_group, world.other_link_worker)  # Huw's name must never show
    signed_in(world.link_worker)
    text = page(client.get("/supervision/"))
    assert text.index("Needs your answer") < text.index("Your upcoming sessions")
    for tag in ("New time proposed", "Confirmed", "Waiting for approval", "On the waiting list"):
        assert tag in text
    assert path(app, "booking.booking_view", booking_id=proposed) in text
    assert path(app, "booking.record", booking_id=past) in text and "Record the session" in text
    assert path(app, "booking.find_time", supervisor_id=world.supervisor.id, type_id=world.one_to_one) in text
    assert path(app, "booking.join_group", session_id=open_group) in text and "2 places left" in text
    assert path(app, "booking.join_group", session_id=group_session) not in text  # already on its list
    assert path(app, "booking.calendar_feed") in text
    assert "How often you have supervision" in text
    assert "Huw Parry" not in text and world.other_link_worker.email not in text


def test_full_group_offers_the_waiting_list(app, client, make, signed_in, world):
    full = make.supervision_session(world.group, hours(100))
    for _ in range(3):
        make.booking(full, make.user(Role.link_worker, organisation=world.organisation))
    signed_in(world.link_worker)
    text = page(client.get("/supervision/"))
    assert "Join the waiting list" in text and "Full" in text


def test_overview_without_a_supervisor_says_what_to_do(client, make, signed_in, world):
    signed_in(make.user(Role.link_worker, organisation=world.organisation))
    assert "You do not have a supervisor in Cwtch yet" in page(client.get("/supervision/"))


def test_overview_costs_the_same_queries_for_3_or_30_bookings(app, client, make, signed_in, world):
    def fill(count: int, offset: int) -> None:
        for i in range(count):
            session_with(make, world, starts_in=-(offset + i) * 30)
            session_with(make, world, starts_in=(offset + i) * 30 + 50)
            group = make.supervision_session(world.group, hours((offset + i) * 30 + 60))
            make.booking(group, world.other_link_worker)

    signed_in(world.link_worker)
    fill(3, 1)
    client.get("/supervision/")
    with counting_queries(app) as few:
        assert client.get("/supervision/").status_code == 200
    fill(27, 10)
    with counting_queries(app) as many:
        response = client.get("/supervision/")
    assert response.status_code == 200
    assert len(many) == len(few)
    assert page(response).count("Record the session") == PAST_LIMIT  # 30 past sessions, the latest shown


# --- finding a time ----------------------------------------------------------------------------

def test_find_time_shows_a_week_of_slots_by_day(app, client, signed_in, world):
    signed_in(world.link_worker)
    response = client.get(path(app, "booking.find_time", supervisor_id=world.supervisor.id, type_id=world.one_to_one))
    text = page(response)
    assert response.status_code == 200
    assert "Find a time with Rhodri Evans" in text
    assert "Previous week" not in text and "Next week" in text
    assert len(START_RE.findall(response.get_data(as_text=True))) > 0
    week = (utcnow() + timedelta(days=7)).date().isoformat()
    later = page(client.get(path(app, "booking.find_time", supervisor_id=world.supervisor.id,
                                 type_id=world.one_to_one, week=week)))
    assert "Previous week" in later
    assert "09:00 to 10:00" in later  # a whole week ahead: every day starts with the 09:00 slot


@pytest.mark.parametrize("week", ["not-a-date", "2020-01-06", "2999-01-04", "2026-02-30", "x" * 300])
def test_a_bad_week_shows_this_week_with_a_message(app, client, signed_in, world, week):
    signed_in(world.link_worker)
    response = client.get(path(app, "booking.find_time", supervisor_id=world.supervisor.id,
                               type_id=world.one_to_one, week=week))
    assert response.status_code == 400
    text = page(response)
    assert "There is a problem" in text and "Here is this week" in text and "Previous week" not in text


def test_find_time_shows_the_cover_note_and_type_picker(app, client, make, signed_in, world):
    make.session_type(world.supervisor, name="Case review, 30 minutes", length=30)
    start = utcnow() + timedelta(days=7)
    make.block(world.supervisor, start, start + timedelta(days=2),
               cover_note="On leave 1–5 December. Dr Siân Morgan covers urgent requests.")
    signed_in(world.link_worker)
    text = page(client.get(path(app, "booking.find_time", supervisor_id=world.supervisor.id,
                                type_id=world.one_to_one, week=start.date().isoformat())))
    assert "Dr Siân Morgan covers urgent requests." in text and "Rhodri Evans is away from" in text
    assert "Case review, 30 minutes" in text


def test_find_time_with_someone_elses_supervisor_is_not_found(app, client, make, signed_in, world):
    theirs = make.session_type(world.other_supervisor)
    signed_in(world.link_worker)
    for supervisor, type_id in [(world.other_supervisor, theirs), (world.supervisor, theirs),
                                (world.supervisor, world.group), (world.supervisor, 999_999)]:
        for endpoint in ("booking.find_time", "booking.book_slot"):
            response = client.get(path(app, endpoint, supervisor_id=supervisor.id, type_id=type_id,
                                       start="2030-01-01T10:00Z"))
            assert response.status_code == 404, (endpoint, supervisor, type_id)


# --- booking -----------------------------------------------------------------------------------

def test_booking_a_slot_confirms_it(app, client, make, signed_in, world):
    reflection = make.reflection(world.link_worker, actions="Ask the housing officer sooner")
    make.share(reflection, world.supervisor)
    signed_in(world.link_worker)
    link = first_slot_link(app, client, world)
    form = page(client.get(link))
    assert "Check and book this time" in form and "- Ask the housing officer sooner" in form
    assert "Confirmed as soon as you book it" in form
    response = post(client, link, {"agenda": "Talk about boundaries"}, token_from=link)
    assert response.status_code == 303
    [booking] = bookings_of(app, world.link_worker)
    assert booking.status == BookingStatus.confirmed and booking.agenda == "Talk about boundaries"
    assert urlsplit(response.headers["Location"]).path == path(app, "booking.booking_view", booking_id=booking.id)
    text = page(client.get(response.headers["Location"]))
    assert "Booked" in text and "Talk about boundaries" in text and "https://meet.example.org/cwtch-room" in text


def test_booking_with_approval_sends_a_request(app, client, make, signed_in, world):
    make.supervisor_settings(world.supervisor, requires_approval=True)
    signed_in(world.link_worker)
    link = first_slot_link(app, client, world)
    assert "needs to approve it" in page(client.get(link))
    response = post(client, link, {}, token_from=link)
    assert "Request sent" in page(client.get(response.headers["Location"]))
    assert bookings_of(app, world.link_worker)[0].status == BookingStatus.requested


@pytest.mark.parametrize("start", [None, "", "tomorrow", "2030-01-01T10:00", "9999-12-31T23:59+14:00x"])
def test_a_missing_or_bad_start_is_a_clear_message(app, client, signed_in, world, start):
    signed_in(world.link_worker)
    url = path(app, "booking.book_slot", supervisor_id=world.supervisor.id, type_id=world.one_to_one,
               **({"start": start} if start is not None else {}))
    assert client.get(url).status_code == 400
    response = post(client, url, {})
    assert response.status_code == 400 and "Choose a time from the list" in page(response)
    assert bookings_of(app, world.link_worker) == []


def test_booking_in_the_past_or_too_far_ahead_changes_nothing(app, client, signed_in, world):
    signed_in(world.link_worker)
    for when in (utcnow() - timedelta(days=1), utcnow() + timedelta(days=200)):
        start = when.replace(hour=10, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%MZ")
        url = path(app, "booking.book_slot", supervisor_id=world.supervisor.id, type_id=world.one_to_one, start=start)
        response = post(client, url, {"agenda": "Kept when it fails"}, token_from=url)
        assert response.status_code == 400
        text = page(response)
        assert "There is a problem" in text and "Kept when it fails" in text
    assert bookings_of(app, world.link_worker) == []


def test_a_taken_slot_gets_the_just_taken_page(app, client, make, signed_in, world):
    signed_in(world.link_worker)
    link = first_slot_link(app, client, world)
    start = unquote(link.split("start=")[1])
    session_id = make.supervision_session(world.one_to_one, _parse(start))
    make.booking(session_id, world.other_link_worker)
    response = post(client, link, {"agenda": "x"}, token_from=link)
    assert response.status_code == 409
    text = page(response)
    assert "That time was just taken" in text and "The next free times with Rhodri Evans" in text
    assert len(START_RE.findall(response.get_data(as_text=True))) == 5
    assert bookings_of(app, world.link_worker) == []


def _parse(value: str):
    from supervision.booking.views import parse_start

    return parse_start(value)
