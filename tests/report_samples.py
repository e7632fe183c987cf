"""Hand-made PublishedReports for the renderers' tests: every cell of every measure, for the
organisation (this quarter and the 4 before) and the national benchmark, with some cells hidden
for each Reason, as stage 2 would hide them. No database, no stage 1 or 2."""
from __future__ import annotations

from dataclasses import replace

from supervision.reports.published import MEASURES, NATIONAL, ORGANISATION, Cell, PublishedReport, Reason

QUARTER = "2026-Q3"
PREVIOUS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2")

# Rounded counts (multiples of 5), and the other kinds, of a 40-person organisation this quarter.
ORGANISATION_FIGURES: dict[tuple[str, str], float] = {
    ("link_workers", ""): 40, ("invited", ""): 40, ("answered", ""): 30,
    ("monthly_respondents", ""): 40,
    ("single_item", "1"): 10, ("single_item", "2"): 15, ("single_item", "3"): 10, ("single_item", "4"): 5,
    ("single_item", "5"): 0,
    ("burning_out", ""): 15,
    ("cbi_respondents", ""): 35,
    ("cbi_mean", "personal"): 48.2, ("cbi_mean", "work"): 52.4, ("cbi_mean", "client"): 31.0,
    ("cbi_personal", "under_50"): 20, ("cbi_personal", "50_or_more"): 15,
    ("cbi_work", "under_50"): 15, ("cbi_work", "50_or_more"): 20,
    ("cbi_client", "under_50"): 0, ("cbi_client", "50_or_more"): 0,
    **{("agreement_S1", answer): count for answer, count in zip("12345", (5, 5, 10, 15, 5))},
    **{("agreement_S2", answer): count for answer, count in zip("12345", (0, 10, 10, 10, 10))},
    **{("agreement_S3", answer): count for answer, count in zip("12345", (0, 5, 10, 15, 10))},
    ("welsh_respondents", ""): 5,
    ("sessions_held", ""): 60, ("people_attending", ""): 35,
    ("met_standard", "month_1"): 30, ("met_standard", "month_2"): 35, ("met_standard", "month_3"): 35,
    ("cancelled_by_link_worker", ""): 10, ("cancelled_by_supervisor", ""): 10, ("no_shows", ""): 5,
    ("hours_per_link_worker", ""): 3.5,
    ("requests", ""): 20,
    ("by_urgency", "today"): 5, ("by_urgency", "three_days"): 10, ("by_urgency", "this_week"): 5,
    ("by_category", "client_death"): 0, ("by_category", "safeguarding"): 10, ("by_category", "aggression"): 5,
    ("by_category", "disclosure"): 5, ("by_category", "suicide_concern"): 0, ("by_category", "other"): 0,
    ("accepted", ""): 20, ("accepted_within_target", ""): 15, ("minutes_to_accept", ""): 95,
    ("held", ""): 15, ("minutes_to_debrief", ""): 2900, ("escalated", ""): 5,
    ("check_ins", "better"): 10, ("check_ins", "same"): 5, ("check_ins", "worse"): 5,
    ("reflecting", ""): 20,
}

# Hidden cells of the organisation's current quarter (every kind at that address), with their reason.
ORGANISATION_HIDDEN: dict[tuple[str, str], Reason] = {
    ("single_item", "4"): Reason.small_count,
    ("single_item", "5"): Reason.complementary,
    ("cbi_mean", "client"): Reason.fewer_than_k,
    ("cbi_client", "under_50"): Reason.fewer_than_k,
    ("cbi_client", "50_or_more"): Reason.fewer_than_k,
    ("agreement_S1", "1"): Reason.small_count,
    ("agreement_S1", "2"): Reason.complementary,
    ("agreement_S1", "5"): Reason.small_count,
    ("agreement_S2", "1"): Reason.uniform,
    ("agreement_S3", "1"): Reason.uniform,
    ("agreement_S3", "2"): Reason.small_count,
    ("welsh_respondents", ""): Reason.small_count,
    ("no_shows", ""): Reason.small_count,
    ("by_urgency", "today"): Reason.small_count,
    ("by_urgency", "this_week"): Reason.complementary,
    ("by_category", "aggression"): Reason.small_count,
    ("by_category", "disclosure"): Reason.small_count,
    ("escalated", ""): Reason.small_count,
    ("check_ins", "same"): Reason.small_count,
    ("check_ins", "worse"): Reason.complementary,
}

# What each percentage is a percentage of.
_DENOMINATORS = {
    "participation": ("invited", ""), "burning_out": ("monthly_respondents", ""),
    "people_attending": ("link_workers", ""), "met_standard": ("link_workers", ""),
    "accepted_within_target": ("accepted", ""), "reflecting": ("link_workers", ""),
}
_SHARE_OF_ITS_CATEGORIES = ("single_item", "cbi_personal", "cbi_work", "cbi_client", "agreement_S1",
                            "agreement_S2", "agreement_S3", "check_ins")


