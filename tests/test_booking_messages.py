"""Booking emails and notifications: who is told, the .ics file each email carries (stable UID,
rising SEQUENCE, METHOD:CANCEL), group privacy, no agenda or reason text, and Welsh emails."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import icalendar
import pytest
import vobject
from sqlalchemy import select

from supervision.accounts.models import Role, User
from supervision.booking import messages
from supervision.booking.events import Action, record
from supervision.booking.models import Booking, BookingStatus, SessionStatus, SupervisionSession
from supervision.extensions import db
from supervision.notifications.models import Notification

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
# Tuesday 1 December 2026, 10:00 to 11:00 in London (GMT, so the same in UTC).
START = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
AGENDA = "My client's eviction letter and the rent arrears"
REASON = "I have a family emergency at the hospital"


@pytest.fixture
def pair(make):
    organisation = make.organisation(name="Ogmore Valleys")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Dr Rhodri Evans",
                           email="rhodri@example.org")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins",
                            email="carys@example.org")
    make.assign(supervisor, link_worker, organisation)
    type_id = make.session_type(supervisor, location="in_person")
    session_id = make.supervision_session(type_id, START)
    return supervisor, link_worker, session_id


def attachments(message) -> list:
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def calendar_of(message):
    """The email's one .ics file, parsed by both libraries, which must agree."""
    (part,) = attachments(message)
    data = part.get_content()
    data = data if isinstance(data, str) else data.decode()
    parsed = icalendar.Calendar.from_ical(data)
    other = vobject.readOne(data)
    event = parsed.walk("VEVENT")[0]
    assert str(event["UID"]) == other.vevent.uid.value
    assert int(event["SEQUENCE"]) == int(other.vevent.sequence.value)
    assert str(parsed["METHOD"]) == other.method.value == part.get_param("method")
    return parsed, event, data


def announce(app, booking_id: int, action: Action, change=None, reason: str | None = None, **kwargs):
    """Put the booking in its new state (as the booking rules would), record the step, announce it."""
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        if change:
            change(booking)
        record(booking, action, actor=None, now=NOW, reason=reason)
        messages.announce(booking, action, now=NOW, **kwargs)
        db.session.commit()


def to(emails, address):
    return [m for m in emails if m["To"] == address]


def test_a_confirmed_booking_tells_both_people_with_a_calendar_file(app, make, pair, outbox):
    supervisor, link_worker, session_id = pair
    booking_id = make.booking(session_id, link_worker, agenda=AGENDA)
    outbox()
    announce(app, booking_id, Action.booked)
    emails = outbox()
    assert len(emails) == 2
    (mine,) = to(emails, link_worker.email)
    (theirs,) = to(emails, supervisor.email)
    assert mine["Subject"] == "A supervision session is confirmed"
    parsed, event, data = calendar_of(mine)
    assert str(parsed["METHOD"]) == "REQUEST" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Supervision with Dr Rhodri Evans"
    body = mine.get_body(("plain",)).get_content()
    assert "Tuesday 1 December 2026, 10:00 to 11:00" in body
    assert "Ty Cwtch, 1 Heol y Bont" in body
    assert f"/supervision/bookings/{booking_id}\n" in body
    assert f"/supervision/sessions/bookings/{booking_id}\n" in theirs.get_body(("plain",)).get_content()
    _, their_event, _ = calendar_of(theirs)
    assert str(their_event["SUMMARY"]) == "Supervision: Carys Jenkins"
    with app.app_context():
        session = db.session.get(SupervisionSession, session_id)
        booking = db.session.get(Booking, booking_id)
        assert str(event["UID"]) == booking.uid and str(their_event["UID"]) == session.uid
        kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert kinds == {(link_worker.id, "booking_confirmed"), (supervisor.id, "booking_confirmed")}
    for message in emails:
        everything = message.as_string() + calendar_of(message)[2]
        assert AGENDA not in everything


