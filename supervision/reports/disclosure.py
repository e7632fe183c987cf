"""Stage 2, disclosure control: a pure function from one organisation's aggregates to the cells a
report may publish, each a figure or the reason it is `*` (DESIGN.md rules 1 to 5 and 9).

No database, no Flask, no clock: the same input always gives the same report. The opaque keys of
people and respondents are compared here (rule 5) and go no further. A draft's input has no
national benchmark, and its report no national cell.
"""
from __future__ import annotations

from dataclasses import replace

from .disclosure_figures import Figure, Kept, Ratio, comparison_keys, quarter_figures
from .disclosure_national import few_organisations
from .disclosure_rules import (Address, Reasons, comparable_with_all, complement, follow_counts, one_decimal, people_of,
                               percent, primary_reason, quarters_shown, ratio_reason, round_count,
                               uniform_distributions)
from .figures import QuarterFigures, ReportInput
from .published import MEASURES, NATIONAL, ORGANISATION, Cell, CellKey, PublishedReport, Reason

MINIMUM_K = 5  # DESIGN.md rule 1: an organisation may raise k, never lower it


def disclose(data: ReportInput, *, organisation_name: str) -> PublishedReport:
    k = data.k
    if k < MINIMUM_K:
        raise ValueError(f"k must be at least {MINIMUM_K}, not {k}")
    current = data.organisation
    previous = tuple(sorted(data.previous, key=lambda f: f.quarter))
    if any(f.quarter >= current.quarter for f in previous):
        raise ValueError("the trend's quarters must come before the quarter reported on")
    national = data.national
    # A draft has no benchmark (aggregate.report_input), so no national cell: rule 3 then has no
    # national figure to take an organisation's figure from, and the national rule nothing to judge.
    benchmark = [] if national is None else [(NATIONAL, national)]
    frames = [(ORGANISATION, current), *benchmark, *((ORGANISATION, f) for f in previous)]

    figures: dict[Address, Figure] = {}
    ratios: dict[Address, Ratio] = {}
    for scope, quarter_data in frames:
        quarter = quarter_data.quarter.key
        quarter_figure_list, quarter_ratios = quarter_figures(quarter_data)
        figures.update(((scope, quarter, f.measure, f.category, f.kind), f) for f in quarter_figure_list)
        ratios.update(((scope, quarter, r.measure, r.category, "percent"), r) for r in quarter_ratios)

    reasons: Reasons = {address: primary_reason(figure, k) for address, figure in figures.items()}
    trend_hidden = _compare_quarters(reasons, figures, current, previous, data.earlier_cuts, k, data.published_before,
                                     data.keys_before, data.seen_drafts, data.drafts_before)
    frame_keys = [(scope, f.quarter.key) for scope, f in frames]
    # After rule 5, so that a trend quarter not shown reads `comparison` throughout, whatever its bands.
    uniform_distributions(reasons, figures, frame_keys)
    # The national benchmark's own rule (disclosure_national), before rule 3, which then protects what it hides.
    if national is not None:
        few_organisations(reasons, figures, national, k)
    national_pairs = [((ORGANISATION,) + address[1:], address) for address in figures if address[0] == NATIONAL]
    follow_counts(reasons, figures)
    # Rule 3 can suppress a national count, whose median must then go too, and that national
    # median can in turn need rule 3 against the organisation's: until nothing changes.
    while True:
        complement(reasons, figures, frame_keys, national_pairs, k,
                   single_organisation=national is not None and national.organisations <= 1)
        if not follow_counts(reasons, figures):
            break
    for address, ratio in ratios.items():
        scope, quarter = address[:2]
        numerator, denominator = ((scope, quarter, *slot, "count") for slot in (ratio.numerator, ratio.denominator))
        reasons[address] = ratio_reason(ratio, figures[denominator], reasons[numerator], reasons[denominator], k)

    trend = {f.quarter.key for f in previous}
    cells = tuple(_as_published(cell, data.published_before, _hidden(cell, trend_hidden, ratios))
                  if cell.quarter in trend else cell
                  for scope, f in frames for cell in (_cell(address, reasons[address], figures, ratios)
                                                      for address in _addresses(scope, f.quarter.key)))
    return PublishedReport(
        organisation_name=organisation_name, quarter=current.quarter.key,
        previous_quarters=tuple(f.quarter.key for f in previous), k=k, draft=data.draft,
        standard_days=current.supervision.standard_days,
        instrument_versions=current.wellbeing.instrument_versions, cells=cells)


