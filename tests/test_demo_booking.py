"""The demo's supervision bookings: idempotent, consistent, private and on sensible London hours."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select

from supervision.accounts.models import Membership, Organisation, Role, User
from supervision.booking.models import (
    HOLDING_STATUSES,
    Attendance,
    AvailabilityBlock,
    AvailabilityWindow,
    Booking,
    BookingEvent,
    BookingStatus,
    SessionKind,
    SessionType,
    SupervisionSession,
    SupervisorSettings,
)
from supervision.db import utcnow
from supervision.debriefs.models import DebriefRequest
from supervision.demo import OGMORE, TEIFI, seed_demo
from supervision.demo_booking import SUPERVISORS, _leave, _next
from supervision.demo_booking_text import all_texts
from supervision.extensions import db
from supervision.identifiers import find_identifiers

LONDON = ZoneInfo("Europe/London")
# Times the demo is seeded at: an ordinary day, a month's end, the week before each clock change.
NOWS = [
    datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc),
    datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc),
    datetime(2026, 10, 20, 12, 0, tzinfo=timezone.utc),
    datetime(2027, 3, 22, 8, 0, tzinfo=timezone.utc),
]


@pytest.fixture
def seeded(app):
    def _seed(now: datetime | None = None) -> None:
        with app.app_context():
            seed_demo(now=now)
            db.session.commit()
    return _seed


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _snapshot() -> dict:
    counts = {name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
              for name in inspect(db.engine).get_table_names() if name in db.metadata.tables}
    sessions = db.session.execute(select(SupervisionSession.id, SupervisionSession.starts_at,
                                         SupervisionSession.status).order_by(SupervisionSession.id)).all()
    bookings = db.session.execute(select(Booking.id, Booking.status, Booking.attendance).order_by(Booking.id)).all()
    return {"counts": counts, "sessions": sessions, "bookings": bookings}


def test_seeding_twice_changes_nothing(app, seeded):
    seeded()
    with app.app_context():
        first = _snapshot()
        assert first["counts"]["supervision_session"] > 0 and first["counts"]["booking_event"] > 0
    seeded()
    with app.app_context():
        assert _snapshot() == first


def test_every_demo_supervisor_has_availability(app, seeded):
    seeded()
    with app.app_context():
        supervisors = db.session.scalars(
            select(User).join(Membership).where(Membership.role == Role.supervisor)).unique().all()
        assert {s.email for s in supervisors} == {spec.email for spec in SUPERVISORS}
        for supervisor in supervisors:
            settings = db.session.scalar(select(SupervisorSettings).where(SupervisorSettings.user_id == supervisor.id))
            assert settings is not None, supervisor.email
            assert db.session.scalar(select(func.count()).select_from(AvailabilityWindow)
                                     .where(AvailabilityWindow.supervisor_id == supervisor.id)) >= 1
            kinds = {t.kind: t for t in db.session.scalars(
                select(SessionType).where(SessionType.supervisor_id == supervisor.id, SessionType.active))}
            assert set(kinds) == {SessionKind.one_to_one, SessionKind.group}, supervisor.email
            assert kinds[SessionKind.one_to_one].online_link.startswith("https://meet.example.org/")
            group = kinds[SessionKind.group]
            assert (group.capacity, group.min_attendees, group.length_minutes) == (6, 3, 90)
            assert group.address and group.online_link is None
            block = db.session.scalar(select(AvailabilityBlock).where(AvailabilityBlock.supervisor_id == supervisor.id))
            others = {s.name for s in supervisors if s.id != supervisor.id}
            assert any(name in block.cover_note for name in others), block.cover_note
        rhodri = _person("supervisor@example.org")
        settings = db.session.scalar(select(SupervisorSettings).where(SupervisorSettings.user_id == rhodri.id))
        assert (settings.requires_approval, settings.buffer_minutes, settings.min_notice_hours,
                settings.max_days_ahead, settings.weekly_cap, settings.cancel_cutoff_hours) == (True, 15, 24, 56, 8, 24)


def test_every_demo_supervisor_has_free_slots(app, seeded):
    from supervision.booking.slots import free_slots

    seeded()
    with app.app_context():
        now = utcnow()
        for spec in SUPERVISORS:
            supervisor = _person(spec.email)
            one = db.session.scalar(select(SessionType).where(SessionType.supervisor_id == supervisor.id,
                                                              SessionType.kind == SessionKind.one_to_one))
            assert free_slots(supervisor, one, now=now), spec.email


def test_carys_sees_coverage_rows(app, seeded):
    from supervision.booking.coverage import coverage_for

    seeded()
    with app.app_context():
        now = utcnow()
        rows = coverage_for(_person("linkworker@example.org"), now)
        assert [row.organisation_name for row in rows] == [OGMORE]
        (row,) = rows
        assert row.standard_days == 30
        assert row.last_attended is not None and row.days_since is not None and row.days_since <= 30
        assert row.meets_standard and row.next_session is not None and row.next_session > now
        (nia,) = coverage_for(_person("cymraeg@example.org"), now)
        assert nia.organisation_name == TEIFI and nia.standard_days == 42 and nia.meets_standard


def test_organisation_standards(app, seeded):
    seeded()
    with app.app_context():
        standards = dict(db.session.execute(select(Organisation.name, Organisation.supervision_standard_days)).all())
        assert standards == {OGMORE: 30, TEIFI: 42}


def test_the_demo_text_names_no_one(app, seeded):
    from supervision.booking.models import SessionRecord

    assert find_identifiers(*all_texts()) == []
    seeded()
    with app.app_context():
        written = [
            *db.session.scalars(select(Booking.agenda)),
            *db.session.scalars(select(BookingEvent.reason)),
            *db.session.scalars(select(AvailabilityBlock.cover_note)),
            *(text for r in db.session.scalars(select(SessionRecord))
              for text in (r.normative, r.formative, r.restorative, r.actions)),
        ]
        written = [text for text in written if text]
        assert len(written) >= 20
        assert find_identifiers(*written) == []
        nia = _person("cymraeg@example.org")
        welsh = " ".join(b.agenda or "" for b in db.session.scalars(select(Booking).where(Booking.link_worker_id == nia.id)))
        assert "Gofalu amdanaf" in welsh and " the " not in welsh


def test_the_group_has_four_of_six_places_booked(app, seeded):
    seeded()
    with app.app_context():
        now = utcnow()
        groups = db.session.scalars(select(SupervisionSession).where(SupervisionSession.kind == SessionKind.group)
                                    .order_by(SupervisionSession.starts_at)).all()
        past, upcoming = [g for g in groups if g.starts_at < now], [g for g in groups if g.starts_at > now]
        assert len(past) == 1 and len(upcoming) == 1
        group = upcoming[0]
        confirmed = [b for b in group.bookings if b.status == BookingStatus.confirmed]
        assert len(confirmed) == 4 and group.capacity == 6 and group.min_attendees == 3
        assert "linkworker@example.org" in {b.link_worker.email for b in confirmed}
        assert group.address and group.starts_at - now > timedelta(hours=24)
        assert all(b.attendance == Attendance.attended for b in past[0].bookings)


def test_carys_and_nia_have_each_kind_of_booking(app, seeded):
    seeded()
    with app.app_context():
        now = utcnow()
        carys, nia = _person("linkworker@example.org"), _person("cymraeg@example.org")
        # The debrief Rhodri booked for Carys (demo_debriefs) is booked directly, not requested.
        debriefs = set(db.session.scalars(select(DebriefRequest.booking_id)
                                          .where(DebriefRequest.booking_id.is_not(None))))
        mine = [b for b in db.session.scalars(select(Booking).join(SupervisionSession)
                                              .where(Booking.link_worker_id == carys.id,
                                                     SupervisionSession.kind == SessionKind.one_to_one))
                if b.id not in debriefs]
        attended = [b for b in mine if b.attendance == Attendance.attended]
        assert len(attended) == 3 and all(b.record and b.record.action_list for b in attended)
        (missed,) = [b for b in mine if b.attendance == Attendance.no_show]
        assert missed.record is None and now - missed.session.starts_at > timedelta(days=60)
        (upcoming,) = [b for b in mine if b.status == BookingStatus.confirmed and b.session.starts_at > now]
        assert upcoming.agenda and upcoming.session.starts_at - now > timedelta(hours=24)
        (request,) = [b for b in mine if b.status == BookingStatus.requested]
        assert request.session.starts_at > now + timedelta(hours=24) and now < request.expires_at
        theirs = db.session.scalars(select(Booking).where(Booking.link_worker_id == nia.id)).all()
        assert sorted(b.status.value for b in theirs) == ["confirmed", "confirmed", "proposed"]
        (proposal,) = [b for b in theirs if b.status == BookingStatus.proposed]
        assert [e.action for e in proposal.events] == ["requested", "proposed"]
        proposed = proposal.events[-1]
        assert proposed.to_starts_at == proposal.session.starts_at.replace(tzinfo=proposed.to_starts_at.tzinfo)
        assert proposed.from_starts_at < proposed.to_starts_at and proposed.reason
        for booking in db.session.scalars(select(Booking)):
            actions = [e.action for e in booking.events]
            if booking.id in debriefs:
                assert actions == ["booked"]
                continue
            assert actions and actions[0] in ("requested", "joined"), actions
            assert ("approved" in actions) == (booking.session.kind == SessionKind.one_to_one
                                               and booking.status == BookingStatus.confirmed)


def _holding_sessions() -> list[tuple[int, SupervisionSession]]:
    """(person, session) for everyone whose time a session holds: its supervisor and its people."""
    rows = []
    for session in db.session.scalars(select(SupervisionSession)):
        rows.append((session.supervisor_id, session))
        rows += [(b.link_worker_id, session) for b in session.bookings if b.status in HOLDING_STATUSES]
    return rows


@pytest.mark.parametrize("now", NOWS, ids=[n.date().isoformat() for n in NOWS])
def test_the_calendar_is_consistent_whenever_it_is_seeded(app, seeded, now):
    seeded(now)
    with app.app_context():
        by_person: dict[int, list[SupervisionSession]] = {}
        for person, session in _holding_sessions():
            by_person.setdefault(person, []).append(session)
        for person, sessions in by_person.items():
            sessions.sort(key=lambda s: s.starts_at)
            for earlier, later in zip(sessions, sessions[1:]):
                assert earlier.ends_at <= later.starts_at, (person, earlier.starts_at, later.starts_at)
        blocks = db.session.scalars(select(AvailabilityBlock)).all()
        for session in db.session.scalars(select(SupervisionSession)):
            local = session.starts_at.astimezone(LONDON)
            assert 9 <= local.hour < 17, local
            assert not any(b.supervisor_id == session.supervisor_id and b.starts_at < session.ends_at
                           and session.starts_at < b.ends_at for b in blocks)
            if session.kind == SessionKind.one_to_one and session.starts_at > now:
                assert session.starts_at - now > timedelta(hours=24)


def test_leave_falls_next_month_after_every_upcoming_session():
    today = date(2026, 1, 1)
    for offset in range(400):
        day = today + timedelta(days=offset)
        starts_at, ends_at = _leave(day, 0, 5)
        local = starts_at.astimezone(LONDON)
        assert local.weekday() == 0 and local.hour == 0 and local.minute == 0
        next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        assert (local.year, local.month) == (next_month.year, next_month.month), day
        latest = _next(day, 2, "14:45", 11)  # the latest upcoming demo session (Nia's proposal)
        assert latest < starts_at and ends_at - starts_at >= timedelta(days=4, hours=23)
