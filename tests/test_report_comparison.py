"""Rule 5 (DESIGN.md) beyond one report's trend: each figure compared by its own respondents; the
current quarter against the earlier quarters a reader holds in their own reports; a draft of the
quarter's whole months so far against its earlier month-end cut; and an issued report against the
cuts its drafts showed."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from supervision.accounts.models import Organisation, Role
from supervision.extensions import db
from supervision.pulse.respondent import respondent_key
from supervision.reports.aggregate import draft_cutoff, quarter_figures, report_input
from supervision.reports.aggregate_wellbeing import MONTHLY_ITEMS
from supervision.reports.disclosure_figures import Kept
from supervision.reports.disclosure_rules import people_of
from supervision.reports.figures import SCALES, ReportInput
from supervision.reports.generation import NothingToDraft, generate
from supervision.reports.models import QuarterlyReport, ReportStatus
from supervision.reports.published import Reason
from supervision.reports.quarters import Quarter

from . import test_report_disclosure as stage2
from .test_report_aggregation import joined
from .test_report_disclosure import PREVIOUS, figures, respondent_keys, shown, wellbeing

UTC = timezone.utc
Q3 = Quarter(2026, 3)  # July to September 2026, in BST: month ends are 23:00 UTC the day before
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
MONTHLY_FIGURES = (("monthly_respondents", "", "count"), ("single_item", "2", "count"),
                   ("burning_out", "", "percent"), ("agreement_S1", "3", "count"))
CBI_FIGURES = (("cbi_respondents", "", "count"), ("cbi_mean", "work", "mean"), ("cbi_personal", "under_50", "count"))


def _report(current, previous=(), earlier_cuts=(), k=5):
    data = ReportInput(organisation=current, national=stage2.national(), previous=previous, k=k, draft=False,
                       earlier_cuts=earlier_cuts)
    return stage2.disclose(data, organisation_name="Cwm Taf Link Workers")


def _one_person_more(keys: frozenset[str]) -> frozenset[str]:
    return keys | {"respondent-key-newcomer"}


# ---- each figure by its own respondents ------------------------------------------------------

def test_a_change_among_the_cbi_respondents_withholds_only_the_cbi_figures():
    same = respondent_keys(50)
    current = figures(wellbeing=wellbeing(respondent_keys=same))
    earlier_wellbeing = dataclasses.replace(wellbeing(respondent_keys=same), cbi_keys=_one_person_more(same),
                                            scale_keys={s: _one_person_more(same) for s in SCALES})
    published = _report(current, previous=(figures(PREVIOUS, wellbeing=earlier_wellbeing),))
    for measure, category, kind in MONTHLY_FIGURES:
        assert shown(published.cell(measure, category, kind)) != "* comparison", measure
    for measure, category, kind in CBI_FIGURES:
        assert shown(published.cell(measure, category, kind)) == "* comparison", measure
    # Those who answered either instrument are one more person too.
    assert shown(published.cell("answered")) == "* comparison"
    assert shown(published.cell("participation", kind="percent")) == "* comparison"


def test_a_change_among_the_monthly_respondents_withholds_only_the_monthly_figures():
    same, more = respondent_keys(50), _one_person_more(respondent_keys(50))
    earlier_wellbeing = dataclasses.replace(wellbeing(respondent_keys=same), monthly_keys=more,
                                            item_keys={item: more for item in MONTHLY_ITEMS})
    published = _report(figures(), previous=(figures(PREVIOUS, wellbeing=earlier_wellbeing),))
    for measure, category, kind in MONTHLY_FIGURES:
        assert shown(published.cell(measure, category, kind)) == "* comparison", measure
    for measure, category, kind in CBI_FIGURES:
        assert shown(published.cell(measure, category, kind)) != "* comparison", measure


def test_each_monthly_item_is_compared_by_those_who_answered_it():
    """The items are optional: five newcomers of whom one answered S2 are a change of one for S2."""
    same = respondent_keys(50)
    five_more = same | respondent_keys(5, start=100)
    item_keys = {item: five_more for item in MONTHLY_ITEMS} | {"S2": same | respondent_keys(1, start=100)}
    current = figures(wellbeing=dataclasses.replace(wellbeing(respondent_keys=same), monthly_keys=five_more,
                                                    item_keys=item_keys))
    published = _report(current, previous=(figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=same)),))
    assert shown(published.cell("agreement_S2", "3")) == "* comparison"
    assert shown(published.cell("agreement_S1", "3")) == 10
    assert shown(published.cell("single_item", "3")) == 10
    assert shown(published.cell("monthly_respondents")) == 50


def test_answering_again_between_two_cuts_of_a_quarter_is_a_change_of_one_person():
    """The same people behind a draft's earlier cut and the quarter, but one of them answered again
    since: the figures differ by that person's change, so they are withheld."""
    keys = frozenset((f"respondent-{n:03d}", f"response-{n:03d}") for n in range(50))
    again = (keys - {("respondent-007", "response-007")}) | {("respondent-007", "response-again")}
    cut = figures(wellbeing=wellbeing(respondent_keys=keys))
    published = _report(figures(wellbeing=wellbeing(respondent_keys=again)), earlier_cuts=(cut,))
    assert shown(published.cell("single_item", "3")) == "* comparison"
    assert shown(published.cell("monthly_respondents")) == "* comparison"
    # Across quarters everyone answers afresh: the same people are no change at all.
    previous = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=keys))
    assert shown(_report(figures(wellbeing=wellbeing(respondent_keys=again)), previous=(previous,))
                 .cell("single_item", "3")) == 10