def _addresses(scope: str, quarter: str) -> list[Address]:
    return [(scope, quarter, measure.id, category, kind)
            for measure in MEASURES for category in measure.categories for kind in measure.kinds]


def _bases(figures: QuarterFigures) -> dict[tuple[str, str], int]:
    """Per (comparison, group) of the organisation's figures, the figure that must meet k."""
    return {(f.comparison, f.group): f.comparison_basis for f in quarter_figures(figures)[0] if f.comparison}


def _compare_quarters(reasons: Reasons, figures: dict[Address, Figure], current: QuarterFigures,
                      previous: tuple[QuarterFigures, ...], earlier_cuts: tuple[QuarterFigures, ...], k: int,
                      published_before: dict[str, dict[CellKey, Cell]] | None = None,
                      keys_before: dict[str, Kept | None] | None = None,
                      seen_drafts: tuple[Kept | None, ...] = (),
                      drafts_before: tuple[Kept | None, ...] = ()) -> set[tuple[str, str, str]]:
    """Rule 5, in place, on the figures that rules 1, 2 and 4 left published, once per group of
    figures sharing the figure that must meet k, so that a breakdown and its total go together.

    Across reports: each report shows its own quarter, and the reports of consecutive quarters are
    read side by side, so the current quarter's figures are published only when they are comparable
    with every earlier quarter of the trend whose figure met k. This is conservative: it treats
    every such quarter as published in its own report, which it may not have been (rule 5 in that
    report, or a report never issued). The same goes for `earlier_cuts`, the quarter as admins may
    have seen it in drafts. When the current quarter's figures are withheld, its trend's quarters
    are still shown among themselves where pairwise comparable: each has been published, and
    nothing of the current quarter stands beside them.

    A trend shows an earlier quarter's figures only where that quarter's own issued report
    published them (`published_before`): a quarter withheld in its own report, to keep it apart
    from the quarter before it or from the drafts an admin saw, must not reappear a quarter later
    beside them. An earlier quarter is compared by the keys and bases its issued report kept
    (`keys_before`), and the quarter's stored draft by what it kept (`seen_drafts`): worked out again
    today, either may have lost people since (a link worker who left, an account deleted), and the
    report compared with is the one that had them. The earlier quarters' drafts their admins saw
    (`drafts_before`) are compared with like the earlier quarters. Keys sealed with another secret cannot be
    compared, so the current quarter is withheld beside them.

    Returns the trend's (quarter, measure, category) that rule 5 hides, whatever their other reasons."""
    bases = {f.quarter.key: _bases(f) for f in (current, *previous)}
    cut_bases = [_bases(cut) for cut in earlier_cuts]
    current_key = current.quarter.key
    unknown = None in seen_drafts or None in drafts_before or any(
        keys_before.get(f.quarter.key, ...) is None for f in previous if keys_before is not None)
    trend_hidden: set[tuple[str, str, str]] = set()
    for comparison, group in sorted(bases[current_key]):
        basis, keys = bases[current_key][(comparison, group)], comparison_keys(current, comparison)
        # Quarters by their people; the cuts of this quarter by their responses too (comparable).
        everything_before = [_as_issued(f, bases[f.quarter.key][(comparison, group)], (comparison, group),
                                        keys_before)
                             for f in reversed(previous)]  # newest first
        trend = [candidate for candidate in everything_before
                 if _published(published_before, figures, candidate[0], (comparison, group))]
        cuts = [(cut_basis[(comparison, group)], comparison_keys(cut, comparison))
                for cut, cut_basis in zip(earlier_cuts, cut_bases)]
        cuts += [(seen.bases.get((comparison, group), 0), seen.keys[comparison])
                 for seen in seen_drafts if seen is not None and comparison in seen.keys]
        drafts = [(draft.bases.get((comparison, group), 0), people_of(draft.keys[comparison]))
                  for draft in drafts_before if draft is not None and comparison in draft.keys]
        withheld = unknown or not (comparable_with_all((basis, people_of(keys)),
                                            [*((quarter_basis, quarter_keys) for _, quarter_basis, quarter_keys
                                               in everything_before), *drafts], k)
                        and comparable_with_all((basis, keys), cuts, k))
        shown = quarters_shown(None if withheld else (basis, people_of(keys)), trend, k)
        for address, figure in figures.items():
            scope, quarter = address[:2]
            if scope != ORGANISATION or (figure.comparison, figure.group) != (comparison, group):
                continue
            hidden = withheld if quarter == current_key else quarter not in shown
            if hidden and quarter != current_key:
                trend_hidden.add((quarter, figure.measure, figure.category))
            if hidden and reasons[address] is None:
                reasons[address] = Reason.comparison
    return trend_hidden


