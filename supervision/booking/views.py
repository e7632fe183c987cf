"""What the link worker's booking pages show: times in words, weeks of slots, status tags, and the
rows of the Supervision page, each loaded in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload

from ..accounts.models import Membership, Role, User
from ..extensions import db
from .models import (
    OPEN_STATUSES,
    AvailabilityBlock,
    Booking,
    BookingStatus,
    SessionKind,
    SessionStatus,
    SessionType,
    SupervisionSession,
)
from .fields import EARLIEST_YEAR, LATEST_YEAR
from .slots import LONDON, Slot

PAST_LIMIT = 10

STATUS_TAGS = {
    BookingStatus.confirmed: (_l("Confirmed"), "govuk-tag--green"),
    BookingStatus.requested: (_l("Waiting for approval"), "govuk-tag--yellow"),
    BookingStatus.proposed: (_l("New time proposed"), "govuk-tag--orange"),
    BookingStatus.waitlisted: (_l("On the waiting list"), "govuk-tag--blue"),
    BookingStatus.declined: (_l("Declined"), "govuk-tag--red"),
    BookingStatus.cancelled: (_l("Cancelled"), "govuk-tag--grey"),
    BookingStatus.expired: (_l("Expired"), "govuk-tag--grey"),
}


def status_tag(booking: Booking) -> dict:
    """The GOV.UK tag for a booking; a cancelled session reads as cancelled whatever the booking says."""
    status = booking.status
    if booking.session.status == SessionStatus.cancelled and status in OPEN_STATUSES:
        status = BookingStatus.cancelled
    text, classes = STATUS_TAGS[status]
    return {"text": text, "classes": classes}


def when(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """"Tuesday 1 December, 10:00 to 11:00" in Europe/London (the year only when it is not this one)."""
    local = starts_at.astimezone(LONDON)
    pattern = "EEEE d MMMM" if local.year == datetime.now(LONDON).year else "EEEE d MMMM yyyy"
    day = format_datetime(starts_at, pattern)
    if ends_at is None:
        return _("%(day)s at %(time)s", day=day, time=format_time(starts_at, "HH:mm"))
    return _("%(day)s, %(start)s to %(end)s", day=day, start=format_time(starts_at, "HH:mm"),
             end=format_time(ends_at, "HH:mm"))


def iso(moment: datetime) -> str:
    """The `start` a slot link carries: UTC, to the minute, e.g. 2026-12-01T10:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def parse_start(value: str | None) -> datetime | None:
    """A slot's start from a link or form, as an aware UTC datetime; None when it is not one."""
    if not value or len(value) > 40:
        return None
    text = value.strip().replace(" ", "+")  # a "+00:00" that was not URL-encoded arrives as a space
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # Outside these years the date arithmetic further on would overflow; no slot is there anyway.
    if moment.tzinfo is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


# --- weeks ---------------------------------------------------------------------------------------

@dataclass
class Week:
    monday: date
    first: date  # this week's Monday: nothing earlier is offered
    last: date  # the Monday of the week holding the last bookable day
    error: str | None = None

    @property
    def previous(self) -> date | None:
        return self.monday - timedelta(days=7) if self.monday > self.first else None

    @property
    def next(self) -> date | None:
        return self.monday + timedelta(days=7) if self.monday < self.last else None

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def bounds_utc(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.monday, time(0), LONDON)
        end = datetime.combine(self.monday + timedelta(days=7), time(0), LONDON)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_for(value: str | None, *, now: datetime, max_days_ahead: int) -> Week:
    """The week asked for (any day in it), or this week with a message when it is not a date we offer."""
    today = now.astimezone(LONDON).date()
    first = _monday(today)
    last = _monday((now + timedelta(days=max_days_ahead)).astimezone(LONDON).date())
    if not value:
        return Week(first, first, last)
    try:
        asked = date.fromisoformat(value.strip()[:10]) if len(value) <= 20 else None
    except ValueError:
        asked = None
    if asked is None:
        return Week(first, first, last, _("Enter the week as a date, like %(example)s. Here is this week.",
                                          example=first.isoformat()))
    monday = _monday(asked)
    if monday < first or monday > last:
        return Week(first, first, last, _("You can book from this week up to %(days)s days ahead. Here is this week.",
                                          days=max_days_ahead))
    return Week(monday, first, last)


def slots_by_day(week: Week, free: list[Slot]) -> list[tuple[date, str, list[Slot]]]:
    """Each day of the week (London) with its free slots, Monday first, empty days included."""
    days: dict[date, list[Slot]] = {week.monday + timedelta(days=i): [] for i in range(7)}
    for slot in free:
        day = slot.starts_at.astimezone(LONDON).date()
        if day in days:
            days[day].append(slot)
    return [(day, format_date(day, "EEEE d MMMM"), found) for day, found in days.items()]


