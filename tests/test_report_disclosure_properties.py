"""Stage 2's invariants (DESIGN.md rules 1 to 5) over random organisations and answers (Hypothesis)."""
from __future__ import annotations

import itertools
import statistics

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.reports.disclosure import disclose
from supervision.reports.figures import (AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALES, URGENCIES,
                                         Debriefs, MonthStandard, People, QuarterFigures, Reflection, ReportInput,
                                         ScaleFigures, Supervision, Wellbeing,
                                         SINGLE_ITEM_ID)
from supervision.reports.published import MEASURES, MEASURES_BY_ID, NATIONAL, ORGANISATION, PublishedReport, Reason
from supervision.reports.quarters import Quarter

CURRENT = Quarter(2026, 3)
EXAMPLES = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- random aggregates, consistent as stage 1's would be -------------------------------------

def _keys_of(ids) -> frozenset[str]:
    return frozenset(f"respondent-{n}" for n in ids)


def _counts(answers: list[str], categories: tuple[str, ...]) -> dict[str, int]:
    return {category: answers.count(category) for category in categories}


@st.composite
def quarter_figures(draw, quarter: Quarter, *, respondent_ids: frozenset[int], people_ids: frozenset[int],
                    request_ids: frozenset[int] = frozenset(range(30)), organisations: int = 1) -> QuarterFigures:
    link_workers = len(people_ids)
    # Who answered which instrument: the monthly pulse's respondents from one end of the people who
    # answered, the CBI's from the other, and each scale's among the CBI's; so the key sets overlap
    # and differ, and a change of one person moves some of them and not others.
    pool = sorted(respondent_ids)
    monthly = draw(st.integers(0, len(pool)))
    monthly_ids = pool[:monthly]
    # A skewed choice of answers, so that empty and full bands come up often.
    answers = st.sampled_from((LIKERT, LIKERT, ("1", "2", "3"), ("2", "3", "4", "5"), ("4", "5"), ("5",)))
    single = draw(st.lists(st.sampled_from(draw(answers)), min_size=monthly, max_size=monthly))
    agreement = {item: _counts(draw(st.lists(st.sampled_from(draw(answers)), min_size=monthly, max_size=monthly)),
                               LIKERT)
                 for item in AGREEMENT_ITEMS}
    cbi = draw(st.integers(0, len(pool)))
    cbi_ids = pool[len(pool) - cbi:]
    scales, scale_keys = {}, {}
    for scale in SCALES:
        scores = draw(st.lists(st.floats(0, 100, allow_nan=False), max_size=cbi))
        scales[scale] = ScaleFigures(scored=len(scores), mean=statistics.fmean(scores) if scores else None,
                                     bands={"under_50": sum(s < 50 for s in scores),
                                            "50_or_more": sum(s >= 50 for s in scores)})
        scale_keys[scale] = _keys_of(cbi_ids[len(cbi_ids) - len(scores):])
    single_counts = _counts(single, LIKERT)
    wellbeing = Wellbeing(
        monthly_respondents=monthly, single_item=single_counts, burning_out=sum(single_counts[v] for v in "345"),
        agreement=agreement, cbi_respondents=cbi, scales=scales,
        welsh_respondents=draw(st.integers(0, len(set(monthly_ids) | set(cbi_ids)))),
        instrument_versions=("cbi 1", "monthly 1"), monthly_keys=_keys_of(monthly_ids),
        item_keys={i: _keys_of(monthly_ids) for i in (SINGLE_ITEM_ID, *AGREEMENT_ITEMS)}, cbi_keys=_keys_of(cbi_ids),
        scale_keys=scale_keys)
    months = tuple(MonthStandard(month=m, link_workers=(lw := draw(st.integers(max(0, link_workers - 2),
                                                                               link_workers))),
                                 met=draw(st.integers(0, lw))) for m in quarter.months)
    # The bookings' and reflections' keys come from `request_ids` too (each its own kind), so that
    # two quarters drawn from overlapping ids overlap, and a cut a person or two apart comes up often.
    ids = sorted(request_ids)

    def kept(what: str, count: int) -> frozenset[str]:
        return frozenset(f"{what}-{n}" for n in ids[:count])

    attending, by_link_worker, by_supervisor, no_shows = (draw(st.integers(0, link_workers)), draw(st.integers(0, 12)),
                                                          draw(st.integers(0, 12)), draw(st.integers(0, 12)))
    supervision = Supervision(
        sessions_held=draw(st.integers(0, 40)), people_attending=attending, months=months,
        cancelled_by_link_worker=by_link_worker, cancelled_by_supervisor=by_supervisor,
        no_shows=no_shows, attended_hours=draw(st.floats(0, 200, allow_nan=False)), standard_days=42,
        attended_keys=kept("attended", attending), cancelled_keys=kept("cancelled", by_link_worker + by_supervisor),
        no_show_keys=kept("no-show", no_shows))
    reflecting = draw(st.integers(0, link_workers))
    requests = draw(st.lists(st.tuples(st.sampled_from(URGENCIES), st.sampled_from(CATEGORIES)), max_size=30))
    accepted = draw(st.integers(0, len(requests)))
    held = draw(st.integers(0, accepted))
    check_ins = draw(st.lists(st.sampled_from(CHECK_IN_ANSWERS), max_size=len(requests)))
    escalated = draw(st.integers(0, len(requests)))
    # The requests' keys, from `request_ids` (at least 30 of them): the first are accepted, held,
    # escalated and checked in on, so that two quarters drawn from overlapping ids overlap.
    keys = [f"request-{n}" for n in sorted(request_ids)[:len(requests)]]
    debriefs = Debriefs(
        requests=len(requests), requesters=draw(st.integers(min(1, len(requests)), min(len(requests), 30))),
        by_urgency=_counts([u for u, _ in requests], URGENCIES), by_category=_counts([c for _, c in requests], CATEGORIES),
        accepted=accepted, accepted_within_target=draw(st.integers(0, accepted)),
        minutes_to_accept_median=draw(st.floats(1, 5000)) if accepted else None, held=held,
        minutes_to_debrief_median=draw(st.floats(1, 50000)) if held else None, escalated=escalated,
        check_ins=_counts(check_ins, CHECK_IN_ANSWERS), check_in_people=draw(st.integers(min(1, len(check_ins)),
                                                                                         len(check_ins))),
        request_keys=frozenset(keys), accepted_keys=frozenset(keys[:accepted]), held_keys=frozenset(keys[:held]),
        escalated_keys=frozenset(keys[:escalated]),
        check_in_keys=frozenset(f"{key}:{answer}" for key, answer in zip(keys, check_ins)))
    answered = len(wellbeing.respondent_keys)
    people = People(link_workers=link_workers, invited=draw(st.integers(answered, answered + 5)),
                    answered=answered, people_keys=frozenset(people_ids))
    return QuarterFigures(quarter=quarter, organisation_id=None if organisations > 1 else 1,
                          organisations=organisations, people=people, wellbeing=wellbeing, supervision=supervision,
                          debriefs=debriefs, reflection=Reflection(reflecting, kept("reflection", reflecting)))


