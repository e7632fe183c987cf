"""The booking jobs at a frozen time: reminders exactly once 24 hours and 1 hour before (again after a
move), expiry and the group minimum through the jobs, and the supervision-standard reminder."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from supervision.accounts.models import Role, User
from supervision.booking import jobs
from supervision.booking.models import Booking, BookingStatus, SessionStatus, SupervisionSession
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.scheduler.registry import all_jobs

START = datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)  # 10:00 in London


@pytest.fixture
def org(make):
    return make.organisation(name="Rhondda Link")


@pytest.fixture
def people(make, org):
    supervisor = make.user(Role.supervisor, organisation=org, name="Rhodri Evans")
    first = make.user(Role.link_worker, organisation=org, name="Carys Jenkins")
    second = make.user(Role.link_worker, organisation=org, name="Huw Parry")
    waiting = make.user(Role.link_worker, organisation=org, name="Nia Rees")
    return supervisor, first, second, waiting


def _run(app, job, now):
    with app.app_context():
        job(now=now, worker="tests")


def _notes(app, kind=None) -> list[tuple[int, str]]:
    with app.app_context():
        query = select(Notification.user_id, Notification.kind).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [tuple(row) for row in db.session.execute(query)]


def test_every_booking_job_is_registered_with_its_own_id(app):
    ids = {job.id: job.seconds for job in all_jobs()}
    assert {"booking.expire_requests", "booking.group_minimum", "booking.reminders", "booking.coverage"} <= set(ids)
    assert ids["booking.reminders"] == 300 and ids["booking.coverage"] == 86_400


def test_reminders_go_once_at_24_hours_and_once_at_1_hour(app, make, people):
    supervisor, first, second, waiting = people
    group = make.session_type(supervisor, kind="group", capacity=2, min_attendees=1)
    session_id = make.supervision_session(group, START)
    make.booking(session_id, first)
    make.booking(session_id, second)
    make.booking(session_id, waiting, status="waitlisted")
    make.booking(session_id, make.user(Role.link_worker, organisation=supervisor.organisation), status="cancelled")

    _run(app, jobs.reminders_job, START - timedelta(hours=24, minutes=1))
    assert _notes(app) == []
    for now in (START - timedelta(hours=24), START - timedelta(hours=2), START - timedelta(hours=1, seconds=1)):
        _run(app, jobs.reminders_job, now)
    day_before = _notes(app, "booking_reminder_24h")
    assert sorted(user for user, _ in day_before) == sorted([first.id, second.id, supervisor.id])

    for now in (START - timedelta(hours=1), START - timedelta(minutes=5)):
        _run(app, jobs.reminders_job, now)
    hour_before = _notes(app, "booking_reminder_1h")
    assert sorted(user for user, _ in hour_before) == sorted([first.id, second.id, supervisor.id])

    _run(app, jobs.reminders_job, START)
    assert len(_notes(app)) == 6
    with app.app_context():
        emails = db.session.scalars(select(OutboundEmail.user_id)).all()
        # By email as well as in Cwtch, and never to the person on the waiting list.
        assert sorted(emails) == sorted([first.id, second.id, supervisor.id] * 2)


def test_a_moved_session_is_reminded_again_and_a_cancelled_one_is_not(app, make, people):
    supervisor, first, _second, _waiting = people
    one_to_one = make.session_type(supervisor)
    moved = make.supervision_session(one_to_one, START)
    make.booking(moved, first)
    cancelled = make.supervision_session(one_to_one, START + timedelta(hours=3), status="cancelled")
    make.booking(cancelled, first, status="cancelled")
    _run(app, jobs.reminders_job, START - timedelta(hours=20))
    _run(app, jobs.reminders_job, START - timedelta(hours=20))
    assert len(_notes(app, "booking_reminder_24h")) == 2
    with app.app_context():
        # As a reschedule does: the session moves two hours later.
        db.session.execute(update(SupervisionSession).where(SupervisionSession.id == moved).values(
            starts_at=START + timedelta(hours=2), ends_at=START + timedelta(hours=3)))
        db.session.commit()
    _run(app, jobs.reminders_job, START - timedelta(hours=19))
    _run(app, jobs.reminders_job, START - timedelta(hours=19))
    assert len(_notes(app, "booking_reminder_24h")) == 4
    assert [user for user, _ in _notes(app, "booking_reminder_24h")].count(first.id) == 2


def test_an_inactive_person_gets_no_reminder(app, make, people):
    supervisor, first, _second, _waiting = people
    make.booking(make.supervision_session(make.session_type(supervisor), START), first)
    with app.app_context():
        db.session.get(User, first.id).active = False
        db.session.commit()
    _run(app, jobs.reminders_job, START - timedelta(minutes=30))
    assert _notes(app) == [(supervisor.id, "booking_reminder_1h")]


def test_the_expiry_job_expires_unreviewed_requests_once(app, make, people):
    supervisor, first, second, _waiting = people
    one_to_one = make.session_type(supervisor)
    made = START - timedelta(hours=80)
    stale = make.booking(make.supervision_session(one_to_one, START), first, status="requested",
                         expires_at=made + timedelta(hours=72), created_at=made)
    fresh = make.booking(make.supervision_session(one_to_one, START + timedelta(hours=3)), second,
                         status="requested", expires_at=START + timedelta(hours=1), created_at=START)
    for _ in range(2):
        _run(app, jobs.expire_requests_job, START - timedelta(hours=1))
    with app.app_context():
        assert db.session.get(Booking, stale).status == BookingStatus.expired
        assert db.session.get(Booking, fresh).status == BookingStatus.requested
    assert _notes(app, "booking_expired") == [(first.id, "booking_expired")]


def test_the_minimum_job_cancels_a_group_short_of_its_minimum_once(app, make, people):
    supervisor, first, second, _waiting = people
    group = make.session_type(supervisor, kind="group", capacity=6, min_attendees=3)
    short = make.supervision_session(group, START)
    make.booking(short, first)
    later = make.supervision_session(group, START + timedelta(days=3))
    make.booking(later, second)
    for _ in range(2):
        _run(app, jobs.group_minimum_job, START - timedelta(hours=23))
    with app.app_context():
        assert db.session.get(SupervisionSession, short).status == SessionStatus.cancelled
        assert db.session.get(SupervisionSession, later).status == SessionStatus.active
    assert [user for user, _ in _notes(app, "group_below_minimum")].count(first.id) == 1
    assert second.id not in [user for user, _ in _notes(app)]


# --- the supervision standard -------------------------------------------------------------------

def _attended(make, type_id, person, at):
    return make.booking(make.supervision_session(type_id, at), person, attendance="attended")


def test_the_coverage_job_reminds_the_link_worker_and_their_supervisors_once_per_due_date(app, make, org, people):
    supervisor, due_soon, booked, _waiting = people
    second_supervisor = make.user(Role.supervisor, organisation=org, name="Bethan Howells")
    unrelated_supervisor = make.user(Role.supervisor, organisation=org)
    for person in (due_soon, booked):
        make.assign(supervisor, person, org)
    make.assign(second_supervisor, due_soon, org)
    one_to_one = make.session_type(supervisor)
    now = START
    _attended(make, one_to_one, due_soon, now - timedelta(days=25))  # due in 5 days, nothing booked
    _attended(make, one_to_one, booked, now - timedelta(days=25))
    make.booking(make.supervision_session(one_to_one, now + timedelta(days=3)), booked)
    comfortable = make.user(Role.link_worker, organisation=org)
    _attended(make, one_to_one, comfortable, now - timedelta(days=10))  # due in 20 days
    overdue_but_booked = make.user(Role.link_worker, organisation=org)
    _attended(make, one_to_one, overdue_but_booked, now - timedelta(days=40))
    make.booking(make.supervision_session(one_to_one, now + timedelta(days=2)), overdue_but_booked)

    for _ in range(2):
        _run(app, jobs.coverage_job, now)
    told = sorted(user for user, _ in _notes(app, "coverage_due"))
    assert told == sorted([due_soon.id, supervisor.id, second_supervisor.id])
    assert unrelated_supervisor.id not in told

    # The next day nothing new: the due date is the same.
    _run(app, jobs.coverage_job, now + timedelta(days=1))
    assert len(_notes(app, "coverage_due")) == 3
    # After another attended session, the next due date is reminded in its turn.
    _attended(make, one_to_one, due_soon, now + timedelta(days=2))
    _run(app, jobs.coverage_job, now + timedelta(days=27))
    assert [user for user, _ in _notes(app, "coverage_due")].count(due_soon.id) == 2


def test_the_coverage_reminder_email_says_nothing_private(app, make, org, people):
    supervisor, person, _second, _waiting = people
    make.assign(supervisor, person, org)
    one_to_one = make.session_type(supervisor)
    make.booking(make.supervision_session(one_to_one, START - timedelta(days=29)), person,
                 attendance="attended", agenda="Secret agenda about a client")
    _run(app, jobs.coverage_job, START)
    with app.app_context():
        bodies = db.session.scalars(select(OutboundEmail.text_body)).all()
    assert len(bodies) == 2 and not any("Secret agenda" in body for body in bodies)
