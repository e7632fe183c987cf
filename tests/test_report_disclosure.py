"""Stage 2, disclosure control (DESIGN.md rules 1 to 5): hand-built aggregates, exact cells."""
from __future__ import annotations

import dataclasses

import pytest

from supervision.reports.disclosure import disclose
from supervision.reports.disclosure_rules import round_count
from supervision.reports.figures import (AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALE_BANDS, SCALES,
                                         URGENCIES, Debriefs, MonthStandard, People, QuarterFigures, Reflection,
                                         ReportInput, ScaleFigures, Supervision, Wellbeing,
                                         SINGLE_ITEM_ID)
from supervision.reports.published import MEASURES, NATIONAL, ORGANISATION, PublishedReport, Reason
from supervision.reports.quarters import Quarter

CURRENT = Quarter(2026, 3)


# ---- builder: a large organisation where nothing needs suppressing, changed one part at a time --

def respondent_keys(count: int, start: int = 0) -> frozenset[str]:
    return frozenset(f"respondent-key-{n:05d}" for n in range(start, start + count))


def people_keys(count: int, start: int = 0) -> frozenset[int]:
    return frozenset(range(7_000_000 + start, 7_000_000 + start + count))


def people(**changes) -> People:
    base = People(link_workers=60, invited=60, answered=50, people_keys=people_keys(60))
    return dataclasses.replace(base, **changes)


def survey_keys(keys: frozenset[str]) -> dict:
    """The same people behind every survey figure: the monthly pulse and each of its items, the CBI
    and each scale."""
    return dict(monthly_keys=keys, item_keys={i: keys for i in (SINGLE_ITEM_ID, *AGREEMENT_ITEMS)}, cbi_keys=keys,
                scale_keys={s: keys for s in SCALES})


def wellbeing(**changes) -> Wellbeing:
    """`respondent_keys` (not a field) sets every key set at once, as survey_keys does."""
    scale = ScaleFigures(scored=40, mean=45.25, bands={"under_50": 22, "50_or_more": 18})
    base = Wellbeing(
        monthly_respondents=50, single_item={"1": 10, "2": 10, "3": 10, "4": 10, "5": 10}, burning_out=30,
        agreement={item: {"1": 10, "2": 10, "3": 10, "4": 10, "5": 10} for item in AGREEMENT_ITEMS},
        cbi_respondents=40, scales={s: scale for s in SCALES}, welsh_respondents=10,
        instrument_versions=("cbi 1", "monthly 1"), **survey_keys(respondent_keys(50)))
    if "respondent_keys" in changes:
        changes.update(survey_keys(changes.pop("respondent_keys")))
    if "single_item" in changes and "burning_out" not in changes:
        changes["burning_out"] = sum(changes["single_item"][v] for v in ("3", "4", "5"))
    if "single_item" in changes and "monthly_respondents" not in changes:
        changes["monthly_respondents"] = sum(changes["single_item"].values())
    return dataclasses.replace(base, **changes)


def booking_keys(what: str, count: int, start: int = 0) -> frozenset[tuple[str, str]]:
    """(link worker, booking) keys, each booking by a link worker of its own."""
    return frozenset((f"link-worker-{n:05d}", f"{what}-booking-{n:05d}") for n in range(start, start + count))


def supervision_keys(attended: int, cancelled: int, no_shows: int) -> dict:
    """Rule 5's keys for that many attended, cancelled and no-show bookings: the same bookings in
    every quarter built here, so that only a test that changes them sees a change."""
    return dict(attended_keys=booking_keys("attended", attended), cancelled_keys=booking_keys("cancelled", cancelled),
                no_show_keys=booking_keys("no-show", no_shows))


def reflection_keys(count: int, start: int = 0) -> frozenset[tuple[str, str]]:
    """(author, reflection) keys, each reflection by an author of its own."""
    return frozenset((f"link-worker-{n:05d}", f"reflection-{n:05d}") for n in range(start, start + count))


def supervision(**changes) -> Supervision:
    months = tuple(MonthStandard(month=m, link_workers=60, met=45) for m in CURRENT.months)
    base = Supervision(sessions_held=90, people_attending=50, months=months, cancelled_by_link_worker=10,
                       cancelled_by_supervisor=10, no_shows=10, attended_hours=123.0, standard_days=42,
                       **supervision_keys(50, 20, 10))
    return dataclasses.replace(base, **changes)


def request_keys(count: int, start: int = 0) -> frozenset[tuple[str, str]]:
    """(requester, request) keys, each request by a requester of its own."""
    return frozenset((f"requester-{n:05d}", f"request-key-{n:05d}") for n in range(start, start + count))


