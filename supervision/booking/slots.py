"""Free one-to-one slots: availability windows (Europe/London wall clock) minus sessions, buffers,
blocks, the minimum notice, the booking horizon and the weekly cap. Pure computation over rows
loaded in a fixed number of queries, so the page costs the same whatever the number of bookings.

Each slot is built from its London date and wall-clock minute, then turned into UTC, so 09:00 stays
09:00 across the clock changes. A wall-clock time that does not exist (the hour skipped in March)
has no slot; one that happens twice (the hour repeated in October) has one, the first.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from .errors import BookingError, SlotTaken
from .models import SessionType
from .queries import Busy, Calendar, blocks_between, link_workers_busy, load_calendar, supervisor_busy
from .loaders import settings_for

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC; half-open: [starts_at, ends_at)
    session_type_id: int


# --- London wall-clock time ---------------------------------------------------------------------

def london_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def london_midnight(day: date) -> datetime:
    """The UTC instant at which this London date begins (midnight always exists in London)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def wall_clock_to_utc(day: date, minute: int) -> datetime | None:
    """The UTC instant of `minute` past midnight on this London date, on the wall clock; None when
    that wall-clock time does not exist (spring forward). Repeated times take the first (fold=0)."""
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    local = naive.replace(tzinfo=LONDON, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != naive:
        return None
    return instant


def week_start(day: date) -> date:
    """The Monday of this date's week (Monday to Sunday, London)."""
    return day - timedelta(days=day.weekday())


def _candidates(calendar: Calendar, session_type: SessionType, day: date) -> list[tuple[datetime, datetime]]:
    """Every slot the windows offer on this London date, before anything is taken away. Starts step
    from each window's start by the length plus the buffer, so slots are predictable."""
    length = session_type.length_minutes
    step = length + calendar.settings.buffer_minutes
    found = []
    for start_minute, end_minute in calendar.windows.get(day.weekday(), ()):
        minute = start_minute
        while minute + length <= end_minute:
            starts_at = wall_clock_to_utc(day, minute)
            if starts_at is not None:
                found.append((starts_at, starts_at + timedelta(minutes=length)))
            minute += step
    return sorted(set(found))


def _overlaps(starts_at: datetime, ends_at: datetime, busy: list[Busy], *, widen: timedelta,
              ignore_session_id: int | None) -> bool:
    return any(b.session_id != ignore_session_id and starts_at < b.ends_at + widen and b.starts_at - widen < ends_at
               for b in busy)


class _Busy:
    """Busy intervals (widened, merged, sorted) answering "does [s, e) overlap any?" by bisection,
    so eight weeks of slots against hundreds of sessions stays quick."""

    def __init__(self, intervals) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        index = bisect_left(self.starts, ends_at) - 1  # the last interval starting before the end
        return index >= 0 and self.ends[index] > starts_at


def _busy(busy: list[Busy], widen: timedelta, ignore_session_id: int | None) -> _Busy:
    return _Busy((b.starts_at - widen, b.ends_at + widen) for b in busy if b.session_id != ignore_session_id)


def _blocking(starts_at: datetime, ends_at: datetime, calendar: Calendar):
    return next((b for b in calendar.blocks if starts_at < b.ends_at and b.starts_at < ends_at), None)


def _week_counts(calendar: Calendar, ignore_session_id: int | None) -> Counter:
    return Counter(week_start(london_date(b.starts_at)) for b in calendar.supervisor_busy
                   if b.session_id != ignore_session_id)


def _load_for_days(session_type: SessionType, first: date, last: date, *, link_worker_id: int | None,
                   settings=None) -> Calendar:
    """The calendar for whole weeks around [first, last], widened by the longest buffer allowed."""
    widen = timedelta(hours=2)
    range_start = london_midnight(week_start(first)) - widen
    range_end = london_midnight(week_start(last) + timedelta(days=7)) + widen
    return load_calendar(session_type.supervisor_id, range_start, range_end, link_worker_id=link_worker_id,
                         settings=settings)


# --- the contract -------------------------------------------------------------------------------

def free_slots(supervisor: User, session_type: SessionType, *, now: datetime,
               start: date | None = None, days: int | None = None,
               link_worker_id: int | None = None, ignore_session_id: int | None = None) -> list[Slot]:
    """The free slots of this one-to-one type, in time order, from `start` (a London date; default
    today) for `days` days (default: up to the supervisor's maximum days ahead), never before
    now + minimum notice nor beyond now + maximum days ahead. When `link_worker_id` is given, times
    when that person already has a session are left out too. `ignore_session_id` leaves one
    session out of the busy times (for rescheduling it)."""
    settings = settings_for(supervisor.id)
    earliest = now + timedelta(hours=settings.min_notice_hours)
    horizon = now + timedelta(days=settings.max_days_ahead)
    first = start or london_date(now)
    last = london_date(horizon) if days is None else min(first + timedelta(days=days - 1), london_date(horizon))
    if last < first:
        return []
    calendar = _load_for_days(session_type, first, last, link_worker_id=link_worker_id, settings=settings)
    buffer = timedelta(minutes=settings.buffer_minutes)
    weeks = _week_counts(calendar, ignore_session_id)
    busy = [_busy(calendar.supervisor_busy, buffer, ignore_session_id),
            _busy(calendar.link_worker_busy, timedelta(0), ignore_session_id),
            _Busy((b.starts_at, b.ends_at) for b in calendar.blocks)]
    slots = []
    day = first
    while day <= last:
        full = settings.weekly_cap is not None and weeks[week_start(day)] >= settings.weekly_cap
        for starts_at, ends_at in ([] if full else _candidates(calendar, session_type, day)):
            if starts_at < earliest or starts_at > horizon or any(b.overlaps(starts_at, ends_at) for b in busy):
                continue
            slots.append(Slot(starts_at, ends_at, session_type.id))
        day += timedelta(days=1)
    return slots


def _taken() -> SlotTaken:
    return SlotTaken("taken", _l("Sorry, that time was just taken. Choose another time."))


def _blocked_error(block, supervisor_name: str) -> BookingError:
    if block.cover_note:
        return BookingError("blocked", _l("%(name)s is on leave at that time. %(note)s",
                                          name=supervisor_name, note=block.cover_note), field="starts_at")
    return BookingError("blocked", _l("%(name)s is on leave at that time. Choose another time.",
                                      name=supervisor_name), field="starts_at")


def _check_times(starts_at: datetime, *, now: datetime, settings) -> None:
    if starts_at <= now:
        raise BookingError("in_past", _l("That time has passed. Choose a time in the future."), field="starts_at")
    if starts_at < now + timedelta(hours=settings.min_notice_hours):
        raise BookingError("too_soon", _l("Book at least %(hours)s hours ahead.", hours=settings.min_notice_hours),
                           field="starts_at")
    if starts_at > now + timedelta(days=settings.max_days_ahead):
        raise BookingError("too_far", _l("Book no more than %(days)s days ahead.", days=settings.max_days_ahead),
                           field="starts_at")


def check_bookable(session_type: SessionType, starts_at: datetime, *, now: datetime,
                   link_worker_id: int | None = None, ignore_session_id: int | None = None) -> None:
    """Raise BookingError with a clear message if a link worker may not book this type at this
    start: in the past, inside the minimum notice, beyond the maximum days ahead, during a block,
    outside availability, over the weekly cap; SlotTaken if another session holds the time (or the
    buffer around it) for the supervisor or the link worker. Call after lock_calendars."""
    starts_at = starts_at.astimezone(UTC)
    ends_at = starts_at + timedelta(minutes=session_type.length_minutes)
    day = london_date(starts_at)
    calendar = _load_for_days(session_type, day, day, link_worker_id=link_worker_id)
    settings = calendar.settings
    _check_times(starts_at, now=now, settings=settings)
    block = _blocking(starts_at, ends_at, calendar)
    if block is not None:
        raise _blocked_error(block, session_type.supervisor.name)
    if (starts_at, ends_at) not in _candidates(calendar, session_type, day):
        raise BookingError("outside_availability",
                           _l("That time is not one of the times on offer. Choose one of the free times."),
                           field="starts_at")
    weeks = _week_counts(calendar, ignore_session_id)
    if settings.weekly_cap is not None and weeks[week_start(day)] >= settings.weekly_cap:
        raise BookingError("weekly_cap", _l("That week is fully booked. Choose a time in another week."),
                           field="starts_at")
    buffer = timedelta(minutes=settings.buffer_minutes)
    if (_overlaps(starts_at, ends_at, calendar.supervisor_busy, widen=buffer, ignore_session_id=ignore_session_id)
            or _overlaps(starts_at, ends_at, calendar.link_worker_busy, widen=timedelta(0),
                         ignore_session_id=ignore_session_id)):
        raise _taken()


def check_supervisor_free(supervisor_id: int, starts_at: datetime, ends_at: datetime, *, now: datetime,
                          link_worker_ids: tuple[int, ...] = (), ignore_session_id: int | None = None) -> None:
    """The looser check for times a supervisor chooses (a proposed time, a reschedule, a group
    session): not in the past, not during a block, not overlapping another of their sessions
    (with the buffer), nor one of the link workers' sessions. Raises BookingError / SlotTaken."""
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if starts_at <= now:
        raise BookingError("in_past", _l("That time has passed. Choose a time in the future."), field="starts_at")
    settings = settings_for(supervisor_id)
    buffer = timedelta(minutes=settings.buffer_minutes)
    blocks = blocks_between(supervisor_id, starts_at, ends_at)
    if blocks:
        note = blocks[0].cover_note
        message = (_l("You are on leave at that time. %(note)s", note=note) if note
                   else _l("You are on leave at that time. Choose another time."))
        raise BookingError("blocked", message, field="starts_at")
    if (_overlaps(starts_at, ends_at, supervisor_busy(supervisor_id, starts_at - buffer, ends_at + buffer),
                  widen=buffer, ignore_session_id=ignore_session_id)
            or _overlaps(starts_at, ends_at, link_workers_busy((supervisor_id, *link_worker_ids), starts_at, ends_at),
                         widen=timedelta(0), ignore_session_id=ignore_session_id)):
        raise _taken()