def _add(one: QuarterFigures, other: QuarterFigures, organisations: int) -> QuarterFigures:
    """The national figures: this organisation and everyone else's."""
    def plus(a: dict, b: dict) -> dict:
        return {key: a[key] + b[key] for key in a}

    def scale(a: ScaleFigures, b: ScaleFigures) -> ScaleFigures:
        scored = a.scored + b.scored
        mean = (a.scored * (a.mean or 0) + b.scored * (b.mean or 0)) / scored if scored else None
        return ScaleFigures(scored, mean, plus(a.bands, b.bands))

    w1, w2, s1, s2, d1, d2 = one.wellbeing, other.wellbeing, one.supervision, other.supervision, one.debriefs, other.debriefs
    wellbeing = Wellbeing(
        w1.monthly_respondents + w2.monthly_respondents, plus(w1.single_item, w2.single_item),
        w1.burning_out + w2.burning_out, {i: plus(w1.agreement[i], w2.agreement[i]) for i in AGREEMENT_ITEMS},
        w1.cbi_respondents + w2.cbi_respondents, {s: scale(w1.scales[s], w2.scales[s]) for s in SCALES},
        w1.welsh_respondents + w2.welsh_respondents, w1.instrument_versions, w1.monthly_keys | w2.monthly_keys,
        {i: w1.item_keys[i] | w2.item_keys[i] for i in w1.item_keys}, w1.cbi_keys | w2.cbi_keys, {s: w1.scale_keys[s] | w2.scale_keys[s] for s in SCALES})
    supervision = Supervision(
        s1.sessions_held + s2.sessions_held, s1.people_attending + s2.people_attending,
        tuple(MonthStandard(a.month, a.link_workers + b.link_workers, a.met + b.met) for a, b in zip(s1.months, s2.months)),
        s1.cancelled_by_link_worker + s2.cancelled_by_link_worker, s1.cancelled_by_supervisor + s2.cancelled_by_supervisor,
        s1.no_shows + s2.no_shows, s1.attended_hours + s2.attended_hours, 42, s1.attended_keys | s2.attended_keys,
        s1.cancelled_keys | s2.cancelled_keys, s1.no_show_keys | s2.no_show_keys)
    debriefs = Debriefs(
        d1.requests + d2.requests, d1.requesters + d2.requesters, plus(d1.by_urgency, d2.by_urgency),
        plus(d1.by_category, d2.by_category), d1.accepted + d2.accepted, d1.accepted_within_target + d2.accepted_within_target,
        d1.minutes_to_accept_median or d2.minutes_to_accept_median, d1.held + d2.held,
        d1.minutes_to_debrief_median or d2.minutes_to_debrief_median, d1.escalated + d2.escalated,
        plus(d1.check_ins, d2.check_ins), d1.check_in_people + d2.check_in_people,
        d1.request_keys | d2.request_keys, d1.accepted_keys | d2.accepted_keys, d1.held_keys | d2.held_keys,
        d1.escalated_keys | d2.escalated_keys, d1.check_in_keys | d2.check_in_keys)
    p1, p2 = one.people, other.people
    people = People(p1.link_workers + p2.link_workers, p1.invited + p2.invited, p1.answered + p2.answered,
                    p1.people_keys | p2.people_keys)
    return QuarterFigures(one.quarter, None, organisations, people, wellbeing, supervision, debriefs,
                          Reflection(one.reflection.link_workers_reflecting + other.reflection.link_workers_reflecting,
                                     one.reflection.reflection_keys | other.reflection.reflection_keys))


