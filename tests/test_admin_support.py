"""Admin: the organisation's working week, its employer support contacts and its helplines. What the
pages save, how they refuse bad input (message in the error summary, what was typed kept, nothing
changed), who may reach them, and that the rest of Cwtch uses what was saved."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from supervision.accounts.models import Organisation, Role, User
from supervision.audit.models import AuditEvent
from supervision.debriefs.clock import WorkingWeek, targets
from supervision.debriefs.models import Urgency
from supervision.extensions import db
from supervision.identifiers import find_identifiers
from supervision.support.models import Helpline
from supervision.support.services import (
    DEFAULT_HELPLINES,
    MAX_HELPLINES,
    contacts_for,
    helpline_numbers,
    helplines_for_user,
    seed_default_helplines,
)

from .conftest import counting_queries, csrf_token, post, sign_in

SETTINGS = {"working_days": ["0", "1", "2", "3", "4"], "working_day_start": "9am", "working_day_end": "17:00",
            "eap_en": "", "eap_cy": "", "occupational_health_en": "", "occupational_health_cy": ""}
SAMARITANS_LIKE = {"name_en": "Carers Wales advice line", "name_cy": "", "number": "0300 123 4567",
                   "details_en": "Monday to Friday, 9am to 5pm", "details_cy": ""}


@dataclass
class Org:
    id: int
    admin: object
    link_worker: object

    def path(self, suffix: str = "") -> str:
        return f"/admin/organisations/{self.id}/support{suffix}"


@pytest.fixture
def org(app, make, signed_in) -> Org:
    organisation = make.organisation(name="Ogmore Valleys")
    with app.app_context():
        seed_default_helplines(db.session.get(Organisation, organisation.id))
        db.session.commit()
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    signed_in(admin)
    return Org(id=organisation.id, admin=admin, link_worker=link_worker)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def organisation(app, organisation_id: int) -> Organisation:
    with app.app_context():
        found = db.session.get(Organisation, organisation_id)
        db.session.expunge(found)
        return found


def helplines(app, organisation_id: int) -> list[Helpline]:
    with app.app_context():
        found = list(db.session.scalars(select(Helpline).where(Helpline.organisation_id == organisation_id)
                                        .order_by(Helpline.position, Helpline.id)))
        db.session.expunge_all()
        return found


def add_helplines(app, organisation_id: int, count: int) -> list[int]:
    with app.app_context():
        rows = [Helpline(organisation_id=organisation_id, name_en=f"Line {n}", number=f"0800 000 {n:03d}",
                         position=100 + n) for n in range(count)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def audit(app, action_prefix: str = "") -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like(f"{action_prefix}%"))
                                        .where(AuditEvent.action.notin_(("login", "mfa_verify")))
                                        .order_by(AuditEvent.id)))
        db.session.expunge_all()
        return found


# --- the settings page ---------------------------------------------------------------------------

def test_the_people_page_links_to_support(client, org):
    text = page(client.get(f"/admin/organisations/{org.id}/people"))
    assert f'href="{org.path()}"' in text and "Support and working hours" in text


def test_the_page_shows_the_settings_helplines_and_what_they_are_for(client, org):
    response = client.get(org.path())
    assert response.status_code == 200
    text = page(response)
    assert 'value="09:00"' in text and 'value="17:00"' in text
    for day in ("0", "4"):
        assert f'value="{day}" checked' in text
    assert 'value="5" checked' not in text and 'value="6" checked' not in text
    assert "answer it the same working day" in text
    assert "when they ask for a debrief" in text
    assert "Samaritans" in text and "116 123" in text and "Y Samariaid" in text
    assert "Cwtch never warns that these numbers might identify a client" in text
    assert f'href="{org.path("/helplines/new")}"' in text


def test_the_page_takes_the_same_queries_for_3_or_12_helplines(app, client, org):
    client.get(org.path())
    with counting_queries(app) as few:
        client.get(org.path())
    add_helplines(app, org.id, MAX_HELPLINES - len(DEFAULT_HELPLINES))
    with counting_queries(app) as many:
        text = page(client.get(org.path()))
    assert len(many) == len(few)
    assert "Line 8" in text and "the most you can have" in text
    assert f'href="{org.path("/helplines/new")}"' not in text


def test_save_the_working_week_and_contacts(app, client, org):
    data = {**SETTINGS, "working_days": ["1", "2", "3", "4", "5"], "working_day_start": "10am",
            "working_day_end": "18:30", "eap_en": "  Health Assured: 0800 030 5182  ",
            "occupational_health_en": "Ask your manager for a referral", "occupational_health_cy": "Gofynnwch i'ch rheolwr"}
    response = post(client, org.path(), data)
    assert response.status_code == 302 and response.headers["Location"] == org.path()
    saved = organisation(app, org.id)
    assert saved.working_days == 0b0111110  # Tuesday to Saturday
    assert (saved.working_day_start_minute, saved.working_day_end_minute) == (600, 1110)
    assert saved.eap_en == "Health Assured: 0800 030 5182" and saved.eap_cy is None
    assert saved.occupational_health_cy == "Gofynnwch i'ch rheolwr"
    # The Welsh falls back to the English where the admin left it empty.
    assert contacts_for(saved, "cy").eap == "Health Assured: 0800 030 5182"
    assert contacts_for(saved, "cy").occupational_health == "Gofynnwch i'ch rheolwr"
    text = page(client.get(org.path()))
    assert "Support and working hours saved" in text and 'value="10:00"' in text and 'value="18:30"' in text
    assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in audit(app, "working_week")
            + audit(app, "support_contacts")] == [("working_week_update", "organisation", org.id, org.admin.id),
                                                  ("support_contacts_update", "organisation", org.id, org.admin.id)]


def test_welsh_time_words_are_understood(app, client, org):
    response = post(client, org.path(), {**SETTINGS, "working_day_start": "8.30yb", "working_day_end": "4yh"})
    assert response.status_code == 302
    saved = organisation(app, org.id)
    assert (saved.working_day_start_minute, saved.working_day_end_minute) == (510, 960)


def test_only_what_changed_is_audited(app, client, org):
    post(client, org.path(), SETTINGS)  # the defaults again: nothing changed
    assert audit(app, "working_week") == [] and audit(app, "support_contacts") == []
    post(client, org.path(), {**SETTINGS, "working_day_end": "5.30pm"})
    assert [e.action for e in audit(app, "working_week") + audit(app, "support_contacts")] == ["working_week_update"]


def test_contacts_can_be_cleared(app, client, org):
    post(client, org.path(), {**SETTINGS, "eap_en": "Health Assured", "eap_cy": "Health Assured (Cymraeg)"})
    post(client, org.path(), SETTINGS)
    saved = organisation(app, org.id)
    assert (saved.eap_en, saved.eap_cy) == (None, None)
    assert contacts_for(saved, "en").eap is None


@pytest.mark.parametrize("changes,message", [
    ({"working_days": []}, "Select at least one working day"),
    ({"working_days": ["7"]}, "Select working days from the list"),
    ({"working_day_start": "5pm", "working_day_end": "9am"}, "The working day must end after it starts"),
    ({"working_day_start": "17:00", "working_day_end": "17:00"}, "The working day must end after it starts"),
    ({"working_day_start": "25:00"}, "Enter a time, like 09:30 or 2:15pm"),
    ({"working_day_end": ""}, "Enter the time the working day ends"),
    ({"eap_en": "x" * 501}, "Enter 500 characters or fewer"),
    ({"occupational_health_cy": "y" * 501}, "Enter 500 characters or fewer"),
])
def test_bad_settings_are_refused_and_kept(app, client, org, changes, message):
    data = {**SETTINGS, "eap_en": "Health Assured", "working_day_start": "8am", **changes}
    response = post(client, org.path(), data)
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and message in text
    for name in ("working_day_start", "working_day_end"):
        if data[name]:
            assert f'value="{data[name]}"' in text, "what was typed is kept"
    for name in ("eap_en", "occupational_health_cy"):
        if data[name]:
            assert f">{data[name]}</textarea>" in text
    saved = organisation(app, org.id)
    assert (saved.working_days, saved.working_day_start_minute, saved.eap_en) == (0b0011111, 540, None)
    assert audit(app, "working_week") == [] and audit(app, "support_contacts") == []


def test_the_saved_working_hours_set_the_same_day_target(app, client, org):
    post(client, org.path(), {**SETTINGS, "working_days": ["1", "2", "3", "4", "5"], "working_day_start": "10:00",
                              "working_day_end": "18:00"})
    week = WorkingWeek.of(organisation(app, org.id))
    assert week == WorkingWeek(days=0b0111110, start_minute=600, end_minute=1080)
    # Monday 2 March 2026 (GMT) is no longer a working day: a "today" request is due at the end of
    # Tuesday's working day, 18:00.
    monday = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    assert targets(Urgency.today, monday, week).due_at == datetime(2026, 3, 3, 18, 0, tzinfo=timezone.utc)


# --- helplines -----------------------------------------------------------------------------------

def test_add_a_helpline_and_it_is_no_longer_flagged_as_a_client_number(app, client, org):
    note = "I gave her the number 0300 123 4567 for advice."
    with app.app_context():
        assert [f.kind for f in find_identifiers(note, helplines=helpline_numbers())] == ["phone"]
    assert "Add a helpline" in page(client.get(org.path("/helplines/new")))
    response = post(client, org.path("/helplines/new"), {**SAMARITANS_LIKE, "name_en": "  Carers Wales  ",
                                                         "number": " 0300  123 4567 "})
    assert response.status_code == 302 and response.headers["Location"] == org.path()
    *_, added = helplines(app, org.id)
    assert (added.name_en, added.name_cy, added.number, added.details_en, added.details_cy) == (
        "Carers Wales", None, "0300 123 4567", "Monday to Friday, 9am to 5pm", None)
    assert added.position > max(h.position for h in helplines(app, org.id)[:-1]), "added at the end"
    assert "Helpline added: Carers Wales" in page(client.get(org.path()))
    with app.app_context():
        assert find_identifiers(note, helplines=helpline_numbers()) == []
        people = helplines_for_user(db.session.get(User, org.link_worker.id))
        assert "Carers Wales" in [h.name_en for h in people]
    [event] = audit(app, "helpline_")
    assert (event.action, event.target_type, event.target_id, event.organisation_id) == (
        "helpline_add", "helpline", added.id, org.id)


@pytest.mark.parametrize("changes,message", [
    ({"name_en": "  "}, "Enter the helpline’s name in English"),
    ({"name_en": "n" * 121}, "Enter 120 characters or fewer"),
    ({"name_cy": "n" * 121}, "Enter 120 characters or fewer"),
    ({"number": ""}, "Enter the helpline’s phone number"),
    ({"number": "Samaritans"}, "Enter the number using only digits and spaces, like 0300 123 4567"),
    ({"number": "111, then press 2"}, "Enter the number using only digits and spaces, like 0300 123 4567"),
    ({"number": "12"}, "Enter a number with between 3 and 15 digits"),
    ({"number": "0" * 16}, "Enter a number with between 3 and 15 digits"),
    ({"details_en": "d" * 201}, "Enter 200 characters or fewer"),
])
def test_a_bad_helpline_is_refused_and_kept(app, client, org, changes, message):
    data = {**SAMARITANS_LIKE, "name_cy": "Llinell gyngor", "details_cy": "Dydd Llun i ddydd Gwener", **changes}
    response = post(client, org.path("/helplines/new"), data)
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and message in text
    for value in data.values():
        if value.strip():
            assert f'value="{value}"' in text, "what was typed is kept"
    assert len(helplines(app, org.id)) == len(DEFAULT_HELPLINES)
    assert audit(app, "helpline_") == []


def test_three_digits_are_enough(app, client, org):
    assert post(client, org.path("/helplines/new"), {**SAMARITANS_LIKE, "number": "999"}).status_code == 302
    assert helplines(app, org.id)[-1].number == "999"


def test_a_thirteenth_helpline_is_refused(app, client, org):
    add_helplines(app, org.id, MAX_HELPLINES - len(DEFAULT_HELPLINES))
    assert "the most you can have" in page(client.get(org.path("/helplines/new")))
    response = post(client, org.path("/helplines/new"), SAMARITANS_LIKE)
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and "You can have up to 12 helplines" in text
    assert 'value="Carers Wales advice line"' in text and 'value="0300 123 4567"' in text
    assert len(helplines(app, org.id)) == MAX_HELPLINES
    assert audit(app, "helpline_") == []


def test_edit_a_helpline(app, client, org):
    samaritans = helplines(app, org.id)[0]
    text = page(client.get(org.path(f"/helplines/{samaritans.id}")))
    assert "Change a helpline" in text and 'value="116 123"' in text and 'value="Y Samariaid"' in text
    response = post(client, org.path(f"/helplines/{samaritans.id}"),
                    {"name_en": "Samaritans", "name_cy": "", "number": "116 123",
                     "details_en": "Free, any time", "details_cy": "Am ddim, unrhyw bryd"})
    assert response.status_code == 302 and response.headers["Location"] == org.path()
    edited = helplines(app, org.id)[0]
    assert (edited.id, edited.name_cy, edited.details_en, edited.details_cy) == (
        samaritans.id, None, "Free, any time", "Am ddim, unrhyw bryd")
    assert edited.name("cy") == "Samaritans", "an empty Welsh name shows the English"
    [event] = audit(app, "helpline_")
    assert (event.action, event.target_id) == ("helpline_edit", samaritans.id)


def test_a_bad_edit_changes_nothing(app, client, org):
    samaritans = helplines(app, org.id)[0]
    response = post(client, org.path(f"/helplines/{samaritans.id}"),
                    {"name_en": "Samaritans", "number": "call us", "details_en": "Free"})
    assert response.status_code == 200 and 'value="call us"' in page(response)
    assert helplines(app, org.id)[0].number == "116 123"


def test_remove_every_helpline_and_link_workers_see_the_national_ones(app, client, org):
    first = helplines(app, org.id)[0]
    text = page(client.get(org.path(f"/helplines/{first.id}/remove")))
    assert "Are you sure you want to remove Samaritans?" in text and "last helpline" not in text
    for helpline in helplines(app, org.id):
        if len(helplines(app, org.id)) == 1:
            assert "last helpline" in page(client.get(org.path(f"/helplines/{helpline.id}/remove")))
        response = post(client, org.path(f"/helplines/{helpline.id}/remove"))
        assert response.status_code == 302 and response.headers["Location"] == org.path()
    assert helplines(app, org.id) == []
    text = page(client.get(org.path()))
    assert "Helpline removed: C.A.L.L. Mental Health Listening Line" in text
    assert "Your organisation has no helplines of its own" in text
    with app.app_context():
        shown = helplines_for_user(db.session.get(User, org.link_worker.id))
        assert [h.number for h in shown] == [h["number"] for h in DEFAULT_HELPLINES]
    assert [e.action for e in audit(app, "helpline_")] == ["helpline_delete"] * len(DEFAULT_HELPLINES)


def test_move_a_helpline_up_and_down(app, client, org):
    samaritans, nhs, call = (h.id for h in helplines(app, org.id))
    assert post(client, org.path(f"/helplines/{call}/move"), {"direction": "up"}).status_code == 302
    assert [h.id for h in helplines(app, org.id)] == [samaritans, call, nhs]
    post(client, org.path(f"/helplines/{samaritans}/move"), {"direction": "down"})
    assert [h.id for h in helplines(app, org.id)] == [call, samaritans, nhs]
    post(client, org.path(f"/helplines/{call}/move"), {"direction": "up"})  # already first
    post(client, org.path(f"/helplines/{nhs}/move"), {"direction": "sideways"})  # crafted
    assert [h.id for h in helplines(app, org.id)] == [call, samaritans, nhs]
    assert [e.action for e in audit(app, "helpline_")] == ["helpline_move"] * 2


def test_helpline_text_is_shown_as_text(client, org):
    post(client, org.path("/helplines/new"), {**SAMARITANS_LIKE, "name_en": "<script>alert(1)</script>"})
    raw = client.get(org.path()).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;" in raw


# --- audit ---------------------------------------------------------------------------------------

def test_audit_events_carry_no_free_text(app, client, org):
    post(client, org.path(), {**SETTINGS, "eap_en": "Health Assured secret words", "working_day_end": "4pm"})
    post(client, org.path("/helplines/new"), {**SAMARITANS_LIKE, "name_en": "Private line name"})
    added = helplines(app, org.id)[-1]
    post(client, org.path(f"/helplines/{added.id}"), {**SAMARITANS_LIKE, "name_en": "Renamed line"})
    post(client, org.path(f"/helplines/{added.id}/move"), {"direction": "up"})
    post(client, org.path(f"/helplines/{added.id}/remove"))
    events = [e for e in audit(app) if e.action.startswith(("working_week", "support_contacts", "helpline_"))]
    assert sorted(e.action for e in events) == sorted([
        "working_week_update", "support_contacts_update", "helpline_add", "helpline_edit", "helpline_move",
        "helpline_delete"])
    assert all(e.detail is None for e in events)


# --- who may reach the pages -----------------------------------------------------------------------

def _routes(org: Org, helpline_id: int) -> list[tuple[str, str]]:
    return [("GET", org.path()), ("POST", org.path()), ("GET", org.path("/helplines/new")),
            ("POST", org.path("/helplines/new")), ("GET", org.path(f"/helplines/{helpline_id}")),
            ("POST", org.path(f"/helplines/{helpline_id}")), ("GET", org.path(f"/helplines/{helpline_id}/remove")),
            ("POST", org.path(f"/helplines/{helpline_id}/remove")),
            ("POST", org.path(f"/helplines/{helpline_id}/move"))]


def _send(client, method: str, path: str, data: dict):
    return client.get(path) if method == "GET" else post(client, path, data)


def _untouched(app, org: Org) -> None:
    saved = organisation(app, org.id)
    assert (saved.working_days, saved.working_day_start_minute, saved.eap_en) == (0b0011111, 540, None)
    assert [h.number for h in helplines(app, org.id)] == [h["number"] for h in DEFAULT_HELPLINES]


def test_another_organisations_admin_gets_404(app, make, org):
    other = make.organisation(name="Teifi Valley")
    stranger = make.user(Role.admin, organisation=other, name="Sioned Prys")
    theirs = app.test_client()
    sign_in(theirs, stranger.email)
    helpline_id = helplines(app, org.id)[1].id
    data = {**SETTINGS, **SAMARITANS_LIKE, "working_days": ["6"], "direction": "up"}
    for method, path in _routes(org, helpline_id):
        assert _send(theirs, method, path, data).status_code == 404, (method, path)
    _untouched(app, org)


def test_another_organisations_helpline_answers_404(app, client, make, org):
    other = make.organisation(name="Teifi Valley")
    with app.app_context():
        seed_default_helplines(db.session.get(Organisation, other.id))
        db.session.commit()
    theirs = helplines(app, other.id)[1].id
    data = {**SAMARITANS_LIKE, "direction": "up"}
    for method, path in _routes(org, theirs)[4:] + [("GET", org.path("/helplines/987654"))]:
        assert _send(client, method, path, data).status_code == 404, (method, path)
    assert [h.number for h in helplines(app, other.id)] == [h["number"] for h in DEFAULT_HELPLINES]


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.employer])
def test_someone_who_is_not_an_admin_gets_403(app, make, org, role):
    person = make.user(role, organisation=organisation(app, org.id))
    client = app.test_client()
    sign_in(client, person.email)
    data = {**SETTINGS, **SAMARITANS_LIKE, "working_days": ["6"], "direction": "up"}
    for method, path in _routes(org, helplines(app, org.id)[1].id):
        response = _send(client, method, path, data)
        assert response.status_code == 403, (method, path)
        assert "You do not have permission" in response.get_data(as_text=True)
    _untouched(app, org)


def test_anonymous_visitors_are_sent_to_sign_in(app, org):
    client = app.test_client()
    token = csrf_token(client)
    for method, path in _routes(org, helplines(app, org.id)[1].id):
        response = client.get(path) if method == "GET" else client.post(path, data={"csrf_token": token})
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/sign-in?next="), (method, path)


def test_every_post_needs_its_csrf_token(app, client, org):
    data = {**SETTINGS, **SAMARITANS_LIKE, "working_days": ["6"], "direction": "up"}
    for method, path in _routes(org, helplines(app, org.id)[1].id):
        if method == "POST":
            assert client.post(path, data=data).status_code == 400, path
    _untouched(app, org)
    assert audit(app, "helpline_") == [] and audit(app, "working_week") == []