def debrief_keys(requests: int, accepted: int, held: int, escalated: int, check_ins: int) -> dict:
    """Rule 5's keys for that many requests, the first of them accepted, held and escalated: the same
    requests in every quarter built here, so that only a test that changes them sees a change."""
    return dict(request_keys=request_keys(requests), accepted_keys=request_keys(accepted),
                held_keys=request_keys(held), escalated_keys=request_keys(escalated),
                check_in_keys=frozenset((f"requester-{n:05d}", f"check-in-key-{n:05d}:same")
                                        for n in range(check_ins)))


def debriefs(**changes) -> Debriefs:
    base = Debriefs(requests=60, requesters=30, by_urgency={u: 20 for u in URGENCIES},
                    by_category={c: 10 for c in CATEGORIES}, accepted=50, accepted_within_target=40,
                    minutes_to_accept_median=95.0, held=45, minutes_to_debrief_median=1500.0, escalated=10,
                    check_ins={a: 10 for a in CHECK_IN_ANSWERS}, check_in_people=25, **debrief_keys(60, 50, 45, 10, 30))
    return dataclasses.replace(base, **changes)


def figures(quarter: Quarter = CURRENT, *, organisations: int = 1, **parts) -> QuarterFigures:
    """One quarter's aggregates; `people`, `wellbeing`, `supervision`, `debriefs` (objects),
    `reflecting` (a count) and `reflection_keys` replace the defaults."""
    return QuarterFigures(
        quarter=quarter, organisation_id=None if organisations > 1 else 1, organisations=organisations,
        people=parts.get("people", people()), wellbeing=parts.get("wellbeing", wellbeing()),
        supervision=parts.get("supervision", supervision()), debriefs=parts.get("debriefs", debriefs()),
        reflection=Reflection(parts.get("reflecting", 40), parts.get("reflection_keys", reflection_keys(40))))


def national(**parts) -> QuarterFigures:
    """Ten organisations like the default one."""
    parts.setdefault("people", people(link_workers=600, invited=600, answered=500, people_keys=people_keys(600)))
    parts.setdefault("wellbeing", wellbeing(single_item={v: 100 for v in LIKERT},
                                            agreement={i: {v: 100 for v in LIKERT} for i in AGREEMENT_ITEMS},
                                            cbi_respondents=400, welsh_respondents=100,
                                            scales={s: ScaleFigures(400, 47.0, {"under_50": 210, "50_or_more": 190})
                                                    for s in SCALES},
                                            respondent_keys=respondent_keys(500)))
    parts.setdefault("supervision", supervision(
        sessions_held=900, people_attending=500, cancelled_by_link_worker=100, cancelled_by_supervisor=100,
        no_shows=100, attended_hours=1230.0,
        months=tuple(MonthStandard(month=m, link_workers=600, met=450) for m in CURRENT.months)))
    parts.setdefault("debriefs", debriefs(
        requests=600, requesters=300, by_urgency={u: 200 for u in URGENCIES}, by_category={c: 100 for c in CATEGORIES},
        accepted=500, accepted_within_target=400, held=450, escalated=100, check_ins={a: 100 for a in CHECK_IN_ANSWERS},
        check_in_people=250, **debrief_keys(600, 500, 450, 100, 300)))
    parts.setdefault("reflecting", 400)
    return figures(organisations=10, **parts)


def report(organisation: QuarterFigures | None = None, *, national_figures: QuarterFigures | None = None,
           previous: tuple[QuarterFigures, ...] = (), k: int = 5, draft: bool = False,
           earlier_cuts: tuple[QuarterFigures, ...] = ()) -> PublishedReport:
    data = ReportInput(organisation=organisation or figures(), national=national_figures or national(),
                       previous=previous, k=k, draft=draft, earlier_cuts=earlier_cuts)
    return disclose(data, organisation_name="Cwm Taf Link Workers")


def shown(cell) -> float | str:
    """A cell as a reader sees it: its value, or `*` and the reason."""
    return cell.value if cell.reason is None else f"* {cell.reason.value}"


# ---- the report as a whole ------------------------------------------------------------------

def test_a_large_organisation_publishes_every_cell_rounded():
    published = report()
    assert published.suppressed_cells() == ()
    assert published.cell("single_item", "3").value == 10
    assert published.cell("single_item", "3", "percent").value == 20.0
    assert published.cell("burning_out", kind="percent").value == 60.0
    assert published.cell("answered").value == 50
    assert published.cell("participation", kind="percent").value == pytest.approx(83.3)
    assert published.cell("cbi_mean", "work", "mean").value == 45.3  # 45.25, half up
    assert published.cell("cbi_client", "50_or_more").value == 20  # 18 rounded
    assert published.cell("cbi_client", "50_or_more", "percent").value == 50.0  # 20 of 40 (22 → 20, 18 → 20)
    assert published.cell("hours_per_link_worker", kind="hours").value == 2.1  # 123 / 60 = 2.05, half up
    assert published.cell("met_standard", "month_2", "percent").value == 75.0
    assert published.cell("accepted_within_target", kind="percent").value == 80.0
    assert published.cell("minutes_to_debrief", kind="minutes").value == 1500.0
    assert published.cell("reflecting", kind="percent").value == pytest.approx(66.7)
    assert published.cell("single_item", "1", scope=NATIONAL).value == 100