# Ids past any quarter's own, so that a quarter's request ids never run out (quarter_figures takes 30).
_PADDING = frozenset(range(1000, 1030))


def _changed(draw, ids: frozenset[int], fresh: int, joining: int = 6) -> frozenset[int]:
    """Some of `ids` gone, some new ones come: often exactly one, often a few."""
    left = draw(st.integers(0, min(len(ids), 6)))
    joined = draw(st.integers(0, joining))
    return frozenset(sorted(ids)[left:]) | frozenset(range(fresh, fresh + joined))


@st.composite
def report_inputs(draw) -> ReportInput:
    k = draw(st.integers(5, 10))
    link_workers = draw(st.integers(0, 40))
    people_ids = frozenset(range(link_workers))
    respondent_ids = frozenset(range(draw(st.integers(0, link_workers))))
    organisation = draw(quarter_figures(CURRENT, respondent_ids=respondent_ids, people_ids=people_ids))
    others = draw(st.integers(0, 4))
    if others:
        rest = draw(quarter_figures(CURRENT, respondent_ids=frozenset(range(500, 500 + draw(st.integers(0, 30)))),
                                    people_ids=frozenset(range(500, 540)), request_ids=frozenset(range(500, 530))))
        national = _add(organisation, rest, organisations=1 + others)
    else:
        national = QuarterFigures(**{**organisation.__dict__, "organisation_id": None})
    previous = []
    # The newcomers of every earlier quarter come from the same people, so that earlier quarters
    # a person or two apart from each other (but not from the current one) come up often.
    for quarter in CURRENT.previous_ones(draw(st.integers(0, 4))):
        previous.append(draw(quarter_figures(quarter, respondent_ids=_changed(draw, respondent_ids, 100),
                                             people_ids=_changed(draw, people_ids, 100),
                                             request_ids=_changed(draw, frozenset(range(30)), 100) | _PADDING)))
    # The quarter as earlier month ends cut it, as an admin may have seen it in drafts: fewer people.
    cuts = [draw(quarter_figures(CURRENT, respondent_ids=_changed(draw, respondent_ids, 100, joining=0),
                                 people_ids=_changed(draw, people_ids, 100, joining=0),
                                 request_ids=_changed(draw, frozenset(range(30)), 100, joining=0) | _PADDING))
            for _ in range(draw(st.integers(0, 2)))]
    return ReportInput(organisation=organisation, national=national, previous=tuple(previous), k=k,
                       draft=draw(st.booleans()), earlier_cuts=tuple(cuts))