def test_a_request_is_tentative_and_only_the_supervisor_is_told(app, make, pair, outbox):
    supervisor, link_worker, session_id = pair
    booking_id = make.booking(session_id, link_worker, status="requested")
    outbox()
    announce(app, booking_id, Action.requested)
    (email,) = outbox()
    assert email["To"] == supervisor.email
    assert email["Subject"] == "A link worker has asked for a supervision session"
    _, event, _ = calendar_of(email)
    assert str(event["STATUS"]) == "TENTATIVE" and int(event["SEQUENCE"]) == 0
    assert f"/supervision/sessions/requests/{booking_id}\n" in email.get_body(("plain",)).get_content()


def test_each_change_keeps_the_uid_raises_the_sequence_and_a_cancellation_cancels(app, make, pair, outbox):
    supervisor, link_worker, session_id = pair
    booking_id = make.booking(session_id, link_worker, status="requested")
    outbox()
    announce(app, booking_id, Action.requested)

    def approve(booking):
        booking.status = BookingStatus.confirmed

    def move(booking):
        booking.session.starts_at += timedelta(days=1)
        booking.session.ends_at += timedelta(days=1)

    def cancel(booking):
        booking.status = BookingStatus.cancelled
        booking.session.status = SessionStatus.cancelled
        booking.session.cancelled_at = NOW

    announce(app, booking_id, Action.approved, approve)
    announce(app, booking_id, Action.rescheduled, move, reason="Clash with a training day")
    announce(app, booking_id, Action.cancelled, cancel, reason=REASON)
    emails = outbox()
    for address, count in ((link_worker.email, 3), (supervisor.email, 4)):
        mine = to(emails, address)
        assert len(mine) == count
        events = [calendar_of(m) for m in mine]
        assert len({str(e["UID"]) for _, e, _ in events}) == 1
        sequences = [int(e["SEQUENCE"]) for _, e, _ in events]
        assert sequences == sorted(set(sequences)), sequences
        last_calendar, last_event, _ = events[-1]
        assert str(last_calendar["METHOD"]) == "CANCEL" and str(last_event["STATUS"]) == "CANCELLED"
        assert all(str(c["METHOD"]) == "REQUEST" for c, _, _ in events[:-1])
        moved = events[-2][1]
        assert moved.decoded("DTSTART") == START + timedelta(days=1)
        body = mine[-1].get_body(("plain",)).get_content()
        assert "Sign in to Cwtch to see it" in body and REASON not in mine[-1].as_string()
    assert to(emails, link_worker.email)[-1]["Subject"] == "A supervision session has been cancelled"


def test_nothing_is_sent_for_steps_no_calendar_shows(app, make, pair, outbox):
    _, link_worker, session_id = pair
    booking_id = make.booking(session_id, link_worker)
    outbox()
    announce(app, booking_id, Action.attended)
    assert outbox() == []
    with app.app_context():
        assert db.session.get(Booking, booking_id).sequence == 0
        assert db.session.scalar(select(Notification.id)) is None


def test_the_actor_need_not_be_told_but_their_entry_still_moves_on(app, make, pair, outbox):
    supervisor, link_worker, session_id = pair
    booking_id = make.booking(session_id, link_worker)
    outbox()
    announce(app, booking_id, Action.rescheduled, to_link_worker=False)
    (email,) = outbox()
    assert email["To"] == supervisor.email
    with app.app_context():
        assert db.session.get(Booking, booking_id).sequence == 1


def test_no_email_when_email_is_turned_off_but_the_notification_stays(app, make, pair, outbox):
    _, link_worker, session_id = pair
    with app.app_context():
        db.session.get(User, link_worker.id).email_notifications = False
        db.session.commit()
    booking_id = make.booking(session_id, link_worker)
    outbox()
    announce(app, booking_id, Action.booked, to_supervisor=False)
    assert outbox() == []
    with app.app_context():
        assert db.session.scalar(select(Notification.kind).where(Notification.user_id == link_worker.id)) \
            == "booking_confirmed"


