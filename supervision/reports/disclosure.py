"""Stage 2, disclosure control: a pure function from one organisation's aggregates to the cells a
report may publish, each a figure or the reason it is `*` (DESIGN.md rules 1 to 5 and 9).

No database, no Flask, no clock: the same input always gives the same report. The opaque keys of
people and respondents are compared here (rule 5) and go no further.
"""
from __future__ import annotations

from .disclosure_figures import RESPONDENTS, Figure, Ratio, quarter_figures
from .disclosure_rules import (Address, Reasons, complement, follow_counts, one_decimal, percent, primary_reason,
                               quarters_shown, ratio_reason, round_count, uniform_distributions)
from .figures import QuarterFigures, ReportInput
from .published import MEASURES, NATIONAL, ORGANISATION, Cell, PublishedReport, Reason

MINIMUM_K = 5  # DESIGN.md rule 1: an organisation may raise k, never lower it


def disclose(data: ReportInput, *, organisation_name: str) -> PublishedReport:
    k = data.k
    if k < MINIMUM_K:
        raise ValueError(f"k must be at least {MINIMUM_K}, not {k}")
    current = data.organisation
    previous = tuple(sorted(data.previous, key=lambda f: f.quarter))
    if any(f.quarter >= current.quarter for f in previous):
        raise ValueError("the trend's quarters must come before the quarter reported on")
    frames = [(ORGANISATION, current), (NATIONAL, data.national), *((ORGANISATION, f) for f in previous)]

    figures: dict[Address, Figure] = {}
    ratios: dict[Address, Ratio] = {}
    for scope, quarter_data in frames:
        quarter = quarter_data.quarter.key
        quarter_figure_list, quarter_ratios = quarter_figures(quarter_data)
        figures.update(((scope, quarter, f.measure, f.category, f.kind), f) for f in quarter_figure_list)
        ratios.update(((scope, quarter, r.measure, r.category, "percent"), r) for r in quarter_ratios)

    reasons: Reasons = {address: primary_reason(figure, k) for address, figure in figures.items()}
    _compare_quarters(reasons, figures, current, previous, k)
    frame_keys = [(scope, f.quarter.key) for scope, f in frames]
    # After rule 5, so that a trend quarter not shown reads `comparison` throughout, whatever its bands.
    uniform_distributions(reasons, figures, frame_keys)
    national_pairs = [((ORGANISATION,) + address[1:], address) for address in figures if address[0] == NATIONAL]
    follow_counts(reasons, figures)
    # Rule 3 can suppress a national count, whose median must then go too, and that national
    # median can in turn need rule 3 against the organisation's: until nothing changes.
    while True:
        complement(reasons, figures, frame_keys, national_pairs, k,
                   single_organisation=data.national.organisations <= 1)
        if not follow_counts(reasons, figures):
            break
    for address, ratio in ratios.items():
        scope, quarter = address[:2]
        numerator, denominator = ((scope, quarter, *slot, "count") for slot in (ratio.numerator, ratio.denominator))
        reasons[address] = ratio_reason(ratio, figures[denominator], reasons[numerator], reasons[denominator], k)

    cells = tuple(_cell(address, reasons[address], figures, ratios)
                  for scope, f in frames for address in _addresses(scope, f.quarter.key))
    return PublishedReport(
        organisation_name=organisation_name, quarter=current.quarter.key,
        previous_quarters=tuple(f.quarter.key for f in previous), k=k, draft=data.draft,
        standard_days=current.supervision.standard_days,
        instrument_versions=current.wellbeing.instrument_versions, cells=cells)


def _addresses(scope: str, quarter: str) -> list[Address]:
    return [(scope, quarter, measure.id, category, kind)
            for measure in MEASURES for category in measure.categories for kind in measure.kinds]


def _keys(figures: QuarterFigures, comparison: str) -> frozenset:
    return figures.wellbeing.respondent_keys if comparison == RESPONDENTS else figures.people.people_keys


def _compare_quarters(reasons: Reasons, figures: dict[Address, Figure], current: QuarterFigures,
                      previous: tuple[QuarterFigures, ...], k: int) -> None:
    """Rule 5, in place, on the trend's figures that rules 1, 2 and 4 left published. The quarters
    shown are chosen once per group of figures sharing the figure that must meet k, so that a
    breakdown and its total are shown for the same quarters."""
    # Per quarter (current and previous), each group's figure that must meet k.
    bases: dict[tuple[str, str, str], int] = {
        (quarter, f.comparison, f.group): f.comparison_basis
        for (scope, quarter, *_), f in figures.items() if scope == ORGANISATION and f.comparison}
    current_key = current.quarter.key
    groups = {(comparison, group) for (quarter, comparison, group) in bases if quarter == current_key}
    for comparison, group in sorted(groups):
        candidates = [(f.quarter.key, bases[(f.quarter.key, comparison, group)], _keys(f, comparison))
                      for f in reversed(previous)]  # newest first
        shown = quarters_shown((bases[(current_key, comparison, group)], _keys(current, comparison)), candidates, k)
        for address, figure in figures.items():
            scope, quarter = address[:2]
            if (scope == ORGANISATION and quarter != current_key and quarter not in shown
                    and (figure.comparison, figure.group) == (comparison, group) and reasons[address] is None):
                reasons[address] = Reason.comparison


def _cell(address: Address, reason: Reason | None, figures: dict[Address, Figure],
          ratios: dict[Address, Ratio]) -> Cell:
    scope, quarter, measure, category, kind = address
    value: float | None = None
    if reason is None:
        if kind == "percent":
            ratio = ratios[address]
            numerator, denominator = (figures[(scope, quarter, *slot, "count")] for slot in
                                      (ratio.numerator, ratio.denominator))
            value = percent(round_count(int(numerator.raw or 0)), round_count(int(denominator.raw or 0)))
        elif kind == "count":
            value = round_count(int(figures[address].raw or 0))
        else:
            value = one_decimal(float(figures[address].raw))  # type: ignore[arg-type]
    return Cell(scope=scope, quarter=quarter, measure=measure, category=category, kind=kind, value=value,
                reason=reason)