# ---- what each cell stands on, read from the input independently of the function -------------

def _frame(data: ReportInput, scope: str, quarter: str) -> QuarterFigures:
    if scope == NATIONAL:
        return data.national
    return next(f for f in (data.organisation, *data.previous) if f.quarter.key == quarter)


def _people_behind(f: QuarterFigures, measure: str, category: str, kind: str) -> int | None:
    """Rule 1's people for a survey, debrief or per-link-worker cell; None for the others."""
    w = f.wellbeing
    if measure in ("answered", "participation", "welsh_respondents"):
        return f.people.answered
    if measure in ("monthly_respondents", "single_item", "burning_out") or measure.startswith("agreement_"):
        return w.monthly_respondents
    if measure == "cbi_respondents":
        return w.cbi_respondents
    if measure == "cbi_mean":
        return w.scales[category].scored
    if measure.startswith("cbi_"):
        return w.scales[measure.removeprefix("cbi_")].scored
    if measure == "check_ins":
        return f.debriefs.check_in_people
    if MEASURES_BY_ID[measure].section == "debriefs":
        return f.debriefs.requesters
    if measure == "met_standard":
        return f.supervision.months[int(category[-1]) - 1].link_workers
    if measure in ("hours_per_link_worker", "reflecting") or (measure, kind) == ("people_attending", "percent"):
        return f.people.link_workers
    return None


def _raw_count(f: QuarterFigures, measure: str, category: str) -> int:
    w, s, d = f.wellbeing, f.supervision, f.debriefs
    if measure == "single_item":
        return w.single_item[category]
    if measure.startswith("agreement_"):
        return w.agreement[measure.removeprefix("agreement_")][category]
    if measure.startswith("cbi_") and measure not in ("cbi_mean", "cbi_respondents"):
        return w.scales[measure.removeprefix("cbi_")].bands[category]
    if measure in ("by_urgency", "by_category", "check_ins"):
        return getattr(d, measure)[category]
    if measure == "met_standard":
        return s.months[int(category[-1]) - 1].met
    for part in (f.people, w, s, d):
        if hasattr(part, measure):
            return getattr(part, measure)
    return {"reflecting": f.reflection.link_workers_reflecting, "welsh_respondents": w.welsh_respondents}[measure]


def _breakdown_total(f: QuarterFigures, measure: str) -> int:
    return sum(_raw_count(f, measure, c) for c in MEASURES_BY_ID[measure].categories)


def _keys(f: QuarterFigures, measure: str, category: str) -> frozenset:
    """The people a cell rests on, by the instrument behind it (independently of the function's own
    names); a debrief cell, the requests or check-ins in the state it counts; a supervision or
    reflection cell, the bookings or reflections behind it (the months' standard, the headcount)."""
    w, d, s = f.wellbeing, f.debriefs, f.supervision
    debrief_keys = {"requests": d.request_keys, "by_urgency": d.request_keys, "by_category": d.request_keys,
                    "accepted": d.accepted_keys, "accepted_within_target": d.accepted_keys,
                    "minutes_to_accept": d.accepted_keys, "held": d.held_keys, "minutes_to_debrief": d.held_keys,
                    "escalated": d.escalated_keys, "check_ins": d.check_in_keys,
                    "sessions_held": s.attended_keys, "people_attending": s.attended_keys,
                    "hours_per_link_worker": s.attended_keys, "cancelled_by_link_worker": s.cancelled_keys,
                    "cancelled_by_supervisor": s.cancelled_keys, "no_shows": s.no_show_keys,
                    "reflecting": f.reflection.reflection_keys}
    if measure in debrief_keys:
        return debrief_keys[measure]
    if measure in ("single_item", "burning_out"):
        return w.item_keys[SINGLE_ITEM_ID]
    if measure.startswith("agreement_"):
        return w.item_keys[measure.removeprefix("agreement_")]
    if measure == "monthly_respondents":
        return w.monthly_keys
    if measure == "cbi_respondents":
        return w.cbi_keys
    if measure == "cbi_mean":
        return w.scale_keys[category]
    if measure.startswith("cbi_"):
        return w.scale_keys[measure.removeprefix("cbi_")]
    return w.respondent_keys if MEASURES_BY_ID[measure].survey else f.people.people_keys


