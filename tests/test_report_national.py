"""The national benchmark's own disclosure rule (disclosure_national) and the contributions it is
judged on (aggregate_national): at least 3 organisations, and k people once the two largest are
taken away, so that no organisation's figure is the national one minus others'."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import distinct, func, select

from supervision.accounts.models import Organisation
from supervision.booking.models import Booking, BookingStatus, SupervisionSession
from supervision.extensions import db
from supervision.reports.aggregate import quarter_figures, report_input
from supervision.reports.aggregate_national import contribution, contributions
from supervision.reports.quarters import Quarter
from supervision.reports.aggregate_sql import Scope
from supervision.reports.disclosure import disclose
from supervision.reports.disclosure_figures import quarter_figures as stage2_figures
from supervision.reports.disclosure_national import enough_organisations, few_organisations
from supervision.reports.figures import Contribution, Contributions, QuarterFigures
from supervision.reports.labels import reason_text
from supervision.reports.published import NATIONAL, ORGANISATION, PublishedReport, Reason

from .conftest import counting_queries
from .report_world import REPORTED, Plan, build_world
from .report_samples import sample_report

# The bases an organisation's own figures count; the bookers, whom no figure counts, are counted in the tests.
OWN_BASES = ("link_workers", "answered", "monthly", "cbi", "attending", "requesters", "check_in_people")
BASES = (*OWN_BASES, "bookers")


def _own(figures: QuarterFigures) -> dict[str, int]:
    """One organisation's people in each basis, read from its own figures."""
    return {"link_workers": figures.people.link_workers, "answered": figures.people.answered,
            "monthly": figures.wellbeing.monthly_respondents, "cbi": figures.wellbeing.cbi_respondents,
            "attending": figures.supervision.people_attending, "requesters": figures.debriefs.requesters,
            "check_in_people": figures.debriefs.check_in_people}


def _reports(plans: list[Plan], seed: int = 9) -> dict[str, tuple]:
    """Each organisation's report input and report in a world of these organisations."""
    world = build_world(plans, seed=seed)
    reports = {}
    for label, built in world.organisations.items():
        data = report_input(db.session.get(Organisation, built.id), world.quarter)
        reports[label] = (data, disclose(data, organisation_name=label))
    return reports


def _national(report: PublishedReport) -> dict[tuple, Reason | None]:
    return {(c.measure, c.category, c.kind): c.reason for c in report.cells if c.scope == NATIONAL}


# --- stage 1: contributions ------------------------------------------------------------------------

def test_contributions_are_each_organisations_own_people_sized_not_named(app):
    with app.app_context():
        world = build_world([Plan("six", 6), Plan("twelve", 12), Plan("thirty", 30)], seed=21)
        national = quarter_figures(world.quarter, None)
        own = [_own(quarter_figures(world.quarter, built.id)) for built in world.organisations.values()]
        assert quarter_figures(world.quarter, world.organisations["six"].id).contributions is None
    assert national.contributions is not None
    for basis in OWN_BASES:
        assert getattr(national.contributions, basis) == contribution([people[basis] for people in own]), basis
    assert national.contributions.link_workers == Contribution(organisations=3, largest=30, second=12)
    assert "contributions" not in repr(national)


def test_a_draft_counts_contributions_up_to_its_cut_off(app):
    with app.app_context():
        world = build_world([Plan("nine", 9), Plan("twenty", 20), Plan("joined", 9, one_joined=True)], seed=22)
        # Before the newcomer joined (15 July) and before the quarter's later rounds opened.
        until = world.quarter.start + timedelta(days=12)
        national = quarter_figures(world.quarter, None, until=until)
        whole = quarter_figures(world.quarter, None)
        own = [_own(quarter_figures(world.quarter, built.id, until=until)) for built in world.organisations.values()]
    for basis in OWN_BASES:
        assert getattr(national.contributions, basis) == contribution([people[basis] for people in own]), basis
    assert national.contributions != whole.contributions


