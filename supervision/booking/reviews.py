"""The supervisor's review of a request (approve, decline, propose another time) and the link
worker's answer to a proposal. Each locks both calendars first and re-reads the booking."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from . import events, messages
from .errors import BookingError
from .events import Action
from .locking import lock_calendars
from .models import Booking, BookingStatus, SessionStatus
from .slots import check_supervisor_free
from .steps import (
    cancel_session_row,
    not_pending,
    now_or_utcnow,
    optional_reason,
    reload_booking,
    require_future,
    required_reason,
    set_status,
    sync_shares,
)


def _locked(booking: Booking, person: User, *, supervisor: bool, expected: BookingStatus) -> Booking:
    """Lock both calendars, re-read the booking, and check it is this person's and still pending."""
    lock_calendars(booking.session.supervisor_id, booking.link_worker_id)
    booking = reload_booking(booking)
    owner = booking.session.supervisor_id if supervisor else booking.link_worker_id
    if owner != person.id:
        raise BookingError("not_yours", _l("This booking is not yours to change."))
    if booking.status != expected:
        raise not_pending()
    return booking


def approve(*, booking: Booking, supervisor: User, now: datetime | None = None) -> None:
    now = now_or_utcnow(now)
    booking = _locked(booking, supervisor, supervisor=True, expected=BookingStatus.requested)
    require_future(booking.session, now)
    set_status(booking, BookingStatus.confirmed, now)
    db.session.flush()
    events.record(booking, Action.approved, actor=supervisor, now=now)
    messages.announce(booking, Action.approved, now=now, to_link_worker=True, to_supervisor=True)
    sync_shares(booking, now)


def decline(*, booking: Booking, supervisor: User, reason: str, now: datetime | None = None) -> None:
    """Decline a request with a reason the link worker sees. Frees the time."""
    now = now_or_utcnow(now)
    booking = _locked(booking, supervisor, supervisor=True, expected=BookingStatus.requested)
    reason = required_reason(reason)
    set_status(booking, BookingStatus.declined, now)
    cancel_session_row(booking.session, now)
    db.session.flush()
    events.record(booking, Action.declined, actor=supervisor, now=now, reason=reason)
    messages.announce(booking, Action.declined, now=now, to_link_worker=True, to_supervisor=False)


def propose(*, booking: Booking, supervisor: User, starts_at: datetime, reason: str | None,
            now: datetime | None = None) -> None:
    """Propose another time for a request; the time is held until the link worker answers."""
    now = now_or_utcnow(now)
    booking = _locked(booking, supervisor, supervisor=True, expected=BookingStatus.requested)
    reason = optional_reason(reason)
    session = booking.session
    if session.status != SessionStatus.active:
        raise not_pending()
    length = session.ends_at - session.starts_at
    check_supervisor_free(supervisor.id, starts_at, starts_at + length, now=now,
                          link_worker_ids=(booking.link_worker_id,), ignore_session_id=session.id)
    moved_from = session.starts_at
    session.starts_at, session.ends_at = starts_at, starts_at + length
    set_status(booking, BookingStatus.proposed, now)
    # An unanswered proposal holds the time only until that time comes; then it expires.
    booking.expires_at = starts_at
    db.session.flush()
    events.record(booking, Action.proposed, actor=supervisor, now=now, reason=reason,
                  from_starts_at=moved_from, to_starts_at=starts_at)
    messages.announce(booking, Action.proposed, now=now, to_link_worker=True, to_supervisor=False)


def accept_proposal(*, booking: Booking, link_worker: User, now: datetime | None = None) -> None:
    now = now_or_utcnow(now)
    booking = _locked(booking, link_worker, supervisor=False, expected=BookingStatus.proposed)
    require_future(booking.session, now)
    set_status(booking, BookingStatus.confirmed, now)
    db.session.flush()
    events.record(booking, Action.proposal_accepted, actor=link_worker, now=now)
    messages.announce(booking, Action.proposal_accepted, now=now, to_link_worker=True, to_supervisor=True)
    sync_shares(booking, now)


def decline_proposal(*, booking: Booking, link_worker: User, reason: str | None,
                     now: datetime | None = None) -> None:
    now = now_or_utcnow(now)
    booking = _locked(booking, link_worker, supervisor=False, expected=BookingStatus.proposed)
    reason = optional_reason(reason)
    set_status(booking, BookingStatus.declined, now)
    cancel_session_row(booking.session, now)
    db.session.flush()
    events.record(booking, Action.proposal_declined, actor=link_worker, now=now, reason=reason)
    messages.announce(booking, Action.proposal_declined, now=now, to_link_worker=False, to_supervisor=True)
