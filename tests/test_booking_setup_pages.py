"""A supervisor's set-up pages: what they show, what they save, how they refuse bad input (400,
message in the error summary, what was typed kept, nothing changed), and who may reach them."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.booking.fields import to_utc
from supervision.booking.models import AvailabilityBlock, AvailabilityWindow, SessionType, SupervisorSettings
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import post, sign_in

SETTINGS = {"requires_approval": "yes", "buffer_minutes": "10", "min_notice_hours": "48", "max_days_ahead": "28",
            "weekly_cap": "", "cancel_cutoff_hours": "12"}
GROUP = {"name": "Peer supervision: Ogmore group", "kind": "group", "capacity": "8", "min_attendees": "3",
         "length_minutes": "90", "location_kind": "online", "online_link": "https://meet.example.org/ogmore",
         "address": ""}


@pytest.fixture
def supervisor(make):
    return make.user(Role.supervisor, name="Rhodri Evans")


@pytest.fixture
def me(client, supervisor, signed_in):
    return signed_in(supervisor)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def _summary(response) -> list[str]:
    """The messages in the GOV.UK error summary."""
    page = response.get_data(as_text=True)
    box = page.split('govuk-error-summary__list', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m).strip() for m in re.findall(r'<a href="#[^"]+">([^<]+)</a>', box)]


def test_the_overview_shows_everything(app, client, me, supervisor, make):
    make.supervisor_settings(supervisor, requires_approval=True, weekly_cap=6)
    make.window(supervisor, 1, "09:30", "12:30")
    make.session_type(supervisor, name="Ogmore peer group", kind="group")
    make.block(supervisor, utcnow() + timedelta(days=3), utcnow() + timedelta(days=5),
               cover_note="Dr Siân Morgan covers urgent requests")
    make.block(supervisor, utcnow() - timedelta(days=5), utcnow() - timedelta(days=3), cover_note="Long gone")
    page = html.unescape(client.get("/supervision/setup").get_data(as_text=True))
    assert page.count("<h1") == 1
    for text in ("Yes, you approve or decline each request", "6 sessions", "Tuesday", "09:30 to 12:30",
                 "Ogmore peer group", "3 to 6 people", "Dr Siân Morgan covers urgent requests",
                 'href="/supervision/setup/settings"', 'href="/supervision/setup/windows/new"'):
        assert text in page, text
    assert "Long gone" not in page


def test_settings_are_saved(app, client, me, supervisor):
    assert 'value="15"' in client.get("/supervision/setup/settings").get_data(as_text=True)  # the defaults
    response = post(client, "/supervision/setup/settings", {**SETTINGS, "weekly_cap": "4"})
    assert response.status_code == 302 and response.headers["Location"] == "/supervision/setup"
    with app.app_context():
        saved = db.session.scalar(select(SupervisorSettings).where(SupervisorSettings.user_id == supervisor.id))
        assert (saved.requires_approval, saved.buffer_minutes, saved.weekly_cap) == (True, 10, 4)


@pytest.mark.parametrize("changes,message", [
    ({"buffer_minutes": "lots"}, "Buffer must be a whole number of minutes"),
    ({"buffer_minutes": ""}, "Enter the buffer between sessions"),
    ({"buffer_minutes": "500"}, "Buffer must be between 0 and 120 minutes"),
    ({"max_days_ahead": "0"}, "How far ahead must be between 1 and 365 days"),
    ({"weekly_cap": "0"}, "Weekly limit must be between 1 and 40 sessions, or left empty for no limit"),
    ({"cancel_cutoff_hours": "-1"}, "Cut-off must be between 0 and 336 hours"),
    ({"requires_approval": "maybe"}, "Select whether you want to approve each booking"),
    ({"min_notice_hours": "72", "max_days_ahead": "2"},
     "Minimum notice must be shorter than how far ahead people can book"),
])
def test_bad_settings_are_refused(app, client, me, changes, message):
    response = post(client, "/supervision/setup/settings", {**SETTINGS, **changes})
    assert response.status_code == 400
    assert message in _summary(response)
    for value in changes.values():
        assert f'value="{value}"' in response.get_data(as_text=True) or value in ("maybe", "")
    assert _count(app, SupervisorSettings) == 0


def test_a_window_is_added_and_removed(app, client, me, supervisor):
    response = post(client, "/supervision/setup/windows/new", {"weekday": "1", "start": "9.30", "end": "12:30pm"})
    assert response.status_code == 302
    page = client.get("/supervision/setup").get_data(as_text=True)
    assert "09:30 to 12:30" in page
    with app.app_context():
        window_id = db.session.scalar(select(AvailabilityWindow.id))
    assert post(client, f"/supervision/setup/windows/{window_id}/remove").status_code == 302
    assert _count(app, AvailabilityWindow) == 0


@pytest.mark.parametrize("data,message", [
    ({"weekday": "1", "start": "11:00", "end": "14:00"},
     "This overlaps or touches your window from 09:30 to 12:30 on the same day. "
     "Change the times, or remove that window and add one that covers both"),
    ({"weekday": "1", "start": "12:30", "end": "14:00"}, "This overlaps or touches"),
    ({"weekday": "2", "start": "14:00", "end": "10:00"}, "End time must be after the start time"),
    ({"weekday": "2", "start": "25:00", "end": "10:00"}, "Enter a time, like 09:30 or 2:15pm"),
    ({"weekday": "2", "start": "abc", "end": "10:00"}, "Enter a time, like 09:30 or 2:15pm"),
    ({"weekday": "2", "start": "", "end": "10:00"}, "Enter a start time"),
    ({"weekday": "9", "start": "09:00", "end": "10:00"}, "Select a day of the week"),
    ({"start": "09:00", "end": "10:00"}, "Select a day of the week"),
])
def test_bad_windows_are_refused(app, client, me, supervisor, make, data, message):
    make.window(supervisor, 1, "09:30", "12:30")
    response = post(client, "/supervision/setup/windows/new", data)
    assert response.status_code == 400
    assert any(m.startswith(message) for m in _summary(response)), _summary(response)
    if data.get("start"):
        assert f'value="{data["start"]}"' in response.get_data(as_text=True)  # kept as typed
    assert _count(app, AvailabilityWindow) == 1


def test_a_type_is_added_changed_archived_and_restored(app, client, me, supervisor):
    assert post(client, "/supervision/setup/types/new", GROUP).status_code == 302
    with app.app_context():
        type_id = db.session.scalar(select(SessionType.id))
    path = f"/supervision/setup/types/{type_id}"
    assert "Peer supervision: Ogmore group" in client.get(path).get_data(as_text=True)
    changed = {**GROUP, "kind": "one_to_one", "capacity": "", "min_attendees": "", "location_kind": "in_person",
               "address": "Ty Cwtch\r\n1 Heol y Bont", "online_link": ""}
    assert post(client, path, changed).status_code == 302
    assert post(client, f"{path}/archive").status_code == 302
    with app.app_context():
        row = db.session.get(SessionType, type_id)
        assert (row.kind.value, row.capacity, row.address, row.online_link, row.active) == (
            "one_to_one", 1, "Ty Cwtch\n1 Heol y Bont", None, False)
    assert "Restore session type" in client.get(path).get_data(as_text=True)
    assert post(client, f"{path}/restore").status_code == 302
    with app.app_context():
        assert db.session.get(SessionType, type_id).active is True


@pytest.mark.parametrize("changes,message", [
    ({"name": " "}, "Enter a name for the session type"),
    ({"online_link": "http://meet.example.org/ogmore"}, "Enter a link that starts with https://"),
    ({"online_link": "javascript:alert(1)"}, "Enter a link that starts with https://"),
    ({"online_link": ""}, "Enter the link to the online meeting"),
    ({"location_kind": "in_person", "address": ""}, "Enter the address"),
    ({"location_kind": "moon"}, "Select in person or online"),
    ({"min_attendees": "9"}, "Minimum number of people must not be more than the number of places"),
    ({"capacity": "many"}, "Places must be a whole number"),
    ({"length_minutes": "5"}, "Length must be between 15 and 480 minutes"),
    ({"kind": ""}, "Select one-to-one or group"),
    ({"organisation_id": "999999"}, "Select an organisation where you supervise"),
])
def test_bad_types_are_refused(app, client, me, changes, message):
    response = post(client, "/supervision/setup/types/new", {**GROUP, **changes})
    assert response.status_code == 400
    assert any(m.startswith(message) for m in _summary(response)), _summary(response)
    assert 'value="Peer supervision: Ogmore group"' in response.get_data(as_text=True) or changes.get("name")
    assert _count(app, SessionType) == 0


def _block(start: str, end: str, start_time: str = "", end_time: str = "", note: str = "") -> dict:
    (sd, sm, sy), (ed, em, ey) = start.split(" "), end.split(" ")
    return {"start_date-day": sd, "start_date-month": sm, "start_date-year": sy, "start_time": start_time,
            "end_date-day": ed, "end_date-month": em, "end_date-year": ey, "end_time": end_time, "cover_note": note}


def test_time_off_is_added_with_a_warning_about_sessions_inside_it(app, client, me, supervisor, make):
    link_worker = make.user(Role.link_worker, organisation=supervisor.organisation)
    start = (utcnow() + timedelta(days=10)).date()
    type_id = make.session_type(supervisor)
    make.booking(make.supervision_session(type_id, to_utc(start, 11 * 60)), link_worker)
    day = f"{start.day} {start.month} {start.year}"
    response = post(client, "/supervision/setup/time-off/new",
                    _block(day, day, note="Dr Siân Morgan covers urgent requests"), follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "Your time off has been added" in page
    assert "1 session already booked is during your time off. It has not been cancelled" in page
    with app.app_context():
        block = db.session.scalar(select(AvailabilityBlock))
        assert (block.starts_at, block.ends_at) == (to_utc(start, 0), to_utc(start, 1440))
    assert post(client, f"/supervision/setup/time-off/{block.id}/remove").status_code == 302
    assert _count(app, AvailabilityBlock) == 0


# Next year: in the future, and within the two years ahead that the form accepts.
NEXT_YEAR = date.today().year + 1


@pytest.mark.parametrize("data,message", [
    (_block("28 3 2027", "29 3 2027", start_time="01:30"), "The clocks go forward at 1am on 28 March 2027"),
    (_block(f"5 1 {NEXT_YEAR}", f"4 1 {NEXT_YEAR}"), "End must be after the start"),
    (_block(f"5 1 {NEXT_YEAR}", f"5 1 {NEXT_YEAR}", "15:00", "11:00"), "End must be after the start"),
    (_block(f"5 1 {NEXT_YEAR}", f"6 1 {NEXT_YEAR}", "25:00"), "Enter a time, like 09:30 or 2:15pm"),
    (_block(f"31 2 {NEXT_YEAR}", f"6 3 {NEXT_YEAR}"), "Start date must be a real date"),
    (_block("  ", f"6 3 {NEXT_YEAR}"), "Enter the start date"),
    (_block("3 1 2020", "4 1 2020"), "End must be in the future"),
    (_block(f"5 1 {NEXT_YEAR}", f"6 1 {NEXT_YEAR}", note="x" * 501), "Enter 500 characters or fewer"),
])
def test_bad_time_off_is_refused(app, client, me, data, message):
    response = post(client, "/supervision/setup/time-off/new", data)
    assert response.status_code == 400
    assert any(m.startswith(message) for m in _summary(response)), _summary(response)
    assert _count(app, AvailabilityBlock) == 0


# --- who may reach the pages ------------------------------------------------------------------------

def _paths(window_id: int, type_id: int, block_id: int) -> list[tuple[str, str]]:
    return [("GET", "/supervision/setup"), ("GET", "/supervision/setup/settings"),
            ("POST", "/supervision/setup/settings"), ("GET", "/supervision/setup/windows/new"),
            ("POST", "/supervision/setup/windows/new"), ("GET", "/supervision/setup/types/new"),
            ("POST", "/supervision/setup/types/new"), ("GET", "/supervision/setup/time-off/new"),
            ("POST", "/supervision/setup/time-off/new"), *_object_paths(window_id, type_id, block_id)]


def _object_paths(window_id: int, type_id: int, block_id: int) -> list[tuple[str, str]]:
    return [("POST", f"/supervision/setup/windows/{window_id}/remove"),
            ("GET", f"/supervision/setup/types/{type_id}"), ("POST", f"/supervision/setup/types/{type_id}"),
            ("POST", f"/supervision/setup/types/{type_id}/archive"),
            ("POST", f"/supervision/setup/types/{type_id}/restore"),
            ("POST", f"/supervision/setup/time-off/{block_id}/remove")]


@pytest.fixture
def objects(make, supervisor) -> tuple[int, int, int]:
    return (make.window(supervisor, 0), make.session_type(supervisor),
            make.block(supervisor, utcnow() + timedelta(days=1), utcnow() + timedelta(days=2)))


def _send(client, method: str, path: str):
    return client.get(path) if method == "GET" else post(client, path, GROUP)


def test_anonymous_visitors_are_sent_to_sign_in(client, objects):
    for method, path in _paths(*objects):
        response = _send(client, method, path)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/sign-in", path


@pytest.mark.parametrize("role", [Role.link_worker, Role.employer, Role.admin])
def test_other_roles_are_refused(app, client, make, supervisor, objects, role):
    person = make.user(role, organisation=supervisor.organisation)
    assert sign_in(client, person.email).status_code == 302
    for method, path in _paths(*objects):
        assert _send(client, method, path).status_code == 403, (role, method, path)


def test_another_supervisors_objects_do_not_exist(app, client, make, supervisor, objects):
    other = make.user(Role.supervisor, organisation=supervisor.organisation, name="Bethan Howells")
    assert sign_in(client, other.email).status_code == 302
    for method, path in _object_paths(*objects):
        assert _send(client, method, path).status_code == 404, (method, path)
    for method, path in _object_paths(987654, 987654, 987654):
        assert _send(client, method, path).status_code == 404, (method, path)
    assert (_count(app, AvailabilityWindow), _count(app, AvailabilityBlock)) == (1, 1)
    with app.app_context():
        assert db.session.scalar(select(SessionType.active)) is True


def test_the_days_follow_the_page_language(client, make, signed_in):
    welsh = make.user(Role.supervisor, language="cy")
    make.window(welsh, 1, "09:30", "12:30")
    signed_in(welsh)
    assert client.get("/supervision/setup").status_code == 200
    assert "Dydd Mawrth" in client.get("/supervision/setup/windows/new").get_data(as_text=True)
    assert "Dydd Mawrth" in client.get("/supervision/setup").get_data(as_text=True)