def test_a_newcomer_beside_people_who_answered_again_is_still_one_newcomer():
    """Four answered again since the draft's cut and one joined: five people's part changed, but the
    respondents differ by one, whose answers the two versions could give away."""
    keys = frozenset((f"respondent-{n:03d}", f"response-{n:03d}") for n in range(50))
    again = {(f"respondent-{n:03d}", f"response-again-{n:03d}") for n in range(4)}
    now = (keys - {(f"respondent-{n:03d}", f"response-{n:03d}") for n in range(4)}) | again | {
        ("respondent-newcomer", "response-newcomer")}
    cut = figures(wellbeing=wellbeing(respondent_keys=keys))
    published = _report(figures(wellbeing=wellbeing(respondent_keys=now)), earlier_cuts=(cut,))
    assert shown(published.cell("single_item", "3")) == "* comparison"
    # Five newcomers are enough, whoever else answered again.
    five = now | {(f"respondent-new-{n}", f"response-new-{n}") for n in range(4)}
    published = _report(figures(wellbeing=wellbeing(respondent_keys=five)), earlier_cuts=(cut,))
    assert shown(published.cell("single_item", "3")) == 10


def test_each_cbi_scale_is_compared_by_those_whose_answers_scored_it():
    same = respondent_keys(50)
    scale_keys = {s: same for s in SCALES} | {"work": _one_person_more(same)}
    earlier_wellbeing = dataclasses.replace(wellbeing(respondent_keys=same), scale_keys=scale_keys)
    published = _report(figures(), previous=(figures(PREVIOUS, wellbeing=earlier_wellbeing),))
    assert shown(published.cell("cbi_mean", "work", "mean")) == "* comparison"
    assert shown(published.cell("cbi_work", "50_or_more")) == "* comparison"
    assert shown(published.cell("cbi_mean", "personal", "mean")) == 45.3
    assert shown(published.cell("cbi_client", "50_or_more")) == 20
    assert shown(published.cell("cbi_respondents")) == 40  # the CBI's respondents were the same


