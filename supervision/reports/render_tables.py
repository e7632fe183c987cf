"""A report's sections as tables, made from a PublishedReport and nothing else: each figure as shown
(or `*` with its reason), the tables of each section with the chart drawn from the same figures, and
the trend over the last five quarters. render_html puts them on the page with the rest.

Call inside the report's language: labels are resolved here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..pulse.instruments import SCALE_LABELS, Scale
from .charts import TREND_LINES, Chart, trend_line_label, trend_quarters
from .figures import AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALE_BANDS, SCALES, URGENCIES
from .labels import (BENCHMARK_WHEN_ISSUED, MEASURE, SCOPE, SECTION, category_label, display_value, quarter_label,
                     reason_text, shows_benchmark, threshold_note)
from .published import NATIONAL, ORGANISATION, PublishedReport


@dataclass(frozen=True)
class Figure:
    text: str  # as shown: "45%", "2 hours", or "*" when hidden
    reason: str | None = None  # why it is hidden, exactly when it is
    absent: bool = False  # the report has no such figure (e.g. a quarter before the organisation joined)

    @property
    def hidden(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    id: str  # the caption's id, for the scrolling region's label
    caption: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: Chart | None = None  # drawn from the same figures, shown above the table
    note: str | None = None  # under the table: a draft's word on the benchmark column it leaves out

    @property
    def reasons(self) -> tuple[str, ...]:
        """Each distinct reason a figure in the table is hidden, for the footnote."""
        seen: dict[str, None] = {}
        for row in self.rows:
            for figure in row.figures:
                if figure.reason:
                    seen.setdefault(figure.reason, None)
        return tuple(seen)

    @property
    def has_absent(self) -> bool:
        return any(figure.absent for row in self.rows for figure in row.figures)


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    tables: tuple[Table, ...]
    intro: tuple[str, ...] = ()


def figure(report: PublishedReport, measure: str, category: str = "", kind: str = "count", *,
           scope: str = ORGANISATION, quarter: str | None = None) -> Figure:
    """The figure as shown; absent when the report has none, as a draft has no national figure."""
    if scope == NATIONAL and not shows_benchmark(report):
        return Figure("–", absent=True)
    try:
        cell = report.cell(measure, category, kind, scope=scope, quarter=quarter)
    except KeyError:
        return Figure("–", absent=True)
    if cell.reason is not None:
        return Figure("*", reason_text(cell.reason, report.k, cell.kind))
    return Figure(display_value(cell))


# --- tables -----------------------------------------------------------------------------------------
# A column is (header, scope, kind or None); a row is (label, measure, category, kind or None). A
# figure's kind is the column's when it has one, else the row's, else a count.

def _table(report: PublishedReport, table_id: str, caption: str, row_header: str, columns, rows,
           chart: Chart | None = None) -> Table:
    """A draft leaves out the benchmark's column, and says under the table when it will be shown."""
    benchmark = shows_benchmark(report)
    kept = tuple(column for column in columns if benchmark or column[1] != NATIONAL)
    built = tuple(
        Row(label, tuple(figure(report, measure, category, column_kind or row_kind or "count", scope=scope)
                         for _header, scope, column_kind in kept))
        for label, measure, category, row_kind in rows)
    note = None if kept == columns else str(BENCHMARK_WHEN_ISSUED)
    return Table(table_id, caption, row_header, tuple(header for header, _scope, _kind in kept), built, chart, note)


def _side_by_side() -> tuple:
    return ((str(SCOPE[ORGANISATION]), ORGANISATION, None), (str(SCOPE[NATIONAL]), NATIONAL, None))


def _distribution() -> tuple:
    return ((_("Your organisation: number"), ORGANISATION, "count"),
            (_("Your organisation: percentage"), ORGANISATION, "percent"),
            (_("National benchmark: percentage"), NATIONAL, "percent"))


def _single(measure: str, kind: str = "count", label: str | None = None) -> tuple:
    return (label or str(MEASURE[measure]), measure, "", kind)


def _as_percentage(measure: str, category: str = "") -> tuple:
    return (_("%(figure)s, as a percentage", figure=str(MEASURE[measure])), measure, category, "percent")


def _categories(measure: str, categories: tuple[str, ...]) -> tuple:
    return tuple((category_label(measure, category), measure, category, None) for category in categories)


def _people(report: PublishedReport) -> Section:
    table = _table(report, "people", _("People and participation"), _("Figure"), _side_by_side(), (
        _single("link_workers"), _single("invited"), _single("answered"), _single("participation", "percent")))
    return Section("people", str(SECTION["people"]), (table,), (
        _("Participation is the percentage of the people invited to a survey this quarter who answered at least "
          "one."),))


