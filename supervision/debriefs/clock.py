"""Response-time targets, in the organisation's working days and hours, in Europe/London.

- "today": by the end of the working day on which the request is made; a request made after
  hours, or on a day that is not a working day, is due by the end of the next working day.
- "within 3 days": 72 hours after the request.
- "this week": 7 days after the request.

Half the target is measured the same way: working time for "today" (half-way through the working
time between the request, or the next opening if it came after hours, and the due time), plain
time for the others. Pure functions: no database, no request.

Working hours are half-open, [opening, closing): a request made exactly at closing time is after
hours. Opening and closing are wall-clock times in London, so 09:00 is 09:00 UTC in winter and
08:00 UTC in summer; every result is an aware UTC datetime.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .models import Urgency

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
PLAIN_TARGETS = {
    Urgency.three_days: timedelta(hours=72),
    Urgency.this_week: timedelta(days=7),
}


@dataclass(frozen=True)
class WorkingWeek:
    days: int  # bit mask, Monday = 1 ... Sunday = 64
    start_minute: int
    end_minute: int

    @classmethod
    def of(cls, organisation) -> "WorkingWeek":
        return cls(organisation.working_days, organisation.working_day_start_minute,
                   organisation.working_day_end_minute)

    def is_working_day(self, weekday: int) -> bool:
        return bool(self.days & (1 << weekday))


@dataclass(frozen=True)
class Targets:
    half_due_at: datetime  # UTC
    due_at: datetime  # UTC


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs aware datetimes")
    return moment.astimezone(UTC)


def _wall(day: date, minute: int) -> datetime:
    """The UTC instant of `minute` past midnight on this London date. 24:00 is the next midnight.
    A time the clocks skip in spring is read on the winter offset (01:30 becomes 02:30 BST); a
    repeated time in autumn is its first occurrence."""
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    return naive.replace(tzinfo=LONDON, fold=0).astimezone(UTC)


def _hours(day: date, week: WorkingWeek) -> tuple[datetime, datetime] | None:
    """This London date's working hours in UTC, or None when it is not a working day."""
    if not week.is_working_day(day.weekday()):
        return None
    return _wall(day, week.start_minute), _wall(day, week.end_minute)


def _working_day_for(moment: datetime, week: WorkingWeek) -> tuple[datetime, datetime]:
    """The working hours a "today" request made at `moment` counts against: today's if it is not
    yet closing time on a working day, otherwise the next working day's."""
    day = moment.astimezone(LONDON).date()
    # Eight days always reach a working day when at least one weekday is set.
    for offset in range(8):
        hours = _hours(day + timedelta(days=offset), week)
        if hours is not None and moment < hours[1]:
            return hours
    raise ValueError("a working week needs at least one working day")


def targets(urgency: Urgency, requested_at: datetime, week: WorkingWeek) -> Targets:
    """When a request made at `requested_at` (UTC) is half-way to its target, and due."""
    requested_at = _utc(requested_at)
    if urgency in PLAIN_TARGETS:
        target = PLAIN_TARGETS[urgency]
        return Targets(half_due_at=requested_at + target / 2, due_at=requested_at + target)
    opening, closing = _working_day_for(requested_at, week)
    start = max(requested_at, opening)
    # Start and due lie in one working day, so the working time between them is unbroken.
    return Targets(half_due_at=start + (closing - start) / 2, due_at=closing)


def working_seconds_between(start: datetime, end: datetime, week: WorkingWeek) -> int:
    """Seconds of working time in [start, end), both UTC. For reports and tests."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return 0
    total = timedelta(0)
    # Each date's hours end by its own midnight, so the dates from start's to end's cover them all.
    day = start.astimezone(LONDON).date()
    last = end.astimezone(LONDON).date()
    while day <= last:
        hours = _hours(day, week)
        if hours is not None:
            overlap = min(end, hours[1]) - max(start, hours[0])
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return int(total.total_seconds())
