"""Booking rules: booking, joining groups and waiting lists, reviewing requests, proposals,
cancelling, rescheduling, promotion, expiry and the group minimum.

Every function here flushes and never commits: the route (or job) commits once. Every function
that creates or moves a booking calls locking.lock_calendars first. Every step is recorded as a
BookingEvent (events.record) and announced to the people concerned through messages.announce,
which sends the in-app notification and the email with its .ics file. Rule breaks raise
errors.BookingError (or SlotTaken), which routes show in the GOV.UK error summary.

This module holds booking, groups and requests; changes.py (cancelling, rescheduling, attendance),
upkeep.py (the jobs) and agenda.py hold the rest, and are re-exported here so that callers
need only this module.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from . import events, messages
from .agenda import agenda_prefill
from .changes import cancel_booking, cancel_session, mark_attendance, reschedule
from .errors import BookingError
from .events import Action
from .loaders import settings_for
from .locking import lock_calendars
from .models import (
    CAPACITY,
    REQUEST_EXPIRY_HOURS,
    Booking,
    BookingStatus,
    SessionKind,
    SessionType,
    SupervisionSession,
)
from .permissions import can_book_with, can_join_group
from .queries import link_workers_busy
from .reviews import accept_proposal, approve, decline, decline_proposal, propose
from .slots import check_bookable, check_supervisor_free
from .steps import (
    clean_agenda,
    confirmed_count,
    now_or_utcnow,
    promote_waiting_list,
    reload_session,
    sync_shares,
)
from .upkeep import cancel_groups_below_minimum, expire_requests

__all__ = [
    "book", "join_group", "schedule_group_session", "change_capacity", "approve", "decline", "propose",
    "accept_proposal", "decline_proposal", "cancel_booking", "cancel_session", "reschedule",
    "mark_attendance", "expire_requests", "cancel_groups_below_minimum", "agenda_prefill",
]


GROUP_NOTICE = timedelta(hours=24)


def _new_session(session_type: SessionType, starts_at: datetime) -> SupervisionSession:
    """A session copying the type's details, so later changes to the type leave it alone."""
    session = SupervisionSession(
        supervisor_id=session_type.supervisor_id, organisation_id=session_type.organisation_id,
        session_type_id=session_type.id, kind=session_type.kind, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.length_minutes), capacity=session_type.capacity,
        min_attendees=session_type.min_attendees, location_kind=session_type.location_kind,
        address=session_type.address, online_link=session_type.online_link,
    )
    db.session.add(session)
    return session


def _unavailable() -> BookingError:
    return BookingError("type_unavailable", _l("This kind of session is no longer offered. Choose another."))


def book(*, link_worker: User, session_type: SessionType, starts_at: datetime, agenda: str | None,
         now: datetime | None = None) -> Booking:
    """Book a one-to-one slot with one of the link worker's supervisors. Confirmed at once, or a
    request that expires after REQUEST_EXPIRY_HOURS, as the supervisor's settings say."""
    now = now_or_utcnow(now)
    lock_calendars(session_type.supervisor_id, link_worker.id)
    session_type = db.session.get(SessionType, session_type.id, populate_existing=True)
    supervisor = db.session.get(User, session_type.supervisor_id)
    if not can_book_with(link_worker, supervisor):
        raise BookingError("not_your_supervisor", _l("You can only book supervision with your own supervisors."))
    if not session_type.active or session_type.kind != SessionKind.one_to_one:
        raise _unavailable()
    agenda = clean_agenda(agenda)
    check_bookable(session_type, starts_at, now=now, link_worker_id=link_worker.id)
    settings = settings_for(supervisor.id)
    session = _new_session(session_type, starts_at)
    needs_approval = settings.requires_approval
    booking = Booking(
        session=session, link_worker_id=link_worker.id, agenda=agenda, created_at=now, updated_at=now,
        status=BookingStatus.requested if needs_approval else BookingStatus.confirmed,
        # A request left unreviewed lapses after 72 hours, or when its time comes if that is sooner.
        expires_at=min(now + timedelta(hours=REQUEST_EXPIRY_HOURS), starts_at) if needs_approval else None,
    )
    db.session.add(booking)
    db.session.flush()
    action = Action.requested if needs_approval else Action.booked
    events.record(booking, action, actor=link_worker, now=now)
    # A confirmation gives both people the calendar file; a request goes to the supervisor to review.
    messages.announce(booking, action, now=now, to_link_worker=not needs_approval, to_supervisor=True)
    if not needs_approval:
        sync_shares(booking, now)
    return booking