def week_label(week: Week) -> str:
    return _("%(start)s to %(end)s", start=format_date(week.monday, "d MMMM"),
             end=format_date(week.sunday, "d MMMM yyyy"))


def blocks_in(supervisor_id: int, week: Week) -> list[AvailabilityBlock]:
    start, end = week.bounds_utc()
    return list(db.session.scalars(
        select(AvailabilityBlock).where(AvailabilityBlock.supervisor_id == supervisor_id,
                                        AvailabilityBlock.starts_at < end, AvailabilityBlock.ends_at > start)
        .order_by(AvailabilityBlock.starts_at)
    ))


def one_to_one_types(supervisor_ids: list[int]) -> dict[int, list[SessionType]]:
    """The one-to-one types each supervisor offers now, by name."""
    found: dict[int, list[SessionType]] = {i: [] for i in supervisor_ids}
    if not supervisor_ids:
        return found
    rows = db.session.scalars(
        select(SessionType).where(SessionType.supervisor_id.in_(supervisor_ids), SessionType.active.is_(True),
                                  SessionType.kind == SessionKind.one_to_one)
        .order_by(SessionType.name, SessionType.id)
    )
    for row in rows:
        found[row.supervisor_id].append(row)
    return found


# --- the Supervision page ----------------------------------------------------------------------

def _my_bookings():
    return (select(Booking).join(Booking.session)
            .options(contains_eager(Booking.session).joinedload(SupervisionSession.supervisor)))


def upcoming_bookings(link_worker: User, now: datetime) -> list[Booking]:
    """Open bookings in sessions that have not ended, soonest first."""
    return list(db.session.scalars(
        _my_bookings().where(Booking.link_worker_id == link_worker.id, Booking.status.in_(OPEN_STATUSES),
                             SupervisionSession.status == SessionStatus.active,
                             SupervisionSession.ends_at > now)
        .order_by(SupervisionSession.starts_at, Booking.id)
    ).unique())


def past_bookings(link_worker: User, now: datetime, limit: int = PAST_LIMIT) -> list[Booking]:
    """The most recent sessions that took place (or should have), newest first, with their records."""
    return list(db.session.scalars(
        _my_bookings().options(joinedload(Booking.record))
        .where(Booking.link_worker_id == link_worker.id, Booking.status == BookingStatus.confirmed,
               SupervisionSession.status == SessionStatus.active, SupervisionSession.starts_at <= now)
        .order_by(SupervisionSession.starts_at.desc(), Booking.id.desc()).limit(limit)
    ).unique())


def places_taken(session_ids: list[int]) -> dict[int, int]:
    """Confirmed places per session: a count, never who holds them."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Booking.session_id, func.count(Booking.id))
        .where(Booking.session_id.in_(session_ids), Booking.status == BookingStatus.confirmed)
        .group_by(Booking.session_id)
    )
    return {session_id: count for session_id, count in rows}


@dataclass
class OpenGroup:
    session: SupervisionSession
    places_left: int


def open_groups(link_worker: User, now: datetime, taken_ids: set[int]) -> list[OpenGroup]:
    """Future active group sessions offered in the link worker's organisations by someone who still
    supervises there, that the link worker has not joined yet."""
    organisation_ids = [m.organisation_id for m in link_worker.memberships if m.role == Role.link_worker]
    if not organisation_ids:
        return []
    sessions = list(db.session.scalars(
        select(SupervisionSession)
        .join(Membership, and_(Membership.user_id == SupervisionSession.supervisor_id,
                               Membership.organisation_id == SupervisionSession.organisation_id,
                               Membership.role == Role.supervisor))
        .join(User, User.id == SupervisionSession.supervisor_id)
        .options(joinedload(SupervisionSession.supervisor), joinedload(SupervisionSession.session_type))
        .where(SupervisionSession.kind == SessionKind.group, SupervisionSession.status == SessionStatus.active,
               SupervisionSession.organisation_id.in_(organisation_ids), SupervisionSession.starts_at > now,
               SupervisionSession.supervisor_id != link_worker.id, User.active.is_(True))
        .order_by(SupervisionSession.starts_at, SupervisionSession.id).limit(20)
    ).unique())
    sessions = [s for s in sessions if s.id not in taken_ids]
    taken = places_taken([s.id for s in sessions])
    return [OpenGroup(s, max(s.capacity - taken.get(s.id, 0), 0)) for s in sessions]
