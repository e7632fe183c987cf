"""The debrief jobs at frozen times: widening at half the target to the organisation's supervisors,
escalation at the target to its admins with no detail at all, both exactly once, and the check-ins
3 and 28 days after a debrief."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from supervision.accounts.models import Organisation, Role, User
from supervision.debriefs import jobs, services
from supervision.debriefs.labels import CATEGORY, URGENCY
from supervision.debriefs.models import (
    Category, CheckInAnswer, ContactWay, DebriefCheckIn, DebriefEvent, DebriefRequest, HeldBy, Outcome, Urgency,
)
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.scheduler.registry import all_jobs

from .conftest import counting_queries

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in London (GMT)
HALF, DUE = T0 + timedelta(hours=36), T0 + timedelta(hours=72)
DESCRIPTION = "Pritchard sobbed about her grandson overdosing near Treorchy bridge"


@pytest.fixture
def world(make):
    org = make.organisation(name="Cwm Taf Link")
    other = make.organisation(name="Gwent Link")
    people = {
        # The link worker supervises too: she must never be asked to pick up her own request.
        "lw": make.user(Role.link_worker, Role.supervisor, organisation=org, name="Carys Jenkins"),
        "s1": make.user(Role.supervisor, organisation=org, name="Rhodri Evans"),
        "s2": make.user(Role.supervisor, organisation=org, name="Siân Morgan"),
        "gone": make.user(Role.supervisor, organisation=org, name="Former Supervisor", active=False),
        "admin": make.user(Role.admin, organisation=org, name="Alun Price"),
        "gweinyddwr": make.user(Role.admin, organisation=org, name="Ffion Hughes", language="cy"),
        "other_s": make.user(Role.supervisor, organisation=other, name="Other Supervisor"),
        "other_admin": make.user(Role.admin, organisation=other, name="Other Admin"),
    }
    make.assign(people["s1"], people["lw"])
    return people


@pytest.fixture
def request_id(make, world):
    return make.debrief_request(world["lw"], urgency="three_days", category="suicide_concern",
                                description=DESCRIPTION, assigned_to=world["s1"], created_at=T0)


def _run(app, job, now):
    with app.app_context():
        job(now=now, worker="tests")


def _told(app, kind) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def _steps(app, request_id) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(DebriefEvent.action).where(DebriefEvent.request_id == request_id)
                                       .where(DebriefEvent.actor_id.is_(None)).order_by(DebriefEvent.id)))


def _request(app, request_id) -> DebriefRequest:
    with app.app_context():
        request = db.session.get(DebriefRequest, request_id)
        db.session.expunge(request)
        return request


def test_both_jobs_are_registered_with_the_scheduler():
    found = {job.id: job.seconds for job in all_jobs()}
    assert found["debriefs.escalate"] == 300 and found["debriefs.check_ins"] == 900


def test_nothing_happens_before_half_the_target(app, world, request_id):
    for now in (T0, HALF - timedelta(seconds=1)):
        _run(app, jobs.escalate_job, now)
    assert _told(app, "debrief_waiting") == [] and _steps(app, request_id) == []
    assert _request(app, request_id).widened_at is None


def test_half_way_it_goes_once_to_every_supervisor_of_the_organisation(app, world, request_id, outbox):
    for now in (HALF, HALF, HALF + timedelta(hours=1)):
        _run(app, jobs.escalate_job, now)
    # Not the link worker, though she supervises; not someone inactive; not another organisation.
    assert _told(app, "debrief_waiting") == sorted([world["s1"].id, world["s2"].id])
    assert _steps(app, request_id) == ["widened"]
    assert _request(app, request_id).widened_at == HALF
    assert sorted(m["To"] for m in outbox()) == sorted([world["s1"].email, world["s2"].email])
    assert _told(app, "debrief_waiting_admin") == []


def _emails_to(app, *people) -> dict[str, OutboundEmail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail)
                                  .where(OutboundEmail.user_id.in_([p.id for p in people]))).all()
        db.session.expunge_all()
        return {row.language: row for row in rows}


def test_at_the_target_only_the_organisation_admins_hear_and_hear_nothing_more(app, world, request_id, outbox):
    _run(app, jobs.escalate_job, HALF)
    earlier = len(outbox())
    for now in (DUE - timedelta(seconds=1), DUE, DUE, DUE + timedelta(hours=2)):
        _run(app, jobs.escalate_job, now)
    assert _told(app, "debrief_waiting_admin") == sorted([world["admin"].id, world["gweinyddwr"].id])
    assert _steps(app, request_id) == ["widened", "escalated"]
    assert _request(app, request_id).escalated_at == DUE
    with app.app_context():
        links = db.session.scalars(select(Notification.link).where(Notification.kind == "debrief_waiting_admin"))
        assert all("debrief" not in link for link in links)

    emails = _emails_to(app, world["admin"], world["gweinyddwr"])  # before delivery, which clears the bodies
    assert set(emails) == {"en", "cy"}
    assert "Cwtch" in emails["cy"].subject and emails["cy"].subject != emails["en"].subject  # really in Welsh
    delivered = outbox()[earlier:]
    assert sorted(m["To"] for m in delivered) == sorted([world["admin"].email, world["gweinyddwr"].email])
    forbidden = ["Carys", "Jenkins", "debrief", "suicide"] + re.findall(r"[A-Za-z]{4,}", DESCRIPTION)
    with app.app_context():
        for language in ("en", "cy"):
            with force_locale(language):
                forbidden += [str(CATEGORY[Category.suicide_concern]), str(URGENCY[Urgency.three_days])]
    texts = [e.subject + e.text_body + e.html_body for e in emails.values()]
    texts += [m.as_string() for m in delivered]
    assert all(e.text_body and e.html_body for e in emails.values())
    for text in texts:
        for word in forbidden:
            assert word.lower() not in text.lower(), word


def test_a_request_accepted_before_its_target_is_never_escalated(app, world, request_id):
    _run(app, jobs.escalate_job, HALF)
    with app.app_context():
        services.accept(request=db.session.get(DebriefRequest, request_id),
                        supervisor=db.session.get(User, world["s2"].id), now=DUE - timedelta(minutes=1))
        db.session.commit()
    for now in (DUE, DUE + timedelta(days=3)):
        _run(app, jobs.escalate_job, now)
    assert _told(app, "debrief_waiting_admin") == []
    assert _request(app, request_id).escalated_at is None


def test_a_request_never_widened_is_widened_when_it_is_escalated(app, world, request_id):
    # The scheduler was down from before half-way until after the target.
    _run(app, jobs.escalate_job, DUE + timedelta(hours=5))
    assert _steps(app, request_id) == ["widened", "escalated"]
    assert _told(app, "debrief_waiting") == sorted([world["s1"].id, world["s2"].id])
    assert len(_told(app, "debrief_waiting_admin")) == 2


def test_a_today_request_on_friday_evening_waits_for_monday(app, make, world):
    friday_evening = datetime(2026, 11, 6, 18, 0, tzinfo=timezone.utc)  # 18:00 in London (GMT)
    with app.app_context():
        request = services.create_request(
            link_worker=db.session.get(User, world["lw"].id),
            organisation=db.session.get(Organisation, world["lw"].organisation.id),
            urgency=Urgency.today, category=Category.aggression, description="Threatened at a home visit.",
            contact_way=ContactWay.phone, now=friday_evening)
        db.session.commit()
        request_id = request.id
    monday = datetime(2026, 11, 9, tzinfo=timezone.utc)
    for now in (datetime(2026, 11, 7, 12, 0, tzinfo=timezone.utc), monday.replace(hour=12, minute=59)):
        _run(app, jobs.escalate_job, now)
        assert _steps(app, request_id) == []
    _run(app, jobs.escalate_job, monday.replace(hour=13))
    assert _steps(app, request_id) == ["widened"]
    assert _told(app, "debrief_waiting") == sorted([world["s1"].id, world["s2"].id])
    _run(app, jobs.escalate_job, monday.replace(hour=16, minute=59))
    assert _told(app, "debrief_waiting_admin") == []
    _run(app, jobs.escalate_job, monday.replace(hour=17))
    assert _steps(app, request_id) == ["widened", "escalated"]


def test_requests_and_their_organisations_load_in_one_query(app, make, world):
    elsewhere = make.user(Role.link_worker, organisation=world["other_s"].organisation)
    for person in (world["lw"], elsewhere):
        for _ in range(3):
            make.debrief_request(person, created_at=T0)
    with counting_queries(app) as statements:
        _run(app, jobs.escalate_job, DUE)
    loads = [s for s in statements if s.lstrip().startswith("SELECT") and "FROM debrief_request" in s]
    assert len(loads) == 2  # once to widen, once to escalate
    assert all("JOIN organisation" in s for s in loads)
    assert not [s for s in statements if re.search(r"FROM organisation\s+WHERE", s)]
    # Supervisors to widen to, then supervisors and admins to escalate to: one query each.
    assert len([s for s in statements if s.lstrip().startswith("SELECT") and "FROM membership" in s]) == 3
    # Three requests in each organisation, each told once to each of its admins (two, and one).
    assert len(_told(app, "debrief_waiting_admin")) == 3 * 2 + 3 * 1


# --- check-ins ----------------------------------------------------------------------------------

def _completed(app, make, world, at) -> int:
    request_id = make.debrief_request(world["lw"], status="accepted", handler=world["s1"], created_at=at)
    with app.app_context():
        services.record_outcome(request=db.session.get(DebriefRequest, request_id),
                                supervisor=db.session.get(User, world["s1"].id), held_by=HeldBy.phone,
                                outcome=Outcome.supported, notes=None, now=at)
        db.session.commit()
    return request_id


def test_check_ins_go_at_3_and_28_days_once_each(app, make, world, outbox):
    request_id = _completed(app, make, world, T0)
    earlier = len(outbox())  # the link worker heard the debrief was recorded
    _run(app, jobs.check_ins_job, T0 + timedelta(days=3, seconds=-1))
    assert _told(app, "debrief_check_in") == []
    for now in (T0 + timedelta(days=3), T0 + timedelta(days=3), T0 + timedelta(days=27)):
        _run(app, jobs.check_ins_job, now)
    assert _told(app, "debrief_check_in") == [world["lw"].id]
    for now in (T0 + timedelta(days=28), T0 + timedelta(days=40)):
        _run(app, jobs.check_ins_job, now)
    assert _told(app, "debrief_check_in") == [world["lw"].id] * 2
    assert _steps(app, request_id) == ["check_in_sent", "check_in_sent"]
    assert [m["To"] for m in outbox()[earlier:]] == [world["lw"].email] * 2
    with app.app_context():
        sent = dict(db.session.execute(select(DebriefCheckIn.day, DebriefCheckIn.sent_at)
                                       .where(DebriefCheckIn.request_id == request_id)).all())
    assert sent == {3: T0 + timedelta(days=3), 28: T0 + timedelta(days=28)}


def test_no_check_in_for_someone_inactive_or_one_already_answered(app, make, world):
    answered = make.debrief_request(world["lw"], status="completed", handler=world["s1"], created_at=T0)
    make.check_in(answered, 3, due_at=T0, answer=CheckInAnswer.better.value)
    quiet = make.user(Role.link_worker, organisation=world["lw"].organisation, active=False)
    left = make.debrief_request(quiet, status="completed", handler=world["s1"], created_at=T0)
    make.check_in(left, 3, due_at=T0)
    withdrawn = make.debrief_request(world["lw"], status="withdrawn", created_at=T0)
    make.check_in(withdrawn, 3, due_at=T0)
    _run(app, jobs.check_ins_job, T0 + timedelta(days=30))
    assert _told(app, "debrief_check_in") == []
    with app.app_context():
        assert db.session.scalars(select(DebriefCheckIn.sent_at)).all() == [None] * 3
