"""What templates/reports/_report_body.html shows, made from a PublishedReport and nothing else:
the summary with its indicators and key figures, the sections' tables and charts (render_tables),
the recommendations, and the method and privacy notes (render_method). The page and the PDF both
use it, so they always agree.

Call inside the report's language (the page's, or force_locale when printing): labels are resolved here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..pulse.instruments import SCALE_LABELS, Scale
from .charts import report_charts
from .indicators import STATUS_LABEL, STATUS_TAG, Status, indicators, recommendations
from .labels import MEASURE, quarter_label
from .published import NATIONAL, PublishedReport
from .render_method import MethodNotes, method_notes
from .render_tables import Figure, Section, figure, sections


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


# --- summary and recommendations ---------------------------------------------------------------------

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


def report_view(report: PublishedReport) -> ReportView:
    charts = report_charts(report)
    shown = indicators(report)
    return ReportView(
        title=report_title(report), organisation_name=report.organisation_name,
        quarter=quarter_label(report.quarter), draft=report.draft, k=report.k,
        indicators=_indicator_views(report, shown), key_figures=_key_figures(report),
        sections=sections(report, charts), recommendations=_recommendation_views(report, shown),
        method=method_notes(report, shown))


def report_context(report: PublishedReport) -> dict:
    """The names _report_body.html uses; one name, so the including page's own never clash with it."""
    return {"report_body": report_view(report)}