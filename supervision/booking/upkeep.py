"""The booking jobs' rules: requests nobody reviewed expire, and group sessions short of their
minimum are cancelled 24 hours before. Both are idempotent: a row they have dealt with no longer
matches what they look for, so running them twice changes nothing the second time."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from . import events, messages
from .events import Action
from .locking import lock_calendars
from .models import Booking, BookingStatus, SessionKind, SessionStatus, SupervisionSession
from .steps import cancel_session_row, cancel_with_everyone, confirmed_count, set_status

MINIMUM_CHECK_BEFORE = timedelta(hours=24)


def _due_requests(now: datetime):
    return (select(Booking).join(SupervisionSession, SupervisionSession.id == Booking.session_id)
            .where(Booking.status.in_((BookingStatus.requested, BookingStatus.proposed)),
                   Booking.expires_at <= now)
            .order_by(Booking.expires_at, Booking.id))


def expire_requests(*, now: datetime) -> int:
    """Requests unreviewed for REQUEST_EXPIRY_HOURS (or by the time the session would start)
    expire, as do proposed times nobody answered before they came; each link worker is told.
    Idempotent."""
    due = db.session.execute(
        _due_requests(now).with_only_columns(SupervisionSession.supervisor_id, Booking.link_worker_id)
    ).all()
    if not due:
        return 0
    # Lock everyone concerned before the first write, then read again: a supervisor may have
    # approved one of these requests in the meantime.
    lock_calendars(*{person for row in due for person in row})
    bookings = db.session.scalars(_due_requests(now).execution_options(populate_existing=True)).all()
    # A lapsed proposal is the supervisor's own suggestion going unanswered: both are told.
    actions = {booking.id: Action.proposal_expired if booking.status == BookingStatus.proposed else Action.expired
               for booking in bookings}
    for booking in bookings:
        set_status(booking, BookingStatus.expired, now)
        cancel_session_row(booking.session, now)
    db.session.flush()
    for booking in bookings:
        action = actions[booking.id]
        events.record(booking, action, actor=None, now=now)
        messages.announce(booking, action, now=now, to_link_worker=True,
                          to_supervisor=action == Action.proposal_expired)
    return len(bookings)


def _due_groups(now: datetime):
    return (select(SupervisionSession)
            .where(SupervisionSession.kind == SessionKind.group, SupervisionSession.status == SessionStatus.active,
                   SupervisionSession.minimum_checked_at.is_(None),
                   SupervisionSession.starts_at > now, SupervisionSession.starts_at <= now + MINIMUM_CHECK_BEFORE)
            .order_by(SupervisionSession.starts_at, SupervisionSession.id))


def cancel_groups_below_minimum(*, now: datetime) -> int:
    """24 hours before a group session, cancel it (with notice) if it has not reached its minimum.
    Each session is looked at once. Idempotent. Says how many sessions it cancelled."""
    supervisor_ids = set(db.session.scalars(_due_groups(now).with_only_columns(SupervisionSession.supervisor_id)))
    if not supervisor_ids:
        return 0
    lock_calendars(*supervisor_ids)
    cancelled = 0
    for session in db.session.scalars(_due_groups(now).execution_options(populate_existing=True)).all():
        session.minimum_checked_at = now
        if confirmed_count(session.id) >= session.min_attendees:
            continue
        cancelled += 1
        cancel_with_everyone(session, Action.below_minimum, actor=None, now=now)
        messages.announce_session_change(session, Action.below_minimum, now=now)
    db.session.flush()
    return cancelled
