"""Disclosure control's working view of one quarter's aggregates: each figure with what the rules
need to judge it (the people behind it, what it is a share of, which people it may be compared
across quarters by). Pure: no database, no Flask.

Figures whose measure starts with "_" are hidden totals: the denominators of percentages and the
totals of breakdowns. They are judged by the same rules, because a published percentage reveals
its denominator, but they are never published themselves.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .figures import AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALE_BANDS, SCALES, URGENCIES
from .figures import SINGLE_ITEM_ID, QuarterFigures

# The single item's scoring (instruments.md): 3 or more is "burning out". Kept here rather than
# imported from pulse.instruments, which pulls in Flask-Babel; this stage stays pure.
NOT_BURNING_OUT = ("1", "2")
BURNING_OUT = ("3", "4", "5")

# Rule 5 compares each figure across quarters by the keys of the people behind it; these name them.
RESPONDENTS = "respondents"  # wellbeing.respondent_keys: everyone who answered either instrument
MONTHLY = "monthly"  # wellbeing.monthly_keys
ITEM = "item:"  # + a monthly item: wellbeing.item_keys[item], those who answered it
CBI = "cbi"  # wellbeing.cbi_keys
SCALE = "scale:"  # + a scale: wellbeing.scale_keys[scale]
PEOPLE = "people"  # people.people_keys
# Debrief figures are compared by the requests behind them, each by those in its own state at the
# cut-off, as (requester, request): across quarters by the requesters, and between cuts of a quarter
# by those whose requests changed (made, accepted, held, escalated), however many requests each.
REQUESTS = "requests"  # debriefs.request_keys
ACCEPTED = "accepted"  # debriefs.accepted_keys
HELD = "held"  # debriefs.held_keys
ESCALATED = "escalated"  # debriefs.escalated_keys
CHECK_INS = "check_ins"  # debriefs.check_in_keys
# Supervision and reflection figures likewise, by the bookings or reflections behind them as
# (link worker, booking) or (author, reflection): not by the headcount, which hardly changes within
# a quarter where the month's attendance, cancellations and reflections do.
ATTENDED = "attended"  # supervision.attended_keys
CANCELLED = "cancelled"  # supervision.cancelled_keys
NO_SHOWS = "no_shows"  # supervision.no_show_keys
REFLECTIONS = "reflections"  # reflection.reflection_keys

Slot = tuple[str, str]  # (measure, category) of a count within one scope and quarter


@dataclass(frozen=True)
class Figure:
    """One unpublished figure: a count, mean, median or rate (never a percentage)."""

    measure: str
    category: str
    kind: str  # "count", "mean", "minutes" or "hours"
    raw: float | None
    basis: int | None = None  # rule 1: people behind it; None where rule 1 does not apply
    # Rule 4: the total it is a share of, and whether 0 is uniform too (survey answers) or only
    # all of it (debrief events: no request of a kind is not a disclosure, every request is).
    uniform_total: int | None = None
    uniform_zero: bool = False
    # Rule 5: which keys to compare, and the figure that must meet k in both quarters; `group`
    # names that figure, so that the quarters shown are chosen once for all figures sharing it.
    comparison: str | None = None
    comparison_basis: int = 0
    group: str = ""
    # For a median: the count it is taken over. When that count is suppressed, so is the median
    # (a median of one or two requests is that request's own time).
    over: Slot | None = None

    @property
    def average(self) -> bool:
        """A mean, median or rate: worked out over people rather than a count of them."""
        return self.kind != "count"

    @property
    def hidden(self) -> bool:
        return self.measure.startswith("_")


@dataclass(frozen=True)
class Ratio:
    """A percentage cell: numerator over denominator, both counts of the same scope and quarter."""

    measure: str
    category: str
    numerator: Slot
    denominator: Slot
    basis: int | None  # rule 1, as for its numerator; for the per-link-worker shares, the headcount


@dataclass(frozen=True)
class Breakdown:
    """Counts that add up to a total (rule 3). The total is known to a reader when any of `totals`
    is published, or through the members' percentages, whose denominator is the first of them."""

    members: tuple[Slot, ...]
    totals: tuple[Slot, ...]


def _total(measure: str) -> str:
    return f"_total_{measure}"


@dataclass(frozen=True)
class Distribution:
    """A sensitive distribution (rule 4). When any of its `members` (or `linked` counts, which are
    sums of members) would show 0% or 100%, the whole distribution is suppressed: every member,
    and the `linked` figures derived from it, each (measure, category, kind)."""

    members: tuple[Slot, ...]
    linked: tuple[tuple[str, str, str], ...] = ()


