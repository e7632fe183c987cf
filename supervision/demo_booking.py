"""Demo supervision bookings: every demo supervisor's availability, and a calendar with history for
Carys (past sessions with records, a no-show, an upcoming session, a request waiting for approval,
group peer supervision) and for Nia (a confirmed session and a new time to answer). Development only.

Rows are written straight to the models, not through the booking services, so that the demo shows
each state as it would be after the steps in its history. Times are relative to the real "now", on
London working hours, so the demo looks right whenever it is seeded. Running it twice changes nothing:
a supervisor with settings already has their availability, and one with sessions has their calendar.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from .accounts.models import Organisation, User
from .booking.events import Action, record
from .booking.models import (
    REQUEST_EXPIRY_HOURS,
    Attendance,
    AvailabilityBlock,
    AvailabilityWindow,
    Booking,
    BookingStatus,
    LocationKind,
    SessionKind,
    SessionRecord,
    SessionType,
    SupervisionSession,
    SupervisorSettings,
)
from .db import utcnow
from .demo_booking_text import (
    CARYS_AGENDA,
    CARYS_NO_SHOW_NOTE,
    CARYS_RECORDS,
    CARYS_REQUEST_AGENDA,
    COVER_NOTES,
    GROUP_AGENDA,
    NIA_AGENDA,
    NIA_PROPOSAL_AGENDA,
    NIA_PROPOSAL_REASON,
    NIA_RECORD,
    OGMORE_VENUE,
    TEIFI_VENUE,
    DemoRecord,
)
from .extensions import db

LONDON = ZoneInfo("Europe/London")
MON, TUE, WED, THU = 0, 1, 2, 3
OGMORE = "Ogmore Valleys Community Connectors"
TEIFI = "Teifi Valley Primary Care Cluster"
# Each organisation's supervision standard: at least one attended session this many days apart.
STANDARDS = {OGMORE: 30, TEIFI: 42}


@dataclass(frozen=True)
class DemoAvailability:
    email: str
    organisation: str
    requires_approval: bool
    buffer_minutes: int
    min_notice_hours: int
    max_days_ahead: int
    weekly_cap: int | None
    cancel_cutoff_hours: int
    windows: tuple[tuple[int, str, str], ...]  # (weekday, "HH:MM", "HH:MM") in London
    one_to_one: tuple[str, int, str]  # (name, minutes, online link)
    group: tuple[str, int, str]  # (name, minutes, venue); six places, at least three people
    leave_week: int  # which week of next month the leave falls in (0: the first at least 21 days away)
    leave_days: int = 5


SUPERVISORS = [
    DemoAvailability("supervisor@example.org", OGMORE, True, 15, 24, 56, 8, 24,
                     ((TUE, "09:30", "12:30"), (THU, "13:00", "16:30")),
                     ("One-to-one supervision", 60, "https://meet.example.org/rhodri-evans"),
                     ("Peer supervision: Ogmore group", 90, OGMORE_VENUE), leave_week=0),
    DemoAvailability("senior@example.org", OGMORE, False, 10, 12, 28, 4, 24,
                     ((MON, "14:00", "17:00"),),
                     ("Peer support one-to-one", 45, "https://meet.example.org/owain-davies"),
                     ("New starters' peer group", 90, OGMORE_VENUE), leave_week=1),
    DemoAvailability("bethan.howells@ogmore.example.org", OGMORE, False, 15, 48, 42, None, 48,
                     ((WED, "09:00", "12:00"), (THU, "09:00", "12:00")),
                     ("One-to-one supervision", 60, "https://meet.example.org/bethan-howells"),
                     ("Peer supervision: Llynfi and Garw group", 90, OGMORE_VENUE), leave_week=1, leave_days=2),
    DemoAvailability("mererid.hopkin@teifi.example.org", TEIFI, True, 15, 24, 56, 6, 24,
                     ((MON, "10:00", "13:00"), (WED, "13:30", "16:30")),
                     ("Goruchwyliaeth un i un", 60, "https://meet.example.org/mererid-hopcyn"),
                     ("Goruchwyliaeth gan gymheiriaid: Dyffryn Teifi", 90, TEIFI_VENUE), leave_week=0),
]

CARYS, NIA, RHODRI, MERERID = ("linkworker@example.org", "cymraeg@example.org", "supervisor@example.org",
                               "mererid.hopkin@teifi.example.org")
GROUP_MEMBERS = [CARYS, "ffion.thomas@ogmore.example.org", "dylan.hughes@ogmore.example.org",
                 "megan.roberts@ogmore.example.org"]


def _at(day: date, hhmm: str) -> datetime:
    """A London wall-clock time on a day, in UTC (demo hours are never near the clock changes)."""
    local = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=LONDON)
    return local.astimezone(timezone.utc)


def _next(today: date, weekday: int, hhmm: str, min_days: int) -> datetime:
    """The first such weekday at least min_days after today."""
    day = today + timedelta(days=min_days)
    return _at(day + timedelta(days=(weekday - day.weekday()) % 7), hhmm)


def _weeks_ago(today: date, weekday: int, hhmm: str, weeks: int) -> datetime:
    """That weekday in the week (Monday to Sunday) this many weeks before this one."""
    return _at(today - timedelta(days=today.weekday() - weekday + 7 * weeks), hhmm)


def _leave(today: date, week: int, days: int) -> tuple[datetime, datetime]:
    """A stretch of leave next month, starting on a Monday at least three weeks away, so that it
    never falls on the demo's upcoming sessions (all within 17 days)."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    start = max(first, today + timedelta(days=21))
    start += timedelta(days=(MON - start.weekday()) % 7 + 7 * week)
    return _at(start, "00:00"), _at(start + timedelta(days=days), "00:00")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _set_up(supervisor: User, spec: DemoAvailability, organisation: Organisation, today: date,
            now: datetime) -> None:
    db.session.add(SupervisorSettings(
        user_id=supervisor.id, requires_approval=spec.requires_approval, buffer_minutes=spec.buffer_minutes,
        min_notice_hours=spec.min_notice_hours, max_days_ahead=spec.max_days_ahead, weekly_cap=spec.weekly_cap,
        cancel_cutoff_hours=spec.cancel_cutoff_hours, updated_at=now - timedelta(days=90)))
    for weekday, start, end in spec.windows:
        db.session.add(AvailabilityWindow(supervisor_id=supervisor.id, weekday=weekday,
                                          start_minute=_minutes(start), end_minute=_minutes(end)))
    name, minutes, link = spec.one_to_one
    db.session.add(SessionType(
        supervisor_id=supervisor.id, organisation_id=organisation.id, kind=SessionKind.one_to_one, name=name,
        length_minutes=minutes, capacity=1, min_attendees=1, location_kind=LocationKind.online,
        online_link=link, created_at=now - timedelta(days=90)))
    name, minutes, venue = spec.group
    db.session.add(SessionType(
        supervisor_id=supervisor.id, organisation_id=organisation.id, kind=SessionKind.group, name=name,
        length_minutes=minutes, capacity=6, min_attendees=3, location_kind=LocationKind.in_person,
        address=venue, created_at=now - timedelta(days=90)))
    starts_at, ends_at = _leave(today, spec.leave_week, spec.leave_days)
    db.session.add(AvailabilityBlock(supervisor_id=supervisor.id, starts_at=starts_at, ends_at=ends_at,
                                     cover_note=COVER_NOTES[spec.email], created_at=now - timedelta(days=10)))


