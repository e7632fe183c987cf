"""Coverage of the supervision standard: days since the last attended session, the next confirmed
one, the due date and the tag; for a link worker and for a supervisor's supervisees, in a bounded
number of queries and never with notes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string

from supervision.accounts.models import Role, User
from supervision.booking.coverage import CoverageStatus, coverage_for, coverage_for_supervisor
from supervision.db import utcnow
from supervision.extensions import db

from .conftest import counting_queries

# A fixed moment, 13:00 in London on a summer Monday.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def org(make):
    return make.organisation(name="Bridgend Connects")


def _attended(make, type_id, person, days_ago: float, attendance: str | None = "attended", status="confirmed"):
    session_id = make.supervision_session(type_id, NOW - timedelta(days=days_ago))
    return make.booking(session_id, person, status=status, attendance=attendance)


def _coverage(app, person, now=NOW):
    with app.app_context():
        return coverage_for(db.session.get(User, person.id), now)


def test_someone_who_never_attended_has_one_standard_period_from_joining(app, make, org):
    person = make.user(Role.link_worker, organisation=org)
    now = utcnow()
    [row] = _coverage(app, person, now)
    assert row.status == CoverageStatus.never and row.days_since is None and row.last_attended is None
    assert row.meets_standard is False and row.next_session is None
    london_today = now.astimezone(ZoneInfo("Europe/London")).date()
    assert row.due_by == london_today + timedelta(days=30)


@pytest.mark.parametrize("days_ago, status, meets", [
    (10, CoverageStatus.meets, True),
    (22, CoverageStatus.meets, True),
    (23, CoverageStatus.due_soon, True),
    (30, CoverageStatus.due_soon, True),
    (31, CoverageStatus.overdue, False),
])
def test_days_since_the_last_attended_session_decide_the_tag(app, make, org, days_ago, status, meets):
    person = make.user(Role.link_worker, organisation=org)
    supervisor = make.user(Role.supervisor, organisation=org)
    type_id = make.session_type(supervisor)
    _attended(make, type_id, person, days_ago)
    _attended(make, type_id, person, days_ago + 40)
    [row] = _coverage(app, person)
    assert (row.days_since, row.status, row.meets_standard) == (days_ago, status, meets)
    assert row.last_attended == NOW - timedelta(days=days_ago)
    assert row.due_by == (NOW - timedelta(days=days_ago)).date() + timedelta(days=30)
    assert row.standard_days == 30 and row.organisation_name == "Bridgend Connects"


def test_only_attended_sessions_of_this_organisation_count_and_the_next_is_confirmed(app, make, org):
    person = make.user(Role.link_worker, organisation=org)
    supervisor = make.user(Role.supervisor, organisation=org)
    type_id = make.session_type(supervisor)
    elsewhere = make.organisation(name="Elsewhere")
    other_supervisor = make.user(Role.supervisor, organisation=elsewhere)
    other_type = make.session_type(other_supervisor)
    _attended(make, type_id, person, 40)
    _attended(make, type_id, person, 5, attendance="no_show")
    _attended(make, type_id, person, 3, attendance=None)  # not marked yet
    _attended(make, other_type, person, 2)  # another organisation's session
    requested = make.supervision_session(type_id, NOW + timedelta(days=2))
    make.booking(requested, person, status="requested")
    cancelled = make.supervision_session(type_id, NOW + timedelta(days=3), status="cancelled")
    make.booking(cancelled, person)
    confirmed = NOW + timedelta(days=6, hours=2)
    make.booking(make.supervision_session(type_id, confirmed), person)
    make.booking(make.supervision_session(type_id, NOW + timedelta(days=9)), person)
    [row] = _coverage(app, person)
    assert row.days_since == 40 and row.status == CoverageStatus.overdue
    assert row.next_session == confirmed


def test_the_organisations_own_standard_is_used(app, make):
    strict = make.organisation(name="Strict", supervision_standard_days=14)
    person = make.user(Role.link_worker, organisation=strict)
    type_id = make.session_type(make.user(Role.supervisor, organisation=strict))
    _attended(make, type_id, person, 20)
    [row] = _coverage(app, person)
    assert row.standard_days == 14 and row.status == CoverageStatus.overdue and row.days_until_due == -6


def test_a_supervisor_sees_one_row_per_supervisee_by_name(app, make, org):
    supervisor = make.user(Role.supervisor, organisation=org)
    type_id = make.session_type(supervisor)
    anwen = make.user(Role.link_worker, organisation=org, name="Anwen Bowen")
    dai = make.user(Role.link_worker, organisation=org, name="Dai Lewis")
    stranger = make.user(Role.link_worker, organisation=org, name="Not Mine")
    for person in (dai, anwen):
        make.assign(supervisor, person, org)
    _attended(make, type_id, dai, 12)
    _attended(make, type_id, stranger, 1)
    with app.app_context():
        rows = coverage_for_supervisor(db.session.get(User, supervisor.id), NOW)
    assert [(r.name, r.days_since) for r in rows] == [("Anwen Bowen", None), ("Dai Lewis", 12)]
    assert not any(hasattr(r, field) for r in rows for field in ("normative", "actions", "agenda"))


def _team(make, org, supervisor, type_id, size):
    for n in range(size):
        person = make.user(Role.link_worker, organisation=org, name=f"Person {n:02d}")
        make.assign(supervisor, person, org)
        _attended(make, type_id, person, n + 1)
        make.booking(make.supervision_session(type_id, NOW + timedelta(days=n + 1)), person)


def test_the_supervisor_table_costs_the_same_for_3_or_30_supervisees(app, make, org):
    counts = []
    for size in (3, 30):
        supervisor = make.user(Role.supervisor, organisation=org)
        _team(make, org, supervisor, make.session_type(supervisor), size)
        with app.app_context():
            me = db.session.get(User, supervisor.id)
            with counting_queries(app) as statements:
                rows = coverage_for_supervisor(me, NOW)
            assert len(rows) == size
            counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_macros_show_the_tags_and_a_captioned_table(app, make, org):
    supervisor = make.user(Role.supervisor, organisation=org)
    type_id = make.session_type(supervisor)
    people = [make.user(Role.link_worker, organisation=org, name=name) for name in ("Ann", "Bryn", "Ceri", "Dewi")]
    for person in people:
        make.assign(supervisor, person, org)
    _attended(make, type_id, people[0], 5)
    _attended(make, type_id, people[1], 27)
    _attended(make, type_id, people[2], 45)
    source = ('{% from "booking/_coverage.html" import own_coverage, supervisee_coverage %}'
              '{{ supervisee_coverage(rows) }}{{ own_coverage(mine) }}')
    with app.test_request_context():
        rows = coverage_for_supervisor(db.session.get(User, supervisor.id), NOW)
        mine = coverage_for(db.session.get(User, people[1].id), NOW)
        text = render_template_string(source, rows=rows, mine=mine)
    for words in ("Meets the standard", "Due soon", "Overdue", "No sessions yet", "<caption",
                  'scope="row"', "27 days", "How often you have supervision"):
        assert words in text
    assert text.count("<h1") == 0


def test_no_rows_for_someone_who_is_not_a_link_worker(app, make, org):
    supervisor = make.user(Role.supervisor, organisation=org)
    assert _coverage(app, supervisor) == []
    with app.app_context():
        assert coverage_for_supervisor(db.session.get(User, supervisor.id), NOW) == []
    assert date(2026, 6, 15) == NOW.date()


def test_an_assignment_in_an_organisation_where_the_role_was_removed_does_not_count(app, make, org):
    supervisor = make.user(Role.supervisor, organisation=org)
    person = make.user(Role.link_worker, organisation=org, name="Gwen Hughes")
    make.assign(supervisor, person, org)
    former = make.organisation(name="Former employer")
    make.assign(supervisor, person, former)  # neither holds a role there
    with app.app_context():
        rows = coverage_for_supervisor(db.session.get(User, supervisor.id), NOW)
    assert [(r.name, r.organisation_name) for r in rows] == [("Gwen Hughes", "Bridgend Connects")]
