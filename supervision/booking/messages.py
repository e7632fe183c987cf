"""Telling people about bookings: an in-app notification and an email carrying an RFC 5545 .ics file.

Emails name no other attendee and carry no agenda or record text. A group attendee's calendar
file is their own booking's entry (Booking.uid/sequence); the supervisor's is the session's
(SupervisionSession.uid/sequence).

OWNER: helper "calendar". The signature below is the contract the booking rules call.
"""
from __future__ import annotations

from datetime import datetime

from .events import Action
from .models import Booking, SupervisionSession


def announce(booking: Booking, action: Action, *, now: datetime, to_link_worker: bool = True,
             to_supervisor: bool = True) -> None:
    """Tell the link worker and/or the supervisor what just happened to this booking. Raises the
    sequence of each calendar entry it changes; cancellations use METHOD:CANCEL. Call after the
    booking and session rows hold their new state. Deduplicated per booking, action and sequence."""
    raise NotImplementedError


def announce_session_change(session: SupervisionSession, action: Action, *, now: datetime) -> None:
    """Tell the supervisor about a change to their session as a whole (a group session cancelled
    or moved), with the session's own calendar entry."""
    raise NotImplementedError
