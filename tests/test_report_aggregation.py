"""Stage 1 of the quarterly reports: every figure of a hand-built quarter, per organisation and
nationally, the quarter's edges in London time, a draft's cut-off, and a bounded number of queries."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from supervision.accounts.models import Membership, Role
from supervision.booking.events import Action
from supervision.booking.models import BookingEvent
from supervision.debriefs import models as dm
from supervision.extensions import db
from supervision.pulse.respondent import respondent_key
from supervision.reflections.models import Reflection as ReflectionRow
from supervision.reports.aggregate import quarter_figures, report_input
from supervision.reports.disclosure_rules import people_of
from supervision.reports.figures import MonthStandard, ScaleFigures
from supervision.reports.quarters import Quarter

from .conftest import counting_queries

Q1 = Quarter(2026, 1)  # 1 January 00:00 UTC (GMT) to 31 March 23:00 UTC (midnight BST)
UTC = timezone.utc


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def joined(app, person, when: datetime) -> None:
    """The person's memberships began at `when` (the factory stamps them with today)."""
    with app.app_context():
        db.session.execute(update(Membership).where(Membership.user_id == person.id).values(created_at=when))
        db.session.commit()


def booking_event(app, booking_id: int, action: Action, actor) -> None:
    with app.app_context():
        db.session.add(BookingEvent(booking_id=booking_id, action=action.value, actor_id=actor.id,
                                    created_at=at(1, 2)))
        db.session.commit()


def debrief(app, link_worker, organisation, *, created: datetime, urgency: str = "three_days",
            category: str = "client_death", accept_after: int | None = None, due_after: int = 72 * 60,
            held_after: int | None = None, booking_id: int | None = None, escalated: bool = False,
            check_ins: tuple[str | None, ...] = ()) -> int:
    """A request written straight to the database with known times, in minutes after `created`."""
    accepted_at = created + timedelta(minutes=accept_after) if accept_after is not None else None
    completed = held_after is not None
    status = "completed" if completed else ("accepted" if accepted_at else "open")
    with app.app_context():
        row = dm.DebriefRequest(
            organisation_id=organisation.id, link_worker_id=link_worker.id, urgency=dm.Urgency(urgency),
            category=dm.Category(category), description="Words that no report may hold.",
            contact_way=dm.ContactWay.phone, status=dm.RequestStatus(status), created_at=created,
            half_due_at=created + timedelta(minutes=due_after / 2), due_at=created + timedelta(minutes=due_after),
            accepted_at=accepted_at, escalated_at=created + timedelta(minutes=due_after) if escalated else None,
            closed_at=created + timedelta(minutes=held_after) if completed else None,
            outcome=dm.Outcome.supported if completed else None,
            held_by=(dm.HeldBy.session if booking_id else dm.HeldBy.phone) if completed else None,
            booking_id=booking_id)
        for day, answer in zip((3, 28), check_ins):
            row.check_ins.append(dm.DebriefCheckIn(day=day, due_at=created, answer=dm.CheckInAnswer(answer) if answer
                                                   else None, answered_at=created if answer else None))
        db.session.add(row)
        db.session.commit()
        return row.id


def reflection(app, make, author, created: datetime, status: str = "complete") -> None:
    reflection_id = make.reflection(author, status=status)
    with app.app_context():
        db.session.execute(update(ReflectionRow).where(ReflectionRow.id == reflection_id).values(created_at=created))
        db.session.commit()


