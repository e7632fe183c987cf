"""The supervisor's debrief pages: the queue and who sees what in it, one request, accepting,
passing on, declining, booking and recording through HTTP with their errors, and every other role
kept out. The race to accept is in test_debrief_race.py."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.booking.models import Booking, BookingStatus
from supervision.db import utcnow
from supervision.debriefs.models import (
    MAX_NOTES,
    MAX_REASON,
    DebriefCheckIn,
    DebriefEvent,
    DebriefRequest,
    RequestStatus,
)
from supervision.extensions import db

from .conftest import counting_queries, post, sign_in

LONDON = ZoneInfo("Europe/London")
DESCRIPTION = "A client I had supported for months died suddenly this week."


@dataclass
class World:
    organisation: object
    supervisor: object  # supervises link_worker
    colleague: object  # another supervisor here; supervises second_link_worker
    link_worker: object
    second_link_worker: object
    outsider: object  # a supervisor of another organisation
    outside_link_worker: object
    employer: object
    admin: object


@pytest.fixture
def world(make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    other = make.organisation(name="Teifi Valley")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    colleague = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    second = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    make.assign(supervisor, link_worker, organisation)
    make.assign(colleague, second, organisation)
    outsider = make.user(Role.supervisor, organisation=other, name="Dafydd Owen")
    outside_link_worker = make.user(Role.link_worker, organisation=other, name="Ffion Rees")
    make.assign(outsider, outside_link_worker, other)
    return World(organisation, supervisor, colleague, link_worker, second, outsider, outside_link_worker,
                 employer=make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
                 admin=make.user(Role.admin, organisation=organisation, name="Gareth Price"))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def path(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def as_(client, person):
    response = sign_in(client, person.email)
    assert response.status_code == 302
    return client


def row(app, request_id: int) -> DebriefRequest:
    with app.app_context():
        debrief = db.session.get(DebriefRequest, request_id)
        db.session.expunge(debrief)
        db.session.remove()
        return debrief


def steps(app, request_id: int) -> list[str]:
    with app.app_context():
        found = list(db.session.scalars(select(DebriefEvent.action).where(DebriefEvent.request_id == request_id)
                                        .order_by(DebriefEvent.id)))
        db.session.remove()
        return found


def links_in_order(text: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/debriefs/queue/(\d+)"', text)]


# --- the queue -----------------------------------------------------------------------------------

def test_queue_orders_by_urgency_then_longest_waiting(app, client, make, world):
    now = utcnow()
    week_old = make.debrief_request(world.link_worker, urgency="this_week", created_at=now - timedelta(days=2),
                                    half_due_at=now + timedelta(days=1), due_at=now + timedelta(days=5))
    three = make.debrief_request(world.link_worker, urgency="three_days", created_at=now - timedelta(hours=5))
    today_new = make.debrief_request(world.link_worker, urgency="today", created_at=now - timedelta(minutes=20))
    today_old = make.debrief_request(world.link_worker, urgency="today", created_at=now - timedelta(hours=2),
                                     half_due_at=now - timedelta(hours=1), due_at=now + timedelta(hours=3))
    late = make.debrief_request(world.link_worker, urgency="three_days", created_at=now - timedelta(days=4),
                                half_due_at=now - timedelta(days=2), due_at=now - timedelta(hours=1),
                                category="safeguarding")
    text = page(as_(client, world.supervisor).get("/debriefs/queue"))
    assert links_in_order(text) == [today_old, today_new, late, three, week_old]
    assert "Carys Jenkins" in text and "Safeguarding" in text and "The death of a client" in text
    assert "2 hours" in text and "20 minutes" in text and "2 days" in text
    assert text.count("Past its response time") == 1 and text.count("Past half its response time") == 1
    assert "Reply by" in text
    assert DESCRIPTION not in text  # the description is on the request's own page only


def test_queue_empty_states(client, world):
    text = page(as_(client, world.supervisor).get("/debriefs/queue"))
    assert "No requests are waiting for you." in text
    assert "You are not handling any requests at the moment." in text
    assert "You have not held any debriefs yet." in text


def test_who_sees_a_request(app, client, make, world):
    mine = make.debrief_request(world.link_worker)
    colleagues_own = make.debrief_request(world.second_link_worker)
    outside = make.debrief_request(world.outside_link_worker)
    asked_by_name = make.debrief_request(world.second_link_worker, assigned_to=world.supervisor)
    widened = make.debrief_request(world.second_link_worker, widened=True, category="aggression")
    as_(client, world.supervisor)
    assert set(links_in_order(page(client.get("/debriefs/queue")))) == {mine, asked_by_name, widened}
    for request_id in (mine, asked_by_name, widened):
        assert client.get(f"/debriefs/queue/{request_id}").status_code == 200
    for request_id in (colleagues_own, outside, 999_999):
        assert client.get(f"/debriefs/queue/{request_id}").status_code == 404


def test_own_request_as_a_link_worker_is_not_in_the_queue(app, client, make, world):
    both = make.user(Role.supervisor, Role.link_worker, organisation=world.organisation, name="Nia Thomas")
    make.assign(world.supervisor, both, world.organisation)
    own = make.debrief_request(both, widened=True)
    as_(client, both)
    assert own not in links_in_order(page(client.get("/debriefs/queue")))
    assert client.get(f"/debriefs/queue/{own}").status_code == 404
    assert post(client, f"/debriefs/queue/{own}/accept").status_code == 404


def test_queue_queries_stay_bounded(app, client, make, world):
    def fill(count: int) -> None:
        for i in range(count):
            make.debrief_request(world.link_worker, urgency=("today", "three_days", "this_week")[i % 3])
            make.debrief_request(world.link_worker, status="accepted", handler=world.supervisor)
            done = make.debrief_request(world.link_worker, status="completed", handler=world.supervisor)
            make.check_in(done, 3, answer="worse")
            make.check_in(done, 28)

    as_(client, world.supervisor)

    def queries_for_page() -> int:
        client.get("/debriefs/queue")  # warm: the first request of a session loads more
        with counting_queries(app) as statements:
            assert client.get("/debriefs/queue").status_code == 200
        return len(statements)

    fill(2)
    few = queries_for_page()
    fill(28)
    assert queries_for_page() == few


def test_recent_debriefs_show_check_ins_and_worse_stands_out(app, client, make, world):
    done = make.debrief_request(world.link_worker, status="completed", handler=world.supervisor)
    make.check_in(done, 3, answer="worse")
    make.check_in(done, 28)
    text = page(as_(client, world.supervisor).get("/debriefs/queue"))
    assert re.search(r'govuk-tag--red">\s*Worse', text)
    assert "After 28 days:" in text and "Not due yet" in text


# --- one request ---------------------------------------------------------------------------------

def test_request_page_in_full_with_triage_actions(app, client, make, world):
    due = datetime(2030, 7, 2, 16, 0, tzinfo=LONDON)  # stored as 15:00 UTC, shown in London time
    request_id = make.debrief_request(world.link_worker, contact_way="video", due_at=due.astimezone(ZoneInfo("UTC")),
                                      half_due_at=utcnow() + timedelta(hours=1))
    with app.app_context():
        db.session.add(DebriefEvent(request_id=request_id, actor_id=world.link_worker.id, action="requested"))
        db.session.commit()
    text = page(as_(client, world.supervisor).get(f"/debriefs/queue/{request_id}"))
    assert DESCRIPTION in text and "The death of a client" in text and "By video call" in text
    assert "Reply by Tuesday 2 July 2030 at 16:00." in text
    assert f'action="/debriefs/queue/{request_id}/accept"' in text
    assert f"/debriefs/queue/{request_id}/pass-on" in text and f"/debriefs/queue/{request_id}/decline" in text
    assert re.search(r"Request made</td>\s*<td[^>]*>Carys Jenkins", text)  # the timeline
    assert f"/debriefs/queue/{request_id}/book" not in text


def test_completed_request_shows_outcome_notes_and_check_ins(app, client, make, world):
    done = make.debrief_request(world.link_worker, status="completed", handler=world.supervisor,
                                outcome="occupational_health")
    with app.app_context():
        db.session.get(DebriefRequest, done).notes = "Agreed to talk to occupational health."
        db.session.commit()
    make.check_in(done, 3, answer="better")
    text = page(as_(client, world.supervisor).get(f"/debriefs/queue/{done}"))
    assert "Referred to occupational health" in text and "Agreed to talk to occupational health." in text
    assert "After 3 days:" in text and "Better" in text and "By phone" in text
    assert "/accept" not in text and f"/debriefs/queue/{done}/record" not in text


# --- accepting -----------------------------------------------------------------------------------

def test_accept_then_another_supervisor_is_told_it_was_taken(app, client, make, world, outbox):
    request_id = make.debrief_request(world.link_worker, widened=True)
    response = post(as_(client, world.supervisor), f"/debriefs/queue/{request_id}/accept")
    assert response.status_code == 302 and response.headers["Location"] == f"/debriefs/queue/{request_id}"
    assert "You accepted the request" in page(client.get(response.headers["Location"]))
    debrief = row(app, request_id)
    assert (debrief.status, debrief.handler_id) == (RequestStatus.accepted, world.supervisor.id)
    assert steps(app, request_id) == ["accepted"]  # the factory writes no "requested" step
    assert all(DESCRIPTION not in str(m) for m in outbox())

    other = app.test_client()
    late = post(as_(other, world.colleague), f"/debriefs/queue/{request_id}/accept")
    assert late.status_code == 409
    text = page(late)
    assert "Another supervisor has accepted this request" in text and "Rhodri" not in text
    assert 'href="/debriefs/queue"' in text
    for action in ("pass-on", "decline"):
        assert post(other, f"/debriefs/queue/{request_id}/{action}", {}).status_code == 409
    assert steps(app, request_id) == ["accepted"]


def test_accepting_twice_goes_back_to_the_request(app, client, make, world):
    request_id = make.debrief_request(world.link_worker)
    as_(client, world.supervisor)
    assert post(client, f"/debriefs/queue/{request_id}/accept").status_code == 302
    again = post(client, f"/debriefs/queue/{request_id}/accept")
    assert again.status_code == 302 and again.headers["Location"] == f"/debriefs/queue/{request_id}"
    assert steps(app, request_id) == ["accepted"]


# --- passing on ----------------------------------------------------------------------------------

def test_pass_on_errors_then_passer_loses_it_and_colleague_has_it(app, client, make, world):
    request_id = make.debrief_request(world.link_worker)
    url = f"/debriefs/queue/{request_id}/pass-on"
    as_(client, world.supervisor)
    text = page(client.get(url))
    assert "Bethan Howells" in text and "Dafydd Owen" not in text and "Rhodri Evans</label>" not in text
    for data in ({}, {"colleague": str(world.outsider.id)}, {"colleague": str(world.supervisor.id)},
                 {"colleague": "not-a-number"}):
        refused = post(client, url, data)
        assert refused.status_code == 400 and "Select the supervisor to pass it to" in page(refused)
    assert row(app, request_id).assigned_to_id is None
    done = post(client, url, {"colleague": str(world.colleague.id)})
    assert done.status_code == 302 and done.headers["Location"] == "/debriefs/queue"
    assert row(app, request_id).assigned_to_id == world.colleague.id
    assert client.get(f"/debriefs/queue/{request_id}").status_code == 404
    assert request_id not in links_in_order(page(client.get("/debriefs/queue")))

    colleague = as_(app.test_client(), world.colleague)
    assert request_id in links_in_order(page(colleague.get("/debriefs/queue")))
    assert colleague.get(f"/debriefs/queue/{request_id}").status_code == 200


def test_pass_on_with_no_colleague_says_so(app, client, make):
    organisation = make.organisation()
    alone = make.user(Role.supervisor, organisation=organisation, name="Only Supervisor")
    link_worker = make.user(Role.link_worker, organisation=organisation)
    make.assign(alone, link_worker, organisation)
    request_id = make.debrief_request(link_worker)
    text = page(as_(client, alone).get(f"/debriefs/queue/{request_id}/pass-on"))
    assert "There is no other supervisor in this organisation to pass it to." in text


# --- declining -----------------------------------------------------------------------------------

def test_decline_errors_keep_what_was_typed(app, client, make, world):
    request_id = make.debrief_request(world.link_worker)
    url = f"/debriefs/queue/{request_id}/decline"
    as_(client, world.supervisor)
    assert "The link worker will see your reason" in page(client.get(url))
    empty = post(client, url, {"reason": "   ", "alternative": "eap"})
    assert empty.status_code == 400 and "Give a reason, so that the link worker knows what to do next" in page(empty)
    long = post(client, url, {"reason": "x" * (MAX_REASON + 1), "alternative": "eap"})
    assert long.status_code == 400 and f"Enter {MAX_REASON} characters or fewer" in page(long)
    crafted = post(client, url, {"reason": "I am on leave until Monday.", "alternative": "holiday"})
    assert crafted.status_code == 400 and "Select the support you suggest instead" in page(crafted)
    assert "I am on leave until Monday.</textarea>" in page(crafted)
    assert row(app, request_id).status == RequestStatus.open


def test_decline_with_reason_and_alternative(app, client, make, world, outbox):
    request_id = make.debrief_request(world.link_worker)
    as_(client, world.supervisor)
    done = post(client, f"/debriefs/queue/{request_id}/decline",
                {"reason": "I am on leave until Monday.", "alternative": "occupational_health"})
    assert done.status_code == 302 and done.headers["Location"] == "/debriefs/queue"
    debrief = row(app, request_id)
    assert debrief.status == RequestStatus.declined and debrief.decline_reason == "I am on leave until Monday."
    assert debrief.alternative.value == "occupational_health"
    assert all("on leave" not in str(m) for m in outbox())
    assert "I am on leave until Monday." in page(client.get(f"/debriefs/queue/{request_id}"))


# --- booking the debrief ---------------------------------------------------------------------------

def london_start(days: int, hour: int = 10) -> datetime:
    day = (utcnow() + timedelta(days=days)).astimezone(LONDON).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def when_fields(start: datetime, session_type: int, length: str = "60") -> dict:
    local = start.astimezone(LONDON)
    return {"session_type": str(session_type), "session_date-day": str(local.day),
            "session_date-month": str(local.month), "session_date-year": str(local.year),
            "session_time": local.strftime("%H:%M"), "length": length}


def checked(text: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]*checked', text)
    return match.group(1) if match else None


@pytest.fixture
def accepted(make, world) -> int:
    return make.debrief_request(world.link_worker, status="accepted", handler=world.supervisor)


def test_booking_length_defaults_to_the_urgency(app, client, make, world, accepted):
    make.session_type(world.supervisor)
    hot = make.debrief_request(world.link_worker, status="accepted", handler=world.supervisor, urgency="today")
    as_(client, world.supervisor)
    assert checked(page(client.get(f"/debriefs/queue/{accepted}/book")), "length") == "60"
    assert checked(page(client.get(f"/debriefs/queue/{hot}/book")), "length") == "15"


def test_booking_with_no_session_types_points_to_set_up(app, client, make, world, accepted):
    make.session_type(world.supervisor, kind="group")  # not one-to-one
    make.session_type(world.supervisor, active=False)
    as_(client, world.supervisor)
    text = page(client.get(f"/debriefs/queue/{accepted}/book"))
    assert "You have no one-to-one kind of session in this organisation yet." in text
    assert 'href="/supervision/setup/types/new"' in text
    refused = post(client, f"/debriefs/queue/{accepted}/book", when_fields(london_start(3), 1))
    assert refused.status_code == 400 and "Add a one-to-one kind of session" in page(refused)
    assert row(app, accepted).booking_id is None


def test_booking_errors_keep_what_was_typed(app, client, make, world, accepted):
    type_id = make.session_type(world.supervisor)
    start = london_start(3)
    make.block(world.supervisor, london_start(5, 9), london_start(5, 12), cover_note="Bethan covers for me.")
    make.booking(make.supervision_session(type_id, london_start(4)), world.second_link_worker)
    url = f"/debriefs/queue/{accepted}/book"
    as_(client, world.supervisor)

    blank = post(client, url, {"length": "60", "session_time": "9:30"})
    text = page(blank)
    assert blank.status_code == 400 and "Select the kind of session" in text and "Enter the date" in text
    assert 'value="9:30"' in text
    past = post(client, url, when_fields(london_start(-1), type_id))
    assert past.status_code == 400 and "The date and time must be in the future" in page(past)
    leave = post(client, url, when_fields(london_start(5), type_id))
    assert leave.status_code == 200 and "You are on leave at that time. Bethan covers for me." in page(leave)
    clash = post(client, url, when_fields(london_start(4, 10), type_id, "30"))
    text = page(clash)
    assert clash.status_code == 200 and "That time is no longer free" in text
    assert 'href="#session_date-day"' in text  # the error summary links to the date
    assert f'value="{london_start(4).astimezone(LONDON).day}"' in text and checked(text, "length") == "30"
    far = post(client, url, when_fields(london_start(40), type_id))
    assert far.status_code == 200 and "Choose a time within the next 28 days." in page(far)
    other_type = make.session_type(world.colleague)
    crafted = post(client, url, when_fields(start, other_type))
    assert crafted.status_code == 400 and "Select the kind of session" in page(crafted)
    bad_length = post(client, url, when_fields(start, type_id, "17"))
    assert bad_length.status_code == 400 and "Select how long the debrief lasts" in page(bad_length)
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 1  # only the one it clashed with
        db.session.remove()
    assert row(app, accepted).booking_id is None


def test_booking_confirms_a_session_with_a_calendar_file_for_both(app, client, make, world, accepted, outbox):
    type_id = make.session_type(world.supervisor, location="in_person")
    start = london_start(3, 14)
    as_(client, world.supervisor)
    outbox()  # forget the sign-in mail
    done = post(client, f"/debriefs/queue/{accepted}/book", when_fields(start, type_id, "45"))
    assert done.status_code == 302 and done.headers["Location"] == f"/debriefs/queue/{accepted}"
    debrief = row(app, accepted)
    with app.app_context():
        booking = db.session.get(Booking, debrief.booking_id)
        assert (booking.status, booking.link_worker_id) == (BookingStatus.confirmed, world.link_worker.id)
        assert (booking.session.starts_at, booking.session.ends_at) == (start, start + timedelta(minutes=45))
        assert booking.session.supervisor_id == world.supervisor.id
        db.session.remove()
    assert steps(app, accepted) == ["booked"]
    calendars = {}
    for message in outbox():
        files = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        if files:
            calendars[message["To"]] = files
        assert DESCRIPTION not in str(message)
    assert set(calendars) == {world.supervisor.email, world.link_worker.email}
    text = page(client.get(f"/debriefs/queue/{accepted}"))
    assert "Booked for" in text and f"/debriefs/queue/{accepted}/book" not in text


# --- recording it ----------------------------------------------------------------------------------

def test_record_offers_the_session_only_when_one_is_booked(app, client, make, world, accepted):
    url = f"/debriefs/queue/{accepted}/record"
    as_(client, world.supervisor)
    text = page(client.get(url))
    assert 'value="phone"' in text and 'value="session"' not in text
    crafted = post(client, url, {"held_by": "session", "outcome": "supported"})
    assert crafted.status_code == 400 and "Select how the debrief happened" in page(crafted)
    long = post(client, url, {"held_by": "phone", "outcome": "supported", "notes": "n" * (MAX_NOTES + 1)})
    assert long.status_code == 400 and f"Enter {MAX_NOTES} characters or fewer" in page(long)
    no_outcome = post(client, url, {"held_by": "phone", "outcome": "cured"})
    assert no_outcome.status_code == 400 and "Select the outcome" in page(no_outcome)
    assert row(app, accepted).status == RequestStatus.accepted


def test_record_a_booked_session_only_once_it_has_happened(app, client, make, world, accepted):
    type_id = make.session_type(world.supervisor)
    session_id = make.supervision_session(type_id, london_start(2))
    with app.app_context():
        debrief = db.session.get(DebriefRequest, accepted)
        debrief.booking_id = db.session.get(Booking, make.booking(session_id, world.link_worker)).id
        db.session.commit()
    url = f"/debriefs/queue/{accepted}/record"
    as_(client, world.supervisor)
    assert 'value="session"' in page(client.get(url))
    early = post(client, url, {"held_by": "session", "outcome": "supported", "notes": "Kept as typed"})
    assert early.status_code == 200 and "The booked session has not started yet." in page(early)
    assert "Kept as typed</textarea>" in page(early)
    assert row(app, accepted).status == RequestStatus.accepted


def test_record_completes_the_request_and_plans_two_check_ins(app, client, make, world, accepted, outbox):
    url = f"/debriefs/queue/{accepted}/record"
    as_(client, world.supervisor)
    before = utcnow()
    done = post(client, url, {"held_by": "phone", "outcome": "eap", "notes": "Gave the EAP number."})
    assert done.status_code == 302 and done.headers["Location"] == f"/debriefs/queue/{accepted}"
    debrief = row(app, accepted)
    assert (debrief.status, debrief.held_by.value, debrief.outcome.value, debrief.notes) == (
        RequestStatus.completed, "phone", "eap", "Gave the EAP number.")
    with app.app_context():
        check_ins = db.session.execute(select(DebriefCheckIn.day, DebriefCheckIn.due_at)
                                       .where(DebriefCheckIn.request_id == accepted)
                                       .order_by(DebriefCheckIn.day)).all()
        db.session.remove()
    assert [day for day, _ in check_ins] == [3, 28]
    for day, due in check_ins:
        assert before + timedelta(days=day) <= due <= utcnow() + timedelta(days=day)
    assert all("EAP number" not in str(m) for m in outbox())
    # Done: the forms send the supervisor back to the request.
    again = client.get(url)
    assert again.status_code == 302 and again.headers["Location"] == f"/debriefs/queue/{accepted}"


def test_only_the_handler_books_or_records(app, client, make, world):
    waiting = make.debrief_request(world.link_worker, widened=True)
    theirs = make.debrief_request(world.link_worker, status="accepted", handler=world.colleague)
    as_(client, world.supervisor)
    for request_id in (waiting, theirs):
        for action in ("book", "record"):
            assert client.get(f"/debriefs/queue/{request_id}/{action}").status_code == 404
            assert post(client, f"/debriefs/queue/{request_id}/{action}", {}).status_code == 404


# --- every other role ------------------------------------------------------------------------------

def _endpoints(request_id: int) -> list[tuple[str, str]]:
    base = f"/debriefs/queue/{request_id}"
    return [("GET", "/debriefs/queue"), ("GET", base), ("POST", base + "/accept"),
            ("GET", base + "/pass-on"), ("POST", base + "/pass-on"), ("GET", base + "/decline"),
            ("POST", base + "/decline"), ("GET", base + "/book"), ("POST", base + "/book"),
            ("GET", base + "/record"), ("POST", base + "/record")]


def _call(client, method: str, url: str):
    return client.get(url) if method == "GET" else post(client, url, {})


@pytest.mark.parametrize("who", ["link_worker", "employer", "admin"])
def test_other_roles_are_forbidden_everywhere(app, client, make, world, who):
    request_id = make.debrief_request(world.link_worker, widened=True)
    as_(client, getattr(world, who))
    for method, url in _endpoints(request_id):
        assert _call(client, method, url).status_code == 403, (method, url)
    assert row(app, request_id).status == RequestStatus.open


def test_anonymous_visitors_are_sent_to_sign_in(app, client, make, world):
    request_id = make.debrief_request(world.link_worker, widened=True)
    for method, url in _endpoints(request_id):
        response = client.get(url) if method == "GET" else post(client, url, {}, token_from="/sign-in")
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in"), url


def test_a_supervisor_of_another_organisation_gets_404(app, client, make, world):
    open_one = make.debrief_request(world.link_worker, widened=True)
    handled = make.debrief_request(world.link_worker, status="accepted", handler=world.supervisor)
    as_(client, world.outsider)
    assert open_one not in links_in_order(page(client.get("/debriefs/queue")))
    for request_id in (open_one, handled):
        for method, url in _endpoints(request_id)[1:]:
            assert _call(client, method, url).status_code == 404, (method, url)
    assert row(app, open_one).status == RequestStatus.open
