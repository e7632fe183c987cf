"""Calendar files: what each person's entry says, parsed by icalendar and by vobject, correct UTC and
London times in the weeks of the clock changes, and group attendees never named in anyone's file."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from flask_babel import force_locale

from supervision.accounts.models import Role
from supervision.booking import ics
from supervision.booking.models import Booking, SupervisionSession
from supervision.extensions import db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
AGENDA = "Safeguarding worry about a client's partner"


def parse_both(data: bytes):
    """Both libraries must read the file, and agree on every field the tests look at."""
    text = data.decode()
    cal = icalendar.Calendar.from_ical(text)
    other = vobject.readOne(text)
    events = cal.walk("VEVENT")
    assert len(events) == len(other.vevent_list)
    for event, vevent in zip(events, other.vevent_list):
        assert str(event["UID"]) == vevent.uid.value
        assert int(event["SEQUENCE"]) == int(vevent.sequence.value)
        assert event.decoded("DTSTART") == vevent.dtstart.value
        assert event.decoded("DTEND") == vevent.dtend.value
        assert str(event["SUMMARY"]) == vevent.summary.value
        assert str(event["STATUS"]) == vevent.status.value
    return cal, events


@pytest.fixture
def people(make):
    organisation = make.organisation()
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Dr Rhodri Evans")
    link_workers = [make.user(Role.link_worker, organisation=organisation, name=name, email=email)
                    for name, email in (("Carys Jenkins", "carys@example.org"),
                                        ("Huw Parry", "huw@example.org"),
                                        ("Nia Lloyd", "nia@example.org"))]
    return supervisor, link_workers


def file_for(app, *, booking_id: int | None = None, session_id: int | None = None, language: str = "en",
             method: str = ics.REQUEST) -> bytes:
    with app.app_context(), force_locale(language):
        if booking_id is not None:
            entry = ics.link_worker_entry(db.session.get(Booking, booking_id))
        else:
            entry = ics.supervisor_entry(db.session.get(SupervisionSession, session_id))
        return ics.calendar([entry], now=NOW, method=method)


def test_the_link_workers_file_holds_their_own_entry(app, make, people):
    supervisor, (carys, *_) = people
    start = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    session_id = make.supervision_session(make.session_type(supervisor, location="in_person"), start)
    booking_id = make.booking(session_id, carys, agenda=AGENDA)
    data = file_for(app, booking_id=booking_id)
    cal, (event,) = parse_both(data)
    assert str(cal["PRODID"]) == "-//Cwtch//Supervision//EN" and str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "REQUEST"
    with app.app_context():
        assert str(event["UID"]) == db.session.get(Booking, booking_id).uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Supervision with Dr Rhodri Evans"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Ty Cwtch, 1 Heol y Bont, Pen-y-bont"
    assert str(event["URL"]).startswith("http")
    assert b"DTSTART:20261201T100000Z" in data and b"DTEND:20261201T110000Z" in data
    assert event.decoded("DTSTAMP") == NOW
    assert AGENDA.encode() not in data and b"ATTENDEE" not in data


def test_the_supervisors_file_is_the_sessions_entry(app, make, people):
    supervisor, (carys, *_) = people
    start = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    session_id = make.supervision_session(make.session_type(supervisor), start)
    make.booking(session_id, carys, status="requested")
    cal, (event,) = parse_both(file_for(app, session_id=session_id))
    with app.app_context():
        assert str(event["UID"]) == db.session.get(SupervisionSession, session_id).uid
    assert str(event["SUMMARY"]) == "Supervision: Carys Jenkins"
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["LOCATION"]) == "https://meet.example.org/cwtch-room"


def test_a_cancelled_entry_is_a_cancel(app, make, people):
    supervisor, (carys, *_) = people
    session_id = make.supervision_session(make.session_type(supervisor),
                                          datetime(2026, 12, 1, 10, tzinfo=timezone.utc), status="cancelled")
    booking_id = make.booking(session_id, carys, status="cancelled")
    with app.app_context(), force_locale("en"):
        entry = ics.link_worker_entry(db.session.get(Booking, booking_id))
    assert entry.cancelled and ics.method_for(entry) == ics.CANCEL
    cal, (event,) = parse_both(file_for(app, booking_id=booking_id, method=ics.CANCEL))
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"


# 09:00 London on the Tuesday before and after each clock change: BST is UTC+1, GMT is UTC+0.
CLOCK_CHANGE_WEEKS = [
    (datetime(2026, 3, 24, 9, 0), datetime(2026, 3, 24, 9, 0, tzinfo=timezone.utc)),  # GMT
    (datetime(2026, 3, 31, 9, 0), datetime(2026, 3, 31, 8, 0, tzinfo=timezone.utc)),  # BST from 29 March
    (datetime(2026, 10, 20, 9, 0), datetime(2026, 10, 20, 8, 0, tzinfo=timezone.utc)),  # BST
    (datetime(2026, 10, 27, 9, 0), datetime(2026, 10, 27, 9, 0, tzinfo=timezone.utc)),  # GMT from 25 October
    (datetime(2027, 3, 30, 9, 0), datetime(2027, 3, 30, 8, 0, tzinfo=timezone.utc)),  # BST from 28 March 2027
    # The repeated hour on the night of the October change: 01:30 comes twice, in BST then in GMT.
    (datetime(2026, 10, 25, 1, 30, fold=0), datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)),
    (datetime(2026, 10, 25, 1, 30, fold=1), datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)),
]


@pytest.mark.parametrize("local, utc", CLOCK_CHANGE_WEEKS)
def test_times_are_right_in_the_weeks_of_the_clock_changes(app, make, people, local, utc):
    supervisor, (carys, *_) = people
    starts_at = local.replace(tzinfo=LONDON).astimezone(timezone.utc)
    assert starts_at == utc  # the test's own arithmetic, checked
    session_id = make.supervision_session(make.session_type(supervisor), starts_at)
    booking_id = make.booking(session_id, carys)
    data = file_for(app, booking_id=booking_id)
    _, (event,) = parse_both(data)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%S}Z".encode() in data
    assert event.decoded("DTSTART") == utc and event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    parsed = vobject.readOne(data.decode()).vevent.dtstart.value.astimezone(LONDON)
    assert (parsed.hour, parsed.minute, parsed.fold) == (local.hour, local.minute, local.fold)


def test_group_files_never_name_an_attendee(app, make, people):
    supervisor, link_workers = people
    type_id = make.session_type(supervisor, kind="group", name="Ogmore peer group", capacity=6, min_attendees=2)
    session_id = make.supervision_session(type_id, datetime(2026, 12, 2, 14, tzinfo=timezone.utc))
    booking_ids = [make.booking(session_id, person, agenda=AGENDA) for person in link_workers[:2]]
    booking_ids.append(make.booking(session_id, link_workers[2], status="waitlisted"))
    _, (event,) = parse_both(file_for(app, session_id=session_id))
    assert str(event["SUMMARY"]) == "Ogmore peer group: group peer supervision (2 booked)"
    files = [file_for(app, session_id=session_id)] + [file_for(app, booking_id=b) for b in booking_ids]
    for data in files:
        assert b"ATTENDEE" not in data and AGENDA.encode() not in data
        for person in link_workers:
            for secret in ("Carys", "Huw", "Nia", "Jenkins", "Parry", "Lloyd", person.email):
                assert secret.encode() not in data
    _, (own,) = parse_both(files[1])
    assert str(own["SUMMARY"]) == "Ogmore peer group: group peer supervision with Dr Rhodri Evans"
