"""A supervisor changing their calendar: one booking or session, cancelling, moving, changing a
group's places and scheduling a group session. Bad input changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.booking.models import Booking, BookingStatus, SessionStatus, SupervisionSession
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import post, sign_in
from .test_booking_supervisor import (  # noqa: F401  (world is a fixture)
    _hour,
    booking_row,
    london_parts,
    page,
    path,
    request_booking,
    session_row,
    world,
)


# --- one booking, one session ---------------------------------------------------------------------

def test_booking_page_shows_name_agenda_history_and_actions(app, client, make, world, signed_in):
    booking_id = request_booking(make, world)
    signed_in(world.supervisor)
    post(client, path(app, "booking.supervisor_review", booking_id=booking_id), {"decision": "approve"})
    text = page(client.get(path(app, "booking.supervisor_booking", booking_id=booking_id)))
    assert "Supervision with Carys Jenkins" in text and "Talk through the housing case" in text
    assert "Approved" in text and "by Rhodri Evans" in text
    assert path(app, "booking.supervisor_cancel_booking", booking_id=booking_id) in text
    assert path(app, "booking.supervisor_reschedule", booking_id=booking_id) in text
    # Attendance and the record come once the session has started.
    assert path(app, "booking.supervisor_attendance", booking_id=booking_id) not in text


def test_a_started_session_offers_attendance_and_the_record(app, client, make, world, signed_in):
    booking_id = make.booking(make.supervision_session(world.one_to_one, _hour(-1)), world.link_worker)
    signed_in(world.supervisor)
    text = page(client.get(path(app, "booking.supervisor_booking", booking_id=booking_id)))
    assert f'action="{path(app, "booking.supervisor_attendance", booking_id=booking_id)}"' in text
    assert 'name="attendance"' in text and 'value="no_show"' in text
    assert path(app, "booking.record", booking_id=booking_id) in text
    assert path(app, "booking.supervisor_cancel_booking", booking_id=booking_id) not in text


def _group_with(make, world, confirmed: int, waiting: int = 0) -> tuple[int, list]:
    session_id = make.supervision_session(world.group, _hour(10))
    people = [world.link_worker, world.second_link_worker] + [
        make.user(Role.link_worker, organisation=world.link_worker.organisation, name=f"Attendee {n}")
        for n in range(confirmed + waiting - 2)]
    for n, person in enumerate(people):
        make.booking(session_id, person, status="confirmed" if n < confirmed else "waitlisted",
                     created_at=utcnow() - timedelta(hours=50 - n))
    return session_id, people


def test_group_session_names_attendees_and_waiting_list_to_its_supervisor_only(app, client, make, world, signed_in):
    session_id, people = _group_with(make, world, confirmed=2, waiting=2)
    url = path(app, "booking.supervisor_session", session_id=session_id)
    attendee = app.test_client()
    sign_in(attendee, world.link_worker.email)
    assert attendee.get(url).status_code == 403
    with app.app_context():
        own = db.session.scalar(select(Booking.id).where(Booking.session_id == session_id,
                                                        Booking.link_worker_id == world.link_worker.id))
    own_page = attendee.get(path(app, "booking.booking_view", booking_id=own))
    assert own_page.status_code == 200 and "Huw Parry" not in page(own_page) and "Attendee 0" not in page(own_page)
    signed_in(world.supervisor)
    text = page(client.get(url))
    assert "2 of 6 places booked" in text
    assert "Carys Jenkins" in text and "Huw Parry" in text
    waiting = text[text.index("Waiting list"):]
    assert waiting.index("Attendee 0") < waiting.index("Attendee 1")
    assert path(app, "booking.supervisor_capacity", session_id=session_id) in text
    assert path(app, "booking.supervisor_cancel_session", session_id=session_id) in text


def test_capacity_below_bookings_changes_nothing(app, client, make, world, signed_in):
    session_id, _people = _group_with(make, world, confirmed=4)
    url = path(app, "booking.supervisor_capacity", session_id=session_id)
    signed_in(world.supervisor)
    before = session_row(app, session_id)
    response = post(client, url, {"capacity": "3", "min_attendees": "2"})
    assert response.status_code == 400
    assert "There is a problem" in page(response) and "4 people have a place already" in page(response)
    assert session_row(app, session_id) == before
    for data, message in [({"capacity": "many", "min_attendees": "2"}, "Enter a whole number"),
                          ({"capacity": "31", "min_attendees": "2"}, "Enter a number from 1 to 30"),
                          ({"capacity": "5", "min_attendees": "6"}, "The minimum cannot be more than the number of places")]:
        response = post(client, url, data)
        assert response.status_code == 400 and message in page(response), data
    assert session_row(app, session_id) == before
    response = post(client, url, {"capacity": "8", "min_attendees": "3"})
    assert response.status_code == 302
    assert session_row(app, session_id)[2:] == (8, 3)


def test_cancel_a_booking_needs_a_reason(app, client, make, world, signed_in):
    booking_id = make.booking(make.supervision_session(world.one_to_one, _hour(6)), world.link_worker)
    url = path(app, "booking.supervisor_cancel_booking", booking_id=booking_id)
    signed_in(world.supervisor)
    assert "Why are you cancelling?" in page(client.get(url))
    before = booking_row(app, booking_id)
    response = post(client, url, {"reason": ""})
    assert response.status_code == 400 and "Enter the reason you are cancelling" in page(response)
    assert booking_row(app, booking_id) == before
    assert post(client, url, {"reason": "I am unwell"}).status_code == 302
    status, _start, session_status, _events = booking_row(app, booking_id)
    assert status == BookingStatus.cancelled and session_status == SessionStatus.cancelled
    # Once cancelled, there is nothing left to cancel.
    response = post(client, url, {"reason": "Again"})
    assert response.status_code == 409 and "can no longer be cancelled" in page(response)


def test_cancel_a_group_session(app, client, make, world, signed_in):
    session_id, _people = _group_with(make, world, confirmed=2, waiting=1)
    url = path(app, "booking.supervisor_cancel_session", session_id=session_id)
    signed_in(world.supervisor)
    before = session_row(app, session_id)
    response = post(client, url, {"reason": "  "})
    assert response.status_code == 400 and session_row(app, session_id) == before
    assert post(client, url, {"reason": "The room is closed"}).status_code == 302
    assert session_row(app, session_id)[0] == SessionStatus.cancelled
    with app.app_context():
        statuses = set(db.session.scalars(select(Booking.status).where(Booking.session_id == session_id)))
    assert statuses == {BookingStatus.cancelled}


def test_reschedule(app, client, make, world, signed_in):
    booking_id = make.booking(make.supervision_session(world.one_to_one, _hour(6)), world.link_worker)
    url = path(app, "booking.supervisor_reschedule", booking_id=booking_id)
    new_start = _hour(8)
    signed_in(world.supervisor)
    before = booking_row(app, booking_id)
    for data, message in [(london_parts(new_start), "Enter the reason you are moving the session"),
                          ({**london_parts(new_start), "session_time": "9:75", "reason": "Clash"},
                           "Enter a time, like 09:30 or 2:15pm"),
                          ({**london_parts(_hour(-3)), "reason": "Clash"}, "The date and time must be in the future")]:
        response = post(client, url, data)
        assert response.status_code == 400 and message in page(response), data
    assert booking_row(app, booking_id) == before
    response = post(client, url, {**london_parts(new_start), "reason": "A training day"})
    assert response.status_code == 302
    status, starts_at, _session_status, _events = booking_row(app, booking_id)
    assert status == BookingStatus.confirmed and starts_at == new_start


def test_reschedule_onto_another_session_changes_nothing(app, client, make, world, signed_in):
    booking_id = make.booking(make.supervision_session(world.one_to_one, _hour(6)), world.link_worker)
    busy = _hour(8)
    make.booking(make.supervision_session(world.one_to_one, busy), world.second_link_worker)
    signed_in(world.supervisor)
    before = booking_row(app, booking_id)
    response = post(client, path(app, "booking.supervisor_reschedule", booking_id=booking_id),
                    {**london_parts(busy), "reason": "Clash"})
    assert response.status_code == 409 and "That time is no longer free" in page(response)
    assert booking_row(app, booking_id) == before


# --- scheduling a group session -------------------------------------------------------------------

def _sessions_of(app, supervisor) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SupervisionSession.id))
                                 .where(SupervisionSession.supervisor_id == supervisor.id))


def test_schedule_a_group_session(app, client, make, world, signed_in):
    url = path(app, "booking.supervisor_schedule_group")
    signed_in(world.supervisor)
    text = page(client.get(url))
    assert "Ogmore peer group" in text and "Teifi peer group" not in text
    start = _hour(12)
    response = post(client, url, {"session_type": str(world.group), **london_parts(start)})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(SupervisionSession).where(SupervisionSession.supervisor_id == world.supervisor.id))
        assert session.starts_at == start and session.capacity == 6 and session.min_attendees == 2
        assert response.headers["Location"].endswith(f"/sessions/{session.id}")


@pytest.mark.parametrize("data,message", [
    ({}, "Select the kind of group session"),
    ({"session_type": "other"}, "Select one of your group sessions"),
    ({"session_type": "one_to_one"}, "Select one of your group sessions"),
    ({"session_type": "group", "session_date-day": "1", "session_date-month": "13", "session_date-year": "2027",
      "session_time": "10:00"}, "Date must be a real date"),
    ({"session_type": "group", "session_date-day": "1", "session_date-month": "2", "session_date-year": "2027"},
     "Enter the start time"),
    ({"session_type": "group", "session_date-day": "1", "session_date-month": "2", "session_date-year": "2021",
      "session_time": "10:00"}, "The date and time must be in the future"),
    ({"session_type": "group", "session_date-day": "28", "session_date-month": "3", "session_date-year": "2027",
      "session_time": "1:15am"}, "01:15 does not exist on 28 March 2027"),
])
def test_schedule_group_bad_input_changes_nothing(app, client, make, world, signed_in, data, message):
    ids = {"other": str(world.other_group), "one_to_one": str(world.one_to_one), "group": str(world.group)}
    if "session_type" in data:
        data = {**data, "session_type": ids[data["session_type"]]}
    signed_in(world.supervisor)
    response = post(client, path(app, "booking.supervisor_schedule_group"), data)
    assert response.status_code == 400
    assert "There is a problem" in page(response) and message in page(response)
    assert _sessions_of(app, world.supervisor) == 0


def test_schedule_group_over_another_session_changes_nothing(app, client, make, world, signed_in):
    busy = _hour(12)
    make.booking(make.supervision_session(world.one_to_one, busy), world.link_worker)
    signed_in(world.supervisor)
    response = post(client, path(app, "booking.supervisor_schedule_group"),
                    {"session_type": str(world.group), **london_parts(busy + timedelta(minutes=15))})
    assert response.status_code == 409 and "That time is no longer free" in page(response)
    assert _sessions_of(app, world.supervisor) == 1


def test_schedule_group_without_a_group_type_points_to_settings(app, client, make, signed_in):
    supervisor = make.user(Role.supervisor, name="Nia Owen")
    signed_in(supervisor)
    text = page(client.get(path(app, "booking.supervisor_schedule_group")))
    assert "You do not offer group peer supervision yet" in text
    assert path(app, "booking.setup_index") in text
