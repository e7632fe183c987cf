"""The demo's debrief requests: idempotent, in every state the walk-through shows, naming no client,
and seen by each demo person on their own pages (and by nobody else)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Organisation, User
from supervision.booking.models import SessionKind
from supervision.debriefs.models import (Alternative, Category, CheckInAnswer, DebriefCheckIn, DebriefEvent,
                                         DebriefRequest, HeldBy, Outcome, RequestStatus, Urgency)
from supervision.debriefs.queries import queue_for
from supervision.demo import OGMORE, TEIFI, seed_demo
from supervision.demo_debriefs_text import CONTACTS, NIA, all_texts
from supervision.extensions import db
from supervision.identifiers import find_identifiers
from supervision.notifications.models import Notification
from supervision.support.services import helpline_numbers

from .conftest import sign_in

LONDON = ZoneInfo("Europe/London")
# A Wednesday morning in June, a Sunday night a week before the clocks go back, and a Monday
# morning in the week they go forward.
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc)
NOWS = [NOW, datetime(2026, 10, 18, 22, 30, tzinfo=timezone.utc), datetime(2027, 3, 22, 8, 0, tzinfo=timezone.utc)]
CARYS, NIA_EMAIL, RHODRI, MERERID = ("linkworker@example.org", "cymraeg@example.org", "supervisor@example.org",
                                     "mererid.hopkin@teifi.example.org")


@pytest.fixture
def seeded(app):
    def _seed(now: datetime = NOW) -> str:
        with app.app_context():
            summary = seed_demo(now=now)
            db.session.commit()
            return summary
    return _seed


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _requests_of(email: str) -> list[DebriefRequest]:
    return list(db.session.scalars(select(DebriefRequest).where(DebriefRequest.link_worker_id == _person(email).id)
                                   .order_by(DebriefRequest.created_at)))


def _snapshot() -> dict:
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))
    return {
        "requests": db.session.execute(select(DebriefRequest.id, DebriefRequest.status, DebriefRequest.booking_id)
                                       .order_by(DebriefRequest.id)).all(),
        "events": count(DebriefEvent), "check_ins": count(DebriefCheckIn), "notifications": count(Notification),
        "contacts": db.session.execute(select(Organisation.name, Organisation.eap_en, Organisation.eap_cy,
                                              Organisation.occupational_health_en,
                                              Organisation.occupational_health_cy).order_by(Organisation.name)).all(),
    }


def test_seeding_twice_adds_nothing(app, seeded):
    assert ", 6 debrief requests" in seeded()
    with app.app_context():
        first = _snapshot()
        assert len(first["requests"]) == 6 and first["events"] > 6 and first["check_ins"] == 4
    assert "debrief requests" not in seeded()
    with app.app_context():
        assert _snapshot() == first


def test_an_admins_own_contacts_are_never_overwritten(app, seeded):
    seeded()
    with app.app_context():
        ogmore = db.session.scalar(select(Organisation).where(Organisation.name == OGMORE))
        ogmore.eap_en, ogmore.eap_cy = "Our own programme", None
        db.session.commit()
    seeded()
    with app.app_context():
        ogmore = db.session.scalar(select(Organisation).where(Organisation.name == OGMORE))
        assert (ogmore.eap_en, ogmore.eap_cy) == ("Our own programme", None)


def test_both_organisations_offer_support_in_english_and_welsh(app, seeded):
    seeded()
    with app.app_context():
        for name in (OGMORE, TEIFI):
            organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
            assert (organisation.eap_en, organisation.eap_cy, organisation.occupational_health_en,
                    organisation.occupational_health_cy) == CONTACTS[name]
            assert "0800 030 5182" in organisation.eap_en and "am ddim" in organisation.eap_cy


def test_carys_has_a_request_in_every_state(app, seeded):
    seeded()
    with app.app_context():
        rhodri = _person(RHODRI)
        completed, declined, booked, waiting = _requests_of(CARYS)

        assert (waiting.status, waiting.urgency, waiting.category) == (
            RequestStatus.open, Urgency.today, Category.client_death)
        assert waiting.assigned_to_id == rhodri.id and NOW - waiting.created_at < timedelta(hours=1)
        assert waiting.id in {r.id for r in queue_for(rhodri)}

        assert (booked.status, booked.handler_id) == (RequestStatus.accepted, rhodri.id)
        session = booked.booking.session
        assert booked.booking.status.value == "confirmed" and booked.booking.link_worker_id == _person(CARYS).id
        assert session.supervisor_id == rhodri.id and session.kind == SessionKind.one_to_one
        assert NOW + timedelta(hours=24) < session.starts_at < NOW + timedelta(days=9)
        assert session.ends_at - session.starts_at == timedelta(minutes=45)
        assert [e.action for e in booked.events] == ["requested", "accepted", "booked"]

        assert (completed.status, completed.held_by, completed.outcome) == (
            RequestStatus.completed, HeldBy.phone, Outcome.supported)
        assert completed.notes and completed.booking_id is None
        first, last = completed.check_ins
        assert (first.day, first.answer) == (3, CheckInAnswer.better) and first.answered_at <= NOW
        assert (last.day, last.answer, last.answered_at) == (28, None, None)
        assert last.due_at <= NOW and last.sent_at is not None
        assert [e.action for e in completed.events] == [
            "requested", "accepted", "completed", "check_in_sent", "check_in_answered", "check_in_sent"]

        assert (declined.status, declined.alternative, declined.handler_id) == (
            RequestStatus.declined, Alternative.eap, rhodri.id)
        assert "employee assistance programme" in declined.decline_reason


def test_nias_request_is_in_welsh_and_mererid_sees_she_feels_worse(app, seeded):
    seeded()
    with app.app_context():
        (request,) = _requests_of(NIA_EMAIL)
        assert request.description == NIA and " the " not in request.description
        assert "ffôn" in request.notes and " the " not in request.notes
        assert (request.status, request.handler_id) == (RequestStatus.completed, _person(MERERID).id)
        first, last = request.check_ins
        assert first.answer == CheckInAnswer.worse and last.due_at > NOW and last.sent_at is None
        told = db.session.scalars(select(Notification.kind).where(Notification.user_id == _person(MERERID).id)).all()
        assert "debrief_check_in_answered" in told


def test_an_escalated_request_tells_the_admin_only_that_one_is_waiting(app, seeded):
    seeded()
    with app.app_context():
        (request,) = _requests_of("lowri.edwards@ogmore.example.org")
        assert request.status == RequestStatus.open and request.due_at < NOW
        assert request.widened_at == request.half_due_at and request.escalated_at == request.due_at
        assert [e.action for e in request.events] == ["requested", "widened", "escalated"]
        admin = _person("admin@example.org")
        (told,) = db.session.scalars(select(Notification).where(Notification.user_id == admin.id,
                                                                 Notification.kind == "debrief_waiting_admin")).all()
        assert str(request.id) not in (told.link or "")
        # Nobody at Teifi was told, and every Ogmore supervisor now has it in their queue.
        teifi_admin = _person("sioned.prys@teifi.example.org")
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == teifi_admin.id, Notification.kind.like("debrief%"))) == 0
        for email in (RHODRI, "senior@example.org", "bethan.howells@ogmore.example.org"):
            assert request.id in {r.id for r in queue_for(_person(email))}, email


@pytest.mark.parametrize("now", NOWS, ids=[n.date().isoformat() for n in NOWS])
def test_the_demo_is_coherent_whenever_it_is_seeded(app, seeded, now):
    seeded(now)
    with app.app_context():
        requests = db.session.scalars(select(DebriefRequest)).all()
        assert len(requests) == 6
        for request in requests:
            times = [e.created_at for e in request.events]
            assert times == sorted(times) and times[0] == request.created_at and times[-1] <= now
            assert request.created_at < now and request.half_due_at <= request.due_at
            if request.accepted_at is not None:
                assert request.created_at <= request.accepted_at <= now
        booked = next(r for r in requests if r.booking_id is not None)
        local = booked.booking.session.starts_at.astimezone(LONDON)
        assert local.weekday() == 4 and 9 <= local.hour < 17


def test_the_demo_text_names_no_client(app, seeded):
    texts = all_texts()
    assert find_identifiers(*texts) == []
    # No initials or titles standing in for a name ("Mr B", "J."), and no digits at all.
    for text in texts:
        assert not re.search(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\b", text), text
        assert not re.search(r"(?<![\w'])(?!(?:I|A)\b)[A-Z]\b\.?", text), text
        assert not re.search(r"\d", text), text
    seeded()
    with app.app_context():
        written = [text for r in db.session.scalars(select(DebriefRequest))
                   for text in (r.description, r.notes, r.decline_reason) if text]
        assert len(written) == 9
        assert find_identifiers(*written, helplines=helpline_numbers()) == []


# --- what each demo person sees ----------------------------------------------------------------

def _client(app, email: str, make=None):
    client = app.test_client()
    if make is not None:  # a supervisor needs a second step: enrol the one the tests know
        with app.app_context():
            user_id = _person(email).id
        make.enrol_mfa(user_id)
    assert sign_in(client, email, app.config["DEMO_PASSWORD"]).status_code == 302
    return client


def test_carys_sees_her_four_requests_and_the_check_in_waiting(app, seeded):
    seeded(datetime.now(timezone.utc))
    with app.app_context():
        ids = [r.id for r in _requests_of(CARYS)]
        (nias,) = _requests_of(NIA_EMAIL)
        completed = _requests_of(CARYS)[0]
    client = _client(app, CARYS)
    page = client.get("/debriefs/").get_data(as_text=True)
    for request_id in ids:
        assert f"/debriefs/{request_id}\"" in page
    assert f"/debriefs/{completed.id}/check-in/28" in page
    assert f"/debriefs/{completed.id}/check-in/3\"" not in page  # answered already
    assert "Health Assured" in page
    assert f"/debriefs/{nias.id}" not in page
    assert client.get(f"/debriefs/{nias.id}").status_code == 404
    declined = client.get(f"/debriefs/{ids[1]}").get_data(as_text=True)
    assert "training course" in declined


def test_nia_sees_her_request_in_welsh(app, seeded):
    seeded(datetime.now(timezone.utc))
    with app.app_context():
        (request,) = _requests_of(NIA_EMAIL)
    client = _client(app, NIA_EMAIL)
    assert f"/debriefs/{request.id}\"" in client.get("/debriefs/").get_data(as_text=True)
    page = client.get(f"/debriefs/{request.id}").get_data(as_text=True)
    assert 'lang="cy"' in page and "tîm argyfwng iechyd meddwl" in page


def test_rhodri_sees_his_queue_what_he_handles_and_the_check_ins(app, make, seeded):
    seeded(datetime.now(timezone.utc))
    with app.app_context():
        completed, declined, booked, waiting = _requests_of(CARYS)
        (escalated,) = _requests_of("lowri.edwards@ogmore.example.org")
        (nias,) = _requests_of(NIA_EMAIL)
    client = _client(app, RHODRI, make)
    page = client.get("/debriefs/queue").get_data(as_text=True)
    waiting_part, handling_part = page.split("Requests you are handling", 1)
    handling_part, recent_part = handling_part.split("Debriefs you held recently", 1)
    assert f"/debriefs/queue/{waiting.id}\"" in waiting_part and f"/debriefs/queue/{escalated.id}\"" in waiting_part
    assert "Past its response time" in waiting_part
    assert f"/debriefs/queue/{booked.id}\"" in handling_part and "Booked" in handling_part
    assert f"/debriefs/queue/{completed.id}\"" in recent_part and "Better" in recent_part
    assert f"/debriefs/queue/{nias.id}" not in page
    assert client.get(f"/debriefs/queue/{nias.id}").status_code == 404
    view = client.get(f"/debriefs/queue/{waiting.id}").get_data(as_text=True)
    assert "two more appointments this afternoon" in view


def test_mererid_sees_that_nia_feels_worse(app, make, seeded):
    seeded(datetime.now(timezone.utc))
    with app.app_context():
        (request,) = _requests_of(NIA_EMAIL)
        (escalated,) = _requests_of("lowri.edwards@ogmore.example.org")
    client = _client(app, MERERID, make)
    page = client.get("/debriefs/queue").get_data(as_text=True)
    # Her answer stands out, in the list of debriefs Mererid held (her pages are in Welsh).
    held = page.split(f"/debriefs/queue/{request.id}\"", 1)
    assert len(held) == 2 and "govuk-tag--red" in held[0].rsplit("<tr", 1)[1]
    assert f"/debriefs/queue/{escalated.id}" not in page


@pytest.mark.parametrize("email", ["admin@example.org", "employer@example.org"])
def test_the_admin_and_the_employer_never_reach_a_request(app, make, seeded, email):
    seeded(datetime.now(timezone.utc))
    with app.app_context():
        ids = [r.id for r in db.session.scalars(select(DebriefRequest))]
    client = _client(app, email, make)
    assert client.get("/debriefs/queue").status_code == 403
    for request_id in ids:
        assert client.get(f"/debriefs/queue/{request_id}").status_code == 403
        assert client.get(f"/debriefs/{request_id}").status_code == 403