@pytest.fixture
def world(app, make):
    """Ogmore (standard 30 days), Teifi (14 days) and an empty Conwy (30 days), in 2026 Q1."""
    ogmore = make.organisation(name="Ogmore Valleys", supervision_standard_days=30)
    teifi = make.organisation(name="Teifi Valley", supervision_standard_days=14)
    make.organisation(name="Conwy", supervision_standard_days=30)
    a1, a2, a3 = (make.user(Role.link_worker, organisation=ogmore) for _ in range(3))
    a4 = make.user(Role.link_worker, organisation=ogmore)  # joined in February
    gone = make.user(Role.link_worker, organisation=ogmore, active=False)
    late = make.user(Role.link_worker, organisation=ogmore)  # joined after the quarter
    b1, b2 = (make.user(Role.link_worker, organisation=teifi) for _ in range(2))
    rhodri = make.user(Role.supervisor, organisation=ogmore)
    mererid = make.user(Role.supervisor, organisation=teifi)
    for person in (a1, a2, a3, gone, b1, b2, rhodri, mererid):
        joined(app, person, at(6, 1, year=2025))
    joined(app, a4, at(2, 15))
    joined(app, late, at(4, 10))

    # --- surveys: as in the pulse reporting tests, with rounds either side of the quarter.
    def round_(organisation, month, instrument="monthly", year=2026):
        opens = datetime(year, month, 1, 9, tzinfo=UTC)
        return make.pulse_round(organisation, instrument=instrument, year=year, month=month, opens_at=opens,
                                closed=True)

    jan, feb, mar, apr = (round_(ogmore, m) for m in (1, 2, 3, 4))
    dec = round_(ogmore, 12, year=2025)
    cbi_jan = round_(ogmore, 1, "cbi")
    teifi_jan, teifi_cbi = round_(teifi, 1), round_(teifi, 1, "cbi")
    make.pulse_response(a1, jan, {"B1": 2, "S1": 4, "S2": 5, "S3": 3})
    make.pulse_response(a1, mar, {"B1": 4, "S1": 2})  # stands for a1: the later month
    make.pulse_response(a1, apr, {"B1": 5})
    make.pulse_response(a1, dec, {"B1": 5})
    # personal 75; work (6 × 50 + W7 "Sometimes" reversed to 50) / 7 = 50; client 25 on three items.
    make.pulse_response(a1, cbi_jan, {**{f"P{i}": 75 for i in range(1, 7)}, **{f"W{i}": 50 for i in range(1, 8)},
                                      **{f"C{i}": 25 for i in range(1, 4)}})
    # a2, in Welsh: personal unscored (2 of 6); work (4 × 25 + W7 "Always" reversed to 0) / 5 = 20; client 50.
    make.pulse_response(a2, feb, {"B1": 3, "S1": 3, "S2": 3, "S3": 3}, language="cy")
    make.pulse_response(a2, cbi_jan, {"P1": 100, "P2": 100, **{f"W{i}": 25 for i in range(1, 5)}, "W7": 100,
                                      **{f"C{i}": 50 for i in range(1, 7)}}, language="cy")
    make.pulse_response(a3, jan, {"B1": 1, "S3": 5})
    make.pulse_response(a3, feb, {"B1": 5, "S1": 1}, submitted=False)  # a draft never counts
    make.pulse_invitation(a4, feb)
    make.pulse_response(b1, teifi_jan, {"B1": 2, "S1": 5, "S2": 4, "S3": 4})
    make.pulse_response(b1, teifi_cbi, {**{f"P{i}": 25 for i in range(1, 7)}, **{f"W{i}": 0 for i in range(1, 7)},
                                        "W7": 100, **{f"C{i}": 100 for i in range(1, 7)}})
    make.pulse_response(b2, teifi_jan, {"B1": 3}, language="cy")

    # --- supervision
    one = make.session_type(rhodri, length=60)
    group = make.session_type(rhodri, kind="group", length=90)
    teifi_one = make.session_type(mererid, length=60)
    s1 = make.supervision_session(one, at(1, 20))
    make.booking(s1, a1, attendance="attended")
    s2 = make.supervision_session(one, at(2, 20))
    make.booking(s2, a2, attendance="attended")
    g = make.supervision_session(group, at(3, 10))
    make.booking(g, a1, attendance="attended")
    make.booking(g, a3, attendance="no_show")
    make.booking(g, a4, attendance="attended")
    # 23:30 UTC on 31 March is half past midnight on 1 April in London: the next quarter's.
    after = make.supervision_session(one, at(3, 31, 23, 30))
    make.booking(after, a2, attendance="attended")
    make.booking(make.supervision_session(one, at(1, 5)), a1)  # booked, never marked: not held
    by_a3 = make.booking(make.supervision_session(one, at(2, 5), status="cancelled"), a3, status="cancelled")
    booking_event(app, by_a3, Action.cancelled, a3)
    by_rhodri = make.booking(make.supervision_session(one, at(2, 6), status="cancelled"), a4, status="cancelled")
    booking_event(app, by_rhodri, Action.session_cancelled, rhodri)
    make.booking(make.supervision_session(teifi_one, at(3, 25)), b1, attendance="attended")
    make.booking(make.supervision_session(teifi_one, at(3, 10)), b2, attendance="attended")

    # --- debriefs (minutes after the request): accepted after 10, 30 and 600 (past a 240-minute target)
    debrief(app, a1, ogmore, created=at(1, 10), urgency="today", accept_after=600, due_after=240,
            held_after=900, check_ins=("better", "same"))
    debrief(app, a1, ogmore, created=at(1, 12), category="safeguarding", accept_after=10,
            held_after=60 * 24, booking_id=make.booking(make.supervision_session(one, at(1, 12, 10) + timedelta(
                minutes=120)), a1), check_ins=("worse", None))
    debrief(app, a2, ogmore, created=at(2, 1), urgency="this_week", accept_after=30)
    debrief(app, a3, ogmore, created=at(3, 3), category="other", escalated=True)
    debrief(app, a3, ogmore, created=Q1.end, category="aggression")  # the next quarter's
    debrief(app, a3, ogmore, created=Q1.start - timedelta(seconds=1), category="aggression")
    debrief(app, b1, teifi, created=at(2, 2), category="disclosure", accept_after=20, held_after=40,
            check_ins=("better",))

    # --- reflections
    reflection(app, make, a1, at(1, 15))
    reflection(app, make, a1, at(2, 15))
    reflection(app, make, a2, at(2, 15), status="draft")
    reflection(app, make, a3, at(3, 31, 23, 30))  # the next quarter's, in London
    reflection(app, make, gone, at(2, 1))  # not of the headcount
    reflection(app, make, b1, at(3, 1))
    return dict(ogmore=ogmore, teifi=teifi, people=dict(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2))


