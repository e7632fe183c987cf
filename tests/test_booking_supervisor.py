"""The supervisor's booking pages: every role, other supervisors' objects (404), the request queue
on the home page, and reviewing a request. The pages that change bookings are tested in
test_booking_supervisor_changes.py."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.booking.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    SupervisionSession,
)
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries, csrf_token, post

AGENDA = "Talk through the housing case\nMy workload"


@dataclass
class World:
    supervisor: object
    other_supervisor: object
    link_worker: object
    second_link_worker: object
    employer: object
    admin: object
    one_to_one: int  # session type ids
    group: int
    other_group: int


def _hour(days: float) -> datetime:
    moment = utcnow() + timedelta(days=days)
    return moment.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    other_supervisor = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    second = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    make.assign(supervisor, link_worker, organisation)
    make.assign(supervisor, second, organisation)
    return World(
        supervisor=supervisor, other_supervisor=other_supervisor, link_worker=link_worker,
        second_link_worker=second,
        employer=make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
        admin=make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        one_to_one=make.session_type(supervisor),
        group=make.session_type(supervisor, kind="group", name="Ogmore peer group", capacity=6, min_attendees=2),
        other_group=make.session_type(other_supervisor, kind="group", name="Teifi peer group"),
    )


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def path(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def request_booking(make, world: World, days: float = 5, link_worker=None, created_at=None, hours_left: float = 40,
                    status: str = "requested") -> int:
    session_id = make.supervision_session(world.one_to_one, _hour(days))
    return make.booking(session_id, link_worker or world.link_worker, status=status, agenda=AGENDA,
                        expires_at=utcnow() + timedelta(hours=hours_left), created_at=created_at)


def booking_row(app, booking_id: int) -> tuple:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        row = (booking.status, booking.session.starts_at, booking.session.status,
               db.session.scalar(select(func.count(BookingEvent.id)).where(BookingEvent.booking_id == booking_id)))
        db.session.remove()
        return row


def session_row(app, session_id: int) -> tuple:
    with app.app_context():
        session = db.session.get(SupervisionSession, session_id)
        row = (session.status, session.starts_at, session.capacity, session.min_attendees)
        db.session.remove()
        return row


def london_parts(moment: datetime) -> dict:
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo("Europe/London"))
    return {"session_date-day": str(local.day), "session_date-month": str(local.month),
            "session_date-year": str(local.year), "session_time": local.strftime("%H:%M")}


# --- every role -----------------------------------------------------------------------------------

def _routes(app, make, world) -> list[tuple[str, str, dict]]:
    booking_id = request_booking(make, world)
    with app.app_context():
        session_id = db.session.get(Booking, booking_id).session_id
    return [
        ("GET", path(app, "booking.supervisor_home"), {}),
        ("GET", path(app, "booking.supervisor_review", booking_id=booking_id), {}),
        ("POST", path(app, "booking.supervisor_review", booking_id=booking_id), {"decision": "approve"}),
        ("GET", path(app, "booking.supervisor_booking", booking_id=booking_id), {}),
        ("GET", path(app, "booking.supervisor_session", session_id=session_id), {}),
        ("GET", path(app, "booking.supervisor_cancel_booking", booking_id=booking_id), {}),
        ("POST", path(app, "booking.supervisor_cancel_booking", booking_id=booking_id), {"reason": "Ill"}),
        ("GET", path(app, "booking.supervisor_reschedule", booking_id=booking_id), {}),
        ("GET", path(app, "booking.supervisor_cancel_session", session_id=session_id), {}),
        ("POST", path(app, "booking.supervisor_cancel_session", session_id=session_id), {"reason": "Ill"}),
        ("POST", path(app, "booking.supervisor_capacity", session_id=session_id), {"capacity": "3"}),
        ("GET", path(app, "booking.supervisor_schedule_group"), {}),
        ("POST", path(app, "booking.supervisor_schedule_group"), {}),
    ]


@pytest.mark.parametrize("role", ["link_worker", "employer", "admin"])
def test_other_roles_are_refused_everywhere(app, client, make, world, signed_in, role):
    routes = _routes(app, make, world)
    person = {"link_worker": world.link_worker, "employer": world.employer, "admin": world.admin}[role]
    signed_in(person)
    for method, url, data in routes:
        response = client.get(url) if method == "GET" else post(client, url, data)
        assert response.status_code == 403, (role, url)


def test_anonymous_visitors_are_sent_to_sign_in(app, client, make, world):
    for method, url, _data in _routes(app, make, world):
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in"), url


def test_another_supervisors_booking_and_session_answer_404(app, client, make, world, signed_in):
    routes = _routes(app, make, world)
    before = booking_row(app, int(routes[1][1].rsplit("/", 1)[1]))
    signed_in(world.other_supervisor)
    for method, url, data in routes:
        if url.endswith(("/sessions", "/groups/new")):
            continue
        response = client.get(url) if method == "GET" else post(client, url, data)
        assert response.status_code == 404, url
    assert booking_row(app, int(routes[1][1].rsplit("/", 1)[1])) == before


# --- the home page --------------------------------------------------------------------------------

def test_home_lists_requests_oldest_first_with_names_and_expiry(app, client, make, world, signed_in):
    newer = request_booking(make, world, days=3, link_worker=world.second_link_worker,
                            created_at=utcnow() - timedelta(hours=1), hours_left=71.5)
    older = request_booking(make, world, days=6, created_at=utcnow() - timedelta(hours=30), hours_left=41.2)
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_home")))
    assert text.index("Carys Jenkins") < text.index("Huw Parry")
    assert "Expires in 42 hours" in text and "Expires in 72 hours" in text
    assert path(app, "booking.supervisor_review", booking_id=older) in text
    assert path(app, "booking.supervisor_review", booking_id=newer) in text
    for endpoint in ("booking.setup_index", "booking.calendar_feed", "booking.supervisor_schedule_group"):
        assert path(app, endpoint) in text
    assert "Agenda" not in text and "housing case" not in text  # the agenda is for the review page


def test_home_shows_group_places_and_upcoming_one_to_one(app, client, make, world, signed_in):
    group_session = make.supervision_session(world.group, _hour(10))
    people = [make.user(Role.link_worker, organisation=world.link_worker.organisation, name=f"Person {n}")
              for n in range(6)]
    for person in people[:4]:
        make.booking(group_session, person)
    for person in people[4:]:
        make.booking(group_session, person, status="waitlisted")
    confirmed = make.booking(make.supervision_session(world.one_to_one, _hour(4)), world.link_worker)
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_home")))
    assert "4 of 6 places booked, 2 waiting" in text
    assert "Person 0" not in text  # group names only on the session's own page
    assert path(app, "booking.supervisor_session", session_id=group_session) in text
    assert path(app, "booking.supervisor_booking", booking_id=confirmed) in text


def test_home_lists_proposals_awaiting_an_answer(app, client, make, world, signed_in):
    proposed = request_booking(make, world, link_worker=world.second_link_worker, status="proposed")
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_home")))
    proposals = text[text.index("Times you proposed"):]
    assert "Huw Parry" in proposals and path(app, "booking.supervisor_booking", booking_id=proposed) in proposals
    assert path(app, "booking.supervisor_review", booking_id=proposed) not in text


def test_home_lists_recent_sessions_needing_attendance(app, client, make, world, signed_in):
    past = make.booking(make.supervision_session(world.one_to_one, _hour(-2)), world.link_worker)
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_home")))
    assert "Mark attendance" in text and path(app, "booking.supervisor_booking", booking_id=past) in text
    # The coverage of each supervisee, figures only.
    assert "How often the people you supervise have supervision" in text
    assert "Huw Parry" in text


def test_home_queries_are_bounded(app, client, make, world, signed_in):
    def add(count: int, offset: int) -> None:
        for n in range(offset, offset + count):
            person = world.link_worker if n % 2 else world.second_link_worker
            request_booking(make, world, days=2 + n / 10, link_worker=person)
            make.booking(make.supervision_session(world.one_to_one, _hour(-1 - n / 10)), person)
            make.booking(make.supervision_session(world.group, _hour(20 + n / 10)), person)

    def queries() -> int:
        with counting_queries(app) as statements:
            response = client.get(path(app, "booking.supervisor_home"))
        assert response.status_code == 200
        return len(statements)

    signed_in(world.supervisor)
    add(3, 0)
    few = queries()
    add(27, 3)
    assert queries() == few


# --- reviewing a request --------------------------------------------------------------------------

def test_review_shows_the_agenda_and_every_branchs_fields(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_review", booking_id=booking_id)))
    assert "Talk through the housing case" in text and "Carys Jenkins" in text
    # Without JavaScript every branch's fields are on the page.
    for name in ('name="decision"', 'name="reason"', 'name="session_date-day"', 'name="session_time"', 'name="note"'):
        assert name in text


def test_approve(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    signed_in(world.supervisor)
    response = post(client, path(app, "booking.supervisor_review", booking_id=booking_id), {"decision": "approve"})
    assert response.status_code == 302
    assert booking_row(app, booking_id)[0] == BookingStatus.confirmed


def test_decline_needs_a_reason_and_the_reason_is_kept(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    url = path(app, "booking.supervisor_review", booking_id=booking_id)
    signed_in(world.supervisor)
    before = booking_row(app, booking_id)
    response = post(client, url, {"decision": "decline", "reason": "   "})
    assert response.status_code == 400 and "Enter the reason you are declining" in page(response)
    assert booking_row(app, booking_id) == before
    response = post(client, url, {"decision": "decline", "reason": "I am on leave that week"})
    assert response.status_code == 302
    assert booking_row(app, booking_id)[0] == BookingStatus.declined
    text = page(client.get(path(app, "booking.supervisor_booking", booking_id=booking_id)))
    assert "I am on leave that week" in text


@pytest.mark.parametrize("data,message", [
    ({}, "Select whether to approve, decline or propose another time"),
    ({"decision": "maybe"}, "Select whether to approve, decline or propose another time"),
    ({"decision": "propose", "session_date-day": "31", "session_date-month": "2", "session_date-year": "2027",
      "session_time": "10:00"}, "Date must be a real date"),
    ({"decision": "propose", "session_date-day": "1", "session_date-month": "2", "session_date-year": "2027",
      "session_time": "25:00"}, "Enter a time, like 09:30 or 2:15pm"),
    ({"decision": "propose"}, "Enter the date"),
    ({"decision": "propose", "session_date-day": "1", "session_date-month": "2", "session_date-year": "2020",
      "session_time": "10:00"}, "The date and time must be in the future"),
    ({"decision": "propose", "session_date-day": "28", "session_date-month": "3", "session_date-year": "2027",
      "session_time": "01:30"}, "01:30 does not exist on 28 March 2027 because the clocks go forward"),
])
def test_review_bad_input_changes_nothing(app, client, make, world, signed_in, data, message):
    booking_id = request_booking(make, world)
    signed_in(world.supervisor)
    before = booking_row(app, booking_id)
    response = post(client, path(app, "booking.supervisor_review", booking_id=booking_id), data)
    assert response.status_code == 400
    text = page(response)
    assert "There is a problem" in text and message in text
    assert booking_row(app, booking_id) == before


def test_approving_ignores_what_was_typed_in_other_branches(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    signed_in(world.supervisor)
    response = post(client, path(app, "booking.supervisor_review", booking_id=booking_id),
                    {"decision": "approve", "session_time": "nonsense", "reason": "x" * 600})
    assert response.status_code == 302


def test_propose_another_time(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    new_start = _hour(9)
    signed_in(world.supervisor)
    response = post(client, path(app, "booking.supervisor_review", booking_id=booking_id),
                    {"decision": "propose", "note": "Mornings suit me better", **london_parts(new_start)})
    assert response.status_code == 302, page(response)[:2000]
    status, starts_at, _session_status, _events = booking_row(app, booking_id)
    assert status == BookingStatus.proposed and starts_at == new_start


def test_propose_a_time_overlapping_another_session_changes_nothing(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    busy = _hour(9)
    make.booking(make.supervision_session(world.one_to_one, busy), world.second_link_worker)
    signed_in(world.supervisor)
    before = booking_row(app, booking_id)
    response = post(client, path(app, "booking.supervisor_review", booking_id=booking_id),
                    {"decision": "propose", **london_parts(busy + timedelta(minutes=30))})
    assert response.status_code == 409
    assert "There is a problem" in page(response) and "That time is no longer free" in page(response)
    assert booking_row(app, booking_id) == before


def test_a_request_already_dealt_with(app, client, make, world, signed_in):
    booking_id = request_booking(make, world, status="confirmed")
    url = path(app, "booking.supervisor_review", booking_id=booking_id)
    signed_in(world.supervisor)
    assert "This request has already been dealt with" in page(client.get(url))
    before = booking_row(app, booking_id)
    response = post(client, url, {"decision": "decline", "reason": "Too late"})
    assert response.status_code == 409 and "This request has already been dealt with" in page(response)
    assert booking_row(app, booking_id) == before