def _type(supervisor: User, kind: SessionKind) -> SessionType:
    return db.session.scalar(select(SessionType).where(SessionType.supervisor_id == supervisor.id,
                                                       SessionType.kind == kind).order_by(SessionType.id))


def _session(session_type: SessionType, starts_at: datetime, created_at: datetime) -> SupervisionSession:
    session = SupervisionSession(
        supervisor_id=session_type.supervisor_id, organisation_id=session_type.organisation_id,
        session_type_id=session_type.id, kind=session_type.kind, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.length_minutes), capacity=session_type.capacity,
        min_attendees=session_type.min_attendees, location_kind=session_type.location_kind,
        address=session_type.address, online_link=session_type.online_link, created_at=created_at)
    db.session.add(session)
    return session


def _book(session: SupervisionSession, link_worker: User, status: BookingStatus, *, created_at: datetime,
          agenda: str | None = None, attendance: Attendance | None = None,
          expires_at: datetime | None = None) -> Booking:
    booking = Booking(session=session, link_worker_id=link_worker.id, status=status, agenda=agenda,
                      attendance=attendance, expires_at=expires_at, created_at=created_at,
                      updated_at=created_at)
    db.session.add(booking)
    db.session.flush()
    return booking


def _step(booking: Booking, action: Action, actor: User | None, at: datetime, **details) -> None:
    record(booking, action, actor=actor, now=at, **details)
    booking.updated_at = max(booking.updated_at, at)


def _one_to_one(session_type: SessionType, link_worker: User, supervisor: User, starts_at: datetime, *,
                status: BookingStatus, agenda: str | None, requested_at: datetime,
                attendance: Attendance | None = None, note: DemoRecord | None = None,
                attendance_note: str | None = None) -> Booking:
    """A one-to-one booking and its history: requested, then approved (unless still waiting), then
    attended or missed, with the record written after the session."""
    session = _session(session_type, starts_at, requested_at)
    expires_at = requested_at + timedelta(hours=REQUEST_EXPIRY_HOURS) if status == BookingStatus.requested else None
    booking = _book(session, link_worker, status, created_at=requested_at, agenda=agenda,
                    attendance=attendance, expires_at=expires_at)
    _step(booking, Action.requested, link_worker, requested_at)
    if status == BookingStatus.confirmed:
        _step(booking, Action.approved, supervisor, requested_at + timedelta(hours=20))
    if attendance is not None:
        action = Action.attended if attendance == Attendance.attended else Action.no_show
        _step(booking, action, supervisor, session.ends_at + timedelta(hours=1), reason=attendance_note)
    if note is not None:
        written = session.ends_at + timedelta(hours=3)
        booking.record = SessionRecord(normative=note.normative, formative=note.formative,
                                       restorative=note.restorative, actions=note.actions,
                                       updated_by_id=supervisor.id, created_at=written, updated_at=written)
    return booking