DISTRIBUTIONS: tuple[Distribution, ...] = (
    Distribution(tuple(("single_item", v) for v in LIKERT), (("burning_out", "", "count"),)),
    *(Distribution(tuple((f"cbi_{s}", b) for b in SCALE_BANDS), (("cbi_mean", s, "mean"),)) for s in SCALES),
    *(Distribution(tuple((f"agreement_{i}", v) for v in LIKERT)) for i in AGREEMENT_ITEMS),
    Distribution(tuple(("by_urgency", u) for u in URGENCIES)),
    Distribution(tuple(("by_category", c) for c in CATEGORIES)),
    Distribution(tuple(("check_ins", a) for a in CHECK_IN_ANSWERS)),
)


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown(tuple(("single_item", v) for v in LIKERT), ((_total("single_item"), ""), ("monthly_respondents", ""))),
    # burning_out is single_item 3 + 4 + 5, so it is the total of those and, beside 1 and 2, a
    # member of the whole: without these two, a lone `*` could be worked out through it.
    Breakdown(tuple(("single_item", v) for v in BURNING_OUT), (("burning_out", ""),)),
    Breakdown((*(("single_item", v) for v in NOT_BURNING_OUT), ("burning_out", "")),
              ((_total("single_item"), ""), ("monthly_respondents", ""))),
    *(Breakdown(tuple((f"cbi_{s}", b) for b in SCALE_BANDS), ((_total(f"cbi_{s}"), ""), ("cbi_respondents", "")))
      for s in SCALES),
    *(Breakdown(tuple((f"agreement_{i}", v) for v in LIKERT),
                ((_total(f"agreement_{i}"), ""), ("monthly_respondents", "")))
      for i in AGREEMENT_ITEMS),
    Breakdown(tuple(("by_urgency", u) for u in URGENCIES), (("requests", ""),)),
    Breakdown(tuple(("by_category", c) for c in CATEGORIES), (("requests", ""),)),
    Breakdown(tuple(("check_ins", a) for a in CHECK_IN_ANSWERS), ((_total("check_ins"), ""),)),
)


def quarter_figures(f: QuarterFigures) -> tuple[tuple[Figure, ...], tuple[Ratio, ...]]:
    """Every figure and percentage of published.MEASURES for one scope and quarter, plus hidden totals."""
    return (*_people(f), *_wellbeing(f), *_supervision(f), *_debriefs(f), *_reflection(f)), _ratios(f)


def _people(f: QuarterFigures) -> list[Figure]:
    p = f.people
    answered = dict(basis=p.answered, comparison=RESPONDENTS, comparison_basis=p.answered, group="answered")
    # The headcount and the invitations are not about anyone's wellbeing, and a change in them
    # between quarters is known to the employer anyway: rules 2 only.
    return [Figure("link_workers", "", "count", p.link_workers), Figure("invited", "", "count", p.invited),
            Figure("answered", "", "count", p.answered, **answered),
            Figure("welsh_respondents", "", "count", f.wellbeing.welsh_respondents, **answered)]


def comparison_keys(f: QuarterFigures, comparison: str) -> frozenset:
    """The keys a Figure's `comparison` names, in one quarter's aggregates."""
    w = f.wellbeing
    if comparison.startswith(SCALE):
        return w.scale_keys[comparison.removeprefix(SCALE)]
    if comparison.startswith(ITEM):
        return w.item_keys[comparison.removeprefix(ITEM)]
    return {RESPONDENTS: w.respondent_keys, MONTHLY: w.monthly_keys, CBI: w.cbi_keys,
            PEOPLE: f.people.people_keys, REQUESTS: f.debriefs.request_keys, ACCEPTED: f.debriefs.accepted_keys,
            HELD: f.debriefs.held_keys, ESCALATED: f.debriefs.escalated_keys,
            CHECK_INS: f.debriefs.check_in_keys, ATTENDED: f.supervision.attended_keys,
            CANCELLED: f.supervision.cancelled_keys, NO_SHOWS: f.supervision.no_show_keys,
            REFLECTIONS: f.reflection.reflection_keys}[comparison]


@dataclass(frozen=True)
class Kept:
    """What a stored report keeps of its own quarter for rule 5 later: each comparison's keys, and
    each (comparison, group)'s figure that had to meet k. Server only, never rendered."""

    keys: dict[str, frozenset]
    bases: dict[tuple[str, str], int]


def kept(f: QuarterFigures) -> Kept:
    """One quarter's keys and bases, for every comparison its figures use."""
    figures = [figure for figure in quarter_figures(f)[0] if figure.comparison]
    return Kept(keys={name: comparison_keys(f, name) for name in sorted({figure.comparison for figure in figures})},
                bases={(figure.comparison, figure.group): figure.comparison_basis for figure in figures})