def test_people(app, world):
    with app.app_context():
        figures = quarter_figures(Q1, world["ogmore"].id)
        national = quarter_figures(Q1, None)
    people = world["people"]
    assert (figures.organisation_id, figures.organisations, figures.quarter) == (world["ogmore"].id, 1, Q1)
    assert figures.people.link_workers == 4  # not the inactive one, nor the one who joined in April
    assert figures.people.people_keys == {people[n].id for n in ("a1", "a2", "a3", "a4")}
    assert (figures.people.invited, figures.people.answered) == (4, 3)
    assert (national.organisation_id, national.organisations) == (None, 3)
    assert national.people.link_workers == 6 and national.people.people_keys == frozenset()
    assert (national.people.invited, national.people.answered) == (6, 5)
    assert "people_keys" not in repr(figures) and "respondent_keys" not in repr(figures)


def test_wellbeing(app, world):
    with app.app_context():
        figures = quarter_figures(Q1, world["ogmore"].id).wellbeing
        national = quarter_figures(Q1, None).wellbeing
        keys = {respondent_key(world["people"][n].id) for n in ("a1", "a2", "a3")}
    assert figures.monthly_respondents == 3
    assert figures.single_item == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 0}
    assert figures.burning_out == 2
    assert figures.agreement == {"S1": {"1": 0, "2": 1, "3": 1, "4": 0, "5": 0},
                                 "S2": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0},
                                 "S3": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}}
    assert figures.cbi_respondents == 2
    assert figures.scales == {
        "personal": ScaleFigures(scored=1, mean=75.0, bands={"under_50": 0, "50_or_more": 1}),
        "work": ScaleFigures(scored=2, mean=35.0, bands={"under_50": 1, "50_or_more": 1}),
        "client": ScaleFigures(scored=2, mean=37.5, bands={"under_50": 1, "50_or_more": 1}),
    }
    assert figures.welsh_respondents == 1  # a2 answered both in Welsh: one person
    assert figures.instrument_versions == ("cbi 1", "monthly 1")
    assert people_of(figures.respondent_keys) == keys

    assert (national.monthly_respondents, national.cbi_respondents, national.welsh_respondents) == (5, 3, 2)
    assert national.single_item == {"1": 1, "2": 1, "3": 2, "4": 1, "5": 0}
    assert national.burning_out == 3
    assert national.scales["work"].scored == 3 and national.scales["work"].mean == pytest.approx(70 / 3)
    assert national.scales["client"] == ScaleFigures(scored=3, mean=pytest.approx(175 / 3),
                                                     bands={"under_50": 1, "50_or_more": 2})
    # The national benchmark is never compared, so it carries no keys; those who answered are counted.
    assert national.respondent_keys == frozenset()


