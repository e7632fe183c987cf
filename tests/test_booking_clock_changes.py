"""Slots across the clock changes: built from the London wall clock, none missing, none twice."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from supervision.accounts.models import User
from supervision.booking import slots
from supervision.booking.errors import BookingError
from supervision.booking.models import SessionType
from supervision.extensions import db

from .test_booking_slots import supervision_pair

UTC = timezone.utc


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def free(supervisor, type_id, now, start, days):
    return slots.free_slots(db.session.get(User, supervisor.id), db.session.get(SessionType, type_id),
                            now=now, start=start, days=days)


@pytest.fixture
def night_owl(make):
    """Half-hour sessions, no buffer, a Sunday window from 00:30 to 03:30 London time."""
    supervisor, link_worker, _ = supervision_pair(make, buffer_minutes=0, min_notice_hours=0, max_days_ahead=365)
    type_id = make.session_type(supervisor, length=30)
    make.window(supervisor, 6, "00:30", "03:30")
    return supervisor, type_id


@pytest.mark.parametrize("sunday", [date(2026, 3, 29), date(2027, 3, 28)])
def test_spring_forward_skips_the_missing_hour(night_owl, ctx, sunday):
    supervisor, type_id = night_owl
    found = free(supervisor, type_id, utc(sunday.year, 1, 1), sunday - timedelta(days=6), 7)
    # 01:00 to 01:59 do not exist: 00:30 GMT, then 02:00, 02:30 and 03:00 BST.
    assert [s.starts_at for s in found] == [
        utc(sunday.year, 3, sunday.day, 0, 30), utc(sunday.year, 3, sunday.day, 1, 0),
        utc(sunday.year, 3, sunday.day, 1, 30), utc(sunday.year, 3, sunday.day, 2, 0)]
    assert [s.starts_at.astimezone(slots.LONDON).strftime("%H:%M") for s in found] == [
        "00:30", "02:00", "02:30", "03:00"]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in found)


def test_fall_back_offers_the_repeated_hour_once(night_owl, ctx):
    supervisor, type_id = night_owl
    found = free(supervisor, type_id, utc(2026, 1, 1), date(2026, 10, 19), 7)
    starts = [s.starts_at for s in found]
    # 00:30, 01:00 and 01:30 BST (the first 01:00 and 01:30), then 02:00, 02:30 and 03:00 GMT.
    assert starts == [utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30),
                      utc(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2, 30), utc(2026, 10, 25, 3, 0)]
    assert len(set(starts)) == len(starts)
    assert [s.starts_at.astimezone(slots.LONDON).strftime("%H:%M") for s in found] == [
        "00:30", "01:00", "01:30", "02:00", "02:30", "03:00"]


@pytest.mark.parametrize("monday, change, offset_before, offset_after", [
    (date(2026, 3, 23), date(2026, 3, 29), 0, -1),  # GMT, then BST: 09:00 is 08:00 UTC
    (date(2026, 10, 19), date(2026, 10, 25), -1, 0),  # BST, then GMT
    (date(2027, 3, 22), date(2027, 3, 28), 0, -1),
])
def test_nine_oclock_stays_nine_oclock_across_the_change(make, ctx, monday, change, offset_before, offset_after):
    supervisor, _, type_id = supervision_pair(make, buffer_minutes=0, min_notice_hours=0, max_days_ahead=365)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "10:00")
    found = free(supervisor, type_id, utc(monday.year, 1, 1), monday, 14)
    assert len(found) == 14  # one a day: none missing, none twice
    for day, slot in enumerate(found):
        local = monday + timedelta(days=day)
        assert slot.starts_at.astimezone(slots.LONDON).date() == local
        assert slot.starts_at.astimezone(slots.LONDON).strftime("%H:%M") == "09:00"
        offset = offset_before if local < change else offset_after
        assert slot.starts_at == datetime(local.year, local.month, local.day, 9 + offset, tzinfo=UTC)


def test_times_that_do_not_exist_or_come_second_cannot_be_booked(night_owl, ctx):
    supervisor, type_id = night_owl
    kind = db.session.get(SessionType, type_id)
    now = utc(2026, 1, 1)
    slots.check_bookable(kind, utc(2026, 3, 29, 1, 0), now=now)  # 02:00 BST: on offer
    # The second 01:00 on 25 October (01:00 GMT) is not offered: only the first one is.
    with pytest.raises(BookingError) as error:
        slots.check_bookable(kind, utc(2026, 10, 25, 1, 0), now=now)
    assert error.value.code == "outside_availability"
    slots.check_bookable(kind, utc(2026, 10, 25, 0, 0), now=now)  # the first 01:00 (BST)


def test_wall_clock_conversion():
    assert slots.wall_clock_to_utc(date(2026, 3, 29), 60 + 30) is None
    assert slots.wall_clock_to_utc(date(2026, 3, 29), 120) == utc(2026, 3, 29, 1, 0)
    assert slots.wall_clock_to_utc(date(2026, 10, 25), 90) == utc(2026, 10, 25, 0, 30)
    assert slots.wall_clock_to_utc(date(2026, 7, 1), 0) == utc(2026, 6, 30, 23, 0)
