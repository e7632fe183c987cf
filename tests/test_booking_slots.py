"""Free slots: predictable steps, notice, horizon, blocks, buffers, busy times, the weekly cap, and a
fixed number of queries whatever the number of bookings."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from supervision.accounts.models import Role, User
from supervision.booking import slots
from supervision.booking.models import SessionType
from supervision.extensions import db

from .conftest import counting_queries

UTC = timezone.utc
# Monday 2 November 2026, 08:00 UTC (GMT, so London wall clock equals UTC all month).
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TUESDAY = date(2026, 11, 10)


def at(day: date, hhmm: str) -> datetime:
    """A UTC instant on a GMT day (November): London wall clock and UTC agree."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=UTC)


def supervision_pair(make, **settings):
    """A supervisor with a one-to-one type (60 minutes, online) and one link worker they supervise."""
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Siân Evans")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Dewi Jones")
    make.assign(supervisor, link_worker)
    make.supervisor_settings(supervisor, **{"buffer_minutes": 15, "min_notice_hours": 24,
                                            "max_days_ahead": 56, **settings})
    type_id = make.session_type(supervisor)
    return supervisor, link_worker, type_id


def booked(make, type_id: int, starts_at: datetime, link_worker, status: str = "confirmed") -> int:
    session_id = make.supervision_session(type_id, starts_at)
    make.booking(session_id, link_worker, status=status)
    return session_id


def starts(supervisor, type_id, *, now=NOW, start=TUESDAY, days=1, **kwargs) -> list[str]:
    user = db.session.get(User, supervisor.id)
    kind = db.session.get(SessionType, type_id)
    found = slots.free_slots(user, kind, now=now, start=start, days=days, **kwargs)
    return [s.starts_at.astimezone(slots.LONDON).strftime("%a %H:%M") for s in found]


def test_slots_step_by_length_plus_buffer_and_fit_the_window(make, ctx):
    supervisor, _, type_id = supervision_pair(make)
    make.window(supervisor, 1, "09:00", "12:30")  # Tuesday
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 10:15", "Tue 11:30"]
    found = slots.free_slots(db.session.get(User, supervisor.id), db.session.get(SessionType, type_id),
                             now=NOW, start=TUESDAY, days=1)
    assert found[0].ends_at - found[0].starts_at == timedelta(minutes=60)
    assert found[0].session_type_id == type_id


def test_a_slot_must_fit_wholly_inside_the_window(make, ctx):
    supervisor, _, type_id = supervision_pair(make)
    make.window(supervisor, 1, "09:00", "12:29")
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 10:15"]


def test_two_windows_on_one_day_each_step_from_their_own_start(make, ctx):
    supervisor, _, type_id = supervision_pair(make)
    make.window(supervisor, 1, "09:00", "10:00")
    make.window(supervisor, 1, "13:30", "15:00")
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 13:30"]


def test_minimum_notice_and_horizon(make, ctx):
    supervisor, _, type_id = supervision_pair(make, min_notice_hours=24, max_days_ahead=2)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "12:30")
    now = at(date(2026, 11, 9), "09:30")  # Monday
    got = starts(supervisor, type_id, now=now, start=date(2026, 11, 9), days=7)
    # Not before Tuesday 09:30 (24 hours' notice), not after Wednesday 09:30 (2 days ahead).
    assert got == ["Tue 10:15", "Tue 11:30", "Wed 09:00"]


def test_default_range_runs_to_the_horizon(make, ctx):
    supervisor, _, type_id = supervision_pair(make, min_notice_hours=0, max_days_ahead=14)
    make.window(supervisor, 1, "09:00", "10:00")
    found = slots.free_slots(db.session.get(User, supervisor.id), db.session.get(SessionType, type_id), now=NOW)
    assert [s.starts_at for s in found] == [at(date(2026, 11, 3), "09:00"), at(date(2026, 11, 10), "09:00")]


def test_blocks_remove_overlapping_slots(make, ctx):
    supervisor, _, type_id = supervision_pair(make)
    make.window(supervisor, 1, "09:00", "12:30")
    make.block(supervisor, at(TUESDAY, "10:00"), at(TUESDAY, "10:16"))
    # Half-open: 09:00 to 10:00 ends as the block starts; 10:15 overlaps its last minute.
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 11:30"]


def test_sessions_hold_their_time_and_the_buffer_around_it(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make)
    make.window(supervisor, 1, "09:00", "15:45")
    # 10:30 to 11:30 is off the grid; with the 15-minute buffer it holds 10:15 to 11:45.
    booked(make, type_id, at(TUESDAY, "10:30"), link_worker)
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 12:45", "Tue 14:00"]


def test_without_a_buffer_neighbouring_slots_stay(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make, buffer_minutes=0)
    make.window(supervisor, 1, "09:00", "12:00")
    booked(make, type_id, at(TUESDAY, "10:00"), link_worker)
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 11:00"]