def test_stage_one_gives_each_instrument_and_scale_its_own_respondents(app, make):
    organisation = make.organisation(created_at=LONG_AGO)
    monthly_only, both, personal_only = (make.user(Role.link_worker, organisation=organisation) for _ in range(3))
    monthly = make.pulse_round(organisation, year=2026, month=7, opens_at=datetime(2026, 7, 1, 9, tzinfo=UTC))
    cbi = make.pulse_round(organisation, instrument="cbi", year=2026, month=8,
                           opens_at=datetime(2026, 8, 1, 9, tzinfo=UTC))
    make.pulse_response(monthly_only, monthly, {"B1": 2, "S1": 4, "S3": 4})  # S2 left blank
    make.pulse_response(both, monthly, {"B1": 2, "S1": 4, "S2": 4, "S3": 4})
    every_scale = {f"{s}{n}": 50 for s in "PWC" for n in range(1, 7)} | {"W7": 50}
    make.pulse_response(both, cbi, every_scale)
    make.pulse_response(personal_only, cbi, {"P1": 75, "P2": 75, "P3": 75, "W1": 75})  # too few work items
    with app.app_context():
        w = quarter_figures(Q3, organisation.id).wellbeing
        key = {person.id: respondent_key(person.id) for person in (monthly_only, both, personal_only)}
    assert people_of(w.monthly_keys) == {key[monthly_only.id], key[both.id]}
    assert {item: people_of(keys) for item, keys in w.item_keys.items()} == {
        "B1": {key[monthly_only.id], key[both.id]}, "S1": {key[monthly_only.id], key[both.id]},
        "S2": {key[both.id]}, "S3": {key[monthly_only.id], key[both.id]}}
    assert people_of(w.cbi_keys) == {key[both.id], key[personal_only.id]}
    assert {s: people_of(keys) for s, keys in w.scale_keys.items()} == {
        "personal": {key[both.id], key[personal_only.id]}, "work": {key[both.id]}, "client": {key[both.id]}}
    assert people_of(w.respondent_keys) == set(key.values())
    # Each key names the person's latest response: one per person and instrument.
    assert len(w.monthly_keys) == 2 and len(w.cbi_keys) == 2 and len({r for _, r in w.respondent_keys}) == 4
    assert [w.scales[s].scored for s in SCALES] == [len(w.scale_keys[s]) for s in SCALES]
    assert "keys" not in repr(w)


# ---- across issued reports -------------------------------------------------------------------

@pytest.mark.parametrize(("earlier_keys", "published_now"), [
    (respondent_keys(49), False),  # one person joined
    (respondent_keys(51), False),  # one person left
    (respondent_keys(50), True),  # the same people
    (respondent_keys(45), True),  # five joined
    (respondent_keys(47, start=3) | respondent_keys(2, start=900), True),  # three joined, two left
    (respondent_keys(48, start=2) | respondent_keys(2, start=900), False),  # two joined, two left
])
def test_the_current_quarter_is_published_beside_an_earlier_one_only_when_comparable(earlier_keys, published_now):
    earlier = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=earlier_keys))
    published = _report(figures(), previous=(earlier,))
    assert (shown(published.cell("single_item", "2")) == 10) is published_now
    assert (shown(published.cell("single_item", "2")) == "* comparison") is not published_now
    # The earlier quarter is shown as its own report showed it, either way.
    assert shown(published.cell("single_item", "2", quarter=PREVIOUS.key)) == 10


def test_every_earlier_quarter_that_met_k_counts_not_only_the_latest():
    oldest = figures(Quarter(2025, 4), wellbeing=wellbeing(respondent_keys=respondent_keys(49)))
    published = _report(figures(), previous=(oldest, figures(Quarter(2026, 1)), figures(PREVIOUS)))
    assert shown(published.cell("single_item", "2")) == "* comparison"
    # The two that are the same as each other are still shown; the odd one out is not beside them.
    assert shown(published.cell("single_item", "2", quarter="2026-Q2")) == 10
    assert shown(published.cell("single_item", "2", quarter="2026-Q1")) == 10
    assert shown(published.cell("single_item", "2", quarter="2025-Q4")) == "* comparison"


def test_an_earlier_quarter_below_k_was_never_published_and_does_not_count():
    few = figures(PREVIOUS, wellbeing=wellbeing(monthly_respondents=3, single_item={"1": 0, "2": 3, "3": 0, "4": 0,
                                                                                     "5": 0},
                                                     respondent_keys=respondent_keys(3)))
    published = _report(figures(), previous=(few,))
    assert shown(published.cell("monthly_respondents")) == 50
    assert published.cell("monthly_respondents", quarter=PREVIOUS.key).reason == Reason.fewer_than_k


