"""Stage 2, the national benchmark's own rule: DESIGN.md rule 3 between organisations, so that no
reader works one organisation's figure out of the national one. Pure: no database, no Flask."""
from __future__ import annotations

from collections.abc import Callable

from .disclosure_figures import Figure
from .disclosure_rules import Address, Reasons
from .figures import AGREEMENT_ITEMS, SCALES, Contribution, Contributions, QuarterFigures
from .published import NATIONAL, Reason

MINIMUM_ORGANISATIONS = 3
HIDDEN_TOTAL = "_total_"

# Each national figure's basis: the people who stand behind it, whose spread over the organisations
# decides whether it may be shown. Those figures with a rule-1 basis (disclosure_figures) have it;
# the others take the people whose records they count: the headcount for the people and reflection
# figures and the supervision standard's months, those who attended for the sessions and hours, and
# those who booked for the cancellations and no-shows: the people whose bookings those count.
Basis = tuple[Callable[[Contributions], Contribution], Callable[[QuarterFigures], int]]
_LINK_WORKERS: Basis = (lambda c: c.link_workers, lambda f: f.people.link_workers)
_ANSWERED: Basis = (lambda c: c.answered, lambda f: f.people.answered)
_MONTHLY: Basis = (lambda c: c.monthly, lambda f: f.wellbeing.monthly_respondents)
_ATTENDING: Basis = (lambda c: c.attending, lambda f: f.supervision.people_attending)
_REQUESTERS: Basis = (lambda c: c.requesters, lambda f: f.debriefs.requesters)
_CHECKED: Basis = (lambda c: c.check_in_people, lambda f: f.debriefs.check_in_people)


def _bookers(figures: QuarterFigures) -> int:
    """The bookers' national number: no figure counts them, so stage 1 counts them with the
    contributions (0 without them, which would hide; few_organisations judges nothing then anyway)."""
    return 0 if figures.contributions is None else figures.contributions.bookers_nationally


_BOOKERS: Basis = (lambda c: c.bookers, _bookers)
_BASES: dict[str, Basis] = {
    "link_workers": _LINK_WORKERS, "invited": _LINK_WORKERS, "answered": _ANSWERED, "welsh_respondents": _ANSWERED,
    "monthly_respondents": _MONTHLY,
    # The monthly items may be left unanswered, so each item's figures rest on those who answered
    # it, which may be far fewer than the monthly respondents. Each organisation's monthly
    # respondents still bound its own answerers from above, which only makes the rule stricter.
    "single_item": (lambda c: c.monthly, lambda f: sum(f.wellbeing.single_item.values())),
    "burning_out": (lambda c: c.monthly, lambda f: sum(f.wellbeing.single_item.values())),
    **{f"agreement_{item}": (lambda c: c.monthly, lambda f, item=item: sum(f.wellbeing.agreement[item].values()))
       for item in AGREEMENT_ITEMS},
    "cbi_respondents": (lambda c: c.cbi, lambda f: f.wellbeing.cbi_respondents),
    "sessions_held": _ATTENDING, "people_attending": _ATTENDING, "hours_per_link_worker": _ATTENDING,
    # A cancellation or a no-show is a booking's, and not everyone who books attends.
    "cancelled_by_link_worker": _BOOKERS, "cancelled_by_supervisor": _BOOKERS, "no_shows": _BOOKERS,
    "reflecting": _LINK_WORKERS,
    **{measure: _REQUESTERS for measure in ("requests", "by_urgency", "by_category", "accepted",
                                            "accepted_within_target", "minutes_to_accept", "held",
                                            "minutes_to_debrief", "escalated")},
    "check_ins": _CHECKED,
}


def _scale(scale: str) -> Basis:
    """A CBI scale's people: those whose answers scored it. Stage 1 bounds each organisation's by its
    CBI respondents (aggregate_national), which only makes the rule stricter."""
    return (lambda c: c.cbi, lambda f: f.wellbeing.scales[scale].scored)


def _month(index: int) -> Basis:
    return (lambda c: c.link_workers, lambda f: f.supervision.months[index].link_workers)


def basis_of(figure: Figure) -> Basis:
    """KeyError for a measure the rule does not know: a new national figure must be given a basis
    here before it can be published."""
    measure = figure.measure.removeprefix(HIDDEN_TOTAL)
    if measure in ("met_standard", "_month_link_workers"):
        # The headcount at that month's end, which may be smaller than the quarter's: people join.
        return _month(int(figure.category.removeprefix("month_")) - 1)
    if measure == "cbi_mean":
        return _scale(figure.category)
    if measure.startswith("cbi_") and measure.removeprefix("cbi_") in SCALES:
        return _scale(measure.removeprefix("cbi_"))
    return _BASES[measure]


def enough_organisations(contribution: Contribution, people: int, k: int) -> bool:
    """At least 3 organisations bring people, and at least k remain once the two largest are taken
    away. `people` is the basis's national count of distinct people."""
    remaining = people - contribution.largest - contribution.second
    return contribution.organisations >= MINIMUM_ORGANISATIONS and remaining >= k


def few_organisations(reasons: Reasons, figures: dict[Address, Figure], national: QuarterFigures, k: int) -> None:
    """In place: every national figure, hidden totals included, whose basis is spread over too few
    organisations is suppressed as Reason.few_organisations, unless rules 1, 2 or 4 already hid it.

    Why: rule 3 against the national figure protects one report's own organisation, but the
    national figure is the same in every organisation's report. With two organisations, the national
    figure minus A's is B's, which B's report may have hidden; and someone who knows two
    organisations' figures (an employer in both, or a commissioner) can take both away from it. So
    the rest must be at least 3 organisations and at least k people once any two are taken away:
    the two largest leave the fewest, so when k remain after them, k remain after any two.

    Judged on people, not on the figure's value: a count of requests or sessions can be large and
    still be one person's. A hidden national total follows the same rule, since a published
    percentage reveals its denominator. All the figures of a basis pass or fail together, so a
    national breakdown is never left with one lone `*` by this rule; rule 3, which runs after it,
    still accounts for what it hides.

    The contributions err large (a person in two organisations counts in both; a CBI scale's are
    bounded by the CBI's respondents) and `people` is the exact national count, so the people left
    are never overstated; and since k is at least 1, k left means a third organisation brings
    someone even where the organisations are over-counted.

    `national.contributions` None: the input was made by hand, without them; nothing is judged.
    """
    contributions = national.contributions
    if contributions is None:
        return
    for address, figure in figures.items():
        if address[0] != NATIONAL or reasons[address] is not None:
            continue
        contribution, people = basis_of(figure)
        if not enough_organisations(contribution(contributions), people(national), k):
            reasons[address] = Reason.few_organisations
