"""The debrief figures for the quarterly reports: counts by category and urgency and acceptance
times, per organisation and nationally, with nothing in them but numbers."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone

import pytest

from supervision.accounts.models import Role
from supervision.debriefs import models as dm
from supervision.debriefs.reporting import DebriefFigures, debrief_figures
from supervision.extensions import db

from .conftest import counting_queries

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2026, 4, 1, tzinfo=timezone.utc)  # half-open: a request made at END is next quarter's


@pytest.fixture
def quarter(app, make):
    """Two organisations' requests, with known acceptance times in minutes."""
    ogmore, teifi = make.organisation(name="Ogmore Valleys"), make.organisation(name="Teifi Valley")
    carys = make.user(Role.link_worker, organisation=ogmore)
    nia = make.user(Role.link_worker, organisation=teifi)
    rhodri = make.user(Role.supervisor, organisation=ogmore)
    mererid = make.user(Role.supervisor, organisation=teifi)

    def write(link_worker, handler, organisation, *, created_at, urgency="three_days", category="client_death",
              accept_after: int | None = None, due_after: int = 72 * 60, status: str | None = None,
              escalated: bool = False) -> None:
        accepted_at = created_at + timedelta(minutes=accept_after) if accept_after is not None else None
        status = status or ("accepted" if accepted_at else "open")
        with app.app_context():
            db.session.add(dm.DebriefRequest(
                organisation_id=organisation.id, link_worker_id=link_worker.id, urgency=dm.Urgency(urgency),
                category=dm.Category(category), description="Private words that no report may hold.",
                contact_way=dm.ContactWay.phone, status=dm.RequestStatus(status),
                handler_id=handler.id if status != "open" else None, created_at=created_at,
                half_due_at=created_at + timedelta(minutes=due_after / 2),
                due_at=created_at + timedelta(minutes=due_after), accepted_at=accepted_at,
                escalated_at=created_at + timedelta(minutes=due_after) if escalated else None,
                closed_at=created_at + timedelta(hours=1) if status == "declined" else None,
                decline_reason="On leave." if status == "declined" else None,
                alternative=dm.Alternative.eap if status == "declined" else None,
            ))
            db.session.commit()

    day = timedelta(days=1)
    # Ogmore: five accepted, after 10, 20, 30, 40 and 600 minutes; the last passed a 4-hour target.
    write(carys, rhodri, ogmore, created_at=START, urgency="today", accept_after=600, due_after=240)
    write(carys, rhodri, ogmore, created_at=START + day, accept_after=10, category="safeguarding")
    write(carys, rhodri, ogmore, created_at=START + 2 * day, accept_after=20, category="safeguarding")
    write(carys, rhodri, ogmore, created_at=START + 3 * day, accept_after=30, urgency="this_week")
    write(carys, rhodri, ogmore, created_at=START + 4 * day, accept_after=40, category="aggression")
    # One never accepted and escalated, one declined: counted, but not in the acceptance times.
    write(carys, rhodri, ogmore, created_at=START + 5 * day, urgency="today", escalated=True, category="other")
    write(carys, rhodri, ogmore, created_at=START + 6 * day, status="declined", category="disclosure")
    # Outside the quarter: just before it, and exactly at its end.
    write(carys, rhodri, ogmore, created_at=START - timedelta(seconds=1), accept_after=5)
    write(carys, rhodri, ogmore, created_at=END, accept_after=5)
    # Teifi: two accepted, after 60 and 120 minutes, both in time.
    write(nia, mererid, teifi, created_at=START + 10 * day, accept_after=60, category="suicide_concern")
    write(nia, mererid, teifi, created_at=END - timedelta(seconds=1), accept_after=120, urgency="today")
    return ogmore, teifi


def test_an_organisations_figures(app, quarter):
    ogmore, _ = quarter
    with app.app_context():
        figures = debrief_figures(ogmore.id, START, END)
    assert figures.requests == 7
    assert figures.by_category == {"client_death": 2, "safeguarding": 2, "aggression": 1, "disclosure": 1,
                                   "suicide_concern": 0, "other": 1}
    assert figures.by_urgency == {"today": 2, "three_days": 4, "this_week": 1}
    assert figures.accepted == 5
    assert figures.minutes_to_accept_median == 30.0
    # The 90th percentile between the 4th (40) and 5th (600) of five: 40 + 0.6 × 560.
    assert figures.minutes_to_accept_p90 == pytest.approx(376.0)
    assert (figures.accepted_within_target, figures.accepted_within_target_share) == (4, pytest.approx(0.8))
    assert figures.escalated == 1