# ---- drafts: the quarter's whole months so far -----------------------------------------------

@pytest.mark.parametrize(("now", "cutoff"), [
    (datetime(2026, 7, 1, 9, tzinfo=UTC), None),  # the first month
    (datetime(2026, 7, 31, 22, 59, tzinfo=UTC), None),  # 23:59 on 31 July in London
    (datetime(2026, 7, 31, 23, 0, tzinfo=UTC), datetime(2026, 7, 31, 23, 0, tzinfo=UTC)),  # midnight, 1 August
    (datetime(2026, 8, 15, 12, tzinfo=UTC), datetime(2026, 7, 31, 23, 0, tzinfo=UTC)),
    (datetime(2026, 9, 30, 22, 0, tzinfo=UTC), datetime(2026, 8, 31, 23, 0, tzinfo=UTC)),
    (datetime(2026, 10, 2, tzinfo=UTC), datetime(2026, 9, 30, 23, 0, tzinfo=UTC)),  # over: the whole quarter
    (datetime(2026, 6, 20, tzinfo=UTC), None),  # before it began
])
def test_a_draft_stops_at_the_start_of_the_month_in_london(now, cutoff):
    assert draft_cutoff(Q3, now) == cutoff


def test_a_draft_stops_at_the_start_of_the_month_across_the_clock_change():
    q4 = Quarter(2026, 4)  # the clocks go back on 25 October: 1 December is midnight GMT
    assert draft_cutoff(q4, datetime(2026, 12, 3, tzinfo=UTC)) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert draft_cutoff(q4, datetime(2026, 11, 3, tzinfo=UTC)) == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def team(app, make) -> Organisation:
    """Ten link workers who answered July's pulse, and an eleventh who answered only August's."""
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    people = [make.user(Role.link_worker, organisation=organisation) for _ in range(11)]
    for person in people:
        joined(app, person, LONG_AGO)
    july = make.pulse_round(organisation, year=2026, month=7, opens_at=datetime(2026, 7, 1, 9, tzinfo=UTC))
    august = make.pulse_round(organisation, year=2026, month=8, opens_at=datetime(2026, 8, 3, 9, tzinfo=UTC))
    for n, person in enumerate(people[:10]):
        make.pulse_response(person, july, {"B1": 1 + n % 5, "S1": 1 + n % 5, "S2": 3, "S3": 3})
    make.pulse_response(people[10], august, {"B1": 3, "S1": 3, "S2": 3, "S3": 3})
    return organisation


def _org(organisation: Organisation) -> Organisation:
    return db.session.get(Organisation, organisation.id)


def test_a_draft_counts_whole_months_and_two_drafts_in_a_month_are_the_same(app, ctx, team):
    august_end = Q3.month_ends()[1]
    early, late = (report_input(_org(team), Q3, draft=True, now=datetime(2026, 9, day, 12, tzinfo=UTC))
                   for day in (2, 29))
    assert early == late
    assert early.organisation == quarter_figures(Q3, team.id, until=august_end)
    assert early.organisation.wellbeing.monthly_respondents == 11
    # A draft in August counts July only.
    assert report_input(_org(team), Q3, draft=True, now=datetime(2026, 8, 20, tzinfo=UTC)).organisation.wellbeing \
        .monthly_respondents == 10


def test_a_draft_in_the_first_month_is_refused(app, ctx, team):
    with pytest.raises(NothingToDraft):
        generate(_org(team), Q3, status=ReportStatus.draft, now=datetime(2026, 7, 20, tzinfo=UTC))
    with pytest.raises(ValueError):
        report_input(_org(team), Q3, draft=True, now=datetime(2026, 7, 20, tzinfo=UTC))