def _behind_or_headcount(f: QuarterFigures, measure: str, category: str, kind: str) -> int:
    """The figure rule 5 requires to meet k: the people behind the cell, or the link workers."""
    behind = _people_behind(f, measure, category, kind)
    return f.people.link_workers if behind is None else behind


_DISTRIBUTIONS = ("single_item", *(f"cbi_{s}" for s in SCALES), *(f"agreement_{i}" for i in AGREEMENT_ITEMS),
                  "by_urgency", "by_category", "check_ins")


# ---- the invariants -------------------------------------------------------------------------

@EXAMPLES
@given(data=report_inputs())
def test_disclosure_invariants(data: ReportInput):
    report = disclose(data, organisation_name="An organisation")
    k = data.k
    cells = {(c.scope, c.quarter, c.measure, c.category, c.kind): c for c in report.cells}

    # The cell set is complete, each cell once, each a value or a reason.
    frames = [(ORGANISATION, CURRENT.key), (NATIONAL, CURRENT.key), *((ORGANISATION, f.quarter.key) for f in data.previous)]
    expected = [(scope, quarter, m.id, category, kind) for scope, quarter in frames
                for m in MEASURES for category in m.categories for kind in m.kinds]
    assert len(report.cells) == len(expected) and set(cells) == set(expected)
    assert all((c.value is None) != (c.reason is None) for c in report.cells)
    assert report.previous_quarters == tuple(sorted(f.quarter.key for f in data.previous))
    # Rule 4's reason would say "0 or all" by itself: it is never given.
    assert all(c.reason != Reason.uniform for c in report.cells)

    for (scope, quarter, measure, category, kind), cell in cells.items():
        f = _frame(data, scope, quarter)
        if cell.suppressed:
            continue
        # Rule 2: no count from 1 to 7, every count a multiple of 5.
        if kind == "count":
            assert cell.value not in range(1, 8) and cell.value % 5 == 0
        # Rule 1: k people behind every survey, debrief and per-link-worker figure.
        behind = _people_behind(f, measure, category, kind)
        if behind is not None:
            assert behind >= k, (measure, category, kind, behind)
        # Rule 4: no 0% or 100% in a sensitive band of survey answers, nor every debrief about one thing.
        definition = MEASURES_BY_ID[measure]
        if definition.sensitive and definition.survey and measure not in ("cbi_mean",):
            total = _breakdown_total(f, "single_item" if measure == "burning_out" else measure)
            raw = _raw_count(f, measure, category)
            assert 0 < raw < total
            if kind == "percent":
                assert 0 < cell.value < 100
        if measure in ("by_urgency", "by_category", "check_ins") and kind == "count":
            assert _raw_count(f, measure, category) < _breakdown_total(f, measure)
        # Rule 4, whole distributions: a published band, or a figure linked to the bands (burning
        # out, a CBI mean), means no band of that distribution is empty or everyone.
        distribution = {"burning_out": "single_item", "cbi_mean": f"cbi_{category}"}.get(measure, measure)
        if distribution in _DISTRIBUTIONS:
            total = _breakdown_total(f, distribution)
            for band in MEASURES_BY_ID[distribution].categories:
                raw = _raw_count(f, distribution, band)
                if distribution in ("by_urgency", "by_category", "check_ins"):
                    assert raw < total, (measure, category, kind, band)
                else:
                    assert 0 < raw < total, (measure, category, kind, band)
        # A median is published only over k requests or more whose count is published too (rule 1
        # on the requests it is taken over); so is the share accepted within the target.
        over = {"minutes_to_accept": "accepted", "minutes_to_debrief": "held",
                "accepted_within_target": "accepted"}.get(measure)
        if over and kind != "count":
            assert getattr(f.debriefs, over) >= k, (measure, getattr(f.debriefs, over))
            assert not cells[(scope, quarter, over, "", "count")].suppressed, measure

    # Rule 3, within breakdowns: never exactly one `*` where the total is known.
    for scope, quarter in frames:
        def suppressed(measure: str, category: str = "", kind: str = "count") -> bool:
            return cells[(scope, quarter, measure, category, kind)].suppressed

        for measure, total in [("single_item", "monthly_respondents"), ("by_urgency", "requests"),
                               ("by_category", "requests"), ("check_ins", None),
                               *((f"cbi_{s}", None) for s in SCALES),
                               *((f"agreement_{i}", "monthly_respondents") for i in AGREEMENT_ITEMS)]:
            definition = MEASURES_BY_ID[measure]
            lone = sum(suppressed(measure, c) for c in definition.categories) == 1
            total_known = (total is not None and not suppressed(total)) or (
                "percent" in definition.kinds and not all(suppressed(measure, c, "percent") for c in definition.categories))
            assert not (lone and total_known), (scope, quarter, measure)
            if "percent" in definition.kinds:
                assert sum(suppressed(measure, c, "percent") for c in definition.categories) != 1
        # burning_out is single items 3 to 5, and beside 1 and 2 it adds up to the respondents.
        assert not (sum(suppressed("single_item", v) for v in "345") == 1 and not suppressed("burning_out"))
        lower = sum(suppressed("single_item", v) for v in "12") + suppressed("burning_out")
        assert not (lower == 1 and not suppressed("monthly_respondents"))

    # Rule 3, against the national figure: a suppressed count is never the national one minus fewer than k.
    for (scope, quarter, measure, category, kind), cell in cells.items():
        if scope != NATIONAL or kind != "count" or cell.suppressed:
            continue
        if cells[(ORGANISATION, quarter, measure, category, kind)].suppressed:
            assert data.national.organisations > 1
            difference = (_raw_count(data.national, measure, category) - _raw_count(data.organisation, measure, category))
            assert difference >= k

    # Rule 5 across reports: a current figure is published only when its people are the same as, or
    # differ by k or more from, those of every earlier quarter (and earlier cut) that met k.
    for (scope, quarter, measure, category, kind), cell in cells.items():
        if scope != ORGANISATION or quarter != CURRENT.key or cell.suppressed or measure in ("link_workers", "invited"):
            continue
        for other in (*data.previous, *data.earlier_cuts):
            if _behind_or_headcount(other, measure, category, kind) >= k:
                a, b = _keys(data.organisation, measure, category), _keys(other, measure, category)
                assert a == b or len(a ^ b) >= k, (measure, category, kind, other.quarter)

    # Rule 5: a trend figure is shown only beside quarters that meet k and whose people are the
    # same or differ by k or more: the current quarter's when published, and every other one shown.
    by_address: dict[tuple[str, str, str], list[QuarterFigures]] = {}
    for f in data.previous:
        for m in MEASURES:
            for category, kind in itertools.product(m.categories, m.kinds):
                if not cells[(ORGANISATION, f.quarter.key, m.id, category, kind)].suppressed:
                    by_address.setdefault((m.id, category, kind), []).append(f)
    for (measure, category, kind), shown in by_address.items():
        if measure in ("link_workers", "invited"):
            continue
        current_shown = not cells[(ORGANISATION, CURRENT.key, measure, category, kind)].suppressed
        if current_shown:
            assert _behind_or_headcount(data.organisation, measure, category, kind) >= k, (measure, category, kind)
        for one, other in itertools.combinations([data.organisation] * current_shown + shown, 2):
            a, b = _keys(one, measure, category), _keys(other, measure, category)
            assert a == b or len(a ^ b) >= k, (measure, category, kind, one.quarter, other.quarter)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=report_inputs())
def test_disclosure_is_deterministic_and_carries_no_key(data: ReportInput):
    first = disclose(data, organisation_name="An organisation")
    assert first == disclose(data, organisation_name="An organisation")
    text = first.to_json()
    assert "respondent-" not in text
    assert PublishedReport.from_json(text) == first
