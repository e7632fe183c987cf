"""Debrief requests in My data: the link worker's download holds their requests in full; the
supervisor who handled one gets its dates, status, outcome and their own notes, never the
description. Deleting a link worker takes their requests; deleting a handler leaves them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Role, User
from supervision.db import utcnow
from supervision.debriefs import models as dm
from supervision.debriefs.events import Step, record
from supervision.debriefs.export import debriefs_section
from supervision.extensions import db

from .conftest import counting_queries
from .mydata_helpers import delete_account, download

DESCRIPTION = "A person I support told me about years of violence at home, and it has stayed with me."
NOTES = "We talked for half an hour and agreed on a short break after hard visits."
OTHER = "Huw's own worry about a home visit that went wrong."


@pytest.fixture
def requests(app, make):
    organisation = make.organisation(name="Ogmore Valleys")
    carys = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    huw = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    rhodri = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.assign(rhodri, carys, organisation)
    asked = utcnow() - timedelta(days=10)
    completed = make.debrief_request(carys, status="completed", handler=rhodri, assigned_to=rhodri,
                                     description=DESCRIPTION, category="disclosure", created_at=asked)
    waiting = make.debrief_request(carys, urgency="today", description="Another request, still waiting.")
    declined = make.debrief_request(carys, status="declined", handler=rhodri, description="A third request.")
    theirs = make.debrief_request(huw, status="completed", handler=rhodri, description=OTHER)
    better = make.check_in(completed, 3, due_at=asked + timedelta(days=4), answer="better")
    later = make.check_in(completed, 28, due_at=asked + timedelta(days=29))
    with app.app_context():
        request = db.session.get(dm.DebriefRequest, completed)
        request.notes = NOTES
        request.accepted_at = asked + timedelta(hours=2)
        request.closed_at = asked + timedelta(days=1)
        people = {p.id: db.session.get(User, p.id) for p in (carys, rhodri)}
        record(request, Step.requested, actor=people[carys.id], now=asked)
        record(request, Step.accepted, actor=people[rhodri.id], now=asked + timedelta(hours=2))
        record(request, Step.completed, actor=people[rhodri.id], now=asked + timedelta(days=1))
        record(request, Step.check_in_answered, actor=people[carys.id], now=asked + timedelta(days=4))
        db.session.get(dm.DebriefRequest, theirs).notes = "We agreed on a follow-up session."
        db.session.commit()
    return dict(carys=carys, huw=huw, rhodri=rhodri, completed=completed, waiting=waiting, declined=declined,
                theirs=theirs, check_ins={better, later}, asked=asked)


def test_a_link_workers_download_holds_their_requests_in_full(app, requests):
    document, raw, pdf = download(app, requests["carys"])
    section = document["debriefs"]
    assert section["as_supervisor"] == []
    by_id = {r["id"]: r for r in section["as_link_worker"]}
    assert set(by_id) == {requests["completed"], requests["waiting"], requests["declined"]}
    mine = by_id[requests["completed"]]
    assert (mine["description"], mine["notes"], mine["category"], mine["status"], mine["outcome"]) == (
        DESCRIPTION, NOTES, "disclosure", "completed", "supported")
    assert (mine["handler_id"], mine["assigned_to_id"], mine["held_by"]) == (
        requests["rhodri"].id, requests["rhodri"].id, "phone")
    assert [(h["action"], h["actor_id"]) for h in mine["history"]] == [
        ("requested", requests["carys"].id), ("accepted", requests["rhodri"].id),
        ("completed", requests["rhodri"].id), ("check_in_answered", requests["carys"].id)]
    assert mine["history"][0]["created_at"] == requests["asked"].isoformat()
    assert [(c["day"], c["answer"]) for c in mine["check_ins"]] == [(3, "better"), (28, None)]
    assert mine["check_ins"][0]["answered_at"] is not None and mine["check_ins"][1]["answered_at"] is None
    declined = by_id[requests["declined"]]
    assert (declined["decline_reason"], declined["alternative"]) == ("I am on leave this week.", "another_supervisor")
    assert by_id[requests["waiting"]]["urgency"] == "today"
    # Supervisors by id only; nobody else's request.
    for other in ("Rhodri", "Huw", OTHER, "follow-up"):
        assert other not in raw and other not in pdf, other
    for expected in ("Your debrief requests", "A distressing disclosure", "Debrief held", "Supported",
                     DESCRIPTION, NOTES, "I am on leave this week.", "Another supervisor", "Accepted",
                     "Check-in answered", "Check-ins after your debriefs", "Better", "You have not handled any debrief requests."):
        assert expected in pdf, expected


def test_the_handlers_download_has_dates_status_outcome_and_their_notes_never_the_description(app, requests):
    document, raw, pdf = download(app, requests["rhodri"])
    section = document["debriefs"]
    assert section["as_link_worker"] == []
    by_id = {r["id"]: r for r in section["as_supervisor"]}
    assert set(by_id) == {requests["completed"], requests["declined"], requests["theirs"]}
    handled = by_id[requests["completed"]]
    assert set(handled) == {"id", "created_at", "accepted_at", "closed_at", "status", "outcome", "notes",
                            "decline_reason"}
    assert (handled["status"], handled["outcome"], handled["notes"]) == ("completed", "supported", NOTES)
    assert handled["created_at"] == requests["asked"].isoformat()
    assert by_id[requests["declined"]]["decline_reason"] == "I am on leave this week."
    for private in (DESCRIPTION, "A third request", OTHER, "Carys", "Huw", "disclosure", "A distressing disclosure",
                    "better", "Better", "Check-ins after your debriefs"):
        assert private not in raw, private
    for private in (DESCRIPTION, OTHER, "Carys", "Huw", "A distressing disclosure", "Better"):
        assert private not in pdf, private
    assert "Debrief requests you handled as a supervisor" in pdf and NOTES in pdf
    assert "You have not asked for a debrief." in pdf


def test_the_section_costs_the_same_however_many_requests(app, make, requests):
    counts = []
    for extra in (0, 10):
        for n in range(extra):
            request_id = make.debrief_request(requests["carys"], status="completed", handler=requests["rhodri"])
            make.check_in(request_id, 3)
        with app.test_request_context():
            for person in ("carys", "rhodri"):
                me = db.session.get(User, requests[person].id)
                with counting_queries(app) as statements:
                    debriefs_section(me)
                counts.append(len(statements))
    assert counts[:2] == counts[2:]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_deleting_a_link_worker_deletes_their_requests_steps_and_check_ins(app, requests):
    mine = [requests["completed"], requests["waiting"], requests["declined"]]
    delete_account(app, requests["carys"])
    with app.app_context():
        assert _count(dm.DebriefRequest, dm.DebriefRequest.id.in_(mine)) == 0
        assert _count(dm.DebriefEvent, dm.DebriefEvent.request_id.in_(mine)) == 0
        assert _count(dm.DebriefCheckIn, dm.DebriefCheckIn.id.in_(requests["check_ins"])) == 0
        # Huw's request is untouched, and so is the supervisor who handled it.
        theirs = db.session.get(dm.DebriefRequest, requests["theirs"])
        assert theirs.description == OTHER and theirs.handler_id == requests["rhodri"].id


def test_deleting_the_handler_leaves_the_requests_to_the_link_worker(app, requests):
    delete_account(app, requests["rhodri"])
    with app.app_context():
        rows = db.session.scalars(select(dm.DebriefRequest).order_by(dm.DebriefRequest.id)).all()
        assert {r.id for r in rows} == {requests[k] for k in ("completed", "waiting", "declined", "theirs")}
        assert all(r.handler_id is None and r.assigned_to_id is None for r in rows)
        completed = db.session.get(dm.DebriefRequest, requests["completed"])
        # What both parties saw stays with the link worker: the description, the outcome and the notes.
        assert (completed.description, completed.notes, completed.status) == (
            DESCRIPTION, NOTES, dm.RequestStatus.completed)
        assert [(e.action, e.actor_id) for e in completed.events] == [
            ("requested", requests["carys"].id), ("accepted", None), ("completed", None),
            ("check_in_answered", requests["carys"].id)]
        assert len(completed.check_ins) == 2