def test_every_address_has_exactly_one_cell_and_the_report_describes_itself():
    earlier = (Quarter(2026, 1), Quarter(2025, 4))
    published = report(previous=tuple(figures(q) for q in earlier), draft=True)
    addresses = [(c.scope, c.quarter, c.measure, c.category, c.kind) for c in published.cells]
    expected = {(scope, quarter, m.id, category, kind)
                for scope, quarter in ((ORGANISATION, "2026-Q3"), (NATIONAL, "2026-Q3"),
                                       (ORGANISATION, "2025-Q4"), (ORGANISATION, "2026-Q1"))
                for m in MEASURES for category in m.categories for kind in m.kinds}
    assert len(addresses) == len(set(addresses)) and set(addresses) == expected
    assert all((c.value is None) == (c.reason is not None) for c in published.cells)
    assert published.previous_quarters == ("2025-Q4", "2026-Q1")  # oldest first, whatever the input order
    assert (published.quarter, published.k, published.draft) == ("2026-Q3", 5, True)
    assert published.standard_days == 42
    assert published.instrument_versions == ("cbi 1", "monthly 1")
    assert published.organisation_name == "Cwm Taf Link Workers"


def test_k_below_five_is_refused():
    with pytest.raises(ValueError):
        report(k=4)


def test_a_trend_quarter_after_the_reported_one_is_refused():
    with pytest.raises(ValueError):
        report(previous=(figures(Quarter(2026, 4)),))


def test_the_same_input_gives_the_same_report():
    previous = (figures(Quarter(2026, 2), wellbeing=wellbeing(respondent_keys=respondent_keys(50, start=1))),)
    small = figures(wellbeing=wellbeing(single_item={"1": 3, "2": 9, "3": 12, "4": 0, "5": 20}))
    first, second = report(small, previous=previous), report(small, previous=previous)
    assert first == second and first.to_json() == second.to_json()
    assert PublishedReport.from_json(first.to_json()) == first


def test_no_key_leaves_the_function():
    previous = (figures(Quarter(2026, 2), people=people(people_keys=people_keys(60, start=100)),
                        wellbeing=wellbeing(respondent_keys=respondent_keys(50, start=100))),)
    published = report(previous=previous)
    text = published.to_json() + repr(published)
    for key in (*respondent_keys(150), *people_keys(160)):
        assert str(key) not in text
    assert "respondent-key" not in text and "7000" not in text


# ---- rule 1: k people -------------------------------------------------------------------------

@pytest.mark.parametrize(("k", "respondents", "expected"), [
    (5, 4, "* fewer_than_k"), (5, 8, 10), (8, 7, "* fewer_than_k"), (8, 8, 10), (8, 13, 15)])
def test_survey_counts_need_k_respondents(k, respondents, expected):
    organisation = figures(wellbeing=wellbeing(monthly_respondents=respondents))
    assert shown(report(organisation, k=k).cell("monthly_respondents")) == expected


@pytest.mark.parametrize("k", [5, 8])
def test_a_cbi_mean_needs_k_people_who_scored_the_scale(k):
    scales = {"personal": ScaleFigures(k - 1, 61.0, {"under_50": 0, "50_or_more": k - 1}),
              "work": ScaleFigures(k, 61.04, {"under_50": 2, "50_or_more": k - 2}),
              "client": ScaleFigures(0, None, {"under_50": 0, "50_or_more": 0})}
    published = report(figures(wellbeing=wellbeing(scales=scales)), k=k)
    assert shown(published.cell("cbi_mean", "personal", "mean")) == "* fewer_than_k"
    assert shown(published.cell("cbi_mean", "work", "mean")) == 61.0
    assert shown(published.cell("cbi_mean", "client", "mean")) == "* no_data"  # nobody scored it
    for band in SCALE_BANDS:
        assert shown(published.cell("cbi_personal", band)) == "* fewer_than_k"
        assert shown(published.cell("cbi_client", band, "percent")) == "* fewer_than_k"


