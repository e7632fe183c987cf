"""Small steps the booking rules share: re-reading rows after the lock, reasons, cancelling a
session, promoting a waiting list, and keeping "until the next session" shares in step."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from ..reflections.sharing import sync_next_session_shares
from . import events, messages
from .errors import BookingError
from .events import Action
from .models import (
    MAX_AGENDA,
    MAX_REASON,
    Booking,
    BookingStatus,
    SessionKind,
    SessionStatus,
    SupervisionSession,
)


def now_or_utcnow(now: datetime | None) -> datetime:
    return now or utcnow()


def reload_booking(booking: Booking) -> Booking:
    """The booking and its session as they are now, read after the lock (another request may have
    changed them between the page loading and the lock being taken)."""
    fresh = db.session.get(Booking, booking.id, populate_existing=True)
    db.session.get(SupervisionSession, fresh.session_id, populate_existing=True)
    return fresh


def reload_session(session: SupervisionSession) -> SupervisionSession:
    return db.session.get(SupervisionSession, session.id, populate_existing=True)


def required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BookingError("reason_missing", _l("Enter a reason."), field="reason")
    if len(reason) > MAX_REASON:
        raise BookingError("reason_too_long", _l("The reason must be %(max)s characters or fewer.", max=MAX_REASON),
                           field="reason")
    return reason


def optional_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    return required_reason(reason) if reason else None


def clean_agenda(agenda: str | None) -> str | None:
    agenda = (agenda or "").strip()
    if len(agenda) > MAX_AGENDA:
        raise BookingError("agenda_too_long", _l("The agenda must be %(max)s characters or fewer.", max=MAX_AGENDA),
                           field="agenda")
    return agenda or None


def not_pending() -> BookingError:
    return BookingError("no_longer_pending", _l("This request has already been dealt with. Nothing was changed."))


def require_future(session: SupervisionSession, now: datetime) -> None:
    if session.status != SessionStatus.active:
        raise BookingError("session_cancelled", _l("This session has been cancelled. Nothing was changed."))
    if session.starts_at <= now:
        raise BookingError("in_past", _l("This session has already started. Nothing was changed."))


def cancel_session_row(session: SupervisionSession, now: datetime) -> None:
    session.status = SessionStatus.cancelled
    session.cancelled_at = now


def cancel_with_everyone(session: SupervisionSession, action: Action, *, actor: User | None, now: datetime,
                         reason: str | None = None) -> list[Booking]:
    """Cancel a whole session: every open booking (places and waiting list) is cancelled, recorded
    with `action` and announced to its link worker. Call with the supervisor's calendar locked."""
    cancel_session_row(session, now)
    bookings = open_bookings(session.id)
    for booking in bookings:
        set_status(booking, BookingStatus.cancelled, now)
    db.session.flush()
    for booking in bookings:
        events.record(booking, action, actor=actor, now=now, reason=reason)
        messages.announce(booking, action, now=now, to_link_worker=True, to_supervisor=False)
    return bookings


def set_status(booking: Booking, status: BookingStatus, now: datetime) -> None:
    booking.status = status
    booking.updated_at = now
    if status not in (BookingStatus.requested, BookingStatus.proposed):
        booking.expires_at = None


def confirmed_count(session_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Booking)
        .where(Booking.session_id == session_id, Booking.status == BookingStatus.confirmed)
    ) or 0


def open_bookings(session_id: int) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id,
               Booking.status.in_((BookingStatus.requested, BookingStatus.proposed,
                                   BookingStatus.confirmed, BookingStatus.waitlisted)))
        .order_by(Booking.created_at, Booking.id)
    ))


def promote_waiting_list(session: SupervisionSession, now: datetime) -> list[Booking]:
    """Fill the free places of a group session from its waiting list, first come first served.
    Someone who has meanwhile booked another session at that time is passed over (and keeps their
    place in the queue). Call with the supervisor's calendar locked."""
    from .locking import lock_calendars
    from .queries import link_workers_busy

    free = session.capacity - confirmed_count(session.id)
    if free <= 0 or session.status != SessionStatus.active or session.starts_at <= now:
        return []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.waitlisted)
        .order_by(Booking.created_at, Booking.id)
    ).all()
    # On PostgreSQL, hold the waiting people's calendars too, so that none of them books the same
    # time elsewhere while they are promoted (SQLite already holds its single write lock).
    if waiting and db.session.get_bind().dialect.name == "postgresql":
        lock_calendars(*(booking.link_worker_id for booking in waiting))
    promoted: list[Booking] = []
    for booking in waiting:
        if len(promoted) == free:
            break
        if link_workers_busy((booking.link_worker_id,), session.starts_at, session.ends_at):
            continue
        set_status(booking, BookingStatus.confirmed, now)
        db.session.flush()
        events.record(booking, Action.promoted, actor=None, now=now)
        messages.announce(booking, Action.promoted, now=now, to_link_worker=True, to_supervisor=False)
        promoted.append(booking)
    return promoted


def sync_shares(booking: Booking, now: datetime) -> None:
    """A one-to-one session was confirmed, moved or cancelled: "next session" shares follow it."""
    if booking.session.kind == SessionKind.one_to_one:
        sync_next_session_shares(booking.link_worker_id, booking.session.supervisor_id, now)
