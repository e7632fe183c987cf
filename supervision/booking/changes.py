"""Changing a booking once made: cancelling it or its whole session, moving it, and marking who came.

Cancelling and moving lock both calendars first and re-read the booking, so that two people acting
at once cannot both win, and a freed group place goes to the waiting list exactly once.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from . import events, messages
from .errors import BookingError
from .events import Action
from .loaders import settings_for
from .locking import lock_calendars
from .models import RESCHEDULE_CAP, Attendance, Booking, BookingStatus, SessionKind, SupervisionSession
from .permissions import can_cancel, can_mark_attendance, can_reschedule, cutoff_for
from .slots import check_bookable, check_supervisor_free
from .steps import (
    cancel_session_row,
    cancel_with_everyone,
    now_or_utcnow,
    promote_waiting_list,
    reload_booking,
    reload_session,
    require_future,
    required_reason,
    set_status,
    sync_shares,
)


def _too_late(booking: Booking, doing: str) -> BookingError:
    supervisor = booking.session.supervisor
    if doing == "cancel":
        message = _l("It is too late to cancel this session online: only your supervisor can cancel it now. "
                     "Contact %(name)s at %(email)s.", name=supervisor.name, email=supervisor.email)
    else:
        message = _l("It is too late to move this session online: only your supervisor can move it now. "
                     "Contact %(name)s at %(email)s.", name=supervisor.name, email=supervisor.email)
    return BookingError("past_cutoff", message)


def cancel_booking(*, booking: Booking, actor: User, reason: str, now: datetime | None = None) -> None:
    """The link worker withdraws (or leaves a group or its waiting list), or the supervisor cancels
    a one-to-one booking. Obeys permissions.can_cancel. A freed group place promotes the waiting list."""
    now = now_or_utcnow(now)
    lock_calendars(booking.session.supervisor_id, booking.link_worker_id)
    booking = reload_booking(booking)
    session = booking.session
    settings = settings_for(session.supervisor_id)
    if not can_cancel(actor, booking, now, settings):
        if (actor.id == booking.link_worker_id and booking.status == BookingStatus.confirmed
                and cutoff_for(session, settings) <= now < session.starts_at):
            raise _too_late(booking, "cancel")
        raise BookingError("cannot_cancel", _l("This booking can no longer be cancelled. Nothing was changed."))
    reason = required_reason(reason)
    held_place = booking.status == BookingStatus.confirmed
    set_status(booking, BookingStatus.cancelled, now)
    if session.kind == SessionKind.one_to_one:
        cancel_session_row(session, now)
    db.session.flush()
    events.record(booking, Action.cancelled, actor=actor, now=now, reason=reason)
    by_supervisor = actor.id == session.supervisor_id
    messages.announce(booking, Action.cancelled, now=now, to_link_worker=by_supervisor,
                      to_supervisor=not by_supervisor)
    if session.kind == SessionKind.group and held_place:
        promote_waiting_list(session, now)
    sync_shares(booking, now)


def cancel_session(*, session: SupervisionSession, actor: User, reason: str,
                   now: datetime | None = None) -> None:
    """The supervisor cancels a whole session; everyone booked or waiting is told."""
    now = now_or_utcnow(now)
    lock_calendars(session.supervisor_id)
    session = reload_session(session)
    if actor.id != session.supervisor_id:
        raise BookingError("not_yours", _l("You can only cancel your own sessions."))
    require_future(session, now)
    reason = required_reason(reason)
    for booking in cancel_with_everyone(session, Action.session_cancelled, actor=actor, now=now, reason=reason):
        sync_shares(booking, now)
    if session.kind == SessionKind.group:
        messages.announce_session_change(session, Action.session_cancelled, now=now)


def reschedule(*, booking: Booking, actor: User, starts_at: datetime, reason: str,
               now: datetime | None = None) -> None:
    """Move a one-to-one booking. Obeys permissions.can_reschedule (cut-off, cap of two for the
    link worker) and the slot rules; raises BookingError otherwise."""
    now = now_or_utcnow(now)
    lock_calendars(booking.session.supervisor_id, booking.link_worker_id)
    booking = reload_booking(booking)
    session = booking.session
    settings = settings_for(session.supervisor_id)
    by_link_worker = actor.id == booking.link_worker_id
    if not can_reschedule(actor, booking, now, settings):
        if by_link_worker and booking.status == BookingStatus.confirmed and now < session.starts_at:
            if booking.reschedule_count >= RESCHEDULE_CAP:
                raise BookingError("reschedule_cap", _l(
                    "You have already moved this booking twice, which is as many times as you can. "
                    "Cancel it and book again, or ask your supervisor to move it."))
            if now >= cutoff_for(session, settings):
                raise _too_late(booking, "move")
        raise BookingError("cannot_reschedule", _l("This booking can no longer be moved. Nothing was changed."))
    reason = required_reason(reason)
    length = session.ends_at - session.starts_at
    if by_link_worker:
        check_bookable(session.session_type, starts_at, now=now, link_worker_id=booking.link_worker_id,
                       ignore_session_id=session.id)
    # The session keeps its own length, which may differ from its type's if the type changed since:
    # check the time it will really take, for the link worker's moves too.
    check_supervisor_free(session.supervisor_id, starts_at, starts_at + length, now=now,
                          link_worker_ids=(booking.link_worker_id,), ignore_session_id=session.id)
    moved_from = session.starts_at
    session.starts_at, session.ends_at = starts_at, starts_at + length
    if by_link_worker:
        booking.reschedule_count += 1
    booking.updated_at = now
    db.session.flush()
    events.record(booking, Action.rescheduled, actor=actor, now=now, reason=reason,
                  from_starts_at=moved_from, to_starts_at=starts_at)
    # A new time is like a new confirmation: both calendars need the updated entry.
    messages.announce(booking, Action.rescheduled, now=now, to_link_worker=True, to_supervisor=True)
    sync_shares(booking, now)


def mark_attendance(*, booking: Booking, supervisor: User, attended: bool, now: datetime | None = None) -> None:
    now = now_or_utcnow(now)
    if not can_mark_attendance(supervisor, booking, now):
        raise BookingError("cannot_mark", _l("You can record attendance once the session has started."))
    booking.attendance = Attendance.attended if attended else Attendance.no_show
    booking.updated_at = now
    db.session.flush()
    events.record(booking, Action.attended if attended else Action.no_show, actor=supervisor, now=now)