def test_debrief_figures_need_k_requesters():
    published = report(figures(debriefs=debriefs(requesters=4)))
    for measure in ("requests", "accepted", "held", "escalated"):
        assert shown(published.cell(measure)) == "* fewer_than_k"
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* fewer_than_k"
    assert shown(published.cell("accepted_within_target", kind="percent")) == "* fewer_than_k"
    assert shown(published.cell("by_category", "aggression")) == "* fewer_than_k"
    assert shown(published.cell("check_ins", "better")) == 10  # check-ins have their own 25 people


def test_no_debrief_at_all_has_no_median_and_no_share():
    nothing = debriefs(requests=0, requesters=0, by_urgency={u: 0 for u in URGENCIES},
                       by_category={c: 0 for c in CATEGORIES}, accepted=0, accepted_within_target=0,
                       minutes_to_accept_median=None, held=0, minutes_to_debrief_median=None, escalated=0,
                       check_ins={a: 0 for a in CHECK_IN_ANSWERS}, check_in_people=0)
    published = report(figures(debriefs=nothing))
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* no_data"
    # A count of nobody is not told apart from a count of a few people.
    assert shown(published.cell("requests")) == "* fewer_than_k"


def test_requesters_enough_but_none_accepted():
    published = report(figures(debriefs=debriefs(accepted=0, accepted_within_target=0, minutes_to_accept_median=None)))
    assert shown(published.cell("accepted")) == 0
    assert shown(published.cell("accepted_within_target", kind="percent")) == "* no_data"
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* no_data"


def test_a_median_of_one_request_is_not_published():
    # The reviewer's case: 10 requests from 6 requesters, 1 accepted and 1 held.
    few = debriefs(requests=10, requesters=6, by_urgency={"today": 0, "three_days": 10, "this_week": 0},
                   by_category={c: 0 for c in CATEGORIES} | {"aggression": 5, "other": 5}, accepted=1,
                   accepted_within_target=1, minutes_to_accept_median=42.0, held=1, minutes_to_debrief_median=900.0,
                   escalated=0)
    published = report(figures(debriefs=few))
    assert shown(published.cell("accepted")) == "* small_count"
    assert shown(published.cell("held")) == "* small_count"
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* fewer_than_k"
    assert shown(published.cell("minutes_to_debrief", kind="minutes")) == "* fewer_than_k"
    assert shown(published.cell("accepted_within_target", kind="percent")) == "* fewer_than_k"


def test_a_median_over_a_suppressed_count_is_suppressed_for_the_same_reason():
    # 6 accepted and 6 held: k people or more could be behind them, but the counts are `*`.
    published = report(figures(debriefs=debriefs(accepted=6, accepted_within_target=4, held=6)))
    assert shown(published.cell("accepted")) == "* small_count"
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* small_count"
    assert shown(published.cell("minutes_to_debrief", kind="minutes")) == "* small_count"
    assert shown(published.cell("accepted_within_target", kind="percent")) == "* small_count"


def test_a_median_needs_k_requests_under_it_when_k_is_raised():
    # k = 10: 8 accepted and 9 held are published counts (10), but fewer than k requests.
    published = report(figures(debriefs=debriefs(accepted=8, accepted_within_target=8, held=9)), k=10)
    assert shown(published.cell("accepted")) == 10
    assert shown(published.cell("held")) == 10
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == "* fewer_than_k"
    assert shown(published.cell("minutes_to_debrief", kind="minutes")) == "* fewer_than_k"
    assert shown(published.cell("accepted_within_target", kind="percent")) == "* fewer_than_k"


def test_a_median_over_k_published_requests_is_published():
    published = report(figures(debriefs=debriefs(accepted=20, accepted_within_target=15, held=8)))
    assert shown(published.cell("minutes_to_accept", kind="minutes")) == 95.0
    assert shown(published.cell("minutes_to_debrief", kind="minutes")) == 1500.0
    assert shown(published.cell("accepted_within_target", kind="percent")) == 75.0


def test_per_link_worker_figures_need_k_link_workers():
    four = people(link_workers=4, invited=4, answered=4, people_keys=people_keys(4))
    months = tuple(MonthStandard(month=m, link_workers=lw, met=met) for m, lw, met in
                   zip(CURRENT.months, (4, 8, 9), (4, 8, 9)))
    organisation = figures(people=four, reflecting=3, supervision=supervision(
        sessions_held=13, people_attending=4, attended_hours=9.0, months=months))
    published = report(organisation, k=5)
    assert shown(published.cell("link_workers")) == "* small_count"
    assert shown(published.cell("sessions_held")) == 15  # not per person: rule 2 only
    assert shown(published.cell("people_attending", kind="percent")) == "* fewer_than_k"
    assert shown(published.cell("hours_per_link_worker", kind="hours")) == "* fewer_than_k"
    assert shown(published.cell("reflecting", kind="percent")) == "* fewer_than_k"
    assert shown(published.cell("met_standard", "month_1")) == "* fewer_than_k"
    assert shown(published.cell("met_standard", "month_2")) == 10
    assert shown(published.cell("met_standard", "month_2", "percent")) == 100.0  # not a sensitive band
    assert shown(published.cell("met_standard", "month_3", "percent")) == 100.0  # 10 of 10
    assert shown(report(organisation, k=9).cell("met_standard", "month_2")) == "* fewer_than_k"


