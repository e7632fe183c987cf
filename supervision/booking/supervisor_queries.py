"""What a supervisor's pages read: the request queue, proposals, upcoming and recent sessions, and
a group session's attendees. Each is a fixed number of queries, whatever the number of bookings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.models import User
from ..extensions import db
from .models import (
    Attendance,
    Booking,
    BookingEvent,
    BookingStatus,
    SessionKind,
    SessionRecord,
    SessionStatus,
    SupervisionSession,
)

UPCOMING_WEEKS = 8
# How far back a session still asks for its attendance or its record on the home page.
RECENT_DAYS = 28
RECENT_LIMIT = 50


@dataclass
class UpcomingSession:
    session: SupervisionSession
    # The one-to-one's confirmed booking; None for a group.
    booking: Booking | None
    booked: int
    waiting: int


@dataclass
class PastBooking:
    booking: Booking
    needs_attendance: bool
    needs_record: bool


def _bookings_of(supervisor: User):
    return (select(Booking).join(Booking.session)
            .options(contains_eager(Booking.session), joinedload(Booking.link_worker))
            .where(SupervisionSession.supervisor_id == supervisor.id))


def pending(supervisor: User, status: BookingStatus) -> list[Booking]:
    """Requests (or proposals) waiting on someone, oldest first, so the queue is fair."""
    query = (_bookings_of(supervisor)
             .where(Booking.status == status, SupervisionSession.status == SessionStatus.active)
             .order_by(Booking.created_at, Booking.id))
    return list(db.session.scalars(query).unique())


def upcoming(supervisor: User, now: datetime) -> list[UpcomingSession]:
    """Active sessions in the next eight weeks: every group, and each confirmed one-to-one."""
    sessions = db.session.scalars(
        select(SupervisionSession)
        .options(selectinload(SupervisionSession.bookings).joinedload(Booking.link_worker),
                 joinedload(SupervisionSession.session_type))
        .where(SupervisionSession.supervisor_id == supervisor.id,
               SupervisionSession.status == SessionStatus.active,
               SupervisionSession.ends_at > now,
               SupervisionSession.starts_at < now + timedelta(weeks=UPCOMING_WEEKS))
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).unique()
    rows = []
    for session in sessions:
        confirmed = [b for b in session.bookings if b.status == BookingStatus.confirmed]
        waiting = sum(1 for b in session.bookings if b.status == BookingStatus.waitlisted)
        if session.kind == SessionKind.one_to_one:
            if not confirmed:
                continue  # a request or a proposal: shown in the queue instead
            rows.append(UpcomingSession(session, confirmed[0], 1, 0))
        else:
            rows.append(UpcomingSession(session, None, len(confirmed), waiting))
    return rows


def needing_follow_up(supervisor: User, now: datetime) -> list[PastBooking]:
    """Recent confirmed bookings whose attendance is not marked, or that were attended and have
    no record yet. Most recent first."""
    query = (_bookings_of(supervisor)
             .outerjoin(SessionRecord, SessionRecord.booking_id == Booking.id)
             .add_columns(SessionRecord.id)
             .where(Booking.status == BookingStatus.confirmed,
                    SupervisionSession.status == SessionStatus.active,
                    SupervisionSession.starts_at <= now,
                    SupervisionSession.starts_at >= now - timedelta(days=RECENT_DAYS),
                    (Booking.attendance.is_(None))
                    | ((Booking.attendance == Attendance.attended) & SessionRecord.id.is_(None)))
             .order_by(SupervisionSession.starts_at.desc(), Booking.id)
             .limit(RECENT_LIMIT))
    return [PastBooking(booking, booking.attendance is None, record_id is None)
            for booking, record_id in db.session.execute(query).unique()]


def attendees(session: SupervisionSession) -> tuple[list[Booking], list[Booking]]:
    """A session's confirmed bookings and its waiting list, in the order places were taken.
    Only the supervisor who runs the session is ever shown these names."""
    bookings = list(db.session.scalars(
        select(Booking).options(joinedload(Booking.link_worker))
        .where(Booking.session_id == session.id,
               Booking.status.in_((BookingStatus.confirmed, BookingStatus.waitlisted,
                                   BookingStatus.requested, BookingStatus.proposed)))
        .order_by(Booking.created_at, Booking.id)
    ))
    waiting = [b for b in bookings if b.status == BookingStatus.waitlisted]
    return [b for b in bookings if b.status != BookingStatus.waitlisted], waiting


def history(booking: Booking) -> list[BookingEvent]:
    """The booking's steps with who took them, oldest first."""
    return list(db.session.scalars(
        select(BookingEvent).options(joinedload(BookingEvent.actor))
        .where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.created_at, BookingEvent.id)
    ))
