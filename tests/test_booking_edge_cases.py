"""Edge cases found in review: a waiting list never double-books, a person with both roles is one
calendar, a moved session keeps its own length, dates far out never make a 500, groups need a day's
notice, requests lapse when their time comes, and two people saving a record never lose text."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from supervision.accounts.models import Membership, Role, User
from supervision.booking import bookings, records
from supervision.booking.models import Booking, BookingStatus, SessionRecord, SessionType
from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import Notification

from .conftest import post, sign_in
from .test_booking_rules import NOW, SLOT, cal, refused  # noqa: F401  (cal is a fixture)


def test_promotion_passes_over_someone_booked_elsewhere_at_that_time(cal, ctx):
    group = cal.group(capacity=1, minimum=1)
    first, waiting, next_in_line = cal.link_worker, cal.another_link_worker(), cal.another_link_worker()
    place = cal.join(first, group)
    cal.join(waiting, group)
    cal.join(next_in_line, group)
    # Meanwhile the first person on the waiting list books a one-to-one at the same time elsewhere.
    other = cal.make.user(Role.supervisor, organisation=cal.supervisor.organisation)
    cal.make.assign(other, waiting)
    for weekday in range(7):
        cal.make.window(other, weekday, "09:00", "17:00")
    cal.make.supervisor_settings(other, min_notice_hours=24, buffer_minutes=0)
    other_type = db.session.get(SessionType, cal.make.session_type(other))
    bookings.book(link_worker=cal.user(waiting), session_type=other_type, starts_at=SLOT, agenda=None, now=NOW)
    db.session.commit()

    bookings.cancel_booking(booking=db.session.get(Booking, place.id), actor=cal.user(first),
                            reason="Off sick", now=NOW)
    db.session.commit()
    statuses = dict(db.session.execute(select(Booking.link_worker_id, Booking.status)
                                       .where(Booking.session_id == group)).all())
    assert statuses[waiting.id] == BookingStatus.waitlisted  # passed over, still in the queue
    assert statuses[next_in_line.id] == BookingStatus.confirmed


def test_someone_with_both_roles_cannot_be_in_two_sessions_at_once(cal, ctx):
    # Nia is a link worker supervised by cal.supervisor, and supervises Huw herself.
    nia = cal.another_link_worker()
    db.session.add(Membership(user_id=nia.id, organisation_id=cal.supervisor.organisation.id, role=Role.supervisor))
    db.session.commit()
    huw = cal.make.user(Role.link_worker, organisation=cal.supervisor.organisation)
    cal.make.assign(nia, huw)
    for weekday in range(7):
        cal.make.window(nia, weekday, "09:00", "17:00")
    cal.make.supervisor_settings(nia, min_notice_hours=24, buffer_minutes=0)
    nia_type = db.session.get(SessionType, cal.make.session_type(nia))

    cal.book(nia)  # Nia's own supervision at SLOT
    refused("taken", bookings.book, link_worker=cal.user(huw), session_type=nia_type, starts_at=SLOT, agenda=None,
            now=NOW)
    # And the other way round: once Nia supervises at a time, she cannot book supervision then.
    later = SLOT + timedelta(days=1)
    bookings.book(link_worker=cal.user(huw), session_type=nia_type, starts_at=later, agenda=None, now=NOW)
    db.session.commit()
    refused("taken", bookings.book, link_worker=cal.user(nia), session_type=cal.kind(), starts_at=later,
            agenda=None, now=NOW)


def test_a_moved_session_keeps_its_own_length(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, buffer_minutes=0)
    booking = cal.book()  # 60 minutes at 09:00
    kind = cal.kind()
    kind.length_minutes = 30  # the type gets shorter after the booking
    db.session.commit()
    cal.book(cal.another_link_worker(), SLOT + timedelta(days=1, minutes=90))  # 10:30-11:00 next day
    # 10:00 fits a 30-minute slot, but this 60-minute session would run into 10:30.
    refused("taken", bookings.reschedule, booking=db.session.get(Booking, booking.id),
            actor=cal.user(cal.link_worker), starts_at=SLOT + timedelta(days=1, minutes=60), reason="Clash",
            now=NOW)


def test_a_group_needs_a_days_notice(cal, ctx):
    group_type = db.session.get(SessionType, cal.make.session_type(cal.supervisor, kind="group"))
    refused("group_too_soon", bookings.schedule_group_session, supervisor=cal.user(cal.supervisor),
            session_type=group_type, starts_at=NOW + timedelta(hours=23), now=NOW)
    session = bookings.schedule_group_session(supervisor=cal.user(cal.supervisor), session_type=group_type,
                                              starts_at=NOW + timedelta(hours=25), now=NOW)
    assert session.id is not None


def test_a_request_lapses_when_its_time_comes_if_that_is_sooner_than_72_hours(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, requires_approval=True)
    soon = NOW + timedelta(hours=25)  # Tuesday 09:00 GMT
    booking = cal.book(starts_at=soon)
    assert booking.expires_at == soon
    assert bookings.expire_requests(now=soon) == 1
    db.session.commit()
    assert db.session.get(Booking, booking.id).status == BookingStatus.expired


def test_a_proposed_time_nobody_answered_lapses_when_it_comes(cal, ctx):
    cal.make.supervisor_settings(cal.supervisor, requires_approval=True)
    booking = cal.book()
    new_time = SLOT + timedelta(days=1)
    bookings.propose(booking=booking, supervisor=cal.user(cal.supervisor), starts_at=new_time, reason=None, now=NOW)
    db.session.commit()
    assert bookings.expire_requests(now=new_time - timedelta(minutes=1)) == 0
    assert bookings.expire_requests(now=new_time) == 1
    db.session.commit()
    booking = db.session.get(Booking, booking.id)
    assert booking.status == BookingStatus.expired
    assert booking.events[-1].action == "proposal_expired"
    # Both are told, each in their own words: it was the supervisor's time that went unanswered.
    told = dict(db.session.execute(select(Notification.user_id, Notification.kind)
                                   .where(Notification.kind.like("proposal_expired%"))).all())
    assert told == {cal.link_worker.id: "proposal_expired", cal.supervisor.id: "proposal_expired_supervisor"}


def test_dates_far_out_get_a_message_never_a_500(app, make, signed_in):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation)
    link_worker = make.user(Role.link_worker, organisation=organisation)
    make.assign(supervisor, link_worker)
    type_id = make.session_type(supervisor)
    client = signed_in(link_worker)
    for start in ("9999-12-31T23:30Z", "0001-01-01T00:00Z", "9999-12-30T10:00Z"):
        page = client.get(f"/supervision/with/{supervisor.id}/{type_id}/book?start={start}")
        assert page.status_code == 400, (start, page.status_code)
    supervisor_client = app.test_client()
    assert sign_in(supervisor_client, supervisor.email).status_code == 302
    response = post(supervisor_client, "/supervision/setup/time-off/new", {
        "start_date-day": "31", "start_date-month": "12", "start_date-year": "9999",
        "end_date-day": "31", "end_date-month": "12", "end_date-year": "9999"}, token_from="/supervision/setup")
    assert response.status_code == 400
    assert "Enter a date within the next 2 years" in response.get_data(as_text=True)


def test_two_people_saving_a_record_at_once_lose_nothing(app, make, ctx):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation)
    link_worker = make.user(Role.link_worker, organisation=organisation)
    session_id = make.supervision_session(make.session_type(supervisor), utcnow() - timedelta(hours=2))
    booking_id = make.booking(session_id, link_worker)
    booking = db.session.get(Booking, booking_id)
    both = {person.id: db.session.get(User, person.id) for person in (supervisor, link_worker)}
    # Both open the empty record; the supervisor saves first.
    opened = records.version_of(None)
    records.save_record(booking=booking, user=both[supervisor.id], normative="Safeguarding steps agreed",
                        formative=None, restorative=None, actions=None, seen=opened)
    db.session.commit()
    refused("record_changed", records.save_record, booking=booking, user=both[link_worker.id], normative=None,
            formative="Motivational interviewing", restorative=None, actions=None, seen=opened)
    assert db.session.scalar(select(SessionRecord.normative)) == "Safeguarding steps agreed"
    assert db.session.scalar(select(func.count()).select_from(SessionRecord)) == 1
