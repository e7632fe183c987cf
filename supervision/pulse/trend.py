"""A person's trend: the rows of the trend tables, and the pygal charts drawn from the same rows.

The rows are built from scored results (services.my_results) and hold only what the tables and
charts show: the single item's value by month and the CBI scale scores by quarter, with the
language answered in for the person's own page. A shared summary (`summary_of`) leaves out even
the language: comments and the answers to S1–S3 never reach a row at all.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pygal
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from ..charts import CHART_OPTIONS, RenderedSvg, govuk_style, render_svg
from .instruments import SCALE_LABELS, SCALE_THRESHOLD, SINGLE_ITEM_THRESHOLD, Scale
from .scoring import ScaleScore
from .services import Result

MEASURES = ("single", "cbi")
MAX_X_LABELS = 12
# GOV.UK colours; each series also has its own dash pattern, so that colour is never the only way to
# tell them apart.
_DASHES = (None, "10, 5", "2, 4")
_STYLE = govuk_style(("#1d70b8", "#d4351c", "#00703c", "#505a5f"))


@dataclass(frozen=True)
class MonthRow:
    """One monthly pulse: the single item's value (1 to 5), or None when it was left out."""
    label: str  # "March 2026"
    short_label: str  # "Mar 2026", under the chart
    value: int | None
    burning_out: bool | None
    language: str | None  # None in a shared summary


@dataclass(frozen=True)
class QuarterRow:
    """One quarterly CBI: its three scale scores, each scored or not (too few items answered)."""
    label: str  # "January to March 2026"
    short_label: str  # "Jan–Mar 2026"
    scales: dict[Scale, ScaleScore]
    language: str | None


@dataclass(frozen=True)
class Trend:
    months: list[MonthRow]
    quarters: list[QuarterRow]

    @property
    def empty(self) -> bool:
        return not self.months and not self.quarters


def _month_labels(year: int, month: int) -> tuple[str, str]:
    first = date(year, month, 1)
    return format_date(first, "MMMM yyyy"), format_date(first, "MMM yyyy")


def _quarter_labels(year: int, quarter: int) -> tuple[str, str]:
    first, last = date(year, 3 * quarter - 2, 1), date(year, 3 * quarter, 1)
    long = _("%(first)s to %(last)s %(year)s", first=format_date(first, "MMMM"), last=format_date(last, "MMMM"),
             year=year)
    short = _("%(first)s–%(last)s %(year)s", first=format_date(first, "MMM"), last=format_date(last, "MMM"),
              year=year)
    return long, short


def trend_of(results: Iterable[Result], *, with_language: bool = True) -> Trend:
    """The person's rows, oldest first (results come oldest first). Labels are in the page's language."""
    months: list[MonthRow] = []
    quarters: list[QuarterRow] = []
    for result in results:
        pulse_round = result.round
        language = result.language if with_language else None
        if result.instrument.key == "monthly":
            label, short = _month_labels(pulse_round.year, pulse_round.month)
            months.append(MonthRow(label, short, result.single_item, result.burning_out, language))
        else:
            label, short = _quarter_labels(pulse_round.year, pulse_round.quarter)
            quarters.append(QuarterRow(label, short, dict(result.scales), language))
    return Trend(months, quarters)


def summary_of(results: Iterable[Result]) -> Trend:
    """What a supervisor may see through a share: values and scale scores by period, nothing else."""
    return trend_of(results, with_language=False)


def one_decimal(score: float) -> str:
    """A scale score to one decimal place, the same on every page, chart and export. No real score
    lies between 46.5 and 50 (answers are multiples of 25), so rounding never makes a score below
    the threshold look like 50."""
    return format_decimal(score, "0.0")


# --- the charts -------------------------------------------------------------------------------------
# XY charts, with period n at x = n (1, 2, …): the threshold line then spans the whole width even
# when there is a single period, and no axis is drawn through x = 0. Served on their own, with a
# policy that allows only their own <style> (trend_routes), by RenderedSvg's style sources.


