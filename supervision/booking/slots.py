"""Free one-to-one slots: availability windows (Europe/London wall clock) minus sessions, buffers,
blocks, the minimum notice, the booking horizon and the weekly cap. Pure computation over rows
loaded in a fixed number of queries, so the page costs the same whatever the number of bookings.

OWNER: helper "core". The signatures below are the contract other modules code against.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..accounts.models import User
from .models import SessionType

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC; half-open: [starts_at, ends_at)
    session_type_id: int


def free_slots(supervisor: User, session_type: SessionType, *, now: datetime,
               start: date | None = None, days: int | None = None,
               link_worker_id: int | None = None, ignore_session_id: int | None = None) -> list[Slot]:
    """The free slots of this one-to-one type, in time order, from `start` (a London date; default
    today) for `days` days (default: up to the supervisor's maximum days ahead), never before
    now + minimum notice nor beyond now + maximum days ahead. When `link_worker_id` is given, times
    when that person already has a session are left out too. `ignore_session_id` leaves one
    session out of the busy times (for rescheduling it)."""
    raise NotImplementedError


def check_bookable(session_type: SessionType, starts_at: datetime, *, now: datetime,
                   link_worker_id: int | None = None, ignore_session_id: int | None = None) -> None:
    """Raise BookingError with a clear message if a link worker may not book this type at this
    start: in the past, inside the minimum notice, beyond the maximum days ahead, during a block,
    outside availability, over the weekly cap; SlotTaken if another session holds the time (or the
    buffer around it) for the supervisor or the link worker. Call after lock_calendars."""
    raise NotImplementedError


def check_supervisor_free(supervisor_id: int, starts_at: datetime, ends_at: datetime, *, now: datetime,
                          link_worker_ids: tuple[int, ...] = (), ignore_session_id: int | None = None) -> None:
    """The looser check for times a supervisor chooses (a proposed time, a reschedule, a group
    session): not in the past, not during a block, not overlapping another of their sessions
    (with the buffer), nor one of the link workers' sessions. Raises BookingError / SlotTaken."""
    raise NotImplementedError