# Stands for keys that were never kept (a draft stored before drafts kept theirs): never comparable.
UNKNOWN_KEPT: dict = {"seal": None}


def kept_to_dict(kept_keys: Kept, seal: str) -> dict:
    """As stored (as JSON), with `seal` naming the secret the keys were sealed with (sealed.fingerprint)."""
    return {"seal": seal,
            "keys": {name: sorted(list(key) if isinstance(key, tuple) else key for key in members)
                     for name, members in kept_keys.keys.items()},
            "bases": sorted([name, group, basis] for (name, group), basis in kept_keys.bases.items())}


def kept_from_dict(stored: dict, seal: str) -> Kept | None:
    """The stored keys, or None when they were sealed with another secret and cannot be compared."""
    if stored.get("seal") != seal:
        return None
    return Kept(keys={name: frozenset(tuple(key) if isinstance(key, list) else key for key in members)
                      for name, members in stored["keys"].items()},
                bases={(name, group): basis for name, group, basis in stored["bases"]})


def _survey(group: str, basis: int, comparison: str) -> dict:
    return dict(basis=basis, comparison=comparison, comparison_basis=basis, group=group)


def _band(measure: str, counts: dict[str, int], basis: int, comparison: str) -> list[Figure]:
    """A sensitive distribution of survey answers, with its hidden total. The people behind it are
    those who answered that question, never more than the instrument's respondents."""
    total = sum(counts.values())
    survey = _survey(measure, min(basis, total), comparison)
    return [*(Figure(measure, category, "count", counts[category], uniform_total=total, uniform_zero=True, **survey)
              for category in counts),
            Figure(_total(measure), "", "count", total, **survey)]


def _wellbeing(f: QuarterFigures) -> list[Figure]:
    w = f.wellbeing
    answered_single = sum(w.single_item[v] for v in LIKERT)
    # Each figure is compared by its own respondents: the monthly pulse's, a monthly item's (they
    # are optional), the CBI's, or a scale's.
    single = ITEM + SINGLE_ITEM_ID
    figures = [Figure("monthly_respondents", "", "count", w.monthly_respondents,
                      **_survey("monthly", w.monthly_respondents, MONTHLY)),
               *_band("single_item", {v: w.single_item[v] for v in LIKERT}, w.monthly_respondents, single),
               Figure("burning_out", "", "count", w.burning_out, uniform_total=answered_single, uniform_zero=True,
                      **_survey("single_item", min(w.monthly_respondents, answered_single), single)),
               Figure("cbi_respondents", "", "count", w.cbi_respondents, **_survey("cbi", w.cbi_respondents, CBI))]
    for scale in SCALES:
        scored, bands = w.scales[scale].scored, {b: w.scales[scale].bands[b] for b in SCALE_BANDS}
        figures += [Figure("cbi_mean", scale, "mean", w.scales[scale].mean,
                           **_survey(f"cbi_{scale}", min(scored, sum(bands.values())), SCALE + scale)),
                    *_band(f"cbi_{scale}", bands, scored, SCALE + scale)]
    for item in AGREEMENT_ITEMS:
        figures += _band(f"agreement_{item}", {v: w.agreement[item][v] for v in LIKERT}, w.monthly_respondents,
                         ITEM + item)
    return figures


def _supervision(f: QuarterFigures) -> list[Figure]:
    s, headcount = f.supervision, f.people.link_workers

    # Rule 5: the link workers must meet k in both quarters; each figure is compared by the bookings
    # behind it (across quarters by their link workers), each group withheld together.
    def by(comparison: str, group: str) -> dict:
        return dict(comparison=comparison, comparison_basis=headcount, group=group)

    attended, cancelled = by(ATTENDED, "attended"), by(CANCELLED, "cancelled")
    hours = s.attended_hours / headcount if headcount else None
    figures = [Figure("sessions_held", "", "count", s.sessions_held, **attended),
               Figure("people_attending", "", "count", s.people_attending, **attended),
               Figure("cancelled_by_link_worker", "", "count", s.cancelled_by_link_worker, **cancelled),
               Figure("cancelled_by_supervisor", "", "count", s.cancelled_by_supervisor, **cancelled),
               Figure("no_shows", "", "count", s.no_shows, **by(NO_SHOWS, "no_shows")),
               Figure("hours_per_link_worker", "", "hours", hours, basis=headcount, **attended)]
    # The standard is counted at fixed month ends, over the headcount at each: compared by them.
    for position, month in enumerate(s.months, start=1):
        category = f"month_{position}"
        per_month = dict(basis=month.link_workers, comparison=PEOPLE, comparison_basis=month.link_workers,
                         group=category)
        figures += [Figure("met_standard", category, "count", month.met, **per_month),
                    Figure("_month_link_workers", category, "count", month.link_workers, **per_month)]
    return figures


