"""The response-time clock, worked by hand: the same working day for "today" (working hours, the
weekend, an organisation's own week), plain time for 72 hours and 7 days, across the clock changes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from supervision.debriefs.clock import WorkingWeek, targets, working_seconds_between
from supervision.debriefs.models import Urgency

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
OFFICE = WorkingWeek(days=0b0011111, start_minute=9 * 60, end_minute=17 * 60)  # Mon-Fri, 09:00-17:00
MON_TO_SAT = WorkingWeek(days=0b0111111, start_minute=9 * 60, end_minute=17 * 60)
# Tuesday to Saturday, 08:00-16:00.
EARLY = WorkingWeek(days=2 | 4 | 8 | 16 | 32, start_minute=8 * 60, end_minute=16 * 60)
ALWAYS = WorkingWeek(days=127, start_minute=0, end_minute=24 * 60)


def london(*parts) -> datetime:
    """A London wall-clock time as an aware UTC datetime."""
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Monday 2 November 2026 is in GMT; the week of 19 October 2026 is in BST.
@pytest.mark.parametrize("week,made,half,due", [
    # During working hours: due at today's close, half-way between the request and the close.
    (OFFICE, london(2026, 11, 2, 10, 0), london(2026, 11, 2, 13, 30), london(2026, 11, 2, 17, 0)),
    # Friday evening: the next working day is Monday, counted from its opening.
    (OFFICE, london(2026, 11, 6, 18, 0), london(2026, 11, 9, 13, 0), london(2026, 11, 9, 17, 0)),
    # Saturday and Sunday are not working days in an office week.
    (OFFICE, london(2026, 11, 7, 11, 0), london(2026, 11, 9, 13, 0), london(2026, 11, 9, 17, 0)),
    (OFFICE, london(2026, 11, 8, 23, 59), london(2026, 11, 9, 13, 0), london(2026, 11, 9, 17, 0)),
    # Saturday is a working day in a Monday-to-Saturday week; Sunday is not.
    (MON_TO_SAT, london(2026, 11, 7, 11, 0), london(2026, 11, 7, 14, 0), london(2026, 11, 7, 17, 0)),
    (MON_TO_SAT, london(2026, 11, 8, 11, 0), london(2026, 11, 9, 13, 0), london(2026, 11, 9, 17, 0)),
    # Before opening on a working day: that day, from its opening.
    (OFFICE, london(2026, 11, 2, 7, 30), london(2026, 11, 2, 13, 0), london(2026, 11, 2, 17, 0)),
    (OFFICE, london(2026, 11, 2, 9, 0), london(2026, 11, 2, 13, 0), london(2026, 11, 2, 17, 0)),
    # Hours are half-open: exactly at closing is after hours; a second before is not.
    (OFFICE, london(2026, 11, 2, 17, 0), london(2026, 11, 3, 13, 0), london(2026, 11, 3, 17, 0)),
    (OFFICE, london(2026, 11, 2, 16, 59, 58), london(2026, 11, 2, 16, 59, 59), london(2026, 11, 2, 17, 0)),
    # An organisation open 08:00-16:00, Tuesday to Saturday.
    (EARLY, london(2026, 11, 2, 10, 0), london(2026, 11, 3, 12, 0), london(2026, 11, 3, 16, 0)),
    (EARLY, london(2026, 11, 7, 15, 0), london(2026, 11, 7, 15, 30), london(2026, 11, 7, 16, 0)),
    (EARLY, london(2026, 11, 7, 16, 0), london(2026, 11, 10, 12, 0), london(2026, 11, 10, 16, 0)),
    (EARLY, london(2026, 11, 8, 9, 0), london(2026, 11, 10, 12, 0), london(2026, 11, 10, 16, 0)),
    # A day that closes at midnight.
    (ALWAYS, london(2026, 11, 2, 23, 0), london(2026, 11, 2, 23, 30), london(2026, 11, 3, 0, 0)),
])
def test_today_is_due_at_the_close_of_the_working_day(week, made, half, due):
    result = targets(Urgency.today, made, week)
    assert (result.half_due_at, result.due_at) == (half, due)
    assert result.half_due_at.tzinfo == UTC and result.due_at.tzinfo == UTC


@pytest.mark.parametrize("made,half,due", [
    # Summer: 10:00 BST is 09:00 UTC, and closing at 17:00 BST is 16:00 UTC.
    (utc(2026, 10, 19, 9, 0), utc(2026, 10, 19, 12, 30), utc(2026, 10, 19, 16, 0)),
    # Winter: the same wall-clock times are the same in UTC.
    (utc(2026, 11, 2, 10, 0), utc(2026, 11, 2, 13, 30), utc(2026, 11, 2, 17, 0)),
    # Friday evening in BST, Monday after the clocks went back on Sunday 25 October: 09:00-17:00 GMT.
    (utc(2026, 10, 23, 17, 0), utc(2026, 10, 26, 13, 0), utc(2026, 10, 26, 17, 0)),
    # Friday evening in GMT, Monday after the clocks went forward on Sunday 28 March: 08:00-16:00 UTC.
    (utc(2027, 3, 26, 18, 0), utc(2027, 3, 29, 12, 0), utc(2027, 3, 29, 16, 0)),
    # Before opening on the first Monday of BST: 07:30 UTC is 08:30 BST, opening is 08:00 UTC.
    (utc(2027, 3, 29, 7, 30), utc(2027, 3, 29, 12, 0), utc(2027, 3, 29, 16, 0)),
])
def test_working_hours_follow_the_london_wall_clock(made, half, due):
    result = targets(Urgency.today, made, OFFICE)
    assert (result.half_due_at, result.due_at) == (half, due)


def test_a_working_day_that_spans_a_clock_change_is_measured_in_real_time():
    # Sunday 28 March 2027 is 23 hours long: 00:30 GMT to midnight BST is 22.5 real hours.
    result = targets(Urgency.today, utc(2027, 3, 28, 0, 30), ALWAYS)
    assert result.due_at == utc(2027, 3, 28, 23, 0)
    assert result.half_due_at == utc(2027, 3, 28, 11, 45)


@pytest.mark.parametrize("urgency,made,half,due", [
    (Urgency.three_days, utc(2026, 11, 6, 18, 0), utc(2026, 11, 8, 6, 0), utc(2026, 11, 9, 18, 0)),
    (Urgency.this_week, utc(2026, 11, 6, 18, 0), utc(2026, 11, 10, 6, 0), utc(2026, 11, 13, 18, 0)),
    # Plain elapsed time: across the change in October, 72 real hours and 7 real days.
    (Urgency.three_days, utc(2026, 10, 24, 12, 0), utc(2026, 10, 26, 0, 0), utc(2026, 10, 27, 12, 0)),
    (Urgency.this_week, utc(2026, 10, 24, 12, 0), utc(2026, 10, 28, 0, 0), utc(2026, 10, 31, 12, 0)),
    (Urgency.this_week, utc(2027, 3, 27, 12, 0), utc(2027, 3, 31, 0, 0), utc(2027, 4, 3, 12, 0)),
])
def test_three_days_and_this_week_are_plain_time(urgency, made, half, due):
    for week in (OFFICE, EARLY):  # working hours make no difference
        result = targets(urgency, made, week)
        assert (result.half_due_at, result.due_at) == (half, due)


@pytest.mark.parametrize("urgency", list(Urgency))
@pytest.mark.parametrize("week", [OFFICE, MON_TO_SAT, EARLY, ALWAYS], ids=["office", "mon-sat", "early", "always"])
@pytest.mark.parametrize("monday", [utc(2026, 10, 19), utc(2027, 3, 22), utc(2026, 11, 2)],
                         ids=["autumn-change", "spring-change", "winter"])
def test_half_is_never_after_due_and_never_before_the_request(urgency, week, monday):
    # Every 20 minutes across a week that includes a clock change (or not).
    for step in range(0, 7 * 24 * 3 + 1):
        made = monday + timedelta(minutes=20 * step)
        result = targets(urgency, made, week)
        assert made <= result.half_due_at <= result.due_at
        if urgency == Urgency.today:
            # Half-way in working time: as much work before the half as after it (the time before
            # the next opening is not working time, so counting from the request is enough).
            assert working_seconds_between(made, result.half_due_at, week) == pytest.approx(
                working_seconds_between(result.half_due_at, result.due_at, week), abs=1)


@pytest.mark.parametrize("start,end,week,seconds", [
    (london(2026, 11, 2, 10, 0), london(2026, 11, 2, 17, 0), OFFICE, 7 * 3600),
    (london(2026, 11, 2, 7, 0), london(2026, 11, 2, 20, 0), OFFICE, 8 * 3600),
    # Friday 16:00 to Monday 10:00: an hour each side of the weekend.
    (london(2026, 11, 6, 16, 0), london(2026, 11, 9, 10, 0), OFFICE, 2 * 3600),
    (london(2026, 11, 6, 16, 0), london(2026, 11, 9, 10, 0), MON_TO_SAT, 10 * 3600),
    # 16:00 is already closing time on a Friday for EARLY: only Saturday counts.
    (london(2026, 11, 6, 16, 0), london(2026, 11, 9, 10, 0), EARLY, 8 * 3600),
    # Half-open: the closing instant itself is not working time.
    (london(2026, 11, 2, 17, 0), london(2026, 11, 3, 9, 0), OFFICE, 0),
    # A whole office week in BST and one across the change in October: 40 hours each.
    (london(2026, 10, 12, 0, 0), london(2026, 10, 19, 0, 0), OFFICE, 40 * 3600),
    (london(2026, 10, 19, 0, 0), london(2026, 10, 26, 0, 0), OFFICE, 40 * 3600),
    # Round the clock: the weekend of 25 October 2026 lasts 49 real hours, of 28 March 2027 47.
    (london(2026, 10, 24, 0, 0), london(2026, 10, 26, 0, 0), ALWAYS, 49 * 3600),
    (london(2027, 3, 27, 0, 0), london(2027, 3, 29, 0, 0), ALWAYS, 47 * 3600),
    # Nothing, or backwards.
    (london(2026, 11, 2, 10, 0), london(2026, 11, 2, 10, 0), OFFICE, 0),
    (london(2026, 11, 2, 12, 0), london(2026, 11, 2, 10, 0), OFFICE, 0),
])
def test_working_seconds_between(start, end, week, seconds):
    assert working_seconds_between(start, end, week) == seconds


def test_the_clock_refuses_naive_times():
    with pytest.raises(ValueError):
        targets(Urgency.today, datetime(2026, 11, 2, 10, 0), OFFICE)
    with pytest.raises(ValueError):
        working_seconds_between(datetime(2026, 11, 2, 10, 0), utc(2026, 11, 2, 12, 0), OFFICE)


def test_a_week_comes_from_the_organisation_settings():
    class Organisation:
        working_days, working_day_start_minute, working_day_end_minute = 62, 480, 960

    week = WorkingWeek.of(Organisation())
    assert week == EARLY
    assert [week.is_working_day(d) for d in range(7)] == [False, True, True, True, True, True, False]
