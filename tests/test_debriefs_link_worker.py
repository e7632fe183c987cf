"""The link worker's debrief pages: asking (with every kind of bad input and the client-identifier
warning), following a request, withdrawing it, answering check-ins, who may reach which page, the
home page, bounded queries, and Welsh."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import Domain, get_locale
from sqlalchemy import func, select

from supervision.accounts.models import Organisation, Role
from supervision.db import utcnow
from supervision.debriefs.models import (
    MAX_DESCRIPTION,
    CheckInAnswer,
    DebriefCheckIn,
    DebriefEvent,
    DebriefRequest,
    RequestStatus,
)
from supervision.extensions import db
from supervision.i18n_check import untranslated_template_text
from supervision.support.models import Helpline
from supervision import ROOT

from .conftest import counting_queries, post

VALID_NHS_NUMBER = "943 476 5919"  # passes the modulus-11 check
EAP_TEXT = "Vivup: free and confidential counselling, any time."
WHAT_HAPPENED = "A client I had supported for months told me about abuse at home."


@dataclass
class World:
    organisation: object
    link_worker: object
    other_link_worker: object
    supervisor: object
    other_supervisor: object
    dual: object  # a supervisor who is also a link worker
    employer: object
    admin: object
    foreign_supervisor: object  # a supervisor in another organisation
    foreign_organisation: object


@pytest.fixture
def world(app, make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    with app.app_context():
        db.session.get(Organisation, organisation.id).eap_en = EAP_TEXT
        db.session.commit()
    foreign = make.organisation(name="Taff Ely")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.assign(supervisor, link_worker, organisation)
    return World(
        organisation=organisation, link_worker=link_worker,
        other_link_worker=make.user(Role.link_worker, organisation=organisation, name="Huw Parry"),
        supervisor=supervisor, other_supervisor=make.user(Role.supervisor, organisation=organisation,
                                                          name="Bethan Howells"),
        dual=make.user(Role.supervisor, Role.link_worker, organisation=organisation, name="Nia Thomas"),
        employer=make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
        admin=make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        foreign_supervisor=make.user(Role.supervisor, organisation=foreign, name="Dafydd Rees"),
        foreign_organisation=foreign,
    )


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def asking(**changes) -> dict:
    data = {"urgency": "three_days", "category": "disclosure", "description": WHAT_HAPPENED,
            "contact_way": "video", "supervisor": "any"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', response.get_data(as_text=True))
    assert match, f"no hidden {name}"
    return html.unescape(match.group(1))


def sign_out(app, client) -> None:
    with app.test_request_context():
        from flask import url_for

        path = url_for("accounts.logout")
    post(client, path, {})


def requests_in(app) -> list[DebriefRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(DebriefRequest).order_by(DebriefRequest.id)))
        db.session.expunge_all()
        return rows


def completed_with_check_in(make, world, *, due_in_days: float = -1, answer: str | None = None):
    request_id = make.debrief_request(world.link_worker, status="completed", handler=world.supervisor)
    make.check_in(request_id, 3, due_at=utcnow() + timedelta(days=due_in_days), answer=answer)
    return request_id


# --- asking, following and withdrawing ---------------------------------------------------------

def test_ask_follow_and_withdraw(app, client, signed_in, world):
    signed_in(world.link_worker)
    form = page(client.get("/debriefs/new"))
    assert "Who will see your request" in form
    assert "Never your employer or your organisation’s admin" in form
    assert "you can withdraw your request at any time" in form
    assert "Samaritans" in form and "116 123" in form  # the helplines, on the form itself
    assert 'name="organisation"' not in form  # one organisation: nothing to choose

    response = post(client, "/debriefs/new", asking(supervisor=str(world.supervisor.id)))
    assert response.status_code == 303
    (made,) = requests_in(app)
    assert urlsplit(response.headers["Location"]).path == f"/debriefs/{made.id}"
    assert (made.status, made.assigned_to_id, made.description) == (RequestStatus.open, world.supervisor.id,
                                                                    WHAT_HAPPENED)

    view = page(client.get(f"/debriefs/{made.id}"))
    assert WHAT_HAPPENED in view and "Waiting for a supervisor" in view and "Request made" in view
    assert "By video call" in view and "A distressing disclosure" in view
    assert "Withdraw this request" in view
    listing = page(client.get("/debriefs/"))
    assert f"/debriefs/{made.id}" in listing and "Within 3 days" in listing

    assert "Withdraw your request" in page(client.get(f"/debriefs/{made.id}/withdraw"))
    response = post(client, f"/debriefs/{made.id}/withdraw")
    assert response.status_code == 303
    assert requests_in(app)[0].status == RequestStatus.withdrawn
    view = page(client.get(f"/debriefs/{made.id}"))
    assert "You withdrew this request" in view and "Withdraw this request" not in view
    # Withdrawn once: the page says so, without a form, and a second POST changes nothing.
    again = client.get(f"/debriefs/{made.id}/withdraw")
    assert "can no longer be withdrawn" in page(again) and 'name="csrf_token"' not in page(again).split("<main")[1]
    assert post(client, f"/debriefs/{made.id}/withdraw").status_code == 400


def test_several_organisations_choose_one_and_supervisors_are_named_with_theirs(app, client, make, signed_in,
                                                                                 world):
    with app.app_context():
        from supervision.accounts.models import Membership

        db.session.add(Membership(user_id=world.link_worker.id, organisation_id=world.foreign_organisation.id,
                                  role=Role.link_worker))
        db.session.commit()
    signed_in(world.link_worker)
    form = page(client.get("/debriefs/new"))
    assert 'name="organisation"' in form and "Dafydd Rees (Taff Ely)" in form
    # A supervisor of the other organisation than the one chosen: a clear error on the field.
    response = post(client, "/debriefs/new", asking(organisation=str(world.organisation.id),
                                                     supervisor=str(world.foreign_supervisor.id)))
    assert response.status_code == 400
    assert "Choose one of the supervisors listed" in page(response) and requests_in(app) == []
    response = post(client, "/debriefs/new", asking(organisation=str(world.foreign_organisation.id),
                                                     supervisor=str(world.foreign_supervisor.id)))
    assert response.status_code == 303
    assert requests_in(app)[0].organisation_id == world.foreign_organisation.id


@pytest.mark.parametrize(("changes", "message"), [
    ({"description": "   "}, "Describe briefly what happened"),
    ({"description": "x" * (MAX_DESCRIPTION + 1)}, f"Enter {MAX_DESCRIPTION} characters or fewer"),
    ({"urgency": None}, "Select how soon you would like to talk"),
    ({"category": None}, "Select what it was about"),
    ({"contact_way": None}, "Select how you would like to talk"),
    ({"supervisor": None}, "Select any of your supervisors, or one supervisor by name"),
    ({"urgency": "yesterday"}, "Select how soon you would like to talk"),
    ({"category": "gossip"}, "Select what it was about"),
    ({"contact_way": "pigeon"}, "Select how you would like to talk"),
    ({"supervisor": "FOREIGN"}, "Select any of your supervisors, or one supervisor by name"),
    ({"supervisor": "LINK_WORKER"}, "Select any of your supervisors, or one supervisor by name"),
    ({"organisation": "FOREIGN_ORG"}, "Select the organisation you were working for"),
], ids=["empty", "too-long", "no-urgency", "no-category", "no-contact", "no-supervisor", "crafted-urgency",
        "crafted-category", "crafted-contact", "foreign-supervisor", "self-as-supervisor", "foreign-organisation"])
def test_bad_input_is_explained_and_keeps_what_was_typed(app, client, signed_in, world, changes, message):
    swaps = {"FOREIGN": str(world.foreign_supervisor.id), "LINK_WORKER": str(world.link_worker.id),
             "FOREIGN_ORG": str(world.foreign_organisation.id)}
    changes = {k: swaps.get(v, v) for k, v in changes.items()}
    signed_in(world.link_worker)
    typed = asking(**changes)
    response = post(client, "/debriefs/new", typed)
    text = page(response)
    assert response.status_code == 400
    assert "There is a problem" in text and "govuk-error-summary" in text and message in text
    if typed.get("description", "").strip():
        assert typed["description"] in text  # nothing typed is lost
    assert requests_in(app) == []


@pytest.mark.parametrize("identifier", [f"NHS {VALID_NHS_NUMBER}", "near CF10 1EP"], ids=["nhs", "postcode"])
def test_client_identifiers_are_warned_about_then_sent_anyway(app, client, signed_in, world, identifier):
    signed_in(world.link_worker)
    typed = asking(description=f"The client ({identifier}) told me about abuse at home.")
    response = post(client, "/debriefs/new", typed)
    text = page(response)
    assert response.status_code == 200
    assert "This may identify someone you support" in text and "Your request has not been sent yet" in text
    assert typed["description"] in text and requests_in(app) == []
    # Pressing the ordinary button again warns again: only "Send anyway" confirms.
    assert "This may identify" in page(post(client, "/debriefs/new", typed))
    response = post(client, "/debriefs/new", {**typed, "confirm_identifiers": "1",
                                              "identifiers_seen": hidden(response, "identifiers_seen")})
    assert response.status_code == 303
    assert requests_in(app)[0].description == typed["description"]


def test_send_anyway_covers_only_what_the_warning_showed(app, client, signed_in, world):
    signed_in(world.link_worker)
    first = post(client, "/debriefs/new", asking(description="Seen near CF10 1EP."))
    seen = hidden(first, "identifiers_seen")
    response = post(client, "/debriefs/new", {**asking(description=f"Seen near CF10 1EP, NHS {VALID_NHS_NUMBER}."),
                                              "confirm_identifiers": "1", "identifiers_seen": seen})
    assert f"<q>{VALID_NHS_NUMBER}</q>" in page(response) and requests_in(app) == []


def test_helpline_numbers_raise_no_warning(app, client, signed_in, world):
    with app.app_context():
        db.session.add(Helpline(organisation_id=world.organisation.id, name_en="Ogmore Wellbeing Line",
                                number="01656 815 555", position=9))
        db.session.commit()
    signed_in(world.link_worker)
    form = page(client.get("/debriefs/new"))
    assert "Ogmore Wellbeing Line" in form  # the admin's helpline is offered on the form
    # The same sentence with another number is warned about, so the check is really running.
    other = post(client, "/debriefs/new", asking(description="I gave them 01656 999 000 to ring."))
    assert "This may identify someone you support" in page(other)
    for number in ("116 123", "01656 815555"):
        response = post(client, "/debriefs/new", asking(description=f"I gave them {number} to ring."))
        assert response.status_code == 303, number
    assert len(requests_in(app)) == 2


# --- what the request page shows ---------------------------------------------------------------

def test_a_declined_request_shows_the_reason_the_alternative_and_support(client, make, signed_in, world):
    request_id = make.debrief_request(world.link_worker, status="declined", handler=world.supervisor)
    signed_in(world.link_worker)
    text = page(client.get(f"/debriefs/{request_id}"))
    assert "I am on leave this week." in text and "Another supervisor" in text
    assert "If you need help now" in text and EAP_TEXT in text
    assert "Withdraw this request" not in text


def test_a_completed_request_shows_the_outcome_notes_booking_and_check_ins(app, client, make, signed_in, world):
    request_id = completed_with_check_in(make, world, due_in_days=-1)
    type_id = make.session_type(world.supervisor)
    session_id = make.supervision_session(type_id, utcnow() - timedelta(days=2))
    booking_id = make.booking(session_id, world.link_worker)
    with app.app_context():
        debrief = db.session.get(DebriefRequest, request_id)
        debrief.notes, debrief.booking_id = "Agreed to take a day of leave.", booking_id
        db.session.add(DebriefEvent(request_id=request_id, actor_id=world.supervisor.id, action="accepted",
                                    created_at=utcnow()))
        db.session.commit()
    signed_in(world.link_worker)
    text = page(client.get(f"/debriefs/{request_id}"))
    assert "Rhodri Evans talked this through with you" in text and "Accepted" in text
    assert "Supported" in text and "Agreed to take a day of leave." in text
    assert f"/supervision/bookings/{booking_id}" in text
    assert f"/debriefs/{request_id}/check-in/3" in text and "Withdraw this request" not in text


# --- check-ins ---------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["worse", "same"])
def test_not_improving_offers_more_support(app, client, make, signed_in, world, answer):
    request_id = completed_with_check_in(make, world)
    signed_in(world.link_worker)
    assert "How are you now?" in page(client.get(f"/debriefs/{request_id}/check-in/3"))
    response = post(client, f"/debriefs/{request_id}/check-in/3", {"answer": answer}, follow_redirects=True)
    text = page(response)
    assert response.status_code == 200 and "More support is here for you" in text
    assert re.search(r'<a href="/debriefs/new"[^>]*class="govuk-button', response.get_data(as_text=True))
    assert "/supervision/" in text and EAP_TEXT in text and "116 123" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DebriefEvent)
                                 .where(DebriefEvent.action == "check_in_answered")) == 1


def test_better_is_thanked_without_pressing_another_debrief(client, make, signed_in, world):
    request_id = completed_with_check_in(make, world)
    signed_in(world.link_worker)
    response = post(client, f"/debriefs/{request_id}/check-in/3", {"answer": "better"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Thank you for telling us" in text and "More support is here" not in text
    assert "Ask for another debrief" in text  # still there, as a plain link
    assert not re.search(r'<a href="/debriefs/new"[^>]*class="govuk-button', text)


def test_a_check_in_not_yet_due_or_already_answered_has_no_form(app, client, make, signed_in, world):
    later = completed_with_check_in(make, world, due_in_days=2)
    answered = completed_with_check_in(make, world, answer="worse")
    signed_in(world.link_worker)
    response = client.get(f"/debriefs/{later}/check-in/3")
    assert response.status_code == 200 and "not due yet" in page(response) and 'name="answer"' not in page(response)
    assert post(client, f"/debriefs/{later}/check-in/3", {"answer": "better"}).status_code == 400
    response = client.get(f"/debriefs/{answered}/check-in/3")
    assert response.status_code == 200 and 'name="answer"' not in page(response)
    assert post(client, f"/debriefs/{answered}/check-in/3", {"answer": "better"}).status_code == 400
    with app.app_context():
        answers = dict(db.session.execute(select(DebriefCheckIn.request_id, DebriefCheckIn.answer)).all())
    assert answers == {later: None, answered: CheckInAnswer.worse}  # neither POST changed anything
    assert client.get(f"/debriefs/{later}/check-in/28").status_code == 404  # no such check-in


def test_a_check_in_answer_must_be_one_offered(client, make, signed_in, world):
    request_id = completed_with_check_in(make, world)
    signed_in(world.link_worker)
    for data in ({}, {"answer": "ecstatic"}):
        response = post(client, f"/debriefs/{request_id}/check-in/3", data)
        assert response.status_code == 400 and "Select how you are now" in page(response)


# --- who may reach which page ------------------------------------------------------------------

def _urls(request_id: int) -> list[tuple[str, str]]:
    return [("GET", "/debriefs/"), ("GET", "/debriefs/new"), ("POST", "/debriefs/new"),
            ("GET", f"/debriefs/{request_id}"), ("GET", f"/debriefs/{request_id}/withdraw"),
            ("POST", f"/debriefs/{request_id}/withdraw"), ("GET", f"/debriefs/{request_id}/check-in/3"),
            ("POST", f"/debriefs/{request_id}/check-in/3")]


@pytest.mark.parametrize("role", ["supervisor", "employer", "admin"])
def test_other_roles_are_refused_and_see_nothing(app, client, make, signed_in, world, role):
    request_id = completed_with_check_in(make, world)
    signed_in(getattr(world, role))
    for method, url in _urls(request_id):
        response = client.get(url) if method == "GET" else post(client, url, {**asking(), "answer": "worse"})
        assert response.status_code == 403, (method, url)
        assert "months died suddenly" not in page(response)
    assert len(requests_in(app)) == 1


def test_another_link_workers_request_is_not_found(app, client, make, signed_in, world):
    request_id = make.debrief_request(world.link_worker, assigned_to=world.dual)
    make.check_in(request_id, 3, due_at=utcnow() - timedelta(days=1))
    # Nia triages it as a supervisor, but these are the link worker's pages: not hers.
    for person in (world.other_link_worker, world.dual):
        signed_in(person)
        for method, url in _urls(request_id)[3:]:
            response = client.get(url) if method == "GET" else post(client, url, {"answer": "worse"})
            assert response.status_code == 404, (person, method, url)
        sign_out(app, client)
    assert requests_in(app)[0].status == RequestStatus.open


def test_signed_out_people_are_sent_to_sign_in(client, make, world):
    request_id = make.debrief_request(world.link_worker)
    response = client.get(f"/debriefs/{request_id}")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/sign-in"


# --- the home page -----------------------------------------------------------------------------

def test_home_shows_asking_a_due_check_in_and_the_supervisors_queue(app, client, make, signed_in, world):
    request_id = completed_with_check_in(make, world)
    make.debrief_request(world.link_worker)  # open, in Rhodri's queue
    signed_in(world.link_worker)
    text = page(client.get("/home"))
    assert 'href="/debriefs/new"' in text and f'href="/debriefs/{request_id}/check-in/3"' in text
    sign_out(app, client)
    signed_in(world.supervisor)
    text = page(client.get("/home"))
    assert "1 debrief request is waiting in your queue" in text and 'href="/debriefs/queue"' in text
    sign_out(app, client)
    signed_in(world.other_supervisor)  # not this link worker's supervisor: not in the queue
    assert "waiting in your queue" not in page(client.get("/home"))


# --- bounded queries ---------------------------------------------------------------------------

def test_index_and_view_keep_their_queries_bounded(app, client, make, signed_in, world):
    def fill(count: int) -> int:
        last = None
        for _ in range(count):
            last = completed_with_check_in(make, world)
        with app.app_context():  # steps by several people, each needing a name
            for n in range(count):
                actor = (world.supervisor, world.other_supervisor, world.link_worker)[n % 3]
                db.session.add(DebriefEvent(request_id=last, actor_id=actor.id, action="passed",
                                            created_at=utcnow()))
            db.session.commit()
        return last

    signed_in(world.link_worker)
    few_id = fill(2)
    client.get("/debriefs/")
    with counting_queries(app) as few:
        assert client.get("/debriefs/").status_code == 200
    with counting_queries(app) as few_view:
        assert client.get(f"/debriefs/{few_id}").status_code == 200
    many_id = fill(18)
    with counting_queries(app) as many:
        response = client.get("/debriefs/")
    with counting_queries(app) as many_view:
        assert client.get(f"/debriefs/{many_id}").status_code == 200
    assert page(response).count("/check-in/3") == 20
    assert len(many) == len(few)
    assert len(many_view) == len(few_view)


# --- Welsh -------------------------------------------------------------------------------------

class _Marked:
    """Welsh translations in which the debrief form's messages are visibly marked, to prove they
    pass through gettext in the reader's language (the real Welsh may not be written yet)."""

    def __init__(self, inner, marked: set[str]) -> None:
        self.inner, self.marked = inner, marked

    def ugettext(self, message: str) -> str:
        return f"[cy] {message}" if message in self.marked else self.inner.ugettext(message)

    gettext = ugettext

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_welsh_pages_and_messages(app, client, make, signed_in, world, monkeypatch):
    marked = {"Describe briefly what happened", "Select how soon you would like to talk", "Ask for a debrief"}
    original = Domain.get_translations

    def translations(self):
        found = original(self)
        return _Marked(found, marked) if str(get_locale()) == "cy" else found

    monkeypatch.setattr(Domain, "get_translations", translations)
    person = make.user(Role.link_worker, organisation=world.organisation, language="cy", name="Elin Owen")
    signed_in(person)
    for url in ("/debriefs/", "/debriefs/new"):
        text = page(client.get(url))
        assert '<html lang="cy"' in text and "[cy] Ask for a debrief" in text
    text = page(post(client, "/debriefs/new", asking(description="", urgency=None)))
    assert "[cy] Describe briefly what happened" in text and "[cy] Select how soon you would like to talk" in text


def test_every_page_text_is_translatable():
    templates = ROOT / "templates" / "debriefs"
    for path in [templates / "_parts.html", *sorted((templates / "lw").glob("*.html"))]:
        assert untranslated_template_text(path) == [], path