def _bookers(quarter: Quarter) -> tuple[list[int], int]:
    """Each organisation's link workers with a booking of its sessions that started in the quarter,
    and how many they are nationally, each counted once."""
    within = (SupervisionSession.starts_at >= quarter.start, SupervisionSession.starts_at < quarter.end)
    bookers = (select(func.count(distinct(Booking.link_worker_id)))
               .join(SupervisionSession, SupervisionSession.id == Booking.session_id).where(*within))
    per_organisation = db.session.scalars(bookers.group_by(SupervisionSession.organisation_id)).all()
    nationally = db.session.scalar(bookers)
    return list(per_organisation), nationally


def test_the_bookers_are_everyone_who_booked_counted_once_nationally(app):
    with app.app_context():
        world = build_world([Plan("nine", 9), Plan("twenty", 20), Plan("twelve", 12)], seed=31)
        quarter = world.quarter
        # One of the first organisation's bookers also books, and cancels, a session of the second.
        within = (SupervisionSession.starts_at >= quarter.start, SupervisionSession.starts_at < quarter.end)
        nine, twenty = world.organisations["nine"].id, world.organisations["twenty"].id
        person = db.session.scalar(select(Booking.link_worker_id).join(SupervisionSession)
                                   .where(SupervisionSession.organisation_id == nine, *within).limit(1))
        session_id = db.session.scalar(select(SupervisionSession.id)
                                       .where(SupervisionSession.organisation_id == twenty, *within).limit(1))
        db.session.add(Booking(session_id=session_id, link_worker_id=person, status=BookingStatus.cancelled))
        db.session.commit()
        national = quarter_figures(quarter, None)
        own = [_own(quarter_figures(quarter, built.id)) for built in world.organisations.values()]
        per_organisation, nationally = _bookers(quarter)
    assert national.contributions.bookers == contribution(per_organisation)
    assert national.contributions.bookers_nationally == nationally < sum(per_organisation)
    # The second organisation's bookers include someone who never attended there.
    assert sorted(per_organisation) != sorted(people["attending"] for people in own)


def test_contributions_take_one_query_whatever_the_data(app):
    def queries() -> int:
        with counting_queries(app) as statements, app.app_context():
            contributions(Scope.of(REPORTED, None, None))
        return len(statements)

    with app.app_context():
        build_world([Plan("small", 5)], seed=23)
    small = queries()
    with app.app_context():
        build_world([Plan(f"more{n}", 15 + n) for n in range(4)], seed=24)
    assert queries() == small == 1


# --- stage 2: the rule ----------------------------------------------------------------------------

@pytest.mark.parametrize("organisations, largest, second, people, shown", [
    (1, 40, 0, 40, False),  # one organisation: the national figure is its own
    (2, 30, 20, 50, False),  # two: the national one minus one is the other's
    (3, 20, 20, 45, True),  # three, and k (5) left once the two largest are taken away
    (3, 20, 20, 44, False),  # three, but only 4 left
    (3, 100, 10, 114, False),  # a dominant one: 4 left
    (4, 2, 2, 9, True),  # many small ones
])
def test_enough_organisations(organisations, largest, second, people, shown):
    assert enough_organisations(Contribution(organisations, largest, second), people, 5) is shown


def _national_frame(national: QuarterFigures) -> tuple[dict, dict]:
    figures = {(NATIONAL, national.quarter.key, f.measure, f.category, f.kind): f
               for f in stage2_figures(national)[0]}
    return figures, dict.fromkeys(figures)


def _spread(national: QuarterFigures, organisations: int, largest: float, second: float) -> QuarterFigures:
    """The national figures with each basis spread over `organisations`, the two largest bringing
    these shares of its people (everyone, here, is in one organisation only)."""
    bookers = national.contributions.bookers_nationally
    totals = {**_own(national), "bookers": bookers}

    def one(basis: str) -> Contribution:
        people = totals[basis]
        return Contribution(organisations if people else 0, round(people * largest), round(people * second))

    return replace(national, contributions=Contributions(**{basis: one(basis) for basis in BASES},
                                                         bookers_nationally=bookers))