# ---- rule 2: counts ---------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "expected"), [
    (0, 0), (1, "* small_count"), (5, "* small_count"), (7, "* small_count"), (8, 10), (12, 10), (13, 15),
    (17, 15), (18, 20), (102, 100), (103, 105)])
def test_counts_from_one_to_seven_are_stars_and_the_rest_round_to_five(count, expected):
    published = report(figures(supervision=supervision(no_shows=count)))
    assert shown(published.cell("no_shows")) == expected


def test_rounding_never_gives_a_count_from_one_to_seven():
    assert [round_count(n) for n in range(8, 23)] == [10] * 5 + [15] * 5 + [20] * 5
    assert round_count(0) == 0


def test_percentages_are_of_the_rounded_counts():
    published = report(figures(people=people(invited=22, answered=13, link_workers=60)))
    assert shown(published.cell("answered")) == 15
    assert shown(published.cell("invited")) == 20
    assert shown(published.cell("participation", kind="percent")) == 75.0  # 15 / 20, not 13 / 22


def test_a_share_of_a_suppressed_count_is_suppressed_for_the_same_reason():
    published = report(figures(people=people(invited=6, answered=6)))
    assert shown(published.cell("invited")) == "* small_count"
    assert shown(published.cell("participation", kind="percent")) == "* small_count"


# ---- rule 4: no uniformity --------------------------------------------------------------------
# A distribution with a band of 0% or 100% is hidden whole, linked figures too, for a reason that
# does not say why (complementary): hiding only the uniform bands would tell what they hide.

def _every_cell_of(published, measure, categories, kinds=("count", "percent")):
    return {(c, kind): shown(published.cell(measure, c, kind)) for c in categories for kind in kinds}


def test_nobody_in_a_band_hides_the_whole_distribution():
    published = report(figures(wellbeing=wellbeing(single_item={"1": 0, "2": 12, "3": 13, "4": 15, "5": 10})))
    assert set(_every_cell_of(published, "single_item", LIKERT).values()) == {"* complementary"}
    assert shown(published.cell("burning_out")) == "* complementary"
    assert shown(published.cell("burning_out", kind="percent")) == "* complementary"
    assert shown(published.cell("monthly_respondents")) == 50


def test_no_one_in_three_bands_does_not_reveal_that_everyone_is_burning_out_or_not():
    # The reviewer's case: 1, 2 and 5 empty; 3 and 4 published would say 100% are burning out.
    published = report(figures(wellbeing=wellbeing(single_item={"1": 0, "2": 0, "3": 10, "4": 10, "5": 0})))
    assert set(_every_cell_of(published, "single_item", LIKERT).values()) == {"* complementary"}
    assert shown(published.cell("burning_out")) == "* complementary"
    assert shown(published.cell("burning_out", kind="percent")) == "* complementary"


def test_everybody_in_a_band_is_not_published():
    single = {"1": 0, "2": 50, "3": 0, "4": 0, "5": 0}
    published = report(figures(wellbeing=wellbeing(single_item=single)))
    assert set(_every_cell_of(published, "single_item", LIKERT).values()) == {"* complementary"}
    assert shown(published.cell("burning_out")) == "* complementary"  # none burning out: 0%
    assert shown(published.cell("burning_out", kind="percent")) == "* complementary"
    assert shown(published.cell("monthly_respondents")) == 50


def test_rounding_that_would_show_a_hundred_percent_is_uniform_too():
    # 11 of 12 burning out would read "10 of 10", 100%; a small count keeps its own reason.
    single = {"1": 1, "2": 0, "3": 11, "4": 0, "5": 0}
    published = report(figures(wellbeing=wellbeing(single_item=single)))
    assert shown(published.cell("burning_out")) == "* complementary"
    assert shown(published.cell("single_item", "3")) == "* complementary"
    assert shown(published.cell("single_item", "1")) == "* small_count"


def test_rounding_to_a_hundred_percent_alone_hides_the_distribution():
    # No band empty, but 63 of 65 burning out reads "65 of 65", 100%; the two small bands round to 0%.
    single = {"1": 1, "2": 1, "3": 21, "4": 21, "5": 21}
    published = report(figures(wellbeing=wellbeing(single_item=single)))
    assert shown(published.cell("burning_out")) == "* complementary"
    assert [shown(published.cell("single_item", v)) for v in LIKERT] == [
        "* small_count", "* small_count", "* complementary", "* complementary", "* complementary"]


