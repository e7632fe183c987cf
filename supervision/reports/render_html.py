"""What templates/reports/_report_body.html shows, made from a PublishedReport and nothing else:
the summary with its indicators, each section's tables and charts, the trend, the recommendations
and the method and privacy notes. The page and the PDF both use it, so they always agree.

Call inside the report's language (the page's, or force_locale when printing): labels are resolved here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..pulse.instruments import CITATIONS, SCALE_LABELS, THRESHOLD_CITATION, Scale
from .charts import TREND_LINES, Chart, report_charts, trend_line_label, trend_quarters
from .figures import AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALE_BANDS, SCALES, URGENCIES
from .indicators import STATUS_LABEL, STATUS_TAG, Status, indicators, recommendations
from .labels import (MEASURE, SCOPE, SECTION, category_label, category_short_label, display_value, instrument_version_label,
                     quarter_label, reason_text, threshold_note)
from .published import MEASURES, MEASURES_BY_ID, NATIONAL, ORGANISATION, PublishedReport


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


@dataclass(frozen=True)
class IndicatorView:
    label: str
    value: Figure
    national: Figure
    status: str
    tag_class: str
    shown: bool
    rule: str


@dataclass(frozen=True)
class RecommendationView:
    title: str
    text: str
    because: tuple[str, ...]


@dataclass(frozen=True)
class HiddenGroup:
    """Figures hidden for one reason, in one scope and quarter, named by label."""
    scope: str
    quarter: str
    reason: str
    figures: tuple[str, ...]


@dataclass(frozen=True)
class MethodNotes:
    k: int
    rules: tuple[str, ...]
    hidden: tuple[HiddenGroup, ...]
    welsh: str | None
    instruments: tuple[str, ...]
    citations: tuple[tuple[str, str], ...]  # (instrument, reference)
    indicator_rules: tuple[tuple[str, str], ...]  # (indicator, its thresholds)


@dataclass(frozen=True)
class ReportView:
    title: str
    organisation_name: str
    quarter: str  # "July to September 2026"
    draft: bool
    k: int
    indicators: tuple[IndicatorView, ...]
    key_figures: tuple[tuple[str, Figure, Figure], ...]  # (label, organisation, national)
    sections: tuple[Section, ...]
    recommendations: tuple[RecommendationView, ...]
    method: MethodNotes

    @property
    def indicator_reasons(self) -> tuple[str, ...]:
        """Each distinct reason an indicator's figure is hidden, for the footnote under them."""
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            for fig in (indicator.value, indicator.national):
                if fig.reason:
                    seen.setdefault(fig.reason, None)
        return tuple(seen)


def report_title(report: PublishedReport) -> str:
    return _("Wellbeing report, %(quarter)s, %(organisation)s", quarter=quarter_label(report.quarter),
             organisation=report.organisation_name)


def figure(report: PublishedReport, measure: str, category: str = "", kind: str = "count", *,
           scope: str = ORGANISATION, quarter: str | None = None) -> Figure:
    try:
        cell = report.cell(measure, category, kind, scope=scope, quarter=quarter)
    except KeyError:
        return Figure("–", absent=True)
    if cell.reason is not None:
        return Figure("*", reason_text(cell.reason, report.k))
    return Figure(display_value(cell))


# --- tables -----------------------------------------------------------------------------------------
# A column is (header, scope, kind or None); a row is (label, measure, category, kind or None). A
# figure's kind is the column's when it has one, else the row's, else a count.

def _table(report: PublishedReport, table_id: str, caption: str, row_header: str, columns, rows,
           chart: Chart | None = None) -> Table:
    built = tuple(
        Row(label, tuple(figure(report, measure, category, column_kind or row_kind or "count", scope=scope)
                         for _header, scope, column_kind in columns))
        for label, measure, category, row_kind in rows)
    return Table(table_id, caption, row_header, tuple(header for header, _scope, _kind in columns), built, chart)


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


# --- summary, recommendations, method -----------------------------------------------------------------

def _indicator_views(report: PublishedReport, shown) -> tuple[IndicatorView, ...]:
    return tuple(IndicatorView(
        label=str(indicator.label),
        value=figure(report, indicator.measure, indicator.category, "percent"),
        national=figure(report, indicator.measure, indicator.category, "percent", scope=NATIONAL),
        status=str(STATUS_LABEL[indicator.status]), tag_class=STATUS_TAG[indicator.status],
        shown=indicator.status != Status.not_shown, rule=str(indicator.rule)) for indicator in shown)


def _key_figures(report: PublishedReport) -> tuple[tuple[str, Figure, Figure], ...]:
    wanted = (("link_workers", "count"), ("answered", "count"), ("sessions_held", "count"), ("requests", "count"))
    return tuple((str(MEASURE[measure]), figure(report, measure, "", kind),
                  figure(report, measure, "", kind, scope=NATIONAL)) for measure, kind in wanted)


def _recommendation_views(report: PublishedReport, shown) -> tuple[RecommendationView, ...]:
    views = []
    for recommendation in recommendations(report, shown):
        because = [_("%(indicator)s: %(status)s", indicator=str(indicator.label),
                     status=str(STATUS_LABEL[indicator.status]).lower()) for indicator in recommendation.because]
        because += [_("%(scale)s: a mean score of 50 or more", scale=str(SCALE_LABELS[Scale(scale)]))
                    for scale in recommendation.high_cbi_scales]
        views.append(RecommendationView(str(recommendation.title), str(recommendation.text), tuple(because)))
    return tuple(views)