def _chart(*, title: str, x_title: str, y_title: str, value_range: tuple[int, int], y_labels: list[int],
           x_labels: list[str]) -> pygal.XY:
    chart = pygal.XY(
        **CHART_OPTIONS, style=_STYLE, title=title, x_title=x_title, y_title=y_title, range=value_range,
        # With nothing to plot pygal cannot place y labels: it shows no_data_text alone.
        y_labels=y_labels if x_labels else None, xrange=(0.5, len(x_labels) + 0.5),
        x_labels=[{"label": label, "value": position} for position, label in enumerate(x_labels, start=1)],
        no_data_text=_("No answers yet"), legend_at_bottom_columns=1,
        x_label_rotation=30 if len(x_labels) > 6 else 0, dots_size=5, height=520, allow_interruptions=True,
        # Years of answers: label about a dozen periods, so the labels stay readable.
        x_labels_major_every=max(1, -(-len(x_labels) // MAX_X_LABELS)),
        show_minor_x_labels=len(x_labels) <= MAX_X_LABELS,
    )
    return chart


def _points(values: list) -> list[tuple[int, float | None]]:
    return [(position, value) for position, value in enumerate(values, start=1)]


def _add_threshold(chart: pygal.XY, label: str, value: int, periods: int) -> None:
    # A dashed line at the threshold, with no dots and no printed values: a guide, not data.
    chart.add(label, [(0.5, value), (periods + 0.5, value)], show_dots=False,
              stroke_style={"width": 2, "dasharray": "10, 6"}, formatter=lambda _point: "")


def single_item_chart(trend: Trend, *, own: bool = True) -> RenderedSvg:
    """The single item (1 to 5) by month; a month it was left out leaves a gap. `own` is the
    person's own page; otherwise a supervisor's view of a shared summary."""
    chart = _chart(
        title=_("Your answer to the burnout question, by month") if own
        else _("Answers to the burnout question, by month"),
        x_title=_("Month"), y_title=_("Answer, from 1 to 5"), value_range=(1, 5), y_labels=[1, 2, 3, 4, 5],
        x_labels=[row.short_label for row in trend.months])
    if trend.months:
        chart.add(_("Your answer") if own else _("Answer"), _points([row.value for row in trend.months]),
                  formatter=lambda point: format_decimal(point[1]))
        _add_threshold(chart, _("%(threshold)d or more: “burning out”", threshold=SINGLE_ITEM_THRESHOLD),
                       SINGLE_ITEM_THRESHOLD, len(trend.months))
    return render_svg(chart)


def cbi_chart(trend: Trend, *, own: bool = True) -> RenderedSvg:
    """The three CBI scale scores (0 to 100) by quarter; a scale not scored leaves a gap."""
    chart = _chart(
        title=_("Your Copenhagen Burnout Inventory scores, by quarter") if own
        else _("Copenhagen Burnout Inventory scores, by quarter"),
        x_title=_("Quarter"), y_title=_("Score, from 0 to 100"), value_range=(0, 100),
        y_labels=[0, 25, 50, 75, 100], x_labels=[row.short_label for row in trend.quarters])
    if trend.quarters:
        for position, scale in enumerate(Scale):
            dashes = _DASHES[position]
            chart.add(str(SCALE_LABELS[scale]), _points([row.scales[scale].score for row in trend.quarters]),
                      stroke_style={"width": 3, "dasharray": dashes} if dashes else None,
                      formatter=lambda point: one_decimal(point[1]))
        _add_threshold(chart, _("%(threshold)d or more: moderate or higher burnout", threshold=SCALE_THRESHOLD),
                       SCALE_THRESHOLD, len(trend.quarters))
    return render_svg(chart)


def chart_for(measure: str, trend: Trend, *, own: bool = True) -> RenderedSvg:
    return single_item_chart(trend, own=own) if measure == "single" else cbi_chart(trend, own=own)