def taken_over(requesters: int, requests: int) -> int:
    """Rule 1's basis for a figure taken over some of the requests (the accepted or the held ones):
    figures.py has no count of the distinct people behind those, so the requests themselves are a
    lower bound, and the requesters an upper one. With no such request there is nothing to work the
    figure out from (no_data), unless the requesters are too few already: that the count is 0 is
    then hidden too, and must not be told by the reason."""
    return requesters if requests == 0 else min(requesters, requests)


def _debriefs(f: QuarterFigures) -> list[Figure]:
    d = f.debriefs

    # Rule 1's people are the requesters (or those who answered check-ins), who must meet k in both
    # quarters; rule 5 compares each figure by the requests in its own state at the cut-off (a new
    # request by someone who already asked, or one more accepted, is a change of one).
    def by(comparison: str) -> dict:
        return dict(basis=d.requesters, comparison=comparison, comparison_basis=d.requesters, group="requesters")

    requests, accepted, held = by(REQUESTS), by(ACCEPTED), by(HELD)
    checked = dict(basis=d.check_in_people, comparison=CHECK_INS, comparison_basis=d.check_in_people,
                   group="check_in_people")
    check_ins_total = sum(d.check_ins[a] for a in CHECK_IN_ANSWERS)
    return [Figure("requests", "", "count", d.requests, **requests),
            *(Figure("by_urgency", u, "count", d.by_urgency[u], uniform_total=d.requests, **requests)
              for u in URGENCIES),
            *(Figure("by_category", c, "count", d.by_category[c], uniform_total=d.requests, **requests)
              for c in CATEGORIES),
            # Whether within target is settled when a request is accepted: the accepted ones tell it.
            Figure("accepted", "", "count", d.accepted, **accepted),
            Figure("accepted_within_target", "", "count", d.accepted_within_target, **accepted),
            Figure("minutes_to_accept", "", "minutes", d.minutes_to_accept_median,
                   **{**accepted, "basis": taken_over(d.requesters, d.accepted)}, over=("accepted", "")),
            Figure("held", "", "count", d.held, **held),
            Figure("minutes_to_debrief", "", "minutes", d.minutes_to_debrief_median,
                   **{**held, "basis": taken_over(d.requesters, d.held)}, over=("held", "")),
            Figure("escalated", "", "count", d.escalated, **by(ESCALATED)),
            # "Worse" for every check-in would tell the employer how each person felt.
            *(Figure("check_ins", a, "count", d.check_ins[a], uniform_total=check_ins_total, **checked)
              for a in CHECK_IN_ANSWERS),
            Figure(_total("check_ins"), "", "count", check_ins_total, **checked)]


def _reflection(f: QuarterFigures) -> list[Figure]:
    headcount = f.people.link_workers
    # Compared by the reflections counted (across quarters by their authors); the headcount must meet k.
    return [Figure("reflecting", "", "count", f.reflection.link_workers_reflecting, basis=headcount,
                   comparison=REFLECTIONS, comparison_basis=headcount, group="reflecting")]


def _ratios(f: QuarterFigures) -> tuple[Ratio, ...]:
    headcount = f.people.link_workers
    ratios = [Ratio("participation", "", ("answered", ""), ("invited", ""), f.people.answered),
              Ratio("burning_out", "", ("burning_out", ""), (_total("single_item"), ""), None),
              Ratio("people_attending", "", ("people_attending", ""), ("link_workers", ""), headcount),
              Ratio("accepted_within_target", "", ("accepted_within_target", ""), ("accepted", ""),
                    taken_over(f.debriefs.requesters, f.debriefs.accepted)),
              Ratio("reflecting", "", ("reflecting", ""), ("link_workers", ""), headcount)]
    shares = [("single_item", LIKERT), *((f"cbi_{s}", SCALE_BANDS) for s in SCALES),
              *((f"agreement_{i}", LIKERT) for i in AGREEMENT_ITEMS), ("check_ins", CHECK_IN_ANSWERS)]
    # Rule 1 for these is their numerator's, checked there.
    ratios += [Ratio(measure, category, (measure, category), (_total(measure), ""), None)
               for measure, categories in shares for category in categories]
    ratios += [Ratio("met_standard", f"month_{n}", ("met_standard", f"month_{n}"),
                     ("_month_link_workers", f"month_{n}"), month.link_workers)
               for n, month in enumerate(f.supervision.months, start=1)]
    return tuple(ratios)