def join_group(*, link_worker: User, session: SupervisionSession, agenda: str | None = None,
               now: datetime | None = None) -> Booking:
    """A place in a group session, or a place on its waiting list when it is full."""
    now = now_or_utcnow(now)
    # The supervisor's lock serialises everyone joining this session, so the count below is exact.
    lock_calendars(session.supervisor_id, link_worker.id)
    session = reload_session(session)
    if not can_join_group(link_worker, session):
        raise BookingError("not_open", _l("This group session is not open to you."))
    if session.starts_at <= now:
        raise BookingError("in_past", _l("This session has already started. Choose another session."))
    settings = settings_for(session.supervisor_id)
    if session.starts_at < now + timedelta(hours=settings.min_notice_hours):
        raise BookingError("too_soon", _l("Places must be booked at least %(hours)s hours ahead.",
                                          hours=settings.min_notice_hours))
    agenda = clean_agenda(agenda)
    already = db.session.scalar(
        select(Booking.id).where(Booking.session_id == session.id, Booking.link_worker_id == link_worker.id,
                                 Booking.status.in_((BookingStatus.requested, BookingStatus.proposed,
                                                     BookingStatus.confirmed, BookingStatus.waitlisted)))
    )
    if already is not None:
        raise BookingError("already_booked", _l("You already have a place in this session, or on its waiting list."))
    if link_workers_busy((link_worker.id,), session.starts_at, session.ends_at):
        raise BookingError("clash", _l("You already have a session at that time."))
    full = confirmed_count(session.id) >= session.capacity
    booking = Booking(session_id=session.id, link_worker_id=link_worker.id, agenda=agenda, created_at=now,
                      updated_at=now, status=BookingStatus.waitlisted if full else BookingStatus.confirmed)
    db.session.add(booking)
    db.session.flush()
    action = Action.waitlisted if full else Action.joined
    events.record(booking, action, actor=link_worker, now=now)
    messages.announce(booking, action, now=now, to_link_worker=True, to_supervisor=not full)
    return booking


def schedule_group_session(*, supervisor: User, session_type: SessionType, starts_at: datetime,
                           now: datetime | None = None) -> SupervisionSession:
    """The supervisor puts a group peer-supervision session of this type on their calendar."""
    now = now_or_utcnow(now)
    lock_calendars(supervisor.id)
    session_type = db.session.get(SessionType, session_type.id, populate_existing=True)
    if (session_type.supervisor_id != supervisor.id or session_type.kind != SessionKind.group
            or not session_type.active):
        raise _unavailable()
    # The group-minimum check runs 24 hours before: a group scheduled later than that would be
    # cancelled before anyone could join it.
    if now < starts_at < now + GROUP_NOTICE:
        raise BookingError("group_too_soon", _l("Schedule a group session at least 24 hours ahead, so that "
                                                "people have time to join it."), field="starts_at")
    check_supervisor_free(supervisor.id, starts_at, starts_at + timedelta(minutes=session_type.length_minutes),
                          now=now)
    session = _new_session(session_type, starts_at)
    db.session.flush()
    return session


def change_capacity(*, session: SupervisionSession, supervisor: User, capacity: int, min_attendees: int,
                    now: datetime | None = None) -> None:
    """Change a group session's places; never below the places already taken. A larger capacity
    promotes from the waiting list."""
    now = now_or_utcnow(now)
    lock_calendars(supervisor.id)
    session = reload_session(session)
    if session.supervisor_id != supervisor.id or session.kind != SessionKind.group:
        raise BookingError("not_yours", _l("You can only change your own group sessions."))
    booked = confirmed_count(session.id)
    if capacity < booked:
        raise BookingError("capacity_below_bookings",
                           _ln("%(num)s person has a place already. The number of places must be at least %(num)s.",
                               "%(num)s people have a place already. The number of places must be at least %(num)s.",
                               booked), field="capacity")
    if not CAPACITY[0] <= capacity <= CAPACITY[1]:
        raise BookingError("capacity_range", _l("The number of places must be between %(low)s and %(high)s.",
                                                low=CAPACITY[0], high=CAPACITY[1]), field="capacity")
    if not 1 <= min_attendees <= capacity:
        raise BookingError("minimum_range", _l("The minimum must be between 1 and the number of places."),
                           field="min_attendees")
    session.capacity, session.min_attendees = capacity, min_attendees
    db.session.flush()
    promote_waiting_list(session, now)