def _percent(figures: dict, measure: str, category: str) -> float | None:
    if measure == "single_item":
        total = figures[("monthly_respondents", "")]
    elif measure in _SHARE_OF_ITS_CATEGORIES:
        total = sum(value for (m, _c), value in figures.items() if m == measure)
    elif measure == "participation":
        return 100 * figures[("answered", "")] / figures[("invited", "")]
    else:
        total = figures[_DENOMINATORS[measure]]
    return 100 * figures[(measure, category)] / total if total else None


def _scaled(figures: dict, factor: float) -> dict:
    """Another quarter's figures: counts scaled and rounded to 5 again, the other kinds as they are."""
    scaled = {}
    for (measure, category), value in figures.items():
        kinds = next(m.kinds for m in MEASURES if m.id == measure)
        scaled[(measure, category)] = 5 * round(value * factor / 5) if "count" in kinds else value
    return scaled


def _cells(scope: str, quarter: str, figures: dict, hidden: dict) -> list[Cell]:
    cells = []
    for measure in MEASURES:
        for category in measure.categories:
            for kind in measure.kinds:
                reason = hidden.get((measure.id, category))
                if reason is None and kind == "percent":
                    value = _percent(figures, measure.id, category)
                    reason = Reason.no_data if value is None else None
                elif reason is None:
                    value = figures[(measure.id, category)]
                if reason is not None:
                    value = None
                cells.append(Cell(scope, quarter, measure.id, category, kind, value, reason))
    return cells


def national_figures() -> dict:
    figures = _scaled(ORGANISATION_FIGURES, 50)
    figures.update({("cbi_mean", "personal"): 45.0, ("cbi_mean", "work"): 47.5, ("cbi_mean", "client"): 33.3,
                    ("cbi_client", "under_50"): 1200, ("cbi_client", "50_or_more"): 500,
                    ("single_item", "5"): 100, ("agreement_S2", "1"): 50, ("agreement_S3", "1"): 100,
                    ("by_category", "other"): 40, ("hours_per_link_worker", ""): 3.1})
    figures[("burning_out", "")] = sum(figures[("single_item", answer)] for answer in "345")
    figures[("monthly_respondents", "")] = sum(figures[("single_item", answer)] for answer in "12345")
    return figures


def sample_report(*, organisation_name: str = "Cwm Taf Link Workers", k: int = 5, draft: bool = False,
                  figures: dict | None = None, hidden: dict | None = None) -> PublishedReport:
    """A realistic report: a 40-person organisation, some cells hidden for each Reason, a trend in
    which the oldest quarter has no data and 2026-Q1's survey figures fail the comparison rule."""
    figures = {**ORGANISATION_FIGURES, **(figures or {})}
    hidden = ORGANISATION_HIDDEN if hidden is None else hidden
    cells = _cells(ORGANISATION, QUARTER, figures, hidden)
    cells += _cells(NATIONAL, QUARTER, national_figures(), {})
    survey = {(m.id, c): Reason.comparison for m in MEASURES if m.survey for c in m.categories}
    no_data = {(m.id, c): Reason.no_data for m in MEASURES for c in m.categories}
    for position, quarter in enumerate(PREVIOUS):
        earlier = _scaled(figures, 0.75 + 0.05 * position)
        earlier[("met_standard", "month_3")] = 5 * round(figures[("link_workers", "")] * (0.6 + 0.1 * position) / 5)
        trend_hidden = no_data if quarter == "2025-Q3" else {**hidden, **survey} if quarter == "2026-Q1" else hidden
        cells += _cells(ORGANISATION, quarter, earlier, trend_hidden)
    return PublishedReport(organisation_name=organisation_name, quarter=QUARTER, previous_quarters=PREVIOUS, k=k,
                           draft=draft, standard_days=42, instrument_versions=("cbi 1", "monthly 1"),
                           cells=tuple(cells))


def with_cells(report: PublishedReport, **changes: tuple[float | None, Reason | None]) -> PublishedReport:
    """The report with some current-quarter organisation cells changed: key "measure:category:kind"."""
    wanted = {}
    for key, (value, reason) in changes.items():
        measure, category, kind = key.split(":")
        wanted[(ORGANISATION, report.quarter, measure, category, kind)] = (value, reason)
    cells = tuple(
        replace(cell, value=wanted[address][0], reason=wanted[address][1])
        if (address := (cell.scope, cell.quarter, cell.measure, cell.category, cell.kind)) in wanted else cell
        for cell in report.cells)
    return replace(report, cells=cells)


def tiny_report(**kwargs) -> PublishedReport:
    """A 4-person organisation: every survey and debrief figure hidden."""
    report = sample_report(**kwargs)
    cells = []
    for cell in report.cells:
        measure = next(m for m in MEASURES if m.id == cell.measure)
        if cell.scope == ORGANISATION and (measure.survey or measure.section in ("debriefs", "reflection")
                                           or cell.measure == "met_standard"):
            cell = replace(cell, value=None, reason=Reason.fewer_than_k if measure.survey else Reason.small_count)
        cells.append(cell)
    return replace(report, cells=tuple(cells))

