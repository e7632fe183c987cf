"""A report's charts, drawn with pygal from its published cells: SVG with no script, inlined as a
data: URI (the page's policy allows data: images; the PDF's fetcher reads data: URIs and nothing
outside static/).

A hidden figure is left out of its chart, never drawn as 0: a bar is missing, a line has a gap.
Every chart has a title and a text description, and the page shows the same figures in a table
beside it (render_tables), so nothing is only in the picture.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import pygal
from flask_babel import gettext as _

from ..charts import CHART_OPTIONS, govuk_style, render_svg
from ..pulse.instruments import SCALE_LABELS, Scale
from ..pulse.trend import one_decimal
from .figures import LIKERT, SCALES
from .labels import MONTH, display_percent, quarter_short_label, shows_benchmark
from .published import NATIONAL, ORGANISATION, PublishedReport

# GOV.UK colours; series also differ in dash pattern (lines) or in position and legend (bars), so colour
# is never the only way to tell them apart.
_DASHES = (None, "10, 5", "2, 4", "14, 4, 2, 4", "6, 3")
_STYLE = govuk_style(("#1d70b8", "#505a5f", "#00703c", "#d4351c", "#912b88"), value_font_size=13)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str  # the image's alternative text
    svg: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _render(chart_id: str, chart, title: str, description: str) -> Chart:
    # render_svg drops pygal's script and its comments, which carry the day the chart was drawn (rule 7:
    # no date finer than the quarter, even out of sight). Inlined as an image, the SVG needs no CSP hashes.
    return Chart(chart_id, title, description, render_svg(chart).svg)


def _value(report: PublishedReport, measure: str, category: str, kind: str, *, scope: str = ORGANISATION,
           quarter: str | None = None) -> float | None:
    """The published value, or None when hidden or absent: a gap in the chart, never a 0."""
    try:
        return report.cell(measure, category, kind, scope=scope, quarter=quarter).value
    except KeyError:
        return None


def _bar(title: str, x_title: str, y_title: str, value_range: tuple[int, int], x_labels: list[str]) -> pygal.Bar:
    return pygal.Bar(
        **CHART_OPTIONS, style=_STYLE, title=title, x_title=x_title, y_title=y_title, range=value_range,
        x_labels=x_labels, legend_at_bottom_columns=2, height=460, no_data_text=_("No figures to show"),
    )


def _percent_formatter(value: float | None) -> str:
    return "" if value is None else display_percent(value)


def _mean_formatter(value: float | None) -> str:
    return "" if value is None else one_decimal(value)


def _scope_series(chart, report: PublishedReport, measure: str, categories: tuple[str, ...], kind: str,
                  formatter) -> None:
    # A draft shows no benchmark (labels.shows_benchmark): not even an empty series in the legend.
    for scope in (ORGANISATION, NATIONAL) if shows_benchmark(report) else (ORGANISATION,):
        values = [_value(report, measure, category, kind, scope=scope) for category in categories]
        name = _("Your organisation") if scope == ORGANISATION else _("National benchmark")
        chart.add(name, values, formatter=formatter)


def single_item_chart(report: PublishedReport) -> Chart:
    title = _("Answers to the burnout question")
    chart = _bar(title, _("Answer, from 1 (no symptoms of burnout) to 5 (completely burned out)"),
                 _("Percentage of people who answered"), (0, 100), list(LIKERT))
    _scope_series(chart, report, "single_item", LIKERT, "percent", _percent_formatter)
    return _render("single-item", chart, title, _(
        "Bar chart of the percentage of people who gave each answer to the burnout question, for your "
        "organisation and the national benchmark. Figures not shown are left out. The same figures are in "
        "the table below.") if shows_benchmark(report) else _(
        "Bar chart of the percentage of people who gave each answer to the burnout question, for your "
        "organisation. Figures not shown are left out. The same figures are in the table below."))


def cbi_chart(report: PublishedReport) -> Chart:
    title = _("Copenhagen Burnout Inventory: mean scale scores")
    chart = _bar(title, _("Scale"), _("Mean score, from 0 to 100"), (0, 100),
                 [str(SCALE_LABELS[Scale(scale)]) for scale in SCALES])
    _scope_series(chart, report, "cbi_mean", SCALES, "mean", _mean_formatter)
    return _render("cbi", chart, title, _(
        "Bar chart of the mean score on each Copenhagen Burnout Inventory scale, for your organisation and "
        "the national benchmark. Figures not shown are left out. The same figures are in the table below.")
        if shows_benchmark(report) else _(
        "Bar chart of the mean score on each Copenhagen Burnout Inventory scale, for your organisation. "
        "Figures not shown are left out. The same figures are in the table below."))


def supervision_chart(report: PublishedReport) -> Chart:
    title = _("Link workers who met the supervision standard, by month")
    months = ("month_1", "month_2", "month_3")
    chart = _bar(title, _("Month of the quarter"), _("Percentage of link workers"), (0, 100),
                 [str(MONTH[month]) for month in months])
    _scope_series(chart, report, "met_standard", months, "percent", _percent_formatter)
    return _render("supervision", chart, title, _(
        "Bar chart of the percentage of link workers who met the supervision standard at the end of each month "
        "of the quarter, for your organisation and the national benchmark. Figures not shown are left out. "
        "The same figures are in the table below.") if shows_benchmark(report) else _(
        "Bar chart of the percentage of link workers who met the supervision standard at the end of each month "
        "of the quarter, for your organisation. Figures not shown are left out. The same figures are in the "
        "table below."))


# The trend chart's lines: (measure, category, label), all percentages of the organisation.
TREND_LINES = (
    ("participation", ""),
    ("burning_out", ""),
    ("met_standard", "month_3"),
    ("accepted_within_target", ""),
    ("reflecting", ""),
)


def trend_line_label(measure: str) -> str:
    return {
        "participation": _("Participation in the surveys"),
        "burning_out": _("Burning out"),
        "met_standard": _("Met the supervision standard (third month)"),
        "accepted_within_target": _("Debriefs accepted within target"),
        "reflecting": _("Wrote a reflection"),
    }[measure]


def trend_quarters(report: PublishedReport) -> tuple[str, ...]:
    return (*report.previous_quarters, report.quarter)


def trend_chart(report: PublishedReport) -> Chart:
    title = _("Your organisation over the last five quarters")
    quarters = trend_quarters(report)
    chart = pygal.Line(
        **CHART_OPTIONS, style=_STYLE, title=title, x_title=_("Quarter"), y_title=_("Percentage"),
        range=(0, 100), x_labels=[quarter_short_label(quarter) for quarter in quarters],
        legend_at_bottom_columns=2, height=520, allow_interruptions=True, dots_size=5, x_label_rotation=0,
        no_data_text=_("No figures to show"),
    )
    for position, (measure, category) in enumerate(TREND_LINES):
        dashes = _DASHES[position % len(_DASHES)]
        values = [_value(report, measure, category, "percent", quarter=quarter) for quarter in quarters]
        chart.add(trend_line_label(measure), values, formatter=_percent_formatter,
                  stroke_style={"width": 3, "dasharray": dashes} if dashes else None)
    return _render("trend", chart, title, _(
        "Line chart of five of your organisation’s percentages in each of the last five quarters. A figure not "
        "shown leaves a gap in its line. The same figures are in the table below."))


def report_charts(report: PublishedReport) -> dict[str, Chart]:
    """Every chart of a report, by id; call in the report's language."""
    charts = (single_item_chart(report), cbi_chart(report), supervision_chart(report), trend_chart(report))
    return {chart.id: chart for chart in charts}
