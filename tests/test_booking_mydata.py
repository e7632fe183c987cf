"""Supervision bookings in a person's My data download: their own bookings with agenda, history and
record as a link worker, the sessions they run as a supervisor, and nobody else's name or booking."""
from __future__ import annotations

from datetime import timedelta

import pytest

from supervision.accounts.models import Role, User
from supervision.booking import events
from supervision.booking.events import Action
from supervision.booking.export import bookings_section
from supervision.booking.models import Booking, SessionRecord
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries
from .mydata_helpers import download


@pytest.fixture
def calendar(app, make):
    organisation = make.organisation(name="Ogmore Valleys")
    carys = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    huw = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    rhodri = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.assign(rhodri, carys, organisation)
    one_to_one = make.session_type(rhodri, name="Monthly supervision")
    group = make.session_type(rhodri, kind="group", name="Peer group", capacity=4, min_attendees=2)
    past = make.supervision_session(one_to_one, utcnow() - timedelta(days=3))
    hers = make.booking(past, carys, agenda="Talk about the housing case", attendance="attended")
    group_session = make.supervision_session(group, utcnow() + timedelta(days=5))
    in_group = make.booking(group_session, carys)
    make.booking(group_session, huw, agenda="Huw's private agenda")
    with app.app_context():
        booking = db.session.get(Booking, hers)
        events.record(booking, Action.booked, actor=db.session.get(User, carys.id), now=utcnow() - timedelta(days=9))
        events.record(booking, Action.rescheduled, actor=db.session.get(User, rhodri.id), now=utcnow() - timedelta(days=8),
                      reason="Clash with a clinic", from_starts_at=utcnow(), to_starts_at=utcnow())
        db.session.add(SessionRecord(booking_id=hers, normative="Safeguarding referral discussed",
                                     restorative="Feeling stretched", actions="Read the policy\nBook leave",
                                     updated_by_id=rhodri.id))
        db.session.commit()
    return dict(carys=carys, huw=huw, rhodri=rhodri, hers=hers, in_group=in_group, group_session=group_session,
                past=past)


def test_a_link_workers_download_holds_their_bookings_history_and_record(app, calendar):
    document, raw, pdf = download(app, calendar["carys"])
    section = document["bookings"]
    assert section["as_supervisor"] == []
    by_id = {b["id"]: b for b in section["as_link_worker"]}
    assert set(by_id) == {calendar["hers"], calendar["in_group"]}
    hers = by_id[calendar["hers"]]
    assert (hers["status"], hers["kind"], hers["session_type"], hers["attendance"]) == (
        "confirmed", "one_to_one", "Monthly supervision", "attended")
    assert hers["supervisor_id"] == calendar["rhodri"].id and hers["agenda"] == "Talk about the housing case"
    assert [(h["action"], h["reason"]) for h in hers["history"]] == [
        ("booked", None), ("rescheduled", "Clash with a clinic")]
    assert hers["record"]["normative"] == "Safeguarding referral discussed"
    assert hers["record"]["actions"] == ["Read the policy", "Book leave"]
    assert by_id[calendar["in_group"]]["record"] is None
    # Nobody else: not the supervisor's name, not the other group member or their agenda.
    for other in ("Rhodri", "Huw", "private agenda"):
        assert other not in raw and other not in pdf
    for expected in ("Your supervision bookings", "Monthly supervision", "Confirmed", "Attended",
                     "Clash with a clinic", "Safeguarding referral discussed", "Book leave",
                     "Talk about the housing case"):
        assert expected in pdf, expected


def test_a_supervisors_download_lists_the_sessions_they_run_with_counts_only(app, calendar):
    document, raw, pdf = download(app, calendar["rhodri"])
    section = document["bookings"]
    assert section["as_link_worker"] == []
    by_id = {s["session_id"]: s for s in section["as_supervisor"]}
    assert set(by_id) == {calendar["past"], calendar["group_session"]}
    group = by_id[calendar["group_session"]]
    assert (group["kind"], group["confirmed"], group["waitlisted"], group["capacity"]) == ("group", 2, 0, 4)
    for private in ("Huw", "Carys", "housing case", "Safeguarding"):
        assert private not in raw and private not in pdf
    assert "Supervision sessions you run" in pdf and "2 / 4" in pdf


def test_the_section_costs_the_same_however_many_bookings(app, make, calendar):
    counts = []
    for extra in (0, 10):
        type_id = make.session_type(calendar["rhodri"], name=f"Extra {extra}")
        for n in range(extra):
            make.booking(make.supervision_session(type_id, utcnow() + timedelta(days=10 + n)), calendar["carys"])
        with app.test_request_context():
            for person in ("carys", "rhodri"):
                me = db.session.get(User, calendar[person].id)
                with counting_queries(app) as statements:
                    bookings_section(me)
                counts.append(len(statements))
    assert counts[:2] == counts[2:]