def test_another_organisations_figures_and_the_national_ones(app, quarter):
    ogmore, teifi = quarter
    with app.app_context():
        theirs = debrief_figures(teifi.id, START, END)
        national = debrief_figures(None, START, END)
    assert (theirs.requests, theirs.accepted, theirs.escalated) == (2, 2, 0)
    assert theirs.by_category["suicide_concern"] == 1 and theirs.by_urgency == {
        "today": 1, "three_days": 1, "this_week": 0}
    assert (theirs.minutes_to_accept_median, theirs.minutes_to_accept_p90) == (90.0, pytest.approx(114.0))
    assert (theirs.accepted_within_target, theirs.accepted_within_target_share) == (2, 1.0)
    # Nationally: both organisations together, never the requests outside the quarter.
    assert (national.requests, national.accepted, national.escalated) == (9, 7, 1)
    assert national.by_urgency == {"today": 3, "three_days": 5, "this_week": 1}
    assert sum(national.by_category.values()) == 9
    # Minutes 10, 20, 30, 40, 60, 120, 600: the median is the 4th; the 90th percentile 120 + 0.4 × 480.
    assert national.minutes_to_accept_median == 40.0
    assert national.minutes_to_accept_p90 == pytest.approx(312.0)
    assert national.accepted_within_target == 6


def test_a_quarter_without_requests(app, quarter):
    with app.app_context():
        figures = debrief_figures(None, END + timedelta(days=1), END + timedelta(days=90))
    assert figures.requests == figures.accepted == figures.escalated == figures.accepted_within_target == 0
    assert set(figures.by_category.values()) == {0} and len(figures.by_category) == len(dm.Category)
    assert figures.minutes_to_accept_median is None and figures.minutes_to_accept_p90 is None
    assert figures.accepted_within_target_share is None


def test_a_single_acceptance_is_its_own_median_and_percentile(app, make):
    organisation = make.organisation()
    lw = make.user(Role.link_worker, organisation=organisation)
    sup = make.user(Role.supervisor, organisation=organisation)
    request_id = make.debrief_request(lw, status="accepted", handler=sup, created_at=START + timedelta(days=1))
    with app.app_context():
        row = db.session.get(dm.DebriefRequest, request_id)
        row.accepted_at = row.created_at + timedelta(minutes=45)
        db.session.commit()
        figures = debrief_figures(organisation.id, START, END)
    assert (figures.minutes_to_accept_median, figures.minutes_to_accept_p90) == (45.0, 45.0)


def _only_numbers(value) -> bool:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return True
    if isinstance(value, dict):
        return all(isinstance(k, str) for k in value) and all(
            v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value.values())
    return False


def test_the_figures_hold_numbers_only(app, quarter):
    ogmore, _ = quarter
    with app.app_context():
        for figures in (debrief_figures(ogmore.id, START, END), debrief_figures(None, START, END)):
            assert isinstance(figures, DebriefFigures)
            for field in fields(figures):
                value = getattr(figures, field.name)
                assert _only_numbers(value), (field.name, value)
            # Dictionary keys are the fixed breakdowns, never anything written by a person.
            assert set(figures.by_category) == {c.value for c in dm.Category}
            assert set(figures.by_urgency) == {u.value for u in dm.Urgency}
            assert "Private words" not in repr(figures)


def test_one_query_however_many_requests(app, make, quarter):
    ogmore, _ = quarter
    counts = []
    for extra in (0, 20):
        lw = make.user(Role.link_worker, organisation=ogmore)
        for n in range(extra):
            make.debrief_request(lw, created_at=START + timedelta(hours=n + 1))
        with app.app_context():
            with counting_queries(app) as statements:
                debrief_figures(ogmore.id, START, END)
            counts.append(len(statements))
    assert counts == [1, 1]
