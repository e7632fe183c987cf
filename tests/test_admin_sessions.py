"""Admin: when the organisation's supervision sessions happen, for scheduling. Only this
organisation's admin sees the page; it never shows who booked, their agenda or the record."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from supervision.accounts.models import Organisation, Role
from supervision.admin import sessions as admin_sessions
from supervision.booking.models import SessionRecord
from supervision.booking.slots import LONDON
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries

AGENDA = "Quokka-marmalade agenda about the Pontypridd housing case"
RECORD = "Zephyr-lantern notes on boundaries"


@dataclass
class World:
    org: Organisation
    other: Organisation
    people: dict

    def path(self, query: str = "") -> str:
        return f"/admin/organisations/{self.org.id}/sessions{query}"


@pytest.fixture
def world(make) -> World:
    org = make.organisation(name="Ogmore Valleys")
    other = make.organisation(name="Teifi Valley")
    people = {
        "admin": make.user(Role.admin, organisation=org, name="Gareth Price"),
        "other_admin": make.user(Role.admin, organisation=other, name="Sioned Prys"),
        "supervisor": make.user(Role.supervisor, organisation=org, name="Dr Rhodri Evans"),
        "second_supervisor": make.user(Role.supervisor, organisation=org, name="Nia Howells"),
        "link_worker": make.user(Role.link_worker, organisation=org, name="Bethan Quillfeather",
                                 email="bethan.quillfeather@example.org"),
        "second_link_worker": make.user(Role.link_worker, organisation=org, name="Iolo Marchbanks"),
        "employer": make.user(Role.employer, organisation=org, name="Siân Morgan"),
    }
    return World(org=org, other=other, people=people)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def text(response) -> str:
    """The page's words, without markup, with runs of spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(response)))


def soon(days: float) -> datetime:
    return (utcnow() + timedelta(days=days)).replace(second=0, microsecond=0)


def calendar(app, make, world: World) -> None:
    """Three of Dr Evans's sessions and one of Nia Howells's in the period, plus sessions that must
    not be listed: cancelled, past, too far ahead, another organisation's, a one-to-one nobody holds."""
    p = world.people
    one_to_one = make.session_type(p["supervisor"])
    group = make.session_type(p["supervisor"], kind="group", name="Peer supervision: Ogmore group", capacity=6)
    theirs = make.session_type(p["second_supervisor"])

    group_session = make.supervision_session(group, soon(3))
    make.booking(group_session, p["link_worker"], agenda=AGENDA)
    make.booking(group_session, p["second_link_worker"], agenda="Marchbanks private worry")
    confirmed = make.booking(make.supervision_session(one_to_one, soon(5)), p["link_worker"], agenda=AGENDA)
    make.booking(make.supervision_session(one_to_one, soon(7)), p["second_link_worker"], status="requested")
    make.booking(make.supervision_session(theirs, soon(10)), p["link_worker"], status="proposed")
    with app.app_context():
        db.session.add(SessionRecord(booking_id=confirmed, normative=RECORD, actions=RECORD))
        db.session.commit()

    make.booking(make.supervision_session(one_to_one, soon(4), status="cancelled"), p["link_worker"],
                 status="cancelled")
    make.booking(make.supervision_session(one_to_one, soon(-2)), p["link_worker"])
    make.booking(make.supervision_session(one_to_one, soon(70)), p["link_worker"])
    make.booking(make.supervision_session(one_to_one, soon(6)), p["link_worker"], status="declined")
    stranger = make.user(Role.supervisor, organisation=world.other, name="Elgan Teifi")
    make.booking(make.supervision_session(make.session_type(stranger), soon(2)),
                 make.user(Role.link_worker, organisation=world.other, name="Owain Teifi"))


# --- who may see it -------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    ("admin", 200), ("other_admin", 404), ("supervisor", 403), ("link_worker", 403), ("employer", 403),
])
def test_only_this_organisations_admin_sees_the_page(client, signed_in, world, role, status):
    signed_in(world.people[role])
    assert client.get(world.path()).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(world.path())
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_the_admin_of_two_organisations_sees_each_ones_own(app, make, client, signed_in, world):
    calendar(app, make, world)
    signed_in(world.people["other_admin"])
    shown = text(client.get(f"/admin/organisations/{world.other.id}/sessions"))
    assert "Elgan Teifi" in shown
    assert "Rhodri Evans" not in shown


def test_the_people_page_links_to_it(client, signed_in, world):
    signed_in(world.people["admin"])
    assert f'href="{world.path()}"' in page(client.get(f"/admin/organisations/{world.org.id}/people"))


# --- what it shows ------------------------------------------------------------------------------