def _wellbeing(report: PublishedReport, charts: dict[str, Chart]) -> Section:
    figure_header = _("Figure")
    tables = [
        _table(report, "respondents", _("People behind the wellbeing figures"), figure_header, _side_by_side(), (
            _single("monthly_respondents"), _single("cbi_respondents"), _single("welsh_respondents"))),
        _table(report, "single-item", _("Answers to the burnout question"), _("Answer"), _distribution(),
               (*_categories("single_item", LIKERT), _single("burning_out", None)), charts["single-item"]),
        _table(report, "cbi-means", _("Copenhagen Burnout Inventory: mean scale scores (0 to 100)"), _("Scale"),
               _side_by_side(), tuple((str(SCALE_LABELS[Scale(scale)]), "cbi_mean", scale, "mean")
                                      for scale in SCALES), charts["cbi"]),
        _table(report, "cbi-bands", _("Copenhagen Burnout Inventory: people by scale score"), _("Scale and score"),
               _distribution(), tuple(
                   (_("%(scale)s: %(band)s", scale=str(SCALE_LABELS[Scale(scale)]),
                      band=category_label(f"cbi_{scale}", band)), f"cbi_{scale}", band, None)
                   for scale in SCALES for band in SCALE_BANDS)),
    ]
    for item in AGREEMENT_ITEMS:
        measure = f"agreement_{item}"
        tables.append(_table(report, f"agreement-{item.lower()}", str(MEASURE[measure]), _("Answer"),
                             _distribution(), _categories(measure, LIKERT)))
    return Section("wellbeing", str(SECTION["wellbeing"]), tuple(tables), (
        _("The burnout question is the single-item burnout measure, asked every month. An answer of 3 or more "
          "means burning out. The Copenhagen Burnout Inventory is asked once a quarter."), threshold_note()))


def _supervision(report: PublishedReport, charts: dict[str, Chart]) -> Section:
    tables = (
        _table(report, "met-standard", _("Link workers who met the supervision standard, by month"), _("Month"),
               _distribution(), _categories("met_standard", ("month_1", "month_2", "month_3")),
               charts["supervision"]),
        _table(report, "sessions", _("Supervision sessions"), _("Figure"), _side_by_side(), (
            _single("sessions_held"), _single("people_attending"), _as_percentage("people_attending"),
            _single("cancelled_by_link_worker"), _single("cancelled_by_supervisor"), _single("no_shows"),
            _single("hours_per_link_worker", "hours"))),
    )
    return Section("supervision", str(SECTION["supervision"]), tables, (
        _("Your organisation’s standard is a supervision session at least every %(days)s days. A link worker met "
          "it at the end of a month if they attended a session in the %(days)s days before.",
          days=report.standard_days),))


def _debriefs(report: PublishedReport) -> Section:
    side = _side_by_side()
    tables = (
        _table(report, "debriefs", _("Debrief requests and how quickly they were answered"), _("Figure"), side, (
            _single("requests"), _single("accepted"), _single("accepted_within_target"),
            _as_percentage("accepted_within_target"), _single("minutes_to_accept", "minutes"), _single("held"),
            _single("minutes_to_debrief", "minutes"), _single("escalated"))),
        _table(report, "urgency", str(MEASURE["by_urgency"]), _("Urgency"), side,
               _categories("by_urgency", URGENCIES)),
        _table(report, "category", str(MEASURE["by_category"]), _("Kind of case"), side,
               _categories("by_category", CATEGORIES)),
        _table(report, "check-ins", str(MEASURE["check_ins"]), _("Answer"), _distribution(),
               _categories("check_ins", CHECK_IN_ANSWERS)),
    )
    return Section("debriefs", str(SECTION["debriefs"]), tables, (
        _("Counts of requests made this quarter. Nothing about any one request or the person who made it is "
          "shown."),))


def _reflection(report: PublishedReport) -> Section:
    table = _table(report, "reflection", str(MEASURE["reflecting"]), _("Figure"), _side_by_side(), (
        _single("reflecting"), _as_percentage("reflecting")))
    return Section("reflection", str(SECTION["reflection"]), (table,), (
        _("Only whether a link worker wrote a reflection is counted. Reflections are private: nobody else reads "
          "them, and this report holds nothing of what they say."),))


def _trends(report: PublishedReport, charts: dict[str, Chart]) -> Section:
    quarters = trend_quarters(report)
    rows = tuple(Row(quarter_label(quarter), tuple(
        figure(report, measure, category, "percent", quarter=quarter) for measure, category in TREND_LINES))
        for quarter in quarters)
    table = Table("trend", _("Your organisation over the last five quarters (percentages)"), _("Quarter"),
                  tuple(trend_line_label(measure) for measure, _category in TREND_LINES), rows, charts["trend"])
    return Section("trends", str(SECTION["trends"]), (table,), (
        _("An earlier quarter’s survey figure is shown only where comparing it with this quarter cannot reveal "
          "anyone’s answers."),))


def sections(report: PublishedReport, charts: dict[str, Chart]) -> tuple[Section, ...]:
    """The report's sections, in the order the page shows them."""
    return (_people(report), _wellbeing(report, charts), _supervision(report, charts), _debriefs(report),
            _reflection(report), _trends(report, charts))