def test_every_national_figure_and_hidden_total_follows_its_basis(app):
    with app.app_context():
        build_world([Plan(f"org{n}", 30) for n in range(3)], seed=25)
        national = quarter_figures(REPORTED, None)
    everything = set(_national_frame(national)[0])
    for organisations, largest, second in ((1, 1.0, 0.0), (2, 0.6, 0.4), (3, 0.9, 0.08)):
        spread = _spread(national, organisations, largest, second)
        figures, reasons = _national_frame(spread)
        few_organisations(reasons, figures, spread, 5)
        assert {a for a, reason in reasons.items() if reason == Reason.few_organisations} == everything, organisations
    spread = _spread(national, 3, 0.34, 0.33)
    figures, reasons = _national_frame(spread)
    few_organisations(reasons, figures, spread, 5)
    quarter = national.quarter.key
    for shown in (("link_workers", "", "count"), ("single_item", "3", "count"), ("_total_single_item", "", "count"),
                  ("cbi_mean", "work", "mean"), ("_total_cbi_work", "", "count"), ("people_attending", "", "count"),
                  ("met_standard", "month_3", "count")):
        assert reasons[(NATIONAL, quarter, *shown)] is None, shown


def test_cancellations_and_no_shows_are_judged_on_those_who_booked(app):
    with app.app_context():
        build_world([Plan(f"org{n}", 30) for n in range(3)], seed=25)
        national = quarter_figures(REPORTED, None)
    spread = _spread(national, 3, 0.34, 0.33)
    attending = spread.contributions.attending
    third = national.supervision.people_attending - attending.largest - attending.second
    assert third >= 5  # the attendees are spread: k are left once the two largest are taken away
    # Those who attend in the third organisation also booked, and cancelled, in each of the two
    # largest, and nobody else booked: the bookers are the attendees, but the two largest
    # organisations' bookers are everyone, so the third's cancellations are the national ones
    # minus theirs.
    bookers = Contribution(3, attending.largest + third, attending.second + third)
    spread = replace(spread, contributions=replace(spread.contributions, bookers=bookers,
                                                   bookers_nationally=national.supervision.people_attending))
    figures, reasons = _national_frame(spread)
    few_organisations(reasons, figures, spread, 5)
    quarter = national.quarter.key
    for hidden in ("cancelled_by_link_worker", "cancelled_by_supervisor", "no_shows"):
        assert reasons[(NATIONAL, quarter, hidden, "", "count")] == Reason.few_organisations, hidden
    for shown in ("sessions_held", "people_attending", "hours_per_link_worker"):
        kind = "hours" if shown == "hours_per_link_worker" else "count"
        assert reasons[(NATIONAL, quarter, shown, "", kind)] is None, shown


def test_a_reason_already_given_is_kept_and_no_contributions_judges_nothing(app):
    with app.app_context():
        build_world([Plan("one", 12)], seed=26)
        national = quarter_figures(REPORTED, None)
    figures, reasons = _national_frame(national)
    first = next(iter(figures))
    reasons[first] = Reason.small_count
    few_organisations(reasons, figures, national, 5)
    assert reasons[first] == Reason.small_count
    assert {reason for address, reason in reasons.items() if address != first} == {Reason.few_organisations}
    figures, reasons = _national_frame(national)
    few_organisations(reasons, figures, replace(national, contributions=None), 5)
    assert set(reasons.values()) == {None}


def test_one_organisation_shows_no_national_figure(app):
    with app.app_context():
        reports = _reports([Plan("alone", 40)], seed=27)
    national = _national(reports["alone"][1])
    assert None not in national.values()
    assert national[("link_workers", "", "count")] == Reason.few_organisations


