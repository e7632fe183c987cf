"""Booking a one-to-one slot, joining a group, scheduling groups and changing their places: each
rule, and each refusal with its code and message, changing nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import func, select

from supervision.accounts.models import Role, User
from supervision.booking import bookings
from supervision.booking.errors import BookingError, SlotTaken
from supervision.booking.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    SessionType,
    SupervisionSession,
)
from supervision.extensions import db

from .test_booking_slots import supervision_pair

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # Monday, GMT
SLOT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tuesday 09:00


@dataclass
class Setup:
    make: object
    supervisor: object
    link_worker: object
    type_id: int

    def user(self, person) -> User:
        return db.session.get(User, person.id)

    def kind(self, type_id: int | None = None) -> SessionType:
        return db.session.get(SessionType, type_id or self.type_id)

    def another_link_worker(self):
        person = self.make.user(Role.link_worker, organisation=self.link_worker.organisation)
        self.make.assign(self.supervisor, person)
        return person

    def book(self, person=None, starts_at=SLOT, *, now=NOW, agenda=None) -> Booking:
        booking = bookings.book(link_worker=self.user(person or self.link_worker), session_type=self.kind(),
                                starts_at=starts_at, agenda=agenda, now=now)
        db.session.commit()
        return booking

    def group(self, starts_at=SLOT, *, capacity=3, minimum=2) -> int:
        group_type = self.make.session_type(self.supervisor, kind="group", capacity=capacity,
                                            min_attendees=minimum)
        return self.make.supervision_session(group_type, starts_at)

    def join(self, person, session_id, *, now=NOW) -> Booking:
        booking = bookings.join_group(link_worker=self.user(person),
                                      session=db.session.get(SupervisionSession, session_id), now=now)
        db.session.commit()
        return booking


@pytest.fixture
def cal(make) -> Setup:
    supervisor, link_worker, type_id = supervision_pair(make)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "17:00")
    return Setup(make, supervisor, link_worker, type_id)


def row_counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (SupervisionSession, Booking, BookingEvent))


def said(error: BookingError) -> str:
    """The message as the person reads it (in English: translations need a request)."""
    with current_app.test_request_context():
        return str(error.message)


def refused(code: str, call, *args, **kwargs) -> BookingError:
    """Run a service that must refuse with `code`, and show it changed nothing."""
    before = row_counts()
    with pytest.raises(BookingError) as error:
        call(*args, **kwargs)
    db.session.rollback()
    assert error.value.code == code
    assert row_counts() == before
    return error.value


def test_booking_confirms_at_once_and_copies_the_type(cal, ctx):
    booking = cal.book(agenda="  Talk about boundaries  ")
    assert booking.status == BookingStatus.confirmed and booking.expires_at is None
    assert booking.agenda == "Talk about boundaries"
    session = booking.session
    assert (session.starts_at, session.ends_at) == (SLOT, SLOT + timedelta(minutes=60))
    assert session.online_link == "https://meet.example.org/cwtch-room"
    assert session.supervisor_id == cal.supervisor.id and session.capacity == 1
    assert [(e.action, e.actor_id) for e in booking.events] == [("booked", cal.link_worker.id)]


def test_booking_needs_approval_when_the_supervisor_says_so(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, requires_approval=True)
    booking = cal.book()
    assert booking.status == BookingStatus.requested
    assert booking.expires_at == NOW + timedelta(hours=72)
    assert [e.action for e in booking.events] == ["requested"]


@pytest.mark.parametrize("starts_at, code, words", [
    (datetime(2026, 11, 1, 9, 0, tzinfo=UTC), "in_past", "passed"),
    (datetime(2026, 11, 2, 16, 0, tzinfo=UTC), "too_soon", "24 hours"),
    (datetime(2027, 1, 5, 9, 0, tzinfo=UTC), "too_far", "56 days"),
    (datetime(2026, 11, 10, 9, 10, tzinfo=UTC), "outside_availability", "not one of the times"),
    (datetime(2026, 11, 10, 17, 0, tzinfo=UTC), "outside_availability", "not one of the times"),
])
def test_booking_refuses_bad_times(cal, ctx, starts_at, code, words):
    error = refused(code, cal.book, starts_at=starts_at)
    assert words in said(error)


def test_booking_during_leave_names_the_cover(cal, ctx):
    cal.make.block(cal.supervisor, SLOT - timedelta(days=1), SLOT + timedelta(days=2),
                   cover_note="Ask Rhys Morgan, who covers.")
    error = refused("blocked", cal.book)
    assert said(error) == "Siân Evans is on leave at that time. Ask Rhys Morgan, who covers."
    cal.make.block(cal.supervisor, SLOT + timedelta(days=7), SLOT + timedelta(days=7, hours=1))
    assert "on leave" in said(refused("blocked", cal.book, starts_at=SLOT + timedelta(days=7)))


def test_booking_over_the_weekly_cap(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, weekly_cap=1)
    cal.book(cal.another_link_worker(), SLOT + timedelta(days=1))
    refused("weekly_cap", cal.book)
    cal.book(starts_at=SLOT + timedelta(days=7))  # the next week is open


def test_a_taken_time_or_its_buffer_is_slot_taken(cal, ctx):
    cal.book(cal.another_link_worker())
    error = refused("taken", cal.book)
    assert isinstance(error, SlotTaken) and "just taken" in said(error)
    # A session made elsewhere at 12:50 to 13:50 holds 12:35 to 14:05 with its buffer.
    session_id = cal.make.supervision_session(cal.type_id, SLOT + timedelta(minutes=230))
    cal.make.booking(session_id, cal.another_link_worker())
    refused("taken", cal.book, starts_at=SLOT + timedelta(minutes=4 * 75))  # 14:00, only in the buffer
    cal.book(starts_at=SLOT + timedelta(minutes=5 * 75))  # 15:15 is free


def test_a_link_worker_cannot_be_in_two_places(cal, ctx):
    other = cal.make.user(Role.supervisor, organisation=cal.link_worker.organisation)
    cal.make.assign(other, cal.link_worker)
    other_type = cal.make.session_type(other)
    cal.make.window(other, 1, "09:00", "12:00")
    cal.book()
    with pytest.raises(SlotTaken):
        bookings.book(link_worker=cal.user(cal.link_worker), session_type=cal.kind(other_type),
                      starts_at=SLOT, agenda=None, now=NOW)
    db.session.rollback()


def test_booking_only_with_ones_own_supervisor_and_an_offered_type(cal, ctx):
    stranger = cal.make.user(Role.link_worker, organisation=cal.link_worker.organisation)
    refused("not_your_supervisor", cal.book, stranger)
    archived = cal.make.session_type(cal.supervisor, active=False)
    group = cal.make.session_type(cal.supervisor, kind="group")
    for type_id in (archived, group):
        refused("type_unavailable", bookings.book, link_worker=cal.user(cal.link_worker),
                session_type=cal.kind(type_id), starts_at=SLOT, agenda=None, now=NOW)


def test_agenda_has_a_limit(cal, ctx):
    refused("agenda_too_long", cal.book, agenda="x" * 5001)


# --- groups -------------------------------------------------------------------------------------

def test_joining_fills_places_then_the_waiting_list(cal, ctx):
    session_id = cal.group(capacity=2)
    people = [cal.link_worker, cal.another_link_worker(), cal.another_link_worker()]
    statuses = [cal.join(person, session_id).status for person in people]
    assert statuses == [BookingStatus.confirmed, BookingStatus.confirmed, BookingStatus.waitlisted]
    assert db.session.scalars(select(BookingEvent.action).order_by(BookingEvent.id)).all() == [
        "joined", "joined", "waitlisted"]
    refused("already_booked", cal.join, people[2], session_id)
    refused("already_booked", cal.join, people[0], session_id)


def test_joining_refusals(cal, ctx):
    session_id = cal.group()
    refused("in_past", cal.join, cal.link_worker, session_id, now=SLOT + timedelta(minutes=1))
    refused("too_soon", cal.join, cal.link_worker, session_id, now=SLOT - timedelta(hours=2))
    outsider = cal.make.user(Role.link_worker)  # another organisation
    refused("not_open", cal.join, outsider, session_id)
    cal.book(starts_at=SLOT + timedelta(minutes=75 + 75))  # 11:30, outside the group's hour
    clash = cal.group(SLOT + timedelta(hours=2))
    refused("clash", cal.join, cal.link_worker, clash)


def test_scheduling_a_group_session(cal, ctx):
    group_type = cal.make.session_type(cal.supervisor, kind="group", capacity=4, min_attendees=2, length=90)
    supervisor = cal.user(cal.supervisor)
    session = bookings.schedule_group_session(supervisor=supervisor, session_type=cal.kind(group_type),
                                              starts_at=SLOT, now=NOW)
    db.session.commit()
    assert (session.capacity, session.min_attendees, session.ends_at) == (4, 2, SLOT + timedelta(minutes=90))
    assert session.bookings == []
    refused("taken", bookings.schedule_group_session, supervisor=supervisor, session_type=cal.kind(group_type),
            starts_at=SLOT + timedelta(minutes=100), now=NOW)  # inside the 15-minute buffer
    refused("in_past", bookings.schedule_group_session, supervisor=supervisor, session_type=cal.kind(group_type),
            starts_at=NOW - timedelta(hours=1), now=NOW)
    refused("type_unavailable", bookings.schedule_group_session, supervisor=supervisor,
            session_type=cal.kind(), starts_at=SLOT + timedelta(days=1), now=NOW)
    someone = cal.user(cal.make.user(Role.supervisor, organisation=cal.link_worker.organisation))
    refused("type_unavailable", bookings.schedule_group_session, supervisor=someone,
            session_type=cal.kind(group_type), starts_at=SLOT + timedelta(days=1), now=NOW)
    cal.make.block(cal.supervisor, SLOT + timedelta(days=2), SLOT + timedelta(days=3))
    refused("blocked", bookings.schedule_group_session, supervisor=supervisor, session_type=cal.kind(group_type),
            starts_at=SLOT + timedelta(days=2), now=NOW)


def test_changing_capacity(cal, ctx):
    session_id = cal.group(capacity=2, minimum=1)
    people = [cal.link_worker] + [cal.another_link_worker() for _ in range(3)]
    for person in people:
        cal.join(person, session_id)
    supervisor = cal.user(cal.supervisor)

    def change(capacity, minimum):
        bookings.change_capacity(session=db.session.get(SupervisionSession, session_id), supervisor=supervisor,
                                 capacity=capacity, min_attendees=minimum, now=NOW)

    error = refused("capacity_below_bookings", change, 1, 1)
    assert "2 people have a place" in said(error)
    refused("capacity_range", change, 31, 1)
    refused("minimum_range", change, 3, 4)
    refused("minimum_range", change, 3, 0)
    refused("not_yours", bookings.change_capacity, session=db.session.get(SupervisionSession, session_id),
            supervisor=cal.user(cal.link_worker), capacity=3, min_attendees=1, now=NOW)
    change(3, 2)
    db.session.commit()
    statuses = db.session.scalars(select(Booking.status).order_by(Booking.created_at, Booking.id)).all()
    assert statuses == [BookingStatus.confirmed] * 3 + [BookingStatus.waitlisted]
    assert db.session.get(SupervisionSession, session_id).min_attendees == 2


def test_free_slots_after_booking_leave_out_the_booked_time(cal, ctx):
    from supervision.booking.slots import free_slots

    cal.book()
    found = free_slots(cal.user(cal.supervisor), cal.kind(), now=NOW, start=date(2026, 11, 10), days=1)
    assert SLOT not in [s.starts_at for s in found]
