"""After booking: reviewing requests and proposals, cancelling, moving, attendance, promotion from the
waiting list, and the expiry and group-minimum rules at a frozen time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from supervision.booking import bookings
from supervision.booking.models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    SessionStatus,
    SupervisionSession,
)
from supervision.extensions import db

from .test_booking_rules import NOW, SLOT, cal, refused, said  # noqa: F401  (cal is a fixture)


def fresh(booking_id: int) -> Booking:
    db.session.expire_all()
    return db.session.get(Booking, booking_id)


def requested(cal) -> Booking:
    cal.make.supervisor_settings(cal.supervisor, requires_approval=True)
    return cal.book()


def test_approve(cal, ctx):
    booking = requested(cal)
    bookings.approve(booking=booking, supervisor=cal.user(cal.supervisor), now=NOW)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.confirmed and booking.expires_at is None
    assert [e.action for e in booking.events] == ["requested", "approved"]
    refused("no_longer_pending", bookings.approve, booking=booking, supervisor=cal.user(cal.supervisor), now=NOW)
    refused("no_longer_pending", bookings.decline, booking=booking, supervisor=cal.user(cal.supervisor),
            reason="No", now=NOW)


def test_only_the_sessions_supervisor_reviews(cal, ctx):
    booking = requested(cal)
    refused("not_yours", bookings.approve, booking=booking, supervisor=cal.user(cal.link_worker), now=NOW)


def test_decline_needs_a_reason_and_frees_the_time(cal, ctx):
    booking = requested(cal)
    supervisor = cal.user(cal.supervisor)
    refused("reason_missing", bookings.decline, booking=booking, supervisor=supervisor, reason="  ", now=NOW)
    refused("reason_too_long", bookings.decline, booking=booking, supervisor=supervisor, reason="x" * 501, now=NOW)
    bookings.decline(booking=booking, supervisor=supervisor, reason="I am at a training day", now=NOW)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.declined
    assert booking.session.status == SessionStatus.cancelled and booking.session.cancelled_at == NOW
    assert booking.events[-1].reason == "I am at a training day"
    cal.book(cal.another_link_worker())  # the time is free again


def test_propose_then_accept(cal, ctx):
    booking = requested(cal)
    supervisor = cal.user(cal.supervisor)
    new_time = SLOT + timedelta(days=1, minutes=30)  # off the grid: the supervisor may choose any time
    refused("no_longer_pending", bookings.accept_proposal, booking=booking, link_worker=cal.user(cal.link_worker),
            now=NOW)
    bookings.propose(booking=booking, supervisor=supervisor, starts_at=new_time, reason="Tuesday is full", now=NOW)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.proposed
    assert (booking.session.starts_at, booking.session.ends_at) == (new_time, new_time + timedelta(hours=1))
    event = booking.events[-1]
    assert (event.action, event.from_starts_at, event.to_starts_at) == ("proposed", SLOT, new_time)
    refused("no_longer_pending", bookings.propose, booking=booking, supervisor=supervisor, starts_at=SLOT,
            reason=None, now=NOW)
    bookings.accept_proposal(booking=booking, link_worker=cal.user(cal.link_worker), now=NOW)
    db.session.commit()
    assert fresh(booking.id).status == BookingStatus.confirmed


def test_propose_checks_the_new_time_and_decline_proposal_cancels(cal, ctx):
    other = cal.book(cal.another_link_worker(), SLOT + timedelta(days=1))
    booking = requested(cal)
    supervisor = cal.user(cal.supervisor)
    refused("taken", bookings.propose, booking=booking, supervisor=supervisor,
            starts_at=other.session.starts_at + timedelta(minutes=70), reason=None, now=NOW)
    refused("in_past", bookings.propose, booking=booking, supervisor=supervisor,
            starts_at=NOW - timedelta(days=1), reason=None, now=NOW)
    bookings.propose(booking=booking, supervisor=supervisor, starts_at=SLOT + timedelta(days=2), reason=None, now=NOW)
    db.session.commit()
    bookings.decline_proposal(booking=fresh(booking.id), link_worker=cal.user(cal.link_worker), reason=None, now=NOW)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.declined and booking.session.status == SessionStatus.cancelled
    assert booking.events[-1].action == "proposal_declined"


def test_link_worker_cancels_before_the_cutoff_only(cal, ctx):
    booking = cal.book()
    link_worker = cal.user(cal.link_worker)
    late = SLOT - timedelta(hours=23)
    error = refused("past_cutoff", bookings.cancel_booking, booking=booking, actor=link_worker, reason="Ill", now=late)
    assert "only your supervisor" in said(error) and cal.supervisor.email in said(error)
    refused("reason_missing", bookings.cancel_booking, booking=booking, actor=link_worker, reason="", now=NOW)
    bookings.cancel_booking(booking=booking, actor=link_worker, reason="A home visit moved", now=NOW)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.cancelled and booking.session.status == SessionStatus.cancelled
    refused("cannot_cancel", bookings.cancel_booking, booking=booking, actor=link_worker, reason="Again", now=NOW)


def test_supervisor_cancels_after_the_cutoff(cal, ctx):
    booking = cal.book()
    bookings.cancel_booking(booking=booking, actor=cal.user(cal.supervisor), reason="Unwell",
                            now=SLOT - timedelta(hours=1))
    db.session.commit()
    event = fresh(booking.id).events[-1]
    assert (event.action, event.actor_id, event.reason) == ("cancelled", cal.supervisor.id, "Unwell")


def test_leaving_a_group_promotes_the_first_in_the_queue(cal, ctx):
    session_id = cal.group(capacity=1, minimum=1)
    first = cal.join(cal.link_worker, session_id)
    people = [cal.another_link_worker() for _ in range(3)]
    waiting = [cal.make.booking(session_id, person, status="waitlisted", created_at=NOW + timedelta(minutes=m))
               for person, m in zip(people, (5, 1, 3))]
    bookings.cancel_booking(booking=first, actor=cal.user(cal.link_worker), reason="Clash", now=NOW)
    db.session.commit()
    statuses = [fresh(i).status for i in waiting]
    assert statuses == [BookingStatus.waitlisted, BookingStatus.confirmed, BookingStatus.waitlisted]
    promoted = fresh(waiting[1]).events[-1]
    assert (promoted.action, promoted.actor_id) == ("promoted", None)
    # Leaving the waiting list frees no place, so nobody else moves up.
    bookings.cancel_booking(booking=fresh(waiting[0]), actor=cal.user(people[0]), reason="No longer", now=NOW)
    db.session.commit()
    assert fresh(waiting[2]).status == BookingStatus.waitlisted


def test_cancelling_a_whole_session(cal, ctx):
    session_id = cal.group(capacity=1, minimum=1)
    ids = [cal.join(person, session_id).id for person in (cal.link_worker, cal.another_link_worker())]
    session = db.session.get(SupervisionSession, session_id)
    refused("not_yours", bookings.cancel_session, session=session, actor=cal.user(cal.link_worker),
            reason="x", now=NOW)
    refused("reason_missing", bookings.cancel_session, session=session, actor=cal.user(cal.supervisor),
            reason="", now=NOW)
    bookings.cancel_session(session=session, actor=cal.user(cal.supervisor), reason="Room flooded", now=NOW)
    db.session.commit()
    assert [fresh(i).status for i in ids] == [BookingStatus.cancelled] * 2
    assert [fresh(i).events[-1].action for i in ids] == ["session_cancelled"] * 2
    assert db.session.get(SupervisionSession, session_id).status == SessionStatus.cancelled


def test_rescheduling_by_the_link_worker_twice_at_most(cal, ctx):
    booking = cal.book()
    link_worker = cal.user(cal.link_worker)
    for day in (1, 2):
        bookings.reschedule(booking=fresh(booking.id), actor=link_worker, starts_at=SLOT + timedelta(days=day),
                            reason="Clinic moved", now=NOW)
        db.session.commit()
    booking = fresh(booking.id)
    assert booking.reschedule_count == 2 and booking.session.starts_at == SLOT + timedelta(days=2)
    event = booking.events[-1]
    assert (event.action, event.from_starts_at, event.to_starts_at) == (
        "rescheduled", SLOT + timedelta(days=1), SLOT + timedelta(days=2))
    error = refused("reschedule_cap", bookings.reschedule, booking=booking, actor=link_worker,
                    starts_at=SLOT + timedelta(days=3), reason="Again", now=NOW)
    assert "twice" in said(error)
    # The supervisor may still move it, and that does not count against the link worker.
    bookings.reschedule(booking=booking, actor=cal.user(cal.supervisor), starts_at=SLOT + timedelta(days=3, minutes=5),
                        reason="Room change", now=NOW)
    db.session.commit()
    assert fresh(booking.id).reschedule_count == 2


def test_rescheduling_refusals(cal, ctx):
    booking = cal.book()
    link_worker = cal.user(cal.link_worker)
    refused("past_cutoff", bookings.reschedule, booking=booking, actor=link_worker,
            starts_at=SLOT + timedelta(days=3), reason="Late", now=SLOT - timedelta(hours=2))
    refused("outside_availability", bookings.reschedule, booking=booking, actor=link_worker,
            starts_at=SLOT + timedelta(days=1, minutes=5), reason="x", now=NOW)
    refused("reason_missing", bookings.reschedule, booking=booking, actor=link_worker,
            starts_at=SLOT + timedelta(days=1), reason=" ", now=NOW)
    cal.book(cal.another_link_worker(), SLOT + timedelta(days=1))
    refused("taken", bookings.reschedule, booking=booking, actor=link_worker,
            starts_at=SLOT + timedelta(days=1), reason="x", now=NOW)


def test_marking_attendance(cal, ctx):
    booking = cal.book()
    supervisor = cal.user(cal.supervisor)
    refused("cannot_mark", bookings.mark_attendance, booking=booking, supervisor=supervisor, attended=True, now=NOW)
    after = SLOT + timedelta(minutes=5)
    bookings.mark_attendance(booking=booking, supervisor=supervisor, attended=False, now=after)
    bookings.mark_attendance(booking=booking, supervisor=supervisor, attended=True, now=after)
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.attendance == Attendance.attended
    assert [e.action for e in booking.events][-2:] == ["no_show", "attended"]


def test_requests_expire_once(cal, ctx):
    booking = requested(cal)
    assert bookings.expire_requests(now=NOW + timedelta(hours=71)) == 0
    db.session.commit()
    assert bookings.expire_requests(now=NOW + timedelta(hours=72)) == 1
    db.session.commit()
    booking = fresh(booking.id)
    assert booking.status == BookingStatus.expired and booking.session.status == SessionStatus.cancelled
    assert (booking.events[-1].action, booking.events[-1].actor_id) == ("expired", None)
    assert bookings.expire_requests(now=NOW + timedelta(hours=80)) == 0


@pytest.mark.parametrize("joined, cancelled", [(1, True), (2, False)])
def test_groups_below_their_minimum_are_cancelled_a_day_before(cal, ctx, joined, cancelled):
    session_id = cal.group(minimum=2)
    ids = [cal.join(person, session_id).id for person in [cal.link_worker, cal.another_link_worker()][:joined]]
    assert bookings.cancel_groups_below_minimum(now=SLOT - timedelta(hours=25)) == 0
    db.session.commit()
    check = SLOT - timedelta(hours=24)
    assert bookings.cancel_groups_below_minimum(now=check) == int(cancelled)
    db.session.commit()
    session = db.session.get(SupervisionSession, session_id)
    assert session.minimum_checked_at == check
    assert (session.status == SessionStatus.cancelled) is cancelled
    expected = BookingStatus.cancelled if cancelled else BookingStatus.confirmed
    assert [fresh(i).status for i in ids] == [expected] * joined
    assert bookings.cancel_groups_below_minimum(now=check + timedelta(hours=1)) == 0
    actions = db.session.scalars(select(BookingEvent.action).where(BookingEvent.action == "below_minimum")).all()
    assert len(actions) == (joined if cancelled else 0)