def test_two_organisations_neither_figure_can_be_worked_out_from_the_other_report(app):
    with app.app_context():
        reports = _reports([Plan("large", 40), Plan("small", 6)], seed=28)
    (large_data, large), (_small_data, small) = reports["large"], reports["small"]
    # The small organisation's report hides many of its own figures...
    hidden_in_small = {(c.measure, c.category, c.kind) for c in small.cells
                       if c.scope == ORGANISATION and c.quarter == small.quarter and c.suppressed}
    assert ("monthly_respondents", "", "count") in hidden_in_small
    # ...and none of them is the large one's national figure minus its own: no national figure is shown.
    national = _national(large)
    assert all(national[address] is not None for address in hidden_in_small)
    assert national[("link_workers", "", "count")] == Reason.few_organisations
    assert large_data.national.people.link_workers > 40  # the figure was there to be hidden


def test_three_organisations_of_a_size_show_the_benchmark(app):
    with app.app_context():
        even = _reports([Plan("a", 20), Plan("b", 20), Plan("c", 20)], seed=29)
    national = _national(even["a"][1])
    for address in (("link_workers", "", "count"), ("monthly_respondents", "", "count"),
                    ("participation", "", "percent"), ("sessions_held", "", "count")):
        assert national[address] is None, address
    # Only the check-ins, which too few people answered once the two largest are taken away.
    assert {a[0] for a, reason in national.items() if reason == Reason.few_organisations} <= {"check_ins"}


def test_a_dominant_organisation_hides_the_benchmark(app):
    with app.app_context():
        # Two organisations of 3 beside one of 60: once the two largest are taken away, 3 are left.
        dominated = _reports([Plan("big", 60), Plan("s1", 3), Plan("s2", 3)], seed=30)
    for label in ("big", "s1"):
        national = _national(dominated[label][1])
        assert national[("link_workers", "", "count")] == Reason.few_organisations
        assert national[("participation", "", "percent")] == Reason.few_organisations


# --- labels and stored reports ----------------------------------------------------------------------

def test_the_new_reason_and_a_hidden_median_read_correctly(app):
    with app.test_request_context("/"), force_locale("en"):
        few = reason_text(Reason.few_organisations, 6)
        assert "organisations" in few and "fewer than 3" in few and "6 people" in few
        median = reason_text(Reason.small_count, 5, kind="minutes")
        assert "count" not in median and "requests" in median
        assert reason_text(Reason.small_count, 5) == reason_text(Reason.small_count, 5, kind="count")
        assert "count from 1 to 7" in reason_text(Reason.small_count, 5)


def test_a_report_stored_before_the_new_reason_still_loads():
    report = sample_report()
    assert Reason.few_organisations not in {c.reason for c in report.cells}
    assert PublishedReport.from_json(report.to_json()) == report
    hidden = replace(report, cells=tuple(replace(c, value=None, reason=Reason.few_organisations)
                                         if c.scope == NATIONAL else c for c in report.cells))
    assert PublishedReport.from_json(hidden.to_json()) == hidden


def test_an_optional_items_figures_rest_on_those_who_answered_it_and_a_months_on_its_own_headcount(app):
    with app.app_context():
        build_world([Plan(f"org{n}", 30) for n in range(3)], seed=25)
        national = quarter_figures(REPORTED, None)
    spread = _spread(national, 3, 0.34, 0.33)
    # Only 6 people nationally answered the single item; and a month began with 9 link workers.
    few_answers = {"1": 0, "2": 3, "3": 3, "4": 0, "5": 0}
    month = replace(spread.supervision.months[0], link_workers=9)
    spread = replace(spread, wellbeing=replace(spread.wellbeing, single_item=few_answers),
                     supervision=replace(spread.supervision, months=(month, *spread.supervision.months[1:])))
    figures, reasons = _national_frame(spread)
    few_organisations(reasons, figures, spread, 5)
    quarter = national.quarter.key
    for hidden in (("single_item", "3", "count"), ("_total_single_item", "", "count"), ("burning_out", "", "count"),
                   ("met_standard", "month_1", "count"), ("_month_link_workers", "month_1", "count")):
        assert reasons[(NATIONAL, quarter, *hidden)] == Reason.few_organisations, hidden
    for shown in (("monthly_respondents", "", "count"), ("agreement_S1", "3", "count"),
                  ("met_standard", "month_2", "count")):
        assert reasons[(NATIONAL, quarter, *shown)] is None, shown
