"""Times of day as people type them, and London wall-clock times turned into UTC instants."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.utils import unset_value

LONDON = ZoneInfo("Europe/London")
MINUTES_IN_DAY = 24 * 60

# The code carried by the ValueError for a wall-clock time skipped when the clocks go forward.
TIME_DOES_NOT_EXIST = "time_does_not_exist"
TIME_INVALID = "time_invalid"

# "9:30", "09:30", "9.30", "14:15", "2:15pm", "2.15 p.m.", "9am", "9", and the Welsh "9yb", "2.15yh"
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|yb|yh|y\.b\.|y\.h\.)?$")
_AFTERNOON = ("p", "yh", "y.h.")
# "0930", "930", "1415"
_DIGITS = re.compile(r"^(\d{1,2})(\d{2})$")


# Dates a calendar can sensibly hold. Outside them datetime arithmetic overflows (year 9999), so
# forms refuse them first; to_utc refuses them too, as a last line.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
DATE_OUT_OF_RANGE = "date_out_of_range"
FAR_AHEAD = timedelta(days=2 * 366)


class DateOutOfRange(ValueError):
    """A date no calendar here should hold: too far in the past or the future."""

    code = DATE_OUT_OF_RANGE


def too_far_ahead(day: date, today: date) -> bool:
    """More than about two years ahead: surely a typing mistake in a booking form."""
    return day > today + FAR_AHEAD


class TimeDoesNotExist(ValueError):
    """A London wall-clock time that never happens: the hour skipped when the clocks go forward."""

    code = TIME_DOES_NOT_EXIST

    def __init__(self, day: date, minutes: int) -> None:
        super().__init__(TIME_DOES_NOT_EXIST)
        self.day = day
        self.minutes = minutes


def to_utc(day: date, minutes: int) -> datetime:
    """The aware UTC instant of `minutes` past midnight on `day` in London.

    1440 means midnight at the end of the day. A time that does not exist (01:30 on the day the
    clocks go forward) raises TimeDoesNotExist (a ValueError whose args[0] is its code); a time
    that happens twice (01:30 on the day they go back) is taken the first time, in summer time.
    """
    if not 0 <= minutes <= MINUTES_IN_DAY:
        raise ValueError(TIME_INVALID)
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise DateOutOfRange(DATE_OUT_OF_RANGE)
    if minutes == MINUTES_IN_DAY:
        day, minutes = day + timedelta(days=1), 0
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LONDON)  # fold=0: the first
    instant = wall.astimezone(timezone.utc)
    # A skipped time does not survive the round trip back to the wall clock.
    if instant.astimezone(LONDON).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise TimeDoesNotExist(day, minutes)
    return instant


def parse_time_of_day(text: str) -> int:
    """Minutes past midnight for a time typed in any common way; ValueError if it is not one."""
    if not isinstance(text, str):
        raise ValueError(TIME_INVALID)
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned.isascii():
        raise ValueError(TIME_INVALID)
    match = _CLOCK.match(cleaned)
    if match:
        hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    else:
        match = _DIGITS.match(cleaned)
        if not match:
            raise ValueError(TIME_INVALID)
        hour, minute, suffix = int(match.group(1)), int(match.group(2)), None
    if minute > 59:
        raise ValueError(TIME_INVALID)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(TIME_INVALID)
        hour = hour % 12 + (12 if suffix.startswith(_AFTERNOON) else 0)
    elif hour > 23:
        raise ValueError(TIME_INVALID)
    return hour * 60 + minute


def format_minutes(minutes: int) -> str:
    """A wall-clock time as 24-hour HH:MM, e.g. 570 → "09:30" (1440 → "24:00", the day's end)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class SizedTextInput(GovTextInput):
    """A GOV.UK text input with a width class of its own, unless the template gives classes."""

    def __init__(self, classes: str) -> None:
        super().__init__()
        self.classes = classes

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("classes", self.classes)
        return params


class TimeOfDayField(StringField):
    """A time typed as text. `.data` keeps exactly what was typed (so the form shows it again);
    `.minutes` holds the parsed minutes past midnight, or None when empty or wrong."""

    widget = SizedTextInput("govuk-input--width-5")

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minutes: int | None = None

    def process(self, formdata, data=unset_value, extra_filters=None):
        # Start from minutes (an int, e.g. a window being edited) as well as from text.
        if isinstance(data, int) and not isinstance(data, bool):
            data = format_minutes(data)
        super().process(formdata, data, extra_filters)
        if formdata is None or self.name not in formdata:
            self.minutes = self._parse_quietly(self.data)

    def process_formdata(self, valuelist):
        self.minutes = None
        text = valuelist[0].strip() if valuelist and isinstance(valuelist[0], str) else ""
        self.data = text
        if not text:
            return
        try:
            self.minutes = parse_time_of_day(text)
        except ValueError:
            raise ValueError(_l("Enter a time, like 09:30 or 2:15pm")) from None

    @staticmethod
    def _parse_quietly(value) -> int | None:
        try:
            return parse_time_of_day(value) if value else None
        except ValueError:
            return None