def test_a_welsh_speaker_gets_welsh_dates_in_a_welsh_email(app, make, outbox):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Dr Rhodri Evans")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Elin Hughes", language="cy")
    session_id = make.supervision_session(make.session_type(supervisor), START)
    booking_id = make.booking(session_id, link_worker)
    outbox()
    announce(app, booking_id, Action.booked, to_supervisor=False)
    (email,) = outbox()
    assert email["Content-Language"] == "cy"
    body = email.get_body(("plain",)).get_content()
    assert "Dydd Mawrth 1 Rhagfyr 2026" in body and "Tuesday" not in body
    assert "https://meet.example.org/cwtch-room" in body


def test_group_attendees_never_learn_of_each_other_and_the_supervisor_hears_once(app, make, outbox):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Dr Rhodri Evans",
                           email="rhodri@example.org")
    attendees = [make.user(Role.link_worker, organisation=organisation, name=name, email=email)
                 for name, email in (("Carys Jenkins", "carys@example.org"), ("Huw Parry", "huw@example.org"),
                                     ("Nia Lloyd", "nia@example.org"))]
    type_id = make.session_type(supervisor, kind="group", name="Ogmore peer group", capacity=6, min_attendees=2)
    session_id = make.supervision_session(type_id, START)
    booking_ids = [make.booking(session_id, person, agenda=AGENDA) for person in attendees]
    outbox()
    for booking_id in booking_ids:
        announce(app, booking_id, Action.joined)

    def end(booking):
        booking.status = BookingStatus.cancelled
        booking.session.status = SessionStatus.cancelled
        booking.session.cancelled_at = NOW

    for booking_id in booking_ids:
        announce(app, booking_id, Action.below_minimum, end)
    with app.app_context():
        messages.announce_session_change(db.session.get(SupervisionSession, session_id), Action.below_minimum,
                                         now=NOW)
        db.session.commit()
    emails = outbox()
    for person in attendees:
        mine = to(emails, person.email)
        assert [m["Subject"] for m in mine] == [
            "A supervision session is confirmed", "A group session was cancelled because too few people booked"]
        others = [p for p in attendees if p is not person]
        for message in mine:
            _, event, data = calendar_of(message)
            everything = message.as_string() + data
            for other in others:
                for secret in (other.email, *other_names(other)):
                    assert secret not in everything
            assert "ATTENDEE" not in data and AGENDA not in everything
    theirs = to(emails, supervisor.email)
    # Three joins, then one cancellation, however many attendees it ended for.
    assert len(theirs) == 4
    summaries = [str(calendar_of(m)[1]["SUMMARY"]) for m in theirs]
    assert summaries[:3] == [f"Ogmore peer group: group peer supervision ({n} booked)" for n in (3, 3, 3)]
    last_calendar, last_event, _ = calendar_of(theirs[-1])
    assert str(last_calendar["METHOD"]) == "CANCEL"
    sequences = [int(calendar_of(m)[1]["SEQUENCE"]) for m in theirs]
    assert sequences == sorted(set(sequences))
    for message in theirs:
        for person in attendees:
            assert person.email not in message.as_string() + calendar_of(message)[2]


def other_names(person) -> tuple[str, ...]:
    return {"carys@example.org": ("Carys", "Jenkins"), "huw@example.org": ("Huw", "Parry"),
            "nia@example.org": ("Nia", "Lloyd")}[person.email]


def test_a_group_session_cancelled_with_nobody_booked_still_reaches_the_supervisor(app, make, outbox):
    supervisor = make.user(Role.supervisor, name="Dr Rhodri Evans")
    session_id = make.supervision_session(make.session_type(supervisor, kind="group"), START)
    outbox()
    with app.app_context():
        session = db.session.get(SupervisionSession, session_id)
        session.status, session.cancelled_at = SessionStatus.cancelled, NOW
        messages.announce_session_change(session, Action.session_cancelled, now=NOW)
        messages.announce_session_change(session, Action.session_cancelled, now=NOW)  # told once
        db.session.commit()
    (email,) = outbox()
    calendar, event, _ = calendar_of(email)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) >= 1