@pytest.mark.parametrize("bands", [{"under_50": 0, "50_or_more": 40}, {"under_50": 40, "50_or_more": 0}])
def test_a_cbi_scale_on_one_side_of_fifty_hides_its_bands_and_its_mean(bands):
    scales = {s: ScaleFigures(40, 45.25, {"under_50": 22, "50_or_more": 18}) for s in SCALES}
    scales["work"] = ScaleFigures(40, 61.0 if bands["50_or_more"] else 30.0, bands)
    published = report(figures(wellbeing=wellbeing(scales=scales)))
    assert set(_every_cell_of(published, "cbi_work", SCALE_BANDS).values()) == {"* complementary"}
    assert shown(published.cell("cbi_mean", "work", "mean")) == "* complementary"
    # The other scales are untouched.
    assert shown(published.cell("cbi_mean", "personal", "mean")) == 45.3
    assert shown(published.cell("cbi_personal", "under_50")) == 20


def test_the_distributions_of_the_trend_and_the_benchmark_are_hidden_whole_too():
    single = {"1": 0, "2": 0, "3": 10, "4": 10, "5": 0}
    earlier = figures(Quarter(2026, 2), wellbeing=wellbeing(single_item=single, respondent_keys=respondent_keys(20)))
    published = report(previous=(earlier,))
    for v in LIKERT:
        assert shown(published.cell("single_item", v, quarter="2026-Q2")) in ("* complementary", "* comparison")
    national_single = {"1": 0, "2": 200, "3": 100, "4": 100, "5": 100}
    published = report(national_figures=national(wellbeing=wellbeing(
        single_item=national_single, agreement={i: {v: 100 for v in LIKERT} for i in AGREEMENT_ITEMS},
        cbi_respondents=400, welsh_respondents=100, respondent_keys=respondent_keys(500),
        scales={s: ScaleFigures(400, 47.0, {"under_50": 210, "50_or_more": 190}) for s in SCALES})))
    assert {shown(published.cell("single_item", v, scope=NATIONAL)) for v in LIKERT} == {"* complementary"}
    assert shown(published.cell("burning_out", scope=NATIONAL)) == "* complementary"


def test_every_debrief_about_one_thing_hides_the_breakdown():
    by_category = {c: 0 for c in CATEGORIES} | {"aggression": 60}
    published = report(figures(debriefs=debriefs(by_category=by_category)))
    assert {shown(published.cell("by_category", c)) for c in CATEGORIES} == {"* complementary"}
    assert shown(published.cell("requests")) == 60
    assert shown(published.cell("by_urgency", URGENCIES[0])) == 20  # other breakdowns are untouched


def test_every_check_in_worse_is_not_published():
    published = report(figures(debriefs=debriefs(check_ins={"better": 0, "same": 0, "worse": 20})))
    assert set(_every_cell_of(published, "check_ins", CHECK_IN_ANSWERS).values()) == {"* complementary"}


def test_no_cell_ever_carries_the_uniform_reason():
    single = {"1": 0, "2": 50, "3": 0, "4": 0, "5": 0}
    scales = {s: ScaleFigures(40, 61.0, {"under_50": 0, "50_or_more": 40}) for s in SCALES}
    published = report(figures(wellbeing=wellbeing(single_item=single, scales=scales),
                               debriefs=debriefs(check_ins={"better": 0, "same": 0, "worse": 20})))
    assert published.suppressed_cells()
    assert all(cell.reason != Reason.uniform for cell in published.cells)


# ---- rule 3: complementary suppression ------------------------------------------------------

def test_one_small_category_takes_the_next_smallest_with_it():
    single = {"1": 3, "2": 10, "3": 12, "4": 15, "5": 10}
    published = report(figures(wellbeing=wellbeing(single_item=single)))
    assert [shown(published.cell("single_item", v)) for v in LIKERT] == [
        "* small_count", "* complementary", 10, 15, 10]
    assert [shown(published.cell("single_item", v, "percent")) for v in LIKERT] == [
        "* small_count", "* complementary", 20.0, 30.0, 20.0]
    assert shown(published.cell("burning_out")) == 35  # 37: 3 to 5 are all published


def test_two_suppressed_categories_need_no_more():
    single = {"1": 3, "2": 4, "3": 12, "4": 15, "5": 10}
    published = report(figures(wellbeing=wellbeing(single_item=single)))
    assert [shown(published.cell("single_item", v)) for v in LIKERT] == [
        "* small_count", "* small_count", 10, 15, 10]


