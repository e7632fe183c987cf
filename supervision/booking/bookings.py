"""Booking rules: booking, joining groups and waiting lists, reviewing requests, proposals,
cancelling, rescheduling, promotion, expiry and the group minimum.

Every function here flushes and never commits: the route (or job) commits once. Every function
that creates or moves a booking calls locking.lock_calendars first. Every step is recorded as a
BookingEvent (events.record) and announced to the people concerned through messages.announce,
which sends the in-app notification and the email with its .ics file. Rule breaks raise
errors.BookingError (or SlotTaken), which routes show in the GOV.UK error summary.

OWNER: helper "core". The signatures below are the contract other modules code against.
"""
from __future__ import annotations

from datetime import datetime

from ..accounts.models import User
from .models import Booking, SessionType, SupervisionSession


def book(*, link_worker: User, session_type: SessionType, starts_at: datetime, agenda: str | None,
         now: datetime | None = None) -> Booking:
    """Book a one-to-one slot with one of the link worker's supervisors. Confirmed at once, or a
    request that expires after REQUEST_EXPIRY_HOURS, as the supervisor's settings say."""
    raise NotImplementedError


def join_group(*, link_worker: User, session: SupervisionSession, agenda: str | None = None,
               now: datetime | None = None) -> Booking:
    """A place in a group session, or a place on its waiting list when it is full."""
    raise NotImplementedError


def schedule_group_session(*, supervisor: User, session_type: SessionType, starts_at: datetime,
                           now: datetime | None = None) -> SupervisionSession:
    """The supervisor puts a group peer-supervision session of this type on their calendar."""
    raise NotImplementedError


def change_capacity(*, session: SupervisionSession, supervisor: User, capacity: int, min_attendees: int,
                    now: datetime | None = None) -> None:
    """Change a group session's places; never below the places already taken. A larger capacity
    promotes from the waiting list."""
    raise NotImplementedError


def approve(*, booking: Booking, supervisor: User, now: datetime | None = None) -> None:
    raise NotImplementedError


def decline(*, booking: Booking, supervisor: User, reason: str, now: datetime | None = None) -> None:
    """Decline a request with a reason the link worker sees. Frees the time."""
    raise NotImplementedError


def propose(*, booking: Booking, supervisor: User, starts_at: datetime, reason: str | None,
            now: datetime | None = None) -> None:
    """Propose another time for a request; the time is held until the link worker answers."""
    raise NotImplementedError


def accept_proposal(*, booking: Booking, link_worker: User, now: datetime | None = None) -> None:
    raise NotImplementedError


def decline_proposal(*, booking: Booking, link_worker: User, reason: str | None,
                     now: datetime | None = None) -> None:
    raise NotImplementedError


def cancel_booking(*, booking: Booking, actor: User, reason: str, now: datetime | None = None) -> None:
    """The link worker withdraws (or leaves a group or its waiting list), or the supervisor cancels
    a one-to-one booking. Obeys permissions.can_cancel. A freed group place promotes the waiting list."""
    raise NotImplementedError


def cancel_session(*, session: SupervisionSession, actor: User, reason: str,
                   now: datetime | None = None) -> None:
    """The supervisor cancels a whole session; everyone booked or waiting is told."""
    raise NotImplementedError


def reschedule(*, booking: Booking, actor: User, starts_at: datetime, reason: str,
               now: datetime | None = None) -> None:
    """Move a one-to-one booking. Obeys permissions.can_reschedule (cut-off, cap of two for the
    link worker) and the slot rules; raises BookingError otherwise."""
    raise NotImplementedError


def mark_attendance(*, booking: Booking, supervisor: User, attended: bool, now: datetime | None = None) -> None:
    raise NotImplementedError


def expire_requests(*, now: datetime) -> int:
    """Requests unreviewed for REQUEST_EXPIRY_HOURS expire; each link worker is told. Idempotent."""
    raise NotImplementedError


def cancel_groups_below_minimum(*, now: datetime) -> int:
    """24 hours before a group session, cancel it (with notice) if it has not reached its minimum.
    Each session is looked at once. Idempotent."""
    raise NotImplementedError


def agenda_prefill(*, link_worker: User, supervisor: User, now: datetime | None = None) -> str:
    """The agenda a new booking starts with: the "what I'll try next" actions of reflections
    currently shared with this supervisor, and the actions agreed at the last recorded session."""
    raise NotImplementedError