def _as_issued(f: QuarterFigures, basis: int, comparison_group: tuple[str, str],
               keys_before: dict[str, Kept | None] | None) -> tuple[str, int, frozenset]:
    """(quarter, figure that must meet k, people) of an earlier quarter: by the keys and basis its
    issued report kept, where it kept some (so that a quarter whose report had k people is still
    compared after one of them has gone, and nothing of today's decides it); else as worked out today."""
    comparison, group = comparison_group
    stored = (keys_before or {}).get(f.quarter.key)
    if stored is None or comparison not in stored.keys or comparison_group not in stored.bases:
        return f.quarter.key, basis, people_of(comparison_keys(f, comparison))
    return f.quarter.key, stored.bases[comparison_group], people_of(stored.keys[comparison])


def _published(published_before: dict[str, dict[CellKey, Cell]] | None, figures: dict[Address, Figure],
               quarter: str, comparison_group: tuple[str | None, str]) -> bool:
    """Whether the quarter's own issued report published this group of figures, not withholding it
    under rule 5 (True when unknown)."""
    if published_before is None:
        return True
    stored = published_before.get(quarter)
    if stored is None:
        return False  # never issued: its figures have never been read, and a trend is no place to start
    members = [(figure.measure, figure.category, figure.kind) for (scope, figure_quarter, *_), figure in figures.items()
               if scope == ORGANISATION and figure_quarter == quarter
               and (figure.comparison, figure.group) == comparison_group]
    return not any(stored[key].reason == Reason.comparison for key in members if key in stored)


def _hidden(cell: Cell, trend_hidden: set[tuple[str, str, str]], ratios: dict[Address, Ratio]) -> bool:
    """Whether rule 5 hides this trend cell: its figure, or for a percentage either of its counts."""
    ratio = ratios.get((cell.scope, cell.quarter, cell.measure, cell.category, cell.kind))
    slots = [(cell.measure, cell.category)] if ratio is None else [ratio.numerator, ratio.denominator]
    return any((cell.quarter, *slot) in trend_hidden for slot in slots)


def _as_published(cell: Cell, published_before: dict[str, dict[CellKey, Cell]] | None, hidden: bool) -> Cell:
    """A trend quarter's cell exactly as its own issued report published it (value and reason),
    unless rule 5 hides it here. Worked out again from today's data, the quarter may have lost
    someone since (an account deleted, answers past their retention, a link worker who left): no
    value or reason of today's may show, since which figures changed would tell that person's part.
    A quarter never issued is hidden: its figures have never been read."""
    if published_before is None:
        return cell
    stored = published_before.get(cell.quarter, {}).get((cell.measure, cell.category, cell.kind))
    if stored is None or hidden:
        return replace(cell, value=None, reason=Reason.comparison)
    return replace(cell, value=stored.value, reason=stored.reason)


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
