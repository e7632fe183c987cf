"""A supervisor's set-up services: settings, weekly windows, session types and time off. Each bad
input is refused with a clear message, on the right field, and changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import func, select

from supervision.accounts.models import Role, User
from supervision.booking import availability
from supervision.booking.availability import SessionTypeData, SettingsData
from supervision.booking.errors import BookingError
from supervision.booking.loaders import settings_for
from supervision.booking.models import (
    AvailabilityBlock,
    AvailabilityWindow,
    LocationKind,
    SessionKind,
    SessionType,
    SupervisionSession,
)
from supervision.extensions import db

UTC = timezone.utc
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
GOOD_SETTINGS = dict(requires_approval=True, buffer_minutes=10, min_notice_hours=48, max_days_ahead=28,
                     weekly_cap=5, cancel_cutoff_hours=12)


@pytest.fixture
def supervisor(make):
    return make.user(Role.supervisor, name="Rhodri Evans")


def _user(person) -> User:
    return db.session.get(User, person.id)


def _refused(code: str, field: str, call, *args, **kwargs) -> BookingError:
    with pytest.raises(BookingError) as raised:
        call(*args, **kwargs)
    assert (raised.value.code, raised.value.field) == (code, field)
    with current_app.test_request_context():  # a lazy message is translated for a request
        raised.value.text = str(raised.value.message)
    assert raised.value.text
    db.session.rollback()
    return raised.value


def _type(organisation_id: int, **changes) -> SessionTypeData:
    fields = dict(name="One-to-one supervision", kind=SessionKind.one_to_one, length_minutes=60,
                  location_kind=LocationKind.online, organisation_id=organisation_id,
                  online_link="https://meet.example.org/rhodri")
    fields.update(changes)
    return SessionTypeData(**fields)


# --- settings ---------------------------------------------------------------------------------------

def test_settings_are_created_then_changed(ctx, supervisor):
    me = _user(supervisor)
    availability.save_settings(supervisor=me, data=SettingsData(**GOOD_SETTINGS), now=NOW)
    db.session.commit()
    saved = settings_for(me.id)
    assert (saved.requires_approval, saved.buffer_minutes, saved.min_notice_hours, saved.max_days_ahead,
            saved.weekly_cap, saved.cancel_cutoff_hours) == (True, 10, 48, 28, 5, 12)
    availability.save_settings(supervisor=me, data=SettingsData(**{**GOOD_SETTINGS, "weekly_cap": None}), now=NOW)
    db.session.commit()
    assert settings_for(me.id).weekly_cap is None


@pytest.mark.parametrize("field,value", [
    ("buffer_minutes", -1), ("buffer_minutes", 121), ("min_notice_hours", 337), ("max_days_ahead", 0),
    ("max_days_ahead", 366), ("weekly_cap", 0), ("weekly_cap", 41), ("cancel_cutoff_hours", -5),
    ("cancel_cutoff_hours", "12"),
])
def test_settings_out_of_range_are_refused(ctx, supervisor, field, value):
    me = _user(supervisor)
    _refused(f"{field}_out_of_range", field, availability.save_settings, supervisor=me,
             data=SettingsData(**{**GOOD_SETTINGS, field: value}), now=NOW)
    assert db.session.scalar(select(func.count()).select_from(type(settings_for(me.id)))) == 0


def test_notice_longer_than_the_horizon_is_refused(ctx, supervisor):
    data = SettingsData(**{**GOOD_SETTINGS, "min_notice_hours": 48, "max_days_ahead": 2})
    _refused("notice_beyond_horizon", "min_notice_hours", availability.save_settings,
             supervisor=_user(supervisor), data=data, now=NOW)


# --- windows ----------------------------------------------------------------------------------------

def test_windows_may_not_overlap_or_touch_on_the_same_day(ctx, supervisor):
    me = _user(supervisor)
    availability.add_window(supervisor=me, weekday=1, start=9 * 60 + 30, end=12 * 60 + 30)
    db.session.commit()
    for start, end in ((11 * 60, 14 * 60), (12 * 60 + 30, 15 * 60), (8 * 60, 9 * 60 + 30), (10 * 60, 11 * 60),
                       (8 * 60, 13 * 60)):
        error = _refused("window_overlaps", "start", availability.add_window, supervisor=me, weekday=1,
                         start=start, end=end)
        assert "09:30" in error.text and "12:30" in error.text
    availability.add_window(supervisor=me, weekday=1, start=13 * 60, end=17 * 60)  # a gap: fine
    db.session.commit()  # one calendar lock per transaction, as in a request
    availability.add_window(supervisor=me, weekday=2, start=9 * 60 + 30, end=12 * 60 + 30)  # another day
    db.session.commit()
    assert [(w.weekday, w.start_minute) for w in availability.windows_of(me.id)] == [(1, 570), (1, 780), (2, 570)]


@pytest.mark.parametrize("weekday,start,end,code,field", [
    (1, 600, 600, "window_start_after_end", "end"), (1, 700, 600, "window_start_after_end", "end"),
    (7, 540, 600, "weekday_invalid", "weekday"), (-1, 540, 600, "weekday_invalid", "weekday"),
    (1, -10, 600, "time_invalid", "start"), (1, 540, 1500, "time_invalid", "start"),
])
def test_impossible_windows_are_refused(ctx, supervisor, weekday, start, end, code, field):
    _refused(code, field, availability.add_window, supervisor=_user(supervisor), weekday=weekday,
             start=start, end=end)
    assert db.session.scalar(select(func.count(AvailabilityWindow.id))) == 0


def test_a_window_can_be_removed(ctx, supervisor, make):
    window_id = make.window(supervisor, 0, "09:00", "12:00")
    availability.delete_window(window=db.session.get(AvailabilityWindow, window_id))
    db.session.commit()
    assert availability.windows_of(supervisor.id) == []


# --- session types ----------------------------------------------------------------------------------

def test_a_one_to_one_type_always_has_one_place(ctx, supervisor):
    me = _user(supervisor)
    made = availability.create_type(supervisor=me, data=_type(supervisor.organisation.id, capacity=9, min_attendees=4,
                                                              address="Ignored", name="  One-to-one  "))
    db.session.commit()
    assert (made.name, made.capacity, made.min_attendees, made.address, made.active) == (
        "One-to-one", 1, 1, None, True)


def test_a_group_type_in_person(ctx, supervisor):
    made = availability.create_type(supervisor=_user(supervisor), data=_type(
        supervisor.organisation.id, kind=SessionKind.group, name="Peer supervision: Ogmore group", capacity=8,
        min_attendees=3, location_kind=LocationKind.in_person, address="Ty Cwtch, 1 Heol y Bont",
        online_link="https://meet.example.org/ignored"))
    db.session.commit()
    assert (made.capacity, made.min_attendees, made.address, made.online_link) == (
        8, 3, "Ty Cwtch, 1 Heol y Bont", None)


@pytest.mark.parametrize("changes,code,field", [
    ({"name": "   "}, "name_missing", "name"),
    ({"name": "x" * 121}, "name_too_long", "name"),
    ({"length_minutes": 10}, "length_minutes_out_of_range", "length_minutes"),
    ({"length_minutes": 481}, "length_minutes_out_of_range", "length_minutes"),
    ({"kind": SessionKind.group, "capacity": 31, "min_attendees": 2}, "capacity_out_of_range", "capacity"),
    ({"kind": SessionKind.group, "capacity": 4, "min_attendees": 5}, "minimum_above_capacity", "min_attendees"),
    ({"kind": SessionKind.group, "capacity": 4, "min_attendees": 0}, "min_attendees_out_of_range", "min_attendees"),
    ({"location_kind": LocationKind.in_person, "address": " "}, "address_missing", "address"),
    ({"online_link": ""}, "link_missing", "online_link"),
    ({"online_link": "http://meet.example.org/room"}, "link_invalid", "online_link"),
    ({"online_link": "javascript:alert(1)"}, "link_invalid", "online_link"),
    ({"online_link": "https://"}, "link_invalid", "online_link"),
    ({"online_link": "https://evil.example@meet.example.org/"}, "link_invalid", "online_link"),
    ({"online_link": "https://meet.example.org/a b"}, "link_invalid", "online_link"),
])
def test_bad_session_types_are_refused(ctx, supervisor, changes, code, field):
    _refused(code, field, availability.create_type, supervisor=_user(supervisor),
             data=_type(supervisor.organisation.id, **changes))
    assert db.session.scalar(select(func.count(SessionType.id))) == 0


def test_a_type_is_offered_only_where_its_supervisor_supervises(ctx, supervisor, make):
    elsewhere = make.organisation()
    make.user(Role.link_worker, organisation=elsewhere)
    _refused("organisation_invalid", "organisation_id", availability.create_type, supervisor=_user(supervisor),
             data=_type(elsewhere.id))


def test_changing_a_type_leaves_sessions_already_made_alone(ctx, supervisor, make):
    type_id = make.session_type(supervisor, length=60, location="online")
    session_id = make.supervision_session(type_id, NOW + timedelta(days=3))
    session_type = db.session.get(SessionType, type_id)
    availability.update_type(session_type=session_type, supervisor=_user(supervisor), data=_type(
        supervisor.organisation.id, name="Longer one-to-one", length_minutes=90,
        location_kind=LocationKind.in_person, address="Ty Cwtch"))
    db.session.commit()
    db.session.expire_all()
    session = db.session.get(SupervisionSession, session_id)
    assert (session.ends_at - session.starts_at, session.location_kind, session.online_link) == (
        timedelta(minutes=60), LocationKind.online, "https://meet.example.org/cwtch-room")
    assert db.session.get(SessionType, type_id).length_minutes == 90


def test_archive_and_restore(ctx, supervisor, make):
    session_type = db.session.get(SessionType, make.session_type(supervisor))
    availability.archive_type(session_type=session_type)
    db.session.commit()
    assert db.session.get(SessionType, session_type.id).active is False
    availability.restore_type(session_type=session_type)
    db.session.commit()
    assert db.session.get(SessionType, session_type.id).active is True


# --- time off ---------------------------------------------------------------------------------------

def test_time_off_is_added_and_counts_sessions_inside_it(ctx, supervisor, make):
    link_worker = make.user(Role.link_worker, organisation=supervisor.organisation)
    one_to_one = make.session_type(supervisor)
    group = make.session_type(supervisor, kind="group")
    start = NOW + timedelta(days=7)
    booked = make.supervision_session(one_to_one, start + timedelta(hours=2))
    make.booking(booked, link_worker)
    make.supervision_session(group, start + timedelta(days=1))  # a group session, nobody booked yet
    freed = make.supervision_session(one_to_one, start + timedelta(hours=4))
    make.booking(freed, link_worker, status="cancelled")
    make.supervision_session(one_to_one, start + timedelta(hours=6), status="cancelled")
    make.supervision_session(one_to_one, start + timedelta(days=5))  # after the block
    block = availability.add_block(supervisor=_user(supervisor), starts_at=start, ends_at=start + timedelta(days=2),
                                   cover_note="  Dr Siân Morgan covers urgent requests \r\n", now=NOW)
    db.session.commit()
    assert block.cover_note == "Dr Siân Morgan covers urgent requests"
    assert availability.sessions_during(supervisor.id, block.starts_at, block.ends_at) == 2
    assert [b.id for b in availability.upcoming_blocks(supervisor.id, NOW)] == [block.id]
    assert availability.upcoming_blocks(supervisor.id, start + timedelta(days=2)) == []  # half-open


@pytest.mark.parametrize("starts,ends,note,code,field", [
    (NOW + timedelta(days=2), NOW + timedelta(days=1), None, "block_ends_before_start", "end_date"),
    (NOW + timedelta(days=2), NOW + timedelta(days=2), None, "block_ends_before_start", "end_date"),
    (NOW - timedelta(days=3), NOW - timedelta(days=1), None, "block_in_past", "end_date"),
    (NOW + timedelta(days=1), NOW + timedelta(days=2), "x" * 501, "cover_note_too_long", "cover_note"),
])
def test_bad_time_off_is_refused(ctx, supervisor, starts, ends, note, code, field):
    _refused(code, field, availability.add_block, supervisor=_user(supervisor), starts_at=starts, ends_at=ends,
             cover_note=note, now=NOW)
    assert db.session.scalar(select(func.count(AvailabilityBlock.id))) == 0


def test_time_off_can_be_removed(ctx, supervisor, make):
    block_id = make.block(supervisor, NOW + timedelta(days=1), NOW + timedelta(days=2))
    availability.delete_block(block=db.session.get(AvailabilityBlock, block_id))
    db.session.commit()
    assert availability.upcoming_blocks(supervisor.id, NOW) == []
