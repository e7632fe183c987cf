"""A supervisor's own set-up: booking settings, weekly windows, session types and blocks of leave.

Services flush and never commit; the route commits once. Each raises BookingError (with the form
field it belongs to) when a rule says no, before anything is changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from ..accounts.models import User
from ..extensions import db
from .errors import BookingError
from .fields import format_minutes
from .loaders import settings_for
from .locking import lock_calendars
from .models import (
    BUFFER_MINUTES,
    CANCEL_CUTOFF_HOURS,
    HOLDING_STATUSES,
    MAX_DAYS_AHEAD,
    MIN_NOTICE_HOURS,
    WEEKLY_CAP,
    AvailabilityBlock,
    AvailabilityWindow,
    Booking,
    SessionKind,
    SessionStatus,
    SupervisionSession,
    SupervisorSettings,
)
# Session types live in their own module; re-exported so that set-up has one entry point.
from .session_types import (  # noqa: F401
    SessionTypeData,
    archive_type,
    create_type,
    restore_type,
    supervising_organisations,
    types_of,
    update_type,
)

MAX_COVER_NOTE = 500


def _in_range(value, bounds: tuple[int, int], field: str, message) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not bounds[0] <= value <= bounds[1]:
        raise BookingError(f"{field}_out_of_range", message, field=field)


# --- settings -------------------------------------------------------------------------------------

# Each number's allowed range and the message for a number outside it; the form uses them too.
SETTING_LIMITS = {
    "buffer_minutes": (BUFFER_MINUTES, _l("Buffer must be between %(low)s and %(high)s minutes",
                                          low=BUFFER_MINUTES[0], high=BUFFER_MINUTES[1])),
    "min_notice_hours": (MIN_NOTICE_HOURS, _l("Minimum notice must be between %(low)s and %(high)s hours",
                                              low=MIN_NOTICE_HOURS[0], high=MIN_NOTICE_HOURS[1])),
    "max_days_ahead": (MAX_DAYS_AHEAD, _l("How far ahead must be between %(low)s and %(high)s days",
                                          low=MAX_DAYS_AHEAD[0], high=MAX_DAYS_AHEAD[1])),
    "weekly_cap": (WEEKLY_CAP, _l("Weekly limit must be between %(low)s and %(high)s sessions, "
                                  "or left empty for no limit", low=WEEKLY_CAP[0], high=WEEKLY_CAP[1])),
    "cancel_cutoff_hours": (CANCEL_CUTOFF_HOURS, _l("Cut-off must be between %(low)s and %(high)s hours",
                                                    low=CANCEL_CUTOFF_HOURS[0], high=CANCEL_CUTOFF_HOURS[1])),
}


@dataclass(frozen=True)
class SettingsData:
    requires_approval: bool
    buffer_minutes: int
    min_notice_hours: int
    max_days_ahead: int
    weekly_cap: int | None  # None: no cap
    cancel_cutoff_hours: int


def save_settings(*, supervisor: User, data: SettingsData, now: datetime) -> SupervisorSettings:
    for name, (bounds, message) in SETTING_LIMITS.items():
        value = getattr(data, name)
        if not (name == "weekly_cap" and value is None):
            _in_range(value, bounds, name, message)
    if data.min_notice_hours >= data.max_days_ahead * 24:
        # Nobody could ever book: every time far enough ahead would be too far ahead.
        raise BookingError("notice_beyond_horizon",
                           _l("Minimum notice must be shorter than how far ahead people can book"),
                           field="min_notice_hours")
    # Serialises two saves (the first creates the row) and keeps bookings from reading half a change.
    lock_calendars(supervisor.id)
    settings = settings_for(supervisor.id)
    if settings.id is None:
        db.session.add(settings)
    settings.requires_approval = bool(data.requires_approval)
    settings.buffer_minutes = data.buffer_minutes
    settings.min_notice_hours = data.min_notice_hours
    settings.max_days_ahead = data.max_days_ahead
    settings.weekly_cap = data.weekly_cap
    settings.cancel_cutoff_hours = data.cancel_cutoff_hours
    settings.updated_at = now
    db.session.flush()
    return settings


# --- weekly windows -------------------------------------------------------------------------------

def windows_of(supervisor_id: int) -> list[AvailabilityWindow]:
    return list(db.session.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.supervisor_id == supervisor_id)
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
    ))


def add_window(*, supervisor: User, weekday: int, start: int, end: int) -> AvailabilityWindow:
    """A weekly window in London wall-clock minutes. Windows on one day may neither overlap nor
    touch: two windows meeting at 12:00 are one window, and slots must be free to cross 12:00."""
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise BookingError("weekday_invalid", _l("Select a day of the week"), field="weekday")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < 1440 and 0 < end <= 1440):
        raise BookingError("time_invalid", _l("Enter a time, like 09:30 or 2:15pm"), field="start")
    if start >= end:
        raise BookingError("window_start_after_end", _l("End time must be after the start time"), field="end")
    # Two tabs adding windows at once must not both pass the check below.
    lock_calendars(supervisor.id)
    clash = db.session.scalar(
        select(AvailabilityWindow).where(
            AvailabilityWindow.supervisor_id == supervisor.id, AvailabilityWindow.weekday == weekday,
            AvailabilityWindow.start_minute <= end, AvailabilityWindow.end_minute >= start,
        ).order_by(AvailabilityWindow.start_minute).limit(1)
    )
    if clash is not None:
        raise BookingError(
            "window_overlaps",
            _l("This overlaps or touches your window from %(start)s to %(end)s on the same day. "
               "Change the times, or remove that window and add one that covers both",
               start=format_minutes(clash.start_minute), end=format_minutes(clash.end_minute)),
            field="start",
        )
    window = AvailabilityWindow(supervisor_id=supervisor.id, weekday=weekday, start_minute=start, end_minute=end)
    db.session.add(window)
    db.session.flush()
    return window


def delete_window(*, window: AvailabilityWindow) -> None:
    """Sessions already booked in the window stay booked."""
    db.session.delete(window)
    db.session.flush()


# --- blocks ---------------------------------------------------------------------------------------

def upcoming_blocks(supervisor_id: int, now: datetime) -> list[AvailabilityBlock]:
    return list(db.session.scalars(
        select(AvailabilityBlock).where(AvailabilityBlock.supervisor_id == supervisor_id,
                                        AvailabilityBlock.ends_at > now)
        .order_by(AvailabilityBlock.starts_at, AvailabilityBlock.id)
    ))


def add_block(*, supervisor: User, starts_at: datetime, ends_at: datetime, cover_note: str | None,
              now: datetime) -> AvailabilityBlock:
    """A time off. Sessions already booked inside it are not cancelled: see sessions_during."""
    if ends_at <= starts_at:
        raise BookingError("block_ends_before_start", _l("End must be after the start"), field="end_date")
    if ends_at <= now:
        raise BookingError("block_in_past", _l("End must be in the future"), field="end_date")
    note = (cover_note or "").replace("\r\n", "\n").strip() or None
    if note is not None and len(note) > MAX_COVER_NOTE:
        raise BookingError("cover_note_too_long",
                           _l("Note must be %(limit)s characters or fewer", limit=MAX_COVER_NOTE), field="cover_note")
    # Taken so a booking made at this moment either sees the block or is counted by sessions_during.
    lock_calendars(supervisor.id)
    block = AvailabilityBlock(supervisor_id=supervisor.id, starts_at=starts_at, ends_at=ends_at,
                              cover_note=note, created_at=now)
    db.session.add(block)
    db.session.flush()
    return block


def sessions_during(supervisor_id: int, starts_at: datetime, ends_at: datetime) -> int:
    """Active sessions overlapping [starts_at, ends_at): group sessions, and one-to-one sessions
    someone still holds a place in."""
    someone_booked = exists().where(Booking.session_id == SupervisionSession.id,
                                    Booking.status.in_(HOLDING_STATUSES))
    return db.session.scalar(
        select(func.count(SupervisionSession.id)).where(
            SupervisionSession.supervisor_id == supervisor_id,
            SupervisionSession.status == SessionStatus.active,
            SupervisionSession.starts_at < ends_at, SupervisionSession.ends_at > starts_at,
            or_(SupervisionSession.kind == SessionKind.group, someone_booked),
        )
    ) or 0


def delete_block(*, block: AvailabilityBlock) -> None:
    db.session.delete(block)
    db.session.flush()