def test_sessions_are_listed_with_counts_and_no_one_who_booked(app, make, client, signed_in, world):
    calendar(app, make, world)
    signed_in(world.people["admin"])
    response = client.get(world.path())
    shown = text(response)
    assert response.status_code == 200
    assert page(response).count("<h1") == 1
    assert "You cannot see who booked them or what was discussed." in shown
    assert "Dr Rhodri Evans: 3 sessions in the next 8 weeks" in shown
    assert "Nia Howells: 1 session in the next 8 weeks" in shown
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page(response), re.S)[1:]
    assert len(rows) == 4
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    assert "Group peer supervision 2 of 6 Confirmed" in cells[0]
    assert cells[1].endswith("One-to-one supervision Not a group session Confirmed")
    assert cells[2].endswith("One-to-one supervision Not a group session Waiting for approval")
    assert "Nia Howells" in cells[3] and cells[3].endswith("Waiting for approval")
    for secret in ("Quillfeather", "Marchbanks", "bethan.quillfeather", AGENDA, "Quokka", RECORD, "Zephyr",
                   "Elgan Teifi", "Owain Teifi", "meet.example.org"):
        assert secret not in page(response), secret


def test_times_are_shown_in_london_time(app, make, client, signed_in, world):
    kind = make.session_type(world.people["supervisor"], kind="group")
    # The first day in British Summer Time (there is always one within 26 weeks): 09:00 UTC is 10:00.
    day = next(d for d in range(1, 26 * 7) if soon(d).astimezone(LONDON).utcoffset())
    make.supervision_session(kind, soon(day).replace(hour=9, minute=0))
    signed_in(world.people["admin"])
    assert "10:00 to 11:00" in text(client.get(world.path("?weeks=26")))


def test_nothing_to_show(client, signed_in, world):
    signed_in(world.people["admin"])
    shown = text(client.get(world.path("?weeks=1")))
    assert "There are no sessions in the next week." in shown
    assert "govuk-table" not in shown


def test_weeks_widens_the_period(app, make, client, signed_in, world):
    calendar(app, make, world)
    signed_in(world.people["admin"])
    assert "Dr Rhodri Evans: 4 sessions in the next 12 weeks" in text(client.get(world.path("?weeks=12")))
    assert "Dr Rhodri Evans: 2 sessions in the next week" in text(client.get(world.path("?weeks=1")))


@pytest.mark.parametrize("value,message", [
    ("0", "between 1 and 26"), ("27", "between 1 and 26"), ("-3", "between 1 and 26"),
    ("abc", "as a whole number"), ("8.5", "as a whole number"), ("9" * 5000, "as a whole number"),
    ("<script>", "as a whole number"),
])
def test_a_bad_number_of_weeks_shows_an_error_and_the_default(app, make, client, signed_in, world,
                                                              value, message):
    calendar(app, make, world)
    signed_in(world.people["admin"])
    response = client.get(world.path(), query_string={"weeks": value})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert message in text(response)
    assert "Dr Rhodri Evans: 3 sessions in the next 8 weeks" in text(response)
    assert "<script>" not in response.get_data(as_text=True)


def test_an_empty_number_of_weeks_is_the_default(client, signed_in, world):
    signed_in(world.people["admin"])
    response = client.get(world.path("?weeks="))
    assert "There is a problem" not in text(response)
    assert 'value="8"' in page(response)


# --- the service ------------------------------------------------------------------------------------

def test_the_period_runs_from_london_midnight_across_the_clock_change(app, make, world):
    kind = make.session_type(world.people["supervisor"])
    starts = {
        "before today": datetime(2026, 3, 19, 23, 30, tzinfo=timezone.utc),  # 23:30 GMT on the 19th
        "start of today": datetime(2026, 3, 20, 0, 0, tzinfo=timezone.utc),
        "last hour": datetime(2026, 4, 2, 22, 30, tzinfo=timezone.utc),  # 23:30 BST on 2 April
        "after the period": datetime(2026, 4, 2, 23, 0, tzinfo=timezone.utc),  # midnight BST on 3 April
    }
    for start in starts.values():
        make.booking(make.supervision_session(kind, start), world.people["link_worker"])
    now = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
    with app.app_context():
        organisation = db.session.get(Organisation, world.org.id)
        shown = admin_sessions.schedule(organisation=organisation, now=now, weeks=2)
        listed = {s.starts_at.replace(tzinfo=timezone.utc) for s in shown.sessions}
    assert listed == {starts["start of today"], starts["last hour"]}


@pytest.mark.parametrize("via_page", [False, True], ids=["service", "page"])
def test_queries_do_not_grow_with_the_number_of_sessions(app, make, client, signed_in, world, via_page):
    p = world.people
    one_to_one = make.session_type(p["supervisor"])
    group = make.session_type(p["second_supervisor"], kind="group")
    signed_in(p["admin"])

    def add(count: int, offset: int) -> None:
        for n in range(count):
            session = make.supervision_session(group if n % 2 else one_to_one, soon(1 + offset + n / 10))
            make.booking(session, p["link_worker"], status="requested" if n % 3 == 0 else "confirmed")

    def measure() -> int:
        with counting_queries(app) as statements:
            if via_page:
                assert client.get(world.path()).status_code == 200
            else:
                with app.app_context():
                    organisation = db.session.get(Organisation, world.org.id)
                    admin_sessions.schedule(organisation=organisation, now=utcnow())
        return len(statements)

    add(3, 0)
    few = measure()
    add(27, 5)
    assert measure() == few
