"""Retention of debrief requests: a closed request goes, with its steps and check-ins, once it is
older than its organisation keeps them; an open or accepted one never does; a second run does nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.debriefs.models import DebriefCheckIn, DebriefEvent, DebriefRequest
from supervision.extensions import db
from supervision.retention.jobs import purge_expired_job
from supervision.retention.services import months_before, purge_debrief_requests, purge_expired

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=timezone.utc)


def months(n: int) -> datetime:
    return months_before(NOW, n)


def _with_children(make, link_worker, **fields) -> int:
    """A request with one step and both check-ins, as a completed debrief has."""
    request_id = make.debrief_request(link_worker, **fields)
    with make.app.app_context():
        created = db.session.get(DebriefRequest, request_id).created_at
        db.session.add(DebriefEvent(request_id=request_id, action="requested", created_at=created))
        db.session.commit()
    for day in (3, 28):
        make.check_in(request_id, day, due_at=created + timedelta(days=day))
    return request_id


def _left(app) -> tuple[set[int], set[int], set[int]]:
    with app.app_context():
        return (set(db.session.scalars(select(DebriefRequest.id))),
                set(db.session.scalars(select(DebriefEvent.request_id))),
                set(db.session.scalars(select(DebriefCheckIn.request_id))))


def test_closed_requests_go_after_their_organisations_period(app, make):
    standard = make.user(Role.link_worker, organisation=make.organisation(name="Standard"))  # 24 months
    brief = make.user(Role.link_worker, organisation=make.organisation(name="Brief", retention_debrief_months=6))
    old = _with_children(make, standard, status="completed", created_at=months(25))
    recent = _with_children(make, standard, status="completed", created_at=months(23))
    edge = _with_children(make, standard, status="declined", created_at=months(24))  # exactly 24: kept
    withdrawn = _with_children(make, standard, status="withdrawn", created_at=months(30))
    seven = _with_children(make, brief, status="completed", created_at=months(7))
    five = _with_children(make, brief, status="completed", created_at=months(5))
    # Never closed, however old: nobody has dealt with them yet.
    still_open = _with_children(make, standard, status="open", created_at=NOW - timedelta(days=5 * 365))
    accepted = _with_children(make, brief, status="accepted", created_at=NOW - timedelta(days=5 * 365))

    with app.app_context():
        purge_expired_job(now=NOW, worker="tests")
    kept = {recent, edge, five, still_open, accepted}
    assert _left(app) == (kept, kept, kept)
    assert {old, withdrawn, seven}.isdisjoint(_left(app)[0])

    with app.app_context():
        assert purge_expired(now=NOW)["debrief_requests"] == 0
        db.session.commit()
    assert _left(app) == (kept, kept, kept)


def test_the_purge_reports_what_it_deleted_and_nothing_the_second_time(app, ctx, make):
    person = make.user(Role.link_worker)
    for _ in range(2):
        _with_children(make, person, status="completed", created_at=months(25))
    assert purge_debrief_requests(NOW) == 2
    assert purge_debrief_requests(NOW) == 0
    assert db.session.scalar(select(func.count()).select_from(DebriefCheckIn)) == 0
    assert db.session.scalar(select(func.count()).select_from(DebriefEvent)) == 0
