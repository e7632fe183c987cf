"""The record of a supervision session: kept by either party after it starts, seen by both and by
nobody else, encrypted, announced without its text; and the supervisor marking attendance."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from supervision.accounts.models import Role, User
from supervision.booking import records
from supervision.booking.errors import BookingError
from supervision.booking.models import MAX_RECORD_SECTION, Attendance, Booking, SessionRecord
from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail

from .conftest import post, sign_in

SECRET = "We talked about the safeguarding referral for the family on Heol Las"
ACTIONS = "Read the lone-working policy\r\n\r\n  Book a debrief after home visits  "


@dataclass
class World:
    organisation: object
    link_worker: object
    supervisor: object
    other_link_worker: object
    other_supervisor: object
    admin: object
    employer: object
    session_type_id: int
    booking_id: int


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Cwm Taf Connect")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    other_link_worker = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    other_supervisor = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    make.assign(supervisor, link_worker, organisation)
    make.assign(other_supervisor, other_link_worker, organisation)
    session_type_id = make.session_type(supervisor)
    session_id = make.supervision_session(session_type_id, utcnow() - timedelta(hours=2))
    return World(organisation, link_worker, supervisor, other_link_worker, other_supervisor,
                 make.user(Role.admin, organisation=organisation, name="Gareth Price"),
                 make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
                 session_type_id, make.booking(session_id, link_worker))


def _booking(booking_id: int) -> Booking:
    return db.session.get(Booking, booking_id)


def _user(person) -> User:
    return db.session.get(User, person.id)


def _save(world, person, now=None, **sections):
    values = {"normative": None, "formative": None, "restorative": None, "actions": None, **sections}
    return records.save_record(booking=_booking(world.booking_id), user=_user(person), now=now or utcnow(),
                               **values)


def client_for(app, person):
    """A browser of its own, signed in as this person."""
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- the service --------------------------------------------------------------------------------

def test_either_party_keeps_the_record_and_the_other_is_told_without_the_text(app, world):
    with app.app_context():
        record = _save(world, world.link_worker, normative=SECRET, actions=ACTIONS)
        db.session.commit()
        assert record.actions == "Read the lone-working policy\nBook a debrief after home visits"
        assert record.updated_by_id == world.link_worker.id
        notes = db.session.scalars(select(Notification).where(Notification.kind == "session_record_updated")).all()
        assert [n.user_id for n in notes] == [world.supervisor.id]
        emails = db.session.scalars(select(OutboundEmail)).all()
        assert emails and all(SECRET not in (e.text_body + e.html_body) for e in emails)
        assert all("lone-working" not in (e.text_body + e.html_body) for e in emails)

        later = utcnow() + timedelta(minutes=5)
        again = _save(world, world.supervisor, now=later, formative="Learning about benefits")
        db.session.commit()
        assert again.id == record.id and again.normative is None and again.formative == "Learning about benefits"
        told = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "session_record_updated").order_by(Notification.id)).all()
        assert told == [world.supervisor.id, world.link_worker.id]


def test_the_record_is_encrypted_at_rest(app, world):
    with app.app_context():
        _save(world, world.supervisor, normative=SECRET, restorative="Tired but coping", actions=ACTIONS)
        db.session.commit()
        row = db.session.execute(sql("SELECT normative, restorative, actions FROM session_record")).one()
    assert all(value and "safeguarding" not in value and "coping" not in value and "policy" not in value
               for value in row)


@pytest.mark.parametrize("sections, code", [
    ({}, "record_empty"),
    ({"normative": "   ", "actions": "\n \n"}, "record_empty"),
    ({"formative": "x" * (MAX_RECORD_SECTION + 1)}, "record_too_long"),
])
def test_a_record_needs_some_text_and_not_too_much(app, world, sections, code):
    with app.app_context(), pytest.raises(BookingError) as error:
        _save(world, world.link_worker, **sections)
    assert error.value.code == code
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.id)) is None


def test_no_record_before_the_start_after_a_no_show_or_by_a_stranger(app, make, world):
    future = make.supervision_session(world.session_type_id, utcnow() + timedelta(days=2))
    future_booking = make.booking(future, world.link_worker)
    with app.app_context():
        with pytest.raises(BookingError) as error:
            records.save_record(booking=_booking(future_booking), user=_user(world.link_worker), normative="x",
                                formative=None, restorative=None, actions=None, now=utcnow())
        assert error.value.code == "record_not_allowed"
        with pytest.raises(BookingError):
            _save(world, world.other_supervisor, normative="x")
        _booking(world.booking_id).attendance = Attendance.no_show
        with pytest.raises(BookingError):
            _save(world, world.supervisor, normative="x")


def test_last_agreed_actions_come_from_the_latest_recorded_session_between_the_two(app, make, world):
    older = make.supervision_session(world.session_type_id, utcnow() - timedelta(days=30))
    older_booking = make.booking(older, world.link_worker)
    other_type = make.session_type(world.other_supervisor)
    elsewhere = make.booking(make.supervision_session(other_type, utcnow() - timedelta(hours=1)), world.link_worker)
    with app.app_context():
        assert records.last_agreed_actions(world.link_worker.id, world.supervisor.id) == []
        records.save_record(booking=_booking(older_booking), user=_user(world.supervisor), normative=None,
                            formative=None, restorative=None, actions="Old action", now=utcnow())
        assert records.last_agreed_actions(world.link_worker.id, world.supervisor.id) == ["Old action"]
        _save(world, world.supervisor, actions=ACTIONS)
        records.save_record(booking=_booking(elsewhere), user=_user(world.link_worker), normative=None,
                            formative=None, restorative=None, actions="Not this supervisor's", now=utcnow())
        assert records.last_agreed_actions(world.link_worker.id, world.supervisor.id) == [
            "Read the lone-working policy", "Book a debrief after home visits"]
        assert records.last_agreed_actions(world.other_link_worker.id, world.supervisor.id) == []


# --- the pages ----------------------------------------------------------------------------------

def test_both_parties_see_the_form_with_the_three_headings(app, world):
    for person in (world.link_worker, world.supervisor):
        client = client_for(app, person)
        response = client.get(f"/supervision/bookings/{world.booking_id}/record")
        assert response.status_code == 200
        text = page(response)
        for words in ("Normative", "Standards, safeguarding, policy", "Formative", "Learning and skills",
                      "Restorative", "Wellbeing and how you are coping", "Agreed actions"):
            assert words in text
        assert ('name="attendance"' in text) is (person is world.supervisor)


@pytest.mark.parametrize("who", ["other_link_worker", "other_supervisor", "admin", "employer"])
def test_nobody_else_reaches_the_record(app, client, world, signed_in, who):
    with app.app_context():
        _save(world, world.link_worker, normative=SECRET)
        db.session.commit()
    signed_in(getattr(world, who))
    assert client.get(f"/supervision/bookings/{world.booking_id}/record").status_code == 404
    assert post(client, f"/supervision/bookings/{world.booking_id}/record", {"normative": "x"}).status_code == 404
    assert post(client, f"/supervision/bookings/{world.booking_id}/attendance",
                {"attendance": "attended"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.normative)) == SECRET


def test_saving_the_record_shows_who_updated_it(app, client, world, signed_in):
    signed_in(world.link_worker)
    response = post(client, f"/supervision/bookings/{world.booking_id}/record",
                    {"normative": SECRET, "actions": ACTIONS})
    assert response.status_code == 302
    text = page(client.get(response.headers["Location"]))
    assert "Last updated by Carys Jenkins" in text and SECRET in text
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.updated_by_id)) == world.link_worker.id


def test_a_bad_record_keeps_what_was_typed_and_changes_nothing(app, client, world, signed_in):
    signed_in(world.supervisor)
    response = post(client, f"/supervision/bookings/{world.booking_id}/record",
                    {"normative": "y" * (MAX_RECORD_SECTION + 1), "restorative": "Kept text"})
    assert response.status_code == 400
    text = page(response)
    assert "There is a problem" in text and "Kept text" in text
    response = post(client, f"/supervision/bookings/{world.booking_id}/record", {"normative": "  "})
    assert response.status_code == 400 and "at least one heading" in page(response)
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.id)) is None


def test_no_record_form_before_the_session_starts(app, client, make, world, signed_in):
    future = make.booking(make.supervision_session(world.session_type_id, utcnow() + timedelta(days=2)),
                          world.link_worker)
    signed_in(world.link_worker)
    text = page(client.get(f"/supervision/bookings/{future}/record"))
    assert 'name="normative"' not in text and "once the session has started" in text
    response = post(client, f"/supervision/bookings/{future}/record", {"normative": "Too early"})
    assert response.status_code == 400 and "There is a problem" in page(response)
    with app.app_context():
        assert db.session.scalar(select(SessionRecord.id)) is None


def test_the_supervisor_marks_attendance_and_the_link_worker_cannot(app, world):
    client = client_for(app, world.link_worker)
    assert post(client, f"/supervision/bookings/{world.booking_id}/attendance",
                {"attendance": "no_show"}).status_code == 404
    client = client_for(app, world.supervisor)
    response = post(client, f"/supervision/bookings/{world.booking_id}/attendance", {})
    assert response.status_code == 400 and "Select whether they attended" in page(response)
    response = post(client, f"/supervision/bookings/{world.booking_id}/attendance", {"attendance": "attended"})
    assert response.status_code == 302
    with app.app_context():
        assert _booking(world.booking_id).attendance == Attendance.attended
