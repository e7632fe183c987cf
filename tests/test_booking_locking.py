"""No double booking under real concurrency: 20 threads, each with its own connection and app
context, race for the same slot or the last places of a group, and commit as a route would."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Membership, Organisation, OrganisationKind, Region, Role, SupervisorAssignment, User
from supervision.booking import bookings
from supervision.booking.errors import BookingError, SlotTaken
from supervision.booking.models import (
    AvailabilityWindow,
    Booking,
    BookingStatus,
    LocationKind,
    SessionKind,
    SessionType,
    SupervisionSession,
    SupervisorSettings,
)
from supervision.extensions import db

from .conftest import make_test_app

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
SLOT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # a Tuesday, GMT
THREADS = 20


@pytest.fixture
def race_app(databases, tmp_path):
    """An app on its own database, so that threads committing do not meet the shared app's cleanup."""
    app = make_test_app(databases.new("locking"), str(tmp_path))
    with app.app_context():
        db.create_all()
    return app


def _person(organisation, role: Role, name: str) -> User:
    person = User(email=f"{name}@example.org", name=name, password_hash="x")
    person.memberships.append(Membership(organisation=organisation, role=role))
    db.session.add(person)
    return person


def _supervisor_with_type(organisation, name: str, kind: SessionKind = SessionKind.one_to_one) -> tuple[int, int]:
    supervisor = _person(organisation, Role.supervisor, name)
    db.session.flush()
    db.session.add(SupervisorSettings(user_id=supervisor.id, buffer_minutes=15, min_notice_hours=24,
                                      max_days_ahead=56, cancel_cutoff_hours=24))
    db.session.add(AvailabilityWindow(supervisor_id=supervisor.id, weekday=1, start_minute=540, end_minute=1020))
    group = kind == SessionKind.group
    kind_row = SessionType(supervisor_id=supervisor.id, organisation=organisation, kind=kind, name="Supervision",
                           length_minutes=60, capacity=5 if group else 1, min_attendees=1,
                           location_kind=LocationKind.online, online_link="https://meet.example.org/x")
    db.session.add(kind_row)
    db.session.flush()
    return supervisor.id, kind_row.id


def _calendar(app, supervisors: int = 1) -> tuple[list[tuple[int, int]], list[int], int]:
    """Supervisors (each with a one-to-one type), THREADS link workers supervised by all of them,
    and one group type of the first supervisor."""
    with app.app_context():
        organisation = Organisation(name="Race", kind=OrganisationKind.primary_care, region=Region.powys)
        db.session.add(organisation)
        pairs = [_supervisor_with_type(organisation, f"supervisor{n}") for n in range(supervisors)]
        group_type = SessionType(supervisor_id=pairs[0][0], organisation=organisation, kind=SessionKind.group,
                                 name="Peer group", length_minutes=60, capacity=5, min_attendees=1,
                                 location_kind=LocationKind.online, online_link="https://meet.example.org/g")
        db.session.add(group_type)
        people = [_person(organisation, Role.link_worker, f"worker{n}") for n in range(THREADS)]
        db.session.flush()
        for supervisor_id, _ in pairs:
            for person in people:
                db.session.add(SupervisorAssignment(organisation_id=organisation.id, supervisor_id=supervisor_id,
                                                    link_worker_id=person.id))
        db.session.commit()
        return pairs, [person.id for person in people], group_type.id


def _race(app, calls) -> list[str]:
    """Run each call in its own thread and app context, all released at once; commit on success."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        with app.app_context():
            try:
                barrier.wait()
                outcome = call()
                db.session.commit()
            except SlotTaken:
                db.session.rollback()
                outcome = "taken"
            except BookingError as error:
                db.session.rollback()
                outcome = error.code
            except Exception as error:  # anything else fails the test, with its name
                db.session.rollback()
                outcome = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _book(supervisor_type: tuple[int, int], link_worker_id: int, starts_at: datetime = SLOT):
    def call():
        booking = bookings.book(link_worker=db.session.get(User, link_worker_id),
                                session_type=db.session.get(SessionType, supervisor_type[1]),
                                starts_at=starts_at, agenda=None, now=NOW)
        return booking.status.value
    return call


def test_twenty_link_workers_race_for_one_slot(race_app):
    pairs, people, _ = _calendar(race_app)
    outcomes = _race(race_app, [_book(pairs[0], person) for person in people])
    assert sorted(outcomes) == ["confirmed"] + ["taken"] * (THREADS - 1)
    with race_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
        assert db.session.scalar(select(func.count()).select_from(SupervisionSession)) == 1


def test_one_link_worker_books_two_supervisors_at_once(race_app):
    pairs, people, _ = _calendar(race_app, supervisors=2)
    calls = [_book(pairs[n % 2], people[0]) for n in range(THREADS)]
    outcomes = _race(race_app, calls)
    assert sorted(outcomes) == ["confirmed"] + ["taken"] * (THREADS - 1)
    with race_app.app_context():
        held = db.session.scalars(select(Booking.status).where(Booking.link_worker_id == people[0])).all()
        assert held == [BookingStatus.confirmed]


def test_twenty_people_race_for_the_last_three_places(race_app):
    pairs, people, group_type = _calendar(race_app)
    with race_app.app_context():
        kind = db.session.get(SessionType, group_type)
        session = SupervisionSession(
            supervisor_id=kind.supervisor_id, organisation_id=kind.organisation_id, session_type_id=kind.id,
            kind=kind.kind, starts_at=SLOT, ends_at=SLOT + timedelta(hours=1), capacity=5, min_attendees=1,
            location_kind=kind.location_kind, online_link=kind.online_link)
        db.session.add(session)
        extra = [_person(kind.organisation, Role.link_worker, f"early{n}") for n in range(2)]
        db.session.flush()
        for person in extra:  # two places already taken: three left
            db.session.add(Booking(session_id=session.id, link_worker_id=person.id, status=BookingStatus.confirmed))
        db.session.commit()
        session_id = session.id

    def join(person_id):
        def call():
            booking = bookings.join_group(link_worker=db.session.get(User, person_id),
                                          session=db.session.get(SupervisionSession, session_id), now=NOW)
            return booking.status.value
        return call

    outcomes = _race(race_app, [join(person) for person in people])
    assert sorted(outcomes) == ["confirmed"] * 3 + ["waitlisted"] * (THREADS - 3)
    with race_app.app_context():
        confirmed = db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.session_id == session_id, Booking.status == BookingStatus.confirmed))
        assert confirmed == 5
