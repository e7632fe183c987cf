"""Times of day as people type them, and London wall-clock times to UTC across the clock changes."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from supervision.booking.fields import (
    TIME_DOES_NOT_EXIST,
    TimeDoesNotExist,
    TimeOfDayField,
    format_minutes,
    parse_time_of_day,
    to_utc,
)

UTC = timezone.utc


@pytest.mark.parametrize("text,minutes", [
    ("9:30", 570), ("09:30", 570), ("0930", 570), ("930", 570), ("9.30", 570), ("9am", 540), ("9 am", 540),
    ("2:15pm", 855), ("2.15 PM", 855), ("2:15 p.m.", 855), ("14:15", 855), ("  14:15 ", 855), ("00:00", 0),
    ("12am", 0), ("12pm", 720), ("12:30am", 30), ("23:59", 1439), ("9", 540), ("17", 1020),
    # Welsh: y bore (morning) and yr hwyr (afternoon and evening).
    ("9yb", 540), ("9.30 yb", 570), ("2.15yh", 855), ("2:15 y.h.", 855), ("12yh", 720),
])
def test_times_people_type_are_understood(text, minutes):
    assert parse_time_of_day(text) == minutes


@pytest.mark.parametrize("text", [
    "", " ", "abc", "25:00", "24:00", "9:60", "9:3", "13pm", "0am", "12345", "9::30", "-1:00", "9:30xm",
    "１２:００", "9h30", "noon", None,
])
def test_impossible_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time_of_day(text)


def test_format_minutes():
    assert [format_minutes(m) for m in (0, 570, 855, 1440)] == ["00:00", "09:30", "14:15", "24:00"]


def test_winter_and_summer_times_become_utc():
    assert to_utc(date(2027, 1, 12), 9 * 60) == datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    assert to_utc(date(2027, 7, 12), 9 * 60) == datetime(2027, 7, 12, 8, 0, tzinfo=UTC)
    assert to_utc(date(2027, 7, 12), 9 * 60).tzinfo == UTC


def test_the_end_of_the_day_is_midnight_next_day():
    assert to_utc(date(2027, 1, 12), 1440) == datetime(2027, 1, 13, 0, 0, tzinfo=UTC)
    assert to_utc(date(2027, 7, 12), 1440) == datetime(2027, 7, 12, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2027, 3, 28)])
def test_the_hour_skipped_in_spring_does_not_exist(day):
    assert to_utc(day, 59) == datetime(day.year, 3, day.day, 0, 59, tzinfo=UTC)  # 00:59 GMT
    for minutes in (60, 90, 119):
        with pytest.raises(TimeDoesNotExist) as raised:
            to_utc(day, minutes)
        assert raised.value.args[0] == TIME_DOES_NOT_EXIST == raised.value.code
        assert isinstance(raised.value, ValueError)
    assert to_utc(day, 120) == datetime(day.year, 3, day.day, 1, 0, tzinfo=UTC)  # 02:00 BST


@pytest.mark.parametrize("day", [date(2026, 10, 25), date(2027, 10, 31)])
def test_the_repeated_hour_in_autumn_is_taken_the_first_time(day):
    # 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT): the first one is meant.
    assert to_utc(day, 90) == datetime(day.year, 10, day.day, 0, 30, tzinfo=UTC)
    assert to_utc(day, 60) == datetime(day.year, 10, day.day, 0, 0, tzinfo=UTC)
    assert to_utc(day, 120) == datetime(day.year, 10, day.day, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("minutes", [-1, 1441])
def test_minutes_outside_a_day_are_refused(minutes):
    with pytest.raises(ValueError):
        to_utc(date(2027, 1, 12), minutes)


class _TimeForm(FlaskForm):
    class Meta:
        csrf = False

    at = TimeOfDayField("At")


def test_the_field_parses_and_keeps_what_was_typed(app):
    with app.test_request_context():
        form = _TimeForm(formdata=MultiDict({"at": " 2:15pm "}))
        assert form.validate()
        assert form.at.minutes == 855
        assert form.at.data == "2:15pm"


def test_the_field_explains_a_wrong_time(app):
    with app.test_request_context():
        form = _TimeForm(formdata=MultiDict({"at": "25:00"}))
        assert not form.validate()
        assert form.at.minutes is None
        assert form.at.data == "25:00"  # shown again as typed
        assert [str(e) for e in form.at.errors] == ["Enter a time, like 09:30 or 2:15pm"]


def test_the_field_starts_from_minutes_or_nothing(app):
    with app.test_request_context():
        form = _TimeForm(data={"at": 570})
        assert form.at.data == "09:30" and form.at.minutes == 570
        assert 'value="09:30"' in str(form.at())
        empty = _TimeForm(formdata=MultiDict({"at": ""}))
        assert empty.validate() and empty.at.minutes is None and empty.at.data == ""