def test_a_lone_star_in_a_small_breakdown_takes_the_other():
    bands = {"under_50": 5, "50_or_more": 35}
    scales = {s: ScaleFigures(40, 60.0, bands) for s in SCALES}
    published = report(figures(wellbeing=wellbeing(scales=scales)))
    assert shown(published.cell("cbi_work", "under_50")) == "* small_count"
    assert shown(published.cell("cbi_work", "50_or_more")) == "* complementary"
    assert shown(published.cell("cbi_work", "50_or_more", "percent")) == "* complementary"
    assert shown(published.cell("cbi_mean", "work", "mean")) == 60.0


def test_debrief_urgencies_against_the_published_total():
    published = report(figures(debriefs=debriefs(by_urgency={"today": 2, "three_days": 28, "this_week": 30})))
    assert [shown(published.cell("by_urgency", u)) for u in URGENCIES] == [
        "* small_count", "* complementary", 30]


def test_national_cell_goes_when_the_other_organisations_bring_fewer_than_k():
    organisation = figures(wellbeing=wellbeing(single_item={"1": 4, "2": 4, "3": 12, "4": 15, "5": 15}))
    # Nationally, band 1 is this organisation's 4 and 4 more: 8, published as 10 on its own.
    national_single = {"1": 8, "2": 104, "3": 100, "4": 100, "5": 100}
    published = report(organisation, national_figures=national(wellbeing=wellbeing(
        single_item=national_single, respondent_keys=respondent_keys(412))))
    assert shown(published.cell("single_item", "1", scope=NATIONAL)) == "* complementary"
    # The national lone `*` then takes others with it, as in any breakdown: 3 (the smallest), 4
    # (3 to 5 add up to the published burning out), 2 (1, 2 and burning out add up to the total).
    assert [shown(published.cell("single_item", v, scope=NATIONAL)) for v in LIKERT] == [
        "* complementary", "* complementary", "* complementary", "* complementary", 100]
    assert shown(published.cell("burning_out", scope=NATIONAL)) == 300
    # With k = 5 and 5 others, it stays.
    national_single["1"] = 9
    published = report(organisation, national_figures=national(wellbeing=wellbeing(
        single_item=national_single, respondent_keys=respondent_keys(413))))
    assert shown(published.cell("single_item", "1", scope=NATIONAL)) == 10


def test_national_mean_goes_when_the_organisation_is_suppressed_and_others_are_few():
    organisation = figures(wellbeing=wellbeing(scales={s: ScaleFigures(3, 70.0, {"under_50": 1, "50_or_more": 2})
                                                       for s in SCALES}))
    few_others = national(wellbeing=wellbeing(scales={s: ScaleFigures(7, 55.0, {"under_50": 3, "50_or_more": 4})
                                                      for s in SCALES}))
    published = report(organisation, national_figures=few_others)
    assert shown(published.cell("cbi_mean", "personal", "mean", scope=NATIONAL)) == "* complementary"
    published = report(organisation, national_figures=national())
    assert shown(published.cell("cbi_mean", "personal", "mean", scope=NATIONAL)) == 47.0


def test_a_single_organisation_national_figure_follows_every_suppression():
    organisation = figures(wellbeing=wellbeing(single_item={"1": 3, "2": 10, "3": 12, "4": 15, "5": 10}),
                           supervision=supervision(no_shows=2))
    # Even where the national figures were somehow larger, nothing suppressed here is shown there.
    alone = figures(organisations=1, supervision=supervision(no_shows=40),
                    wellbeing=wellbeing(single_item={"1": 30, "2": 10, "3": 12, "4": 15, "5": 10}))
    published = report(organisation, national_figures=alone)
    for measure, category in (("single_item", "1"), ("single_item", "2"), ("no_shows", "")):
        assert shown(published.cell(measure, category, scope=NATIONAL)) == "* complementary"
    same = report(organisation, national_figures=dataclasses.replace(organisation, organisation_id=None))
    organisation_cells = {(c.measure, c.category, c.kind): c.reason for c in same.cells if c.scope == ORGANISATION
                          and c.quarter == "2026-Q3"}
    national_cells = {(c.measure, c.category, c.kind): c.reason for c in same.cells if c.scope == NATIONAL}
    assert {a for a, r in organisation_cells.items() if r} == {a for a, r in national_cells.items() if r}


# ---- rule 5: comparison between quarters -----------------------------------------------------

PREVIOUS = Quarter(2026, 2)


def _trend(published: PublishedReport, measure: str, category: str = "", kind: str = "count"):
    return shown(published.cell(measure, category, kind, quarter=PREVIOUS.key))