@pytest.mark.parametrize(("draft", "drafted_at", "cuts"), [
    (True, datetime(2026, 8, 20, tzinfo=UTC), 0),  # months 1: nothing earlier
    (True, datetime(2026, 9, 20, tzinfo=UTC), 1),  # months 1-2: the cut after month 1
    (False, None, 0),  # issued, never drafted
    (False, datetime(2026, 8, 20, tzinfo=UTC), 1),  # the admin can have seen the cut after month 1
    (False, datetime(2026, 9, 20, tzinfo=UTC), 2),  # and after month 2
])
def test_the_earlier_cuts_are_the_month_ends_an_admin_may_have_seen(app, ctx, team, draft, drafted_at, cuts):
    if draft:
        data = report_input(_org(team), Q3, draft=True, now=drafted_at)
    else:
        data = report_input(_org(team), Q3, drafted_at=drafted_at)
    ends = Q3.month_ends()
    assert [cut.wellbeing.monthly_respondents for cut in data.earlier_cuts] == [10, 11][:cuts]
    assert data.earlier_cuts == tuple(quarter_figures(Q3, team.id, until=end) for end in ends[:cuts])


def test_a_draft_is_not_published_beside_its_earlier_cut_across_one_person(app, ctx, team):
    # August's draft (July) publishes the ten; September's (July and August) would add the eleventh.
    august = generate(_org(team), Q3, status=ReportStatus.draft, now=datetime(2026, 8, 20, tzinfo=UTC)).report()
    assert august.cell("monthly_respondents").value == 10
    september = generate(_org(team), Q3, status=ReportStatus.draft,
                         now=datetime(2026, 9, 20, tzinfo=UTC)).report()
    assert september.cell("monthly_respondents").reason == Reason.comparison
    assert september.cell("answered").reason == Reason.comparison
    assert september.cell("link_workers").value == 10  # the same eleven link workers throughout


def test_an_issued_report_is_not_published_beside_its_drafts_across_one_person(app, ctx, team):
    issued_at = datetime(2026, 10, 1, 8, tzinfo=UTC)
    never_drafted = generate(_org(team), Q3, status=ReportStatus.issued, now=issued_at)
    assert never_drafted.report().cell("monthly_respondents").value == 10  # 11, rounded
    db.session.delete(never_drafted)
    db.session.flush()
    # Issued again, this time after an admin's draft in August showed the ten of July.
    generate(_org(team), Q3, status=ReportStatus.draft, now=datetime(2026, 8, 20, tzinfo=UTC))
    issued = generate(_org(team), Q3, status=ReportStatus.issued, now=issued_at)
    db.session.commit()
    assert issued.report().cell("monthly_respondents").reason == Reason.comparison
    assert db.session.scalars(select(QuarterlyReport.status)).all() == [ReportStatus.issued]


# ---- a trend shows only what each quarter's own report published ---------------------------------

def _with_published_before(current, previous, published_before):
    data = ReportInput(organisation=current, national=stage2.national(), previous=previous, k=5, draft=False,
                       published_before=published_before)
    return stage2.disclose(data, organisation_name="Cwm Taf Link Workers")


def _as_issued(earlier, withheld=frozenset(), changed=frozenset()) -> dict:
    """`earlier`'s quarter as its own issued report stored it: the cells a trend would show, with
    `withheld` (measure, category) withheld there under rule 5, and `changed` cells published with
    another value (someone has left since)."""
    trend = _with_published_before(figures(), (earlier,), None)
    stored = {}
    for cell in trend.cells:
        if cell.scope == "organisation" and cell.quarter == PREVIOUS.key:
            if (cell.measure, cell.category) in withheld:
                cell = dataclasses.replace(cell, value=None, reason=Reason.comparison)
            elif (cell.measure, cell.category, cell.kind) in changed:
                cell = dataclasses.replace(cell, value=cell.value + 5)
            stored[(cell.measure, cell.category, cell.kind)] = cell
    return {PREVIOUS.key: stored}