def test_supervision(app, world):
    with app.app_context():
        figures = quarter_figures(Q1, world["ogmore"].id).supervision
        teifi = quarter_figures(Q1, world["teifi"].id).supervision
        national = quarter_figures(Q1, None).supervision
    assert (figures.sessions_held, figures.people_attending) == (3, 3)
    assert figures.attended_hours == pytest.approx(1 + 1 + 1.5 + 1.5)
    assert (figures.cancelled_by_link_worker, figures.cancelled_by_supervisor, figures.no_shows) == (1, 1, 1)
    assert figures.standard_days == 30
    # 1 February: a1, a2, a3 on the books (a4 joined later); a1 met it on 20 January.
    # 1 March: a2 (20 February). 31 March 23:00 UTC: a1 and a4 (10 March); a2's session at 23:30 is too late.
    assert figures.months == (MonthStandard(1, 3, 1), MonthStandard(2, 4, 1), MonthStandard(3, 4, 2))
    assert (teifi.sessions_held, teifi.standard_days) == (2, 14)
    # b2's session on 10 March is 21 days before the end of March: outside Teifi's 14 days.
    assert teifi.months == (MonthStandard(1, 2, 0), MonthStandard(2, 2, 0), MonthStandard(3, 2, 1))
    # Nationally, each person against their own organisation's standard; the most common standard shown.
    assert national.months == (MonthStandard(1, 5, 1), MonthStandard(2, 6, 1), MonthStandard(3, 6, 3))
    assert (national.sessions_held, national.people_attending, national.standard_days) == (5, 5, 30)
    assert national.attended_hours == pytest.approx(7.0)


def test_the_next_quarter_takes_what_is_past_midnight_in_london(app, world):
    with app.app_context():
        q2 = quarter_figures(Quarter(2026, 2), world["ogmore"].id)
    assert (q2.supervision.sessions_held, q2.supervision.attended_hours) == (1, 1.0)
    assert q2.debriefs.requests == 1 and q2.debriefs.by_category["aggression"] == 1
    assert q2.reflection.link_workers_reflecting == 1  # a3's, at 00:30 on 1 April in London
    assert q2.people.link_workers == 5  # `late` joined on 10 April
    assert q2.wellbeing.monthly_respondents == 1 and q2.wellbeing.single_item["5"] == 1


def test_debriefs(app, world):
    with app.app_context():
        figures = quarter_figures(Q1, world["ogmore"].id).debriefs
        national = quarter_figures(Q1, None).debriefs
    assert (figures.requests, figures.requesters) == (4, 3)
    assert figures.by_urgency == {"today": 1, "three_days": 2, "this_week": 1}
    assert figures.by_category == {"client_death": 2, "safeguarding": 1, "aggression": 0, "disclosure": 0,
                                   "suicide_concern": 0, "other": 1}
    assert (figures.accepted, figures.accepted_within_target) == (3, 2)
    assert figures.minutes_to_accept_median == pytest.approx(30)
    assert figures.held == 2
    # Held by phone after 900 minutes; in a session two hours after the request (not when recorded).
    assert figures.minutes_to_debrief_median == pytest.approx((900 + 120) / 2)
    assert figures.escalated == 1
    assert figures.check_ins == {"better": 1, "same": 1, "worse": 1}
    assert figures.check_in_people == 1
    assert (national.requests, national.requesters, national.accepted) == (5, 4, 4)
    assert national.minutes_to_accept_median == pytest.approx(25)  # 10, 20, 30, 600
    assert national.minutes_to_debrief_median == pytest.approx(120)  # 40, 120, 900
    assert national.check_ins == {"better": 2, "same": 1, "worse": 1}
    assert national.check_in_people == 2


def test_reflection(app, world):
    with app.app_context():
        assert quarter_figures(Q1, world["ogmore"].id).reflection.link_workers_reflecting == 1
        assert quarter_figures(Q1, world["teifi"].id).reflection.link_workers_reflecting == 1
        assert quarter_figures(Q1, None).reflection.link_workers_reflecting == 2


