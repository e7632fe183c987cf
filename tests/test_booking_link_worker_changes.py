"""A link worker's own booking: its page and history, cancelling, moving it, answering a proposed
time, joining a group session or its waiting list; and who may reach any of the link worker's pages."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from supervision.accounts.models import Role
from supervision.booking.models import Booking, BookingEvent, BookingStatus, SupervisionSession
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import post
from .test_booking_link_worker import bookings_of, hours, page, path, session_with, world  # noqa: F401

MOVE_RE = re.compile(r'href="([^"]*/reschedule\?start=[^"]+)"')


def booking_row(app, booking_id: int) -> Booking:
    with app.app_context():
        row = db.session.get(Booking, booking_id)
        row.session  # noqa: B018 - loaded while the session is open
        db.session.expunge_all()
        return row


# --- the booking page ----------------------------------------------------------------------------

def test_booking_page_shows_details_actions_and_history(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72, agenda="Boundaries with a client's family")
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.add(BookingEvent(booking=booking, action="booked", reason=None, created_at=utcnow()))
        db.session.commit()
    signed_in(world.link_worker)
    text = page(client.get(path(app, "booking.booking_view", booking_id=booking_id)))
    assert "Confirmed" in text and "Boundaries with a client's family" in text and "Booked" in text
    assert path(app, "booking.cancel", booking_id=booking_id) in text
    assert path(app, "booking.reschedule", booking_id=booking_id) in text
    assert "You can move this booking 2 more times" in text
    assert path(app, "booking.record", booking_id=booking_id) not in text  # not started yet


def test_group_booking_page_counts_places_and_names_nobody(app, client, make, signed_in, world):
    session_id, booking_id = session_with(make, world, world.group, starts_in=100)
    make.booking(session_id, world.other_link_worker)
    signed_in(world.link_worker)
    text = page(client.get(path(app, "booking.booking_view", booking_id=booking_id)))
    assert "2 places booked" in text
    assert "Huw Parry" not in text and world.other_link_worker.email not in text


def test_past_session_links_to_its_record(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=-3)
    signed_in(world.link_worker)
    text = page(client.get(path(app, "booking.booking_view", booking_id=booking_id)))
    assert path(app, "booking.record", booking_id=booking_id) in text
    assert path(app, "booking.cancel", booking_id=booking_id) not in text


# --- cancelling ----------------------------------------------------------------------------------

def test_cancelling_needs_a_reason_then_cancels(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72)
    signed_in(world.link_worker)
    url = path(app, "booking.cancel", booking_id=booking_id)
    assert "Why are you cancelling?" in page(client.get(url))
    response = post(client, url, {"reason": "  "}, token_from=url)
    assert response.status_code == 400 and "Enter why you are cancelling" in page(response)
    assert booking_row(app, booking_id).status == BookingStatus.confirmed
    response = post(client, url, {"reason": "Off sick"}, token_from=url)
    assert response.status_code == 303
    assert booking_row(app, booking_id).status == BookingStatus.cancelled
    text = page(client.get(response.headers["Location"]))
    assert "Your booking is cancelled" in text and "Off sick" in text


def test_after_the_cut_off_only_the_supervisor_can_cancel(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=5)
    signed_in(world.link_worker)
    url = path(app, "booking.cancel", booking_id=booking_id)
    response = client.get(url)
    assert response.status_code == 200
    text = page(response)
    assert "only Rhodri Evans can cancel it now" in text and "Why are you cancelling?" not in text
    response = post(client, url, {"reason": "Off sick"}, token_from=path(app, "booking.index"))
    assert response.status_code == 400 and "only Rhodri Evans can cancel it now" in page(response)
    assert booking_row(app, booking_id).status == BookingStatus.confirmed
    assert "Only Rhodri Evans can cancel or move it now" in page(
        client.get(path(app, "booking.booking_view", booking_id=booking_id)))


def test_leaving_a_waiting_list_is_allowed_up_to_the_start(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, world.group, starts_in=5, status="waitlisted")
    signed_in(world.link_worker)
    url = path(app, "booking.cancel", booking_id=booking_id)
    assert post(client, url, {"reason": "No longer needed"}, token_from=url).status_code == 303
    assert booking_row(app, booking_id).status == BookingStatus.cancelled


# --- moving --------------------------------------------------------------------------------------

def test_moving_a_booking_to_another_free_time(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72)
    before = booking_row(app, booking_id).session.starts_at
    signed_in(world.link_worker)
    url = path(app, "booking.reschedule", booking_id=booking_id)
    week = (utcnow() + timedelta(days=7)).date().isoformat()
    listing = client.get(url + f"?week={week}")
    assert "You can move this booking 2 more times" in page(listing)
    link = html.unescape(MOVE_RE.search(listing.get_data(as_text=True)).group(1))
    confirm = client.get(link)
    assert confirm.status_code == 200 and "New time" in page(confirm)
    start = link.split("start=")[1]
    response = post(client, url, {"start": start, "reason": ""}, token_from=link)
    assert response.status_code == 400 and "Enter why you are moving the booking" in page(response)
    response = post(client, url, {"start": start, "reason": "Clinic clash"}, token_from=link)
    assert response.status_code == 303
    moved = booking_row(app, booking_id)
    assert moved.session.starts_at != before and moved.reschedule_count == 1
    assert "You can move this booking 1 more time" in page(client.get(response.headers["Location"]))


def test_moving_is_refused_past_the_cap_or_the_cut_off(app, client, make, signed_in, world):
    _, capped = session_with(make, world, starts_in=72)
    with app.app_context():
        db.session.get(Booking, capped).reschedule_count = 2
        db.session.commit()
    _, soon = session_with(make, world, starts_in=5)
    signed_in(world.link_worker)
    for booking_id, message in [(capped, "You have already moved this booking 2 times"),
                                (soon, "only Rhodri Evans can move it now")]:
        url = path(app, "booking.reschedule", booking_id=booking_id)
        assert message in page(client.get(url))
        response = post(client, url, {"start": "2030-01-07T10:00Z", "reason": "x"}, token_from=path(app, "booking.index"))
        assert response.status_code == 400 and message in page(response)
    assert booking_row(app, soon).session.starts_at < hours(6)


def test_moving_to_a_bad_time_is_a_message(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72)
    signed_in(world.link_worker)
    url = path(app, "booking.reschedule", booking_id=booking_id)
    for start in ("nonsense", (utcnow() - timedelta(days=2)).strftime("%Y-%m-%dT10:00Z")):
        response = post(client, url, {"start": start, "reason": "x"}, token_from=path(app, "booking.index"))
        assert response.status_code == 400 and "There is a problem" in page(response)
    assert booking_row(app, booking_id).reschedule_count == 0


# --- answering a proposed time -------------------------------------------------------------------

def test_accepting_a_proposed_time(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72, status="proposed")
    signed_in(world.link_worker)
    view = path(app, "booking.booking_view", booking_id=booking_id)
    assert "A new time has been proposed" in page(client.get(view))
    response = post(client, path(app, "booking.respond", booking_id=booking_id), {"answer": "accept"}, token_from=view)
    assert response.status_code == 303
    assert booking_row(app, booking_id).status == BookingStatus.confirmed


def test_declining_a_proposed_time_with_a_reason(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72, status="proposed")
    signed_in(world.link_worker)
    url = path(app, "booking.respond", booking_id=booking_id)
    response = post(client, url, {"answer": "maybe"})
    assert response.status_code == 400 and "Choose to accept or decline the time" in page(response)
    response = post(client, url, {"answer": "decline", "reason": "I am on leave that week"})
    assert response.status_code == 303
    assert booking_row(app, booking_id).status == BookingStatus.declined
    assert "I am on leave that week" in page(client.get(response.headers["Location"]))


def test_answering_when_nothing_was_proposed_changes_nothing(app, client, make, signed_in, world):
    _, booking_id = session_with(make, world, starts_in=72)
    signed_in(world.link_worker)
    response = post(client, path(app, "booking.respond", booking_id=booking_id), {"answer": "decline"})
    assert response.status_code == 400 and "There is no proposed time to answer" in page(response)
    assert booking_row(app, booking_id).status == BookingStatus.confirmed


# --- joining a group -----------------------------------------------------------------------------

def test_joining_a_group_then_its_waiting_list(app, client, make, signed_in, world):
    session_id = make.supervision_session(world.group, hours(100))
    make.booking(session_id, world.other_link_worker)
    make.booking(session_id, make.user(Role.link_worker, organisation=world.organisation))
    signed_in(world.link_worker)
    url = path(app, "booking.join_group", session_id=session_id)
    text = page(client.get(url))
    assert "1 place left" in text and "Book a place" in text and "Huw Parry" not in text
    response = post(client, url, {"agenda": "Peer support"}, token_from=url)
    assert response.status_code == 303 and "You have a place" in page(client.get(response.headers["Location"]))
    assert client.get(url).status_code == 303  # already in it: straight to the booking
    newcomer = make.user(Role.link_worker, organisation=world.organisation)
    post(client, path(app, "accounts.logout"), {})
    signed_in(newcomer)
    text = page(client.get(url))
    assert "Join the waiting list" in text and "The session is full" in text
    response = post(client, url, {}, token_from=url)
    assert "on the waiting list" in page(client.get(response.headers["Location"]))
    assert bookings_of(app, newcomer)[0].status == BookingStatus.waitlisted


def test_groups_outside_the_network_or_past_are_not_found(app, client, make, signed_in, world):
    elsewhere = make.organisation(name="Teifi Valley")
    outsider = make.user(Role.supervisor, organisation=elsewhere)
    theirs = make.supervision_session(make.session_type(outsider, kind="group"), hours(100))
    past = make.supervision_session(world.group, hours(-2))
    one_to_one = make.supervision_session(world.one_to_one, hours(100))
    signed_in(world.link_worker)
    for session_id in (theirs, past, one_to_one, 999_999):
        url = path(app, "booking.join_group", session_id=session_id)
        assert client.get(url).status_code == 404
        assert post(client, url, {}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(SupervisionSession).where(SupervisionSession.id == theirs)).bookings == []


# --- who may see these pages ---------------------------------------------------------------------

PAGES = [("GET", "booking.index"), ("GET", "booking.find_time"), ("GET", "booking.book_slot"),
         ("POST", "booking.book_slot"), ("GET", "booking.booking_view"), ("GET", "booking.cancel"),
         ("POST", "booking.cancel"), ("GET", "booking.reschedule"), ("POST", "booking.reschedule"),
         ("POST", "booking.respond"), ("GET", "booking.join_group"), ("POST", "booking.join_group")]


def _url(app, world, endpoint, booking_id, group_id):
    values = {"supervisor_id": world.supervisor.id, "type_id": world.one_to_one, "booking_id": booking_id,
              "session_id": group_id, "start": "2030-01-07T10:00Z"}
    with app.test_request_context():
        rule = next(app.url_map.iter_rules(endpoint))
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments or k == "start"})


@pytest.mark.parametrize("role", ["supervisor", "employer", "admin", "anonymous"])
@pytest.mark.parametrize("method,endpoint", PAGES, ids=[f"{m}-{e}" for m, e in PAGES])
def test_only_link_workers_reach_these_pages(app, client, make, signed_in, world, role, method, endpoint):
    _, booking_id = session_with(make, world)
    group_id = make.supervision_session(world.group, hours(100))
    url = _url(app, world, endpoint, booking_id, group_id)
    if role != "anonymous":
        signed_in(world.people()[role])
    response = client.get(url) if method == "GET" else post(client, url, {"reason": "x", "answer": "accept"})
    if role == "anonymous":
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"
    else:
        assert response.status_code == 403
    assert bookings_of(app, world.link_worker)[0].status == BookingStatus.confirmed


ONE_BOOKING = [p for p in PAGES if p[1] in ("booking.booking_view", "booking.cancel", "booking.reschedule",
                                           "booking.respond")]


@pytest.mark.parametrize("method,endpoint", ONE_BOOKING, ids=[f"{m}-{e}" for m, e in ONE_BOOKING])
def test_another_persons_booking_is_not_found(app, client, make, signed_in, world, method, endpoint):
    session_id, booking_id = session_with(make, world, who=world.other_link_worker, status="proposed")
    with app.app_context():  # Nia supervises this session and is a link worker too: still not her page
        db.session.get(SupervisionSession, session_id).supervisor_id = world.dual.id
        db.session.commit()
    for person in (world.link_worker, world.dual):
        signed_in(person)
        url = _url(app, world, endpoint, booking_id, 0)
        response = client.get(url) if method == "GET" else post(client, url, {"reason": "x", "answer": "accept"})
        assert response.status_code == 404, person
        post(client, path(app, "accounts.logout"), {})
    assert bookings_of(app, world.other_link_worker)[0].status == BookingStatus.proposed