def test_the_same_respondents_may_be_compared():
    published = report(previous=(figures(PREVIOUS),))
    assert _trend(published, "single_item", "2") == 10
    assert _trend(published, "cbi_mean", "work", "mean") == 45.3


def test_one_person_joining_withholds_the_current_quarter():
    # The earlier quarter met k, so its own report may have published it: this quarter's figures,
    # read beside that report, would tell the newcomer's answers.
    # Debrief, supervision and reflection figures go by what stands behind them: the newcomer's one
    # request and answered check-in, attended session and reflection.
    earlier = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=respondent_keys(49)),
                      people=people(people_keys=people_keys(59)), debriefs=debriefs(**debrief_keys(59, 50, 45, 10, 29)),
                      supervision=supervision(**supervision_keys(49, 20, 10)), reflection_keys=reflection_keys(39))
    published = report(previous=(earlier,))
    for measure, category, kind in (("single_item", "2", "count"), ("single_item", "2", "percent"),
                                    ("burning_out", "", "percent"), ("cbi_mean", "work", "mean"),
                                    ("answered", "", "count"), ("participation", "", "percent"),
                                    ("sessions_held", "", "count"), ("hours_per_link_worker", "", "hours"),
                                    ("met_standard", "month_1", "percent"), ("requests", "", "count"),
                                    ("check_ins", "worse", "count"), ("reflecting", "", "percent")):
        assert shown(published.cell(measure, category, kind)) == "* comparison", measure
        # The earlier quarter stands on its own, as in its own report.
        assert _trend(published, measure, category, kind) != "* comparison", measure
    # Headcounts are not about anyone's wellbeing.
    assert shown(published.cell("link_workers")) == 60


@pytest.mark.parametrize(("k", "changed", "compared"), [(5, 4, False), (5, 5, True), (8, 7, False), (8, 8, True)])
def test_k_people_changed_may_be_compared(k, changed, compared):
    # `changed` people changed between the quarters: some left, the rest of them joined.
    left, joined = changed // 2, changed - changed // 2
    keys = respondent_keys(50 - left, start=left) | respondent_keys(joined, start=1000)
    earlier = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=keys))
    published = report(previous=(earlier,), k=k)
    assert (shown(published.cell("single_item", "2")) == 10) is compared
    assert (shown(published.cell("single_item", "2")) == "* comparison") is not compared
    assert _trend(published, "single_item", "2") == 10  # the earlier quarter is shown either way
    assert shown(published.cell("sessions_held")) == 90  # the link workers were the same


def test_both_quarters_must_meet_k():
    # The current quarter has too few respondents: it is not shown, and nothing is compared with it;
    # the earlier quarter, which met k, stands on its own as in its own report.
    organisation = figures(wellbeing=wellbeing(monthly_respondents=4, single_item={v: 0 for v in LIKERT} | {"2": 4}))
    published = report(organisation, previous=(figures(PREVIOUS),))
    assert shown(published.cell("monthly_respondents")) == "* fewer_than_k"
    assert _trend(published, "monthly_respondents") == 50
    assert shown(published.cell("cbi_respondents")) == 40  # the CBI had its 40 in both


def test_a_figure_published_below_k_is_withheld_beside_an_earlier_quarter_that_met_k():
    # Rule 1 does not judge a count of sessions, so four link workers' sessions are published on
    # their own; beside an earlier report of sixty, the difference would be the others' sessions.
    four = people(link_workers=4, invited=4, answered=4, people_keys=people_keys(4))
    alone = report(figures(people=four))
    assert shown(alone.cell("sessions_held")) == 90
    published = report(figures(people=four), previous=(figures(PREVIOUS),))
    assert shown(published.cell("sessions_held")) == "* comparison"
    assert _trend(published, "sessions_held") == 90
    assert shown(published.cell("hours_per_link_worker", kind="hours")) == "* fewer_than_k"  # rule 1 first


def test_an_earlier_quarter_with_too_few_is_fewer_than_k_not_comparison():
    earlier = figures(PREVIOUS, wellbeing=wellbeing(monthly_respondents=3, respondent_keys=respondent_keys(3)))
    assert _trend(report(previous=(earlier,)), "monthly_respondents") == "* fewer_than_k"


def test_two_earlier_quarters_one_person_apart_are_not_both_shown():
    # Each differs from the current quarter by 50 people, but from each other by one.
    q1 = figures(Quarter(2026, 1), wellbeing=wellbeing(respondent_keys=respondent_keys(50, start=500)))
    q2 = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=respondent_keys(51, start=500)))
    published = report(previous=(q1, q2))
    assert _trend(published, "single_item", "2") == 10  # the newest is kept
    assert shown(published.cell("single_item", "2", quarter="2026-Q1")) == "* comparison"