def _hidden_names(report: PublishedReport, cells) -> tuple[str, ...]:
    """The hidden cells of one group, named as briefly as is still exact: every figure, every survey
    figure, or each measure (with its hidden categories when only some are hidden)."""
    scope, quarter = cells[0].scope, cells[0].quarter
    every = [cell for cell in report.cells if (cell.scope, cell.quarter) == (scope, quarter)]
    if len(cells) == len(every):
        return (_("Every figure for this quarter"),)
    by_measure: dict[str, dict[str, None]] = {}
    for cell in cells:
        by_measure.setdefault(cell.measure, {}).setdefault(cell.category, None)
    names = []
    survey = [measure.id for measure in MEASURES if measure.survey]
    if all(set(by_measure.get(measure, ())) == set(MEASURES_BY_ID[measure].categories) for measure in survey):
        names.append(_("Every figure from survey answers"))
        by_measure = {measure: categories for measure, categories in by_measure.items() if measure not in survey}
    for measure, categories in by_measure.items():
        name = str(MEASURE[measure])
        if set(categories) != set(MEASURES_BY_ID[measure].categories):
            name = _("%(measure)s – %(category)s", measure=name,
                     category="; ".join(category_short_label(measure, category) for category in categories))
        names.append(name)
    return tuple(names)


def _hidden_groups(report: PublishedReport) -> tuple[HiddenGroup, ...]:
    groups: dict[tuple, list] = {}
    for cell in report.suppressed_cells():
        groups.setdefault((cell.scope, cell.quarter, cell.reason), []).append(cell)
    order = {quarter: position for position, quarter in enumerate((report.quarter, *reversed(report.previous_quarters)))}
    keys = sorted(groups, key=lambda key: (key[0] != ORGANISATION, order.get(key[1], 99), key[2].value))
    return tuple(HiddenGroup(str(SCOPE[scope]), quarter_label(quarter), reason_text(reason, report.k),
                             _hidden_names(report, groups[(scope, quarter, reason)]))
                 for scope, quarter, reason in keys)


def _welsh_note(report: PublishedReport) -> str | None:
    """Rule 9's note on answers given in Welsh, which no published version of the instruments validates."""
    parts = []
    for scope, some, maybe in (
            (ORGANISATION, _("Some of your organisation’s answers were given in Welsh."),
             _("Your organisation’s answers may include some given in Welsh.")),
            (NATIONAL, _("Some of the national benchmark’s answers were given in Welsh."),
             _("The national benchmark may include answers given in Welsh."))):
        try:
            cell = report.cell("welsh_respondents", scope=scope)
        except KeyError:
            continue
        if cell.suppressed:
            parts.append(maybe)
        elif cell.value:
            parts.append(some)
    if not parts:
        return None
    parts.append(_("There is no published Welsh version of the burnout question or the Copenhagen Burnout "
                   "Inventory: answers given in Welsh are to an unvalidated translation."))
    return " ".join(parts)


def _method(report: PublishedReport, shown) -> MethodNotes:
    k = report.k
    rules = [
        _("A figure from survey answers is shown only when at least %(k)s people stand behind it. This report’s "
          "threshold is %(k)s: an organisation may raise it, never lower it.", k=k),
        _("A count from 1 to 7 is shown as *. Other counts are rounded to the nearest 5, and percentages are "
          "worked out from the rounded counts, so they may not add up to exactly 100%."),
        _("Where one figure is hidden, others may be hidden too, so that it cannot be worked out from a total, "
          "from the other figures beside it or from the national benchmark."),
        _("No figure shows %(none)s or %(all)s of people giving a survey answer or in a burnout band, because "
          "that would tell you how every one of them answered.", none="0%", all="100%"),
        _("A figure from an earlier quarter is shown only when that quarter and this one each had at least %(k)s "
          "people answering, and the people answering were either the same or differed by at least %(k)s.", k=k),
        _("The national benchmark covers every organisation using Cwtch, in the same quarter. The figures cannot "
          "be filtered or broken down in any other way."),
        _("This report shows nothing finer than the quarter, no free text and no figure about any one person. "
          "Comments written in surveys are never shown to anyone but the person who wrote them."),
        _("In the Copenhagen Burnout Inventory, “clients” is replaced by “the people you support”, as users of "
          "the inventory document."),
        _("%(note)s (%(citation)s)", note=threshold_note(), citation=THRESHOLD_CITATION),
    ]
    if report.draft:
        rules.append(_("This is a draft of the quarter so far. Its figures will change before the report is "
                       "issued."))
    citations = tuple((_("Single-item burnout measure"), reference) for reference in CITATIONS["monthly"]) + tuple(
        (_("Copenhagen Burnout Inventory"), reference) for reference in CITATIONS["cbi"])
    return MethodNotes(
        k=k, rules=tuple(rules), hidden=_hidden_groups(report), welsh=_welsh_note(report),
        instruments=tuple(instrument_version_label(version) for version in report.instrument_versions),
        citations=citations,
        indicator_rules=tuple((str(indicator.label), str(indicator.rule)) for indicator in shown))


def report_view(report: PublishedReport) -> ReportView:
    charts = report_charts(report)
    shown = indicators(report)
    return ReportView(
        title=report_title(report), organisation_name=report.organisation_name,
        quarter=quarter_label(report.quarter), draft=report.draft, k=report.k,
        indicators=_indicator_views(report, shown), key_figures=_key_figures(report),
        sections=(_people(report), _wellbeing(report, charts), _supervision(report, charts), _debriefs(report),
                  _reflection(report), _trends(report, charts)),
        recommendations=_recommendation_views(report, shown), method=_method(report, shown))


def report_context(report: PublishedReport) -> dict:
    """The names _report_body.html uses; one name, so the including page's own never clash with it."""
    return {"report_body": report_view(report)}
