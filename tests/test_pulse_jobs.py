"""The survey jobs at frozen times: rounds opening on the first working day (London midnight, across
BST), monthly and quarterly, late but not too late, never twice; who is invited and told; the day-3
and day-10 reminders once each, paused by leave; closing; no score in any email; bounded queries."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Membership, Role
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.pulse import jobs
from supervision.pulse.models import PulseAnswer, PulseInvitation, PulseResponse, PulseRound, SurveyLeave
from supervision.scheduler.registry import all_jobs

from .conftest import counting_queries

UTC = timezone.utc
NOV = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November 2026, 09:00 in London (GMT)
TUESDAY_TO_SATURDAY = 0b0111110


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _run(app, job, now):
    with app.app_context():
        job(now=now, worker="tests")


def _rounds(app) -> list[tuple]:
    with app.app_context():
        found = [(r.organisation_id, r.instrument.value, r.year, r.month, r.opens_at, r.closes_at)
                 for r in db.session.scalars(select(PulseRound))]
    return sorted(found, key=lambda r: (r[0], r[1] != "monthly"))


def _invited(app) -> set[tuple[int, int]]:
    with app.app_context():
        return {(i.round.organisation_id, i.user_id) for i in db.session.scalars(select(PulseInvitation))}


def _told(app, kind: str) -> list[tuple[int, str]]:
    with app.app_context():
        return sorted(db.session.execute(select(Notification.user_id, Notification.link)
                                         .where(Notification.kind == kind)).all())


def _add_membership(app, person, organisation, role=Role.link_worker) -> None:
    with app.app_context():
        db.session.add(Membership(user_id=person.id, organisation_id=organisation.id, role=role))
        db.session.commit()


def _leave(app, person, starts_on: date, ends_on: date) -> None:
    with app.app_context():
        db.session.add(SurveyLeave(user_id=person.id, starts_on=starts_on, ends_on=ends_on))
        db.session.commit()


def test_the_three_jobs_are_registered():
    assert {"pulse.rounds", "pulse.reminders", "pulse.close"} <= {job.id for job in all_jobs()}


def test_a_round_opens_when_the_first_working_day_starts(app, make):
    weekdays = make.organisation(name="Mon-Fri")
    tue_sat = make.organisation(name="Tue-Sat", working_days=TUESDAY_TO_SATURDAY)
    # 1 November 2026 is a Sunday: nothing yet.
    for now in (utc(2026, 11, 1, 12), NOV - timedelta(seconds=1)):
        _run(app, jobs.rounds_job, now)
    assert _rounds(app) == []
    for now in (NOV, NOV + timedelta(minutes=30)):
        _run(app, jobs.rounds_job, now)
    assert _rounds(app) == [(weekdays.id, "monthly", 2026, 11, NOV, NOV + timedelta(days=14))]
    _run(app, jobs.rounds_job, utc(2026, 11, 3, 9, 5))
    assert _rounds(app)[1] == (tue_sat.id, "monthly", 2026, 11, utc(2026, 11, 3, 9), utc(2026, 11, 17, 9))


def test_the_organisations_own_start_of_day_is_the_opening_time(app, make):
    make.organisation(name="Early", working_day_start_minute=7 * 60 + 30)
    _run(app, jobs.rounds_job, utc(2026, 11, 2, 7, 29))
    assert _rounds(app) == []
    _run(app, jobs.rounds_job, utc(2026, 11, 2, 7, 30))
    assert [r[4] for r in _rounds(app)] == [utc(2026, 11, 2, 7, 30)]


@pytest.mark.parametrize("now, instruments", [
    (utc(2027, 1, 1, 9), ["monthly", "cbi"]),  # January: the first month of a quarter
    (utc(2027, 2, 1, 9), ["monthly"]),
])
def test_the_cbi_opens_beside_the_monthly_pulse_in_the_first_month_of_each_quarter(app, make, now, instruments):
    make.organisation()
    _run(app, jobs.rounds_job, now)
    assert [r[1] for r in _rounds(app)] == instruments


def test_in_summer_time_nine_in_london_is_eight_in_utc(app, make):
    make.organisation()
    _run(app, jobs.rounds_job, utc(2027, 4, 1, 7, 59))  # 08:59 on Thursday 1 April in London (BST)
    assert _rounds(app) == []
    _run(app, jobs.rounds_job, utc(2027, 4, 1, 8, 0))  # 09:00 BST
    opens = utc(2027, 4, 1, 8)
    assert [r[1:] for r in _rounds(app)] == [("monthly", 2027, 4, opens, opens + timedelta(days=14)),
                                            ("cbi", 2027, 4, opens, opens + timedelta(days=14))]


def test_a_scheduler_that_was_down_opens_the_round_late_but_not_after_its_14_days(app, make):
    make.organisation()
    _run(app, jobs.rounds_job, utc(2027, 2, 15, 9, 30))  # the round would have closed at 09:00
    assert _rounds(app) == []
    _run(app, jobs.rounds_job, utc(2027, 2, 14, 18))
    # A late round keeps the times it would have had.
    assert [r[4:] for r in _rounds(app)] == [(utc(2027, 2, 1, 9), utc(2027, 2, 15, 9))]


def test_only_active_link_workers_are_invited_by_their_first_link_worker_organisation(app, make):
    here, there = make.organisation(name="Here"), make.organisation(name="There")
    carys = make.user(Role.link_worker, organisation=here)
    both = make.user(Role.link_worker, Role.supervisor, organisation=here)
    make.user(Role.link_worker, organisation=here, active=False)
    make.user(Role.supervisor, Role.admin, Role.employer, organisation=here)
    elsewhere_first = make.user(Role.link_worker, organisation=there)
    _add_membership(app, elsewhere_first, here)
    _run(app, jobs.rounds_job, NOV)
    assert _invited(app) == {(here.id, carys.id), (here.id, both.id), (there.id, elsewhere_first.id)}


def test_newly_invited_people_are_told_once_unless_on_leave_and_joiners_are_invited_later(app, make, outbox):
    organisation = make.organisation()
    carys = make.user(Role.link_worker, organisation=organisation)
    away = make.user(Role.link_worker, organisation=organisation)
    _leave(app, away, date(2026, 10, 20), date(2026, 11, 2))
    for now in (NOV, NOV + timedelta(hours=1), NOV + timedelta(hours=2)):
        _run(app, jobs.rounds_job, now)
    round_id = _rounds_ids(app)[0]
    link = f"/wellbeing/surveys/{round_id}"
    assert _told(app, "pulse_open") == [(carys.id, link)]
    assert [m["To"] for m in outbox()] == [carys.email]
    # Someone who joins on day 5 is invited and told on the next run, and the day-3 reminder
    # is not sent on top: the opening message stands for it.
    joiner = make.user(Role.link_worker, organisation=organisation)
    _run(app, jobs.rounds_job, NOV + timedelta(days=5))
    _run(app, jobs.reminders_job, NOV + timedelta(days=5, hours=1))
    assert _told(app, "pulse_open") == sorted([(carys.id, link), (joiner.id, link)])
    assert {user_id for user_id, _ in _told(app, "pulse_reminder")} == {carys.id, away.id}


def _rounds_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(PulseRound.id).order_by(PulseRound.id)))


@pytest.fixture
def reminded(app, make):
    """A round opened at NOV, and one invitation for each kind of person."""
    organisation = make.organisation()
    round_id = make.pulse_round(organisation, opens_at=NOV, year=2026, month=11)
    people = {name: make.user(Role.link_worker, organisation=organisation, active=name != "inactive")
              for name in ("waiting", "answered", "inactive", "back_day_5", "away_to_day_11", "away_days_3_to_13")}
    for name, person in people.items():
        if name == "answered":
            make.pulse_response(person, round_id, {"B1": 2})
        else:
            make.pulse_invitation(person, round_id)
    _leave(app, people["back_day_5"], date(2026, 10, 30), date(2026, 11, 6))  # days 0 to 4
    _leave(app, people["away_to_day_11"], date(2026, 11, 5), date(2026, 11, 13))  # days 3 to 11
    _leave(app, people["away_days_3_to_13"], date(2026, 11, 5), date(2026, 11, 15))
    return people, round_id


def _reminders(app, people) -> dict[str, list[str]]:
    with app.app_context():
        keys = db.session.execute(select(Notification.user_id, Notification.dedupe_key)
                                  .where(Notification.kind == "pulse_reminder")).all()
    names = {p.id: name for name, p in people.items()}
    found: dict[str, list[str]] = {}
    for user_id, key in sorted(keys, key=lambda k: k[1]):
        found.setdefault(names[user_id], []).append("day 3" if key.endswith(":1") else "day 10")
    return found


def test_reminders_go_on_day_3_and_day_10_once_each_and_leave_pauses_them(app, reminded):
    people, round_id = reminded
    day = lambda n, hours=0: NOV + timedelta(days=n, hours=hours)  # noqa: E731
    _run(app, jobs.reminders_job, day(3) - timedelta(seconds=1))
    assert _reminders(app, people) == {}
    for now in (day(3), day(3, 1), day(4)):
        _run(app, jobs.reminders_job, now)
    assert _reminders(app, people) == {"waiting": ["day 3"]}
    _run(app, jobs.reminders_job, day(5))  # back from leave: the day-3 reminder, late but still due
    assert _reminders(app, people) == {"waiting": ["day 3"], "back_day_5": ["day 3"]}
    for now in (day(10), day(10, 1), day(11)):
        _run(app, jobs.reminders_job, now)
    assert _reminders(app, people) == {"waiting": ["day 3", "day 10"], "back_day_5": ["day 3", "day 10"]}
    # Back on day 12: only the day-10 reminder is left. Away until after the close: nothing at all.
    _run(app, jobs.reminders_job, day(12))
    _run(app, jobs.reminders_job, day(14))
    _run(app, jobs.reminders_job, day(20))
    assert _reminders(app, people) == {"waiting": ["day 3", "day 10"], "back_day_5": ["day 3", "day 10"],
                                       "away_to_day_11": ["day 10"]}
    with app.app_context():
        counts = dict(db.session.execute(select(PulseInvitation.user_id, PulseInvitation.reminders_sent)).all())
    assert counts[people["answered"].id] == 0 and counts[people["away_days_3_to_13"].id] == 0


def test_closing_removes_drafts_keeps_what_was_submitted_and_happens_once(app, make):
    organisation = make.organisation()
    round_id = make.pulse_round(organisation, opens_at=NOV, year=2026, month=11)
    other_round = make.pulse_round(organisation, instrument="cbi", opens_at=NOV, year=2026, month=11,
                                   closes_at=NOV + timedelta(days=20))
    people = [make.user(Role.link_worker, organisation=organisation) for _ in range(3)]
    submitted = make.pulse_response(people[0], round_id, {"B1": 4, "S1": 2})
    make.pulse_response(people[1], round_id, {"B1": 1}, submitted=False)
    make.pulse_invitation(people[2], round_id)
    kept_draft = make.pulse_response(people[1], other_round, {"P1": 50}, submitted=False)
    closes = NOV + timedelta(days=14)
    _run(app, jobs.close_job, closes - timedelta(seconds=1))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PulseResponse)) == 3
    for now in (closes, closes + timedelta(hours=1)):
        _run(app, jobs.close_job, now)
    with app.app_context():
        assert set(db.session.scalars(select(PulseResponse.id))) == {submitted, kept_draft}
        assert set(db.session.scalars(select(PulseAnswer.response_id))) == {submitted, kept_draft}
        assert db.session.scalar(select(func.count()).select_from(PulseInvitation)) == 4
        assert db.session.get(PulseRound, round_id).closed_at == closes
        assert db.session.get(PulseRound, other_round).closed_at is None
    _run(app, jobs.reminders_job, closes + timedelta(hours=2))
    # Only the round still open is reminded about.
    assert _told(app, "pulse_reminder") == [(people[1].id, f"/wellbeing/surveys/{other_round}")]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_emails_carry_no_score_and_no_answer(app, make, outbox, language):
    organisation = make.organisation()
    person = make.user(Role.link_worker, organisation=organisation, language=language)
    _run(app, jobs.rounds_job, NOV)
    round_id = _rounds_ids(app)[0]
    # A draft with a high score waits unsubmitted when the reminder goes.
    make.pulse_response(person, round_id, {"B1": 4}, submitted=False, comment="Mae'r gwaith yn drwm", invite=False)
    _run(app, jobs.reminders_job, NOV + timedelta(days=10))
    emails = outbox()
    assert len(emails) == 2
    for message in emails:
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert f"/wellbeing/surveys/{round_id}" in body
            for leak in ("burnout", "gorflinder", "score", "sgôr", "B1", "drwm", "moderate", "cymedrol"):
                assert leak.lower() not in body.lower(), leak
    with app.app_context():
        languages = set(db.session.scalars(select(OutboundEmail.language)))
    assert languages == {language}


def test_a_quiet_run_asks_the_same_number_of_queries_whatever_the_number_of_people(app, make):
    organisation = make.organisation()
    counts = []
    for extra in (2, 8):
        for _ in range(extra):
            make.user(Role.link_worker, organisation=organisation)
        _run(app, jobs.rounds_job, NOV + timedelta(days=4))
        _run(app, jobs.reminders_job, NOV + timedelta(days=4))
        with counting_queries(app) as statements:
            for job in (jobs.rounds_job, jobs.reminders_job, jobs.close_job):
                _run(app, job, NOV + timedelta(days=4, hours=1))
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12