def test_a_trend_leaves_out_what_an_earlier_quarters_own_report_withheld_or_never_issued():
    earlier = figures(PREVIOUS)  # the same people as the current quarter: comparable by their keys
    trend_cell = ("single_item", "2", "count")
    # Published in its own report: shown in the trend.
    shown_report = _with_published_before(figures(), (earlier,), _as_issued(earlier))
    assert shown(shown_report.cell(*trend_cell, quarter=PREVIOUS.key)) not in ("* comparison",)
    # Its own report withheld the monthly figures (rule 5 against the quarter before it, or a draft):
    # they never reappear beside later quarters, though its CBI figures, published, still may.
    withheld = frozenset({("single_item", "2"), ("monthly_respondents", "")})
    hidden_report = _with_published_before(figures(), (earlier,), _as_issued(earlier, withheld))
    for measure, category, kind in (("single_item", "2", "count"), ("single_item", "4", "count"),
                                    ("monthly_respondents", "", "count")):
        assert shown(hidden_report.cell(measure, category, kind, quarter=PREVIOUS.key)) == "* comparison", measure
        assert shown(hidden_report.cell(measure, category, kind)) != "* comparison", measure
    # Each group goes by what its own report did: S1 and the CBI were published, and still are.
    assert shown(hidden_report.cell("agreement_S1", "3", "count", quarter=PREVIOUS.key)) != "* comparison"
    assert shown(hidden_report.cell("cbi_mean", "work", "mean", quarter=PREVIOUS.key)) != "* comparison"
    # Never issued: nobody has read it, and a trend is no place to publish it first.
    never = _with_published_before(figures(), (earlier,), {})
    assert shown(never.cell(*trend_cell, quarter=PREVIOUS.key)) == "* comparison"
    assert shown(never.cell(*trend_cell)) != "* comparison"


def test_a_trend_shows_an_earlier_quarter_only_as_its_own_report_published_it():
    """Worked out again today, the quarter has lost someone (an account deleted, a link worker who
    left): the trend shows what its report published, never today's value, so that no figure tells
    which ones changed."""
    earlier = figures(PREVIOUS)
    changed = {("single_item", "2", "count"), ("cbi_mean", "work", "mean")}
    stored = _as_issued(earlier, changed=changed)
    published = _with_published_before(figures(), (earlier,), stored)
    for measure, category, kind in changed:
        assert published.cell(measure, category, kind, quarter=PREVIOUS.key).value == \
            stored[PREVIOUS.key][(measure, category, kind)].value, measure
    for cell in published.cells:
        if cell.scope == "organisation" and cell.quarter == PREVIOUS.key and not cell.suppressed:
            assert cell == stored[PREVIOUS.key][(cell.measure, cell.category, cell.kind)], cell


def test_a_trend_shows_what_its_report_withheld_as_it_withheld_it():
    """Hidden there as a small count, hidden here as a small count, whatever today's figure."""
    earlier = figures(PREVIOUS)
    stored = _as_issued(earlier)
    stored[PREVIOUS.key][("escalated", "", "count")] = dataclasses.replace(
        stored[PREVIOUS.key][("escalated", "", "count")], value=None, reason=Reason.small_count)
    published = _with_published_before(figures(), (earlier,), stored)
    assert shown(published.cell("escalated", quarter=PREVIOUS.key)) == "* small_count"


def test_an_earlier_quarter_is_compared_by_the_keys_its_report_kept():
    """Worked out again today, the earlier quarter has lost someone who has left since: its report
    had them. The current quarter is compared with that report's people, and differs by one."""
    same = respondent_keys(50)
    earlier = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=same))
    current = figures(wellbeing=wellbeing(respondent_keys=same))
    kept = {PREVIOUS.key: Kept(keys={"monthly": same | {"respondent-key-gone"}, "item:B1": same | {"respondent-key-gone"}},
                               bases={("monthly", "monthly"): 51, ("item:B1", "single_item"): 51})}
    data = ReportInput(organisation=current, national=stage2.national(), previous=(earlier,), k=5, draft=False,
                       keys_before=kept)
    published = stage2.disclose(data, organisation_name="Cwm Taf Link Workers")
    assert shown(published.cell("monthly_respondents")) == "* comparison"
    assert shown(published.cell("single_item", "3")) == "* comparison"
    assert shown(published.cell("cbi_respondents")) == 40  # kept no CBI keys: compared as worked out today
    assert shown(_report(current, previous=(earlier,)).cell("monthly_respondents")) == 50  # without them