def _group(session_type: SessionType, starts_at: datetime, people: list[User], *, past: bool) -> None:
    session = _session(session_type, starts_at, starts_at - timedelta(days=21))
    for number, person in enumerate(people):
        joined = starts_at - timedelta(days=14 - number)
        booking = _book(session, person, BookingStatus.confirmed, created_at=joined,
                        agenda=GROUP_AGENDA if person.email == CARYS else None,
                        attendance=Attendance.attended if past else None)
        _step(booking, Action.joined, person, joined)
        if past:
            _step(booking, Action.attended, session_type.supervisor, session.ends_at + timedelta(hours=1))


def _rhodri_calendar(people: dict[str, User], today: date, now: datetime) -> None:
    rhodri, carys = people[RHODRI], people[CARYS]
    one, group = _type(rhodri, SessionKind.one_to_one), _type(rhodri, SessionKind.group)
    missed = _weeks_ago(today, THU, "14:15", 14)
    _one_to_one(one, carys, rhodri, missed, status=BookingStatus.confirmed, agenda=None,
                requested_at=missed - timedelta(days=8), attendance=Attendance.no_show,
                attendance_note=CARYS_NO_SHOW_NOTE)
    for weeks, (weekday, hhmm), note in zip((10, 6, 2), ((TUE, "09:30"), (THU, "13:00"), (TUE, "10:45")),
                                            CARYS_RECORDS):
        starts_at = _weeks_ago(today, weekday, hhmm, weeks)
        _one_to_one(one, carys, rhodri, starts_at, status=BookingStatus.confirmed, agenda=None,
                    requested_at=starts_at - timedelta(days=9), attendance=Attendance.attended, note=note)
    _one_to_one(one, carys, rhodri, _next(today, THU, "13:00", 3), status=BookingStatus.confirmed,
                agenda=CARYS_AGENDA, requested_at=now - timedelta(days=2))
    _one_to_one(one, carys, rhodri, _next(today, TUE, "10:45", 4), status=BookingStatus.requested,
                agenda=CARYS_REQUEST_AGENDA, requested_at=now - timedelta(hours=5))
    members = [people[email] for email in GROUP_MEMBERS]
    _group(group, _weeks_ago(today, WED, "14:00", 3), members, past=True)
    _group(group, _next(today, WED, "14:00", 5), members, past=False)


def _mererid_calendar(people: dict[str, User], today: date, now: datetime) -> None:
    mererid, nia = people[MERERID], people[NIA]
    one = _type(mererid, SessionKind.one_to_one)
    last = _weeks_ago(today, MON, "10:00", 3)
    _one_to_one(one, nia, mererid, last, status=BookingStatus.confirmed, agenda=None,
                requested_at=last - timedelta(days=7), attendance=Attendance.attended, note=NIA_RECORD)
    _one_to_one(one, nia, mererid, _next(today, MON, "10:00", 3), status=BookingStatus.confirmed,
                agenda=NIA_AGENDA, requested_at=now - timedelta(days=3))
    # Nia asked for a Wednesday; Mererid proposed the same time a week later, and Nia has not answered.
    asked, proposed = _next(today, WED, "13:30", 4), _next(today, WED, "13:30", 11)
    requested_at = now - timedelta(hours=30)
    booking = _one_to_one(one, nia, mererid, proposed, status=BookingStatus.proposed,
                          agenda=NIA_PROPOSAL_AGENDA, requested_at=requested_at)
    _step(booking, Action.proposed, mererid, requested_at + timedelta(hours=6), reason=NIA_PROPOSAL_REASON,
          from_starts_at=asked, to_starts_at=proposed)


CALENDARS = {RHODRI: _rhodri_calendar, MERERID: _mererid_calendar}


def seed_bookings(organisations: dict[str, Organisation], now: datetime | None = None) -> int:
    """Standards, availability and sessions; returns how many sessions were written."""
    now = now or utcnow()
    today = now.astimezone(LONDON).date()
    people = {user.email: user for user in db.session.scalars(select(User))}
    for name, days in STANDARDS.items():
        organisations[name].supervision_standard_days = days
    for spec in SUPERVISORS:
        supervisor = people[spec.email]
        if db.session.scalar(select(SupervisorSettings.id).where(SupervisorSettings.user_id == supervisor.id)) is None:
            _set_up(supervisor, spec, organisations[spec.organisation], today, now)
    db.session.flush()
    written = 0
    for email, calendar in CALENDARS.items():
        supervisor = people[email]
        if db.session.scalar(select(SupervisionSession.id)
                             .where(SupervisionSession.supervisor_id == supervisor.id).limit(1)) is None:
            calendar(people, today, now)
            db.session.flush()
            written += db.session.scalar(select(func.count()).select_from(SupervisionSession)
                                         .where(SupervisionSession.supervisor_id == supervisor.id))
    return written