def test_a_draft_stops_at_its_cut_off(app, world):
    until = at(2, 15, 12)
    with app.app_context():
        figures = quarter_figures(Q1, world["ogmore"].id, until=until)
    # a4's membership began at 10:00 on 15 February, before the cut-off.
    assert figures.people.link_workers == 4
    assert (figures.people.invited, figures.people.answered) == (4, 3)  # the March round had not opened
    assert figures.wellbeing.single_item == {"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}  # a1's January answer
    assert (figures.supervision.sessions_held, figures.supervision.attended_hours) == (1, 1.0)
    # Month 2 is checked at the cut-off (a1's 20 January is within 30 days of it); month 3 had not begun.
    assert figures.supervision.months == (MonthStandard(1, 3, 1), MonthStandard(2, 4, 1), MonthStandard(3, 0, 0))
    assert (figures.debriefs.requests, figures.reflection.link_workers_reflecting) == (3, 1)
    with app.app_context(), pytest.raises(ValueError):
        quarter_figures(Q1, world["ogmore"].id, until=Q1.start)


def _one_too_early_and_one_just_in_time(app, make, standard_days: int):
    """An organisation with that standard and two link workers: one attended a session exactly the
    standard before the end of January, the other a second later."""
    organisation = make.organisation(supervision_standard_days=standard_days)
    early, on_time = (make.user(Role.link_worker, organisation=organisation) for _ in range(2))
    supervisor = make.user(Role.supervisor, organisation=organisation)
    for person in (early, on_time, supervisor):
        joined(app, person, at(1, 1, year=2025))
    one = make.session_type(supervisor)
    standard_before = Q1.month_ends()[0] - timedelta(days=standard_days)
    make.booking(make.supervision_session(one, standard_before), early, attendance="attended")
    make.booking(make.supervision_session(one, standard_before + timedelta(seconds=1)), on_time, attendance="attended")
    return organisation


def test_the_standard_window_is_half_open(app, make):
    """Met when the session started in (moment − standard, moment]: exactly 30 days before the end of
    January is too early; a second later counts. Nationally each session is held to its own
    organisation's standard: 14 days for the second organisation."""
    organisation = _one_too_early_and_one_just_in_time(app, make, 30)
    _one_too_early_and_one_just_in_time(app, make, 14)
    with app.app_context():
        months = quarter_figures(Q1, organisation.id).supervision.months
        national = quarter_figures(Q1, None).supervision.months
    assert months[0] == MonthStandard(1, 2, 1)
    assert national[0] == MonthStandard(1, 4, 2)


def test_report_input(app, world):
    ogmore = world["ogmore"]
    with app.app_context():
        final = report_input(ogmore, Q1)
        draft = report_input(ogmore, Q1, draft=True, now=at(2, 15, 12))
    assert final.k == 5 and final.draft is False
    assert final.organisation == quarter_figures_in(app, Q1, ogmore.id)
    assert final.national.organisation_id is None and final.national.organisations == 3
    assert [f.quarter for f in final.previous] == [Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3),
                                                   Quarter(2025, 4)]
    assert all(f.organisation_id == ogmore.id for f in final.previous)
    assert final.previous[-1].wellbeing.single_item["5"] == 1  # a1's December answer
    assert draft.draft is True
    assert draft.organisation.supervision.sessions_held == 1
    assert draft.national is None  # a draft shows no benchmark
    assert draft.previous == final.previous


def quarter_figures_in(app, quarter, organisation_id):
    with app.app_context():
        return quarter_figures(quarter, organisation_id)


def test_an_unknown_organisation(app, world):
    with app.app_context(), pytest.raises(LookupError):
        quarter_figures(Q1, 10_000_000)


def test_the_number_of_queries_does_not_grow_with_the_data(app, make, world):
    def count() -> tuple[int, int, int]:
        with counting_queries(app) as organisation, app.app_context():
            quarter_figures(Q1, world["ogmore"].id)
        with counting_queries(app) as national, app.app_context():
            quarter_figures(Q1, None)
        with counting_queries(app) as whole_report, app.app_context():
            report_input(world["ogmore"], Q1)
        return len(organisation), len(national), len(whole_report)

    small = count()
    ogmore = world["ogmore"]
    supervisor = make.user(Role.supervisor, organisation=ogmore)
    one = make.session_type(supervisor)
    cbi_feb = make.pulse_round(ogmore, year=2026, month=2, instrument="cbi", opens_at=at(2, 1))
    for day in range(1, 13):
        person = make.user(Role.link_worker, organisation=ogmore, language="cy" if day % 2 else "en")
        joined(app, person, at(1, 1, year=2025))
        make.pulse_response(person, cbi_feb, {f"P{i}": 25 * (day % 5) for i in range(1, 7)})
        make.booking(make.supervision_session(one, at(1, day, 14)), person, attendance="attended")
        debrief(app, person, ogmore, created=at(3, day), accept_after=day * 7, held_after=day * 60,
                check_ins=("same",))
        reflection(app, make, person, at(2, day))
    larger = count()
    assert larger == small
    organisation, national, whole = small
    # The national figures add one query: each organisation's contribution (disclosure_national).
    assert organisation <= 12 and national == organisation + 1
    assert whole == 5 * organisation + national  # this quarter and four before it, and the benchmark