def test_which_bookings_hold_time(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make, buffer_minutes=0)
    make.window(supervisor, 1, "09:00", "15:00")
    booked(make, type_id, at(TUESDAY, "09:00"), link_worker, "requested")
    booked(make, type_id, at(TUESDAY, "10:00"), link_worker, "proposed")
    booked(make, type_id, at(TUESDAY, "11:00"), link_worker, "declined")
    booked(make, type_id, at(TUESDAY, "12:00"), link_worker, "cancelled")
    booked(make, type_id, at(TUESDAY, "13:00"), link_worker, "expired")
    cancelled = make.supervision_session(type_id, at(TUESDAY, "14:00"), status="cancelled")
    make.booking(cancelled, link_worker, status="confirmed")
    assert starts(supervisor, type_id) == ["Tue 11:00", "Tue 12:00", "Tue 13:00", "Tue 14:00"]


def test_an_active_group_session_holds_time_even_with_nobody_booked(make, ctx):
    supervisor, _, type_id = supervision_pair(make, buffer_minutes=0)
    make.window(supervisor, 1, "09:00", "12:00")
    group_type = make.session_type(supervisor, kind="group", length=90)
    make.supervision_session(group_type, at(TUESDAY, "09:30"))
    make.supervision_session(group_type, at(TUESDAY, "11:00"), status="cancelled")
    assert starts(supervisor, type_id) == ["Tue 11:00"]


def test_the_link_workers_own_sessions_with_another_supervisor(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make, buffer_minutes=0)
    make.window(supervisor, 1, "09:00", "12:00")
    other = make.user(Role.supervisor, organisation=link_worker.organisation)
    other_type = make.session_type(other)
    booked(make, other_type, at(TUESDAY, "10:30"), link_worker)
    waiting_type = make.session_type(other, kind="group")
    waiting = make.supervision_session(waiting_type, at(TUESDAY, "09:00"))
    make.booking(waiting, link_worker, status="waitlisted")  # a waiting list holds no time
    assert starts(supervisor, type_id) == ["Tue 09:00", "Tue 10:00", "Tue 11:00"]
    assert starts(supervisor, type_id, link_worker_id=link_worker.id) == ["Tue 09:00"]


def test_ignore_session_frees_its_own_time_for_rescheduling(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make, buffer_minutes=0)
    make.window(supervisor, 1, "09:00", "11:00")
    session_id = booked(make, type_id, at(TUESDAY, "09:00"), link_worker)
    assert starts(supervisor, type_id, link_worker_id=link_worker.id) == ["Tue 10:00"]
    assert starts(supervisor, type_id, link_worker_id=link_worker.id,
                  ignore_session_id=session_id) == ["Tue 09:00", "Tue 10:00"]


def test_weekly_cap_closes_the_week_monday_to_sunday(make, ctx):
    supervisor, link_worker, type_id = supervision_pair(make, weekly_cap=2, buffer_minutes=0)
    for weekday in range(7):
        make.window(supervisor, weekday, "09:00", "10:00")
    booked(make, type_id, at(date(2026, 11, 9), "12:00"), link_worker)  # Monday
    booked(make, type_id, at(date(2026, 11, 15), "12:00"), link_worker, "requested")  # Sunday
    booked(make, type_id, at(date(2026, 11, 11), "12:00"), link_worker, "cancelled")  # not counted
    got = starts(supervisor, type_id, start=date(2026, 11, 8), days=10)
    assert got == ["Sun 09:00", "Mon 09:00", "Tue 09:00"]  # the 8th, then the week of the 16th
    got = starts(supervisor, type_id, start=date(2026, 11, 8), days=9,
                 ignore_session_id=booked(make, type_id, at(date(2026, 11, 10), "13:00"), link_worker))
    assert "Wed 09:00" not in got  # two others still fill the week


def test_the_same_number_of_queries_for_5_and_200_bookings(app, make):
    supervisor, link_worker, type_id = supervision_pair(make, min_notice_hours=0, max_days_ahead=56)
    for weekday in range(5):
        make.window(supervisor, weekday, "09:00", "17:00")

    def count() -> tuple[int, int]:
        with counting_queries(app) as statements, app.app_context():
            user = db.session.get(User, supervisor.id)
            kind = db.session.get(SessionType, type_id)
            before = len(statements)
            found = slots.free_slots(user, kind, now=NOW, link_worker_id=link_worker.id)
            return len(statements) - before, len(found)

    for day in range(5):
        booked(make, type_id, at(date(2026, 11, 3) + timedelta(days=day), "09:00"), link_worker)
    few, few_slots = count()
    with app.app_context():
        _bulk_bookings(type_id, link_worker.id, 195)
    many, many_slots = count()
    assert few == many <= 5
    assert many_slots < few_slots


def _bulk_bookings(type_id: int, link_worker_id: int, count: int) -> None:
    from supervision.booking.models import Booking, BookingStatus, SupervisionSession

    kind = db.session.get(SessionType, type_id)
    for number in range(count):
        starts_at = at(date(2026, 11, 4), "13:00") + timedelta(days=number // 4 * 1, hours=number % 4)
        session = SupervisionSession(
            supervisor_id=kind.supervisor_id, organisation_id=kind.organisation_id, session_type_id=kind.id,
            kind=kind.kind, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45), capacity=1,
            min_attendees=1, location_kind=kind.location_kind, online_link=kind.online_link)
        db.session.add(Booking(session=session, link_worker_id=link_worker_id, status=BookingStatus.confirmed))
    db.session.commit()