def test_an_earlier_quarter_that_met_k_when_issued_is_compared_though_it_falls_short_today():
    """Its report had 5 link workers; one has left since, so worked out today it has 4, below k, and
    would not be compared at all. Its kept basis says 5: the current quarter, one attendee apart from
    it, is withheld."""
    attended = stage2.booking_keys("attended", 3)
    earlier = figures(PREVIOUS, people=stage2.people(link_workers=4, people_keys=stage2.people_keys(4)),
                      supervision=stage2.supervision(attended_keys=attended))
    current = figures(supervision=stage2.supervision(attended_keys=attended | stage2.booking_keys("attended", 1, 50)))
    kept = {PREVIOUS.key: Kept(keys={"attended": attended}, bases={("attended", "attended"): 5})}

    def report(keys_before):
        data = ReportInput(organisation=current, national=stage2.national(), previous=(earlier,), k=5, draft=False,
                           keys_before=keys_before)
        return stage2.disclose(data, organisation_name="Cwm Taf Link Workers")

    assert shown(report(kept).cell("people_attending")) == "* comparison"
    assert shown(report(None).cell("people_attending")) != "* comparison"  # today's 4 are not compared


def test_keys_sealed_with_another_secret_withhold_the_quarter_beside_them():
    """Stored keys that cannot be compared are not taken for different people."""
    earlier = figures(PREVIOUS)
    data = ReportInput(organisation=figures(), national=stage2.national(), previous=(earlier,), k=5, draft=False,
                       keys_before={PREVIOUS.key: None})
    published = stage2.disclose(data, organisation_name="Cwm Taf Link Workers")
    for measure in ("monthly_respondents", "people_attending", "requests", "cbi_respondents"):
        assert shown(published.cell(measure)) == "* comparison", measure
    assert shown(published.cell("link_workers")) == 60  # not compared: the headcount is known anyway
    unsealed = ReportInput(organisation=figures(), national=stage2.national(), previous=(earlier,), k=5, draft=False,
                           seen_drafts=(None,))
    assert shown(stage2.disclose(unsealed, organisation_name="x").cell("monthly_respondents")) == "* comparison"


def test_a_draft_of_an_earlier_quarter_its_admins_saw_is_compared_with_too():
    """The January draft of the last quarter had the current quarter's people but one; the issued
    last quarter differs from both by many. Beside the draft, the current quarter gives one away."""
    same = respondent_keys(50)
    earlier = figures(PREVIOUS, wellbeing=wellbeing(respondent_keys=respondent_keys(50, start=1000)))
    january = Kept(keys={"monthly": same | {"respondent-key-gone"}}, bases={("monthly", "monthly"): 51})

    def report(drafts_before):
        data = ReportInput(organisation=figures(), national=stage2.national(), previous=(earlier,), k=5,
                           draft=False, drafts_before=drafts_before)
        return stage2.disclose(data, organisation_name="Cwm Taf Link Workers")

    assert shown(report(()).cell("monthly_respondents")) == 50
    assert shown(report((january,)).cell("monthly_respondents")) == "* comparison"
    assert shown(report((None,)).cell("monthly_respondents")) == "* comparison"  # kept, but not comparable


def test_generation_reads_what_each_earlier_issued_report_withheld(app, make):
    from supervision.reports.generation import published_before

    organisation = make.organisation(created_at=LONG_AGO)
    make.quarterly_report(organisation, "2026-Q1", files=False)
    make.quarterly_report(organisation, "2026-Q2", files=False, status="draft")
    with app.app_context():
        stored_q1 = db.session.scalar(select(QuarterlyReport).where(QuarterlyReport.quarter == 1))
        expected = {(c.measure, c.category, c.kind): c for c in stored_q1.report().cells
                    if c.scope == "organisation" and c.quarter == "2026-Q1"}
        found = published_before(organisation.id, [Quarter(2026, 1), Quarter(2026, 2), Quarter(2025, 4)])
    # Only the issued quarter; a draft is not a report anyone outside its admins read as issued.
    assert set(found) == {"2026-Q1"} and found["2026-Q1"] == expected
