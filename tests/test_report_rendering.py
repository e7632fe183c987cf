"""Stage 3 on the page: the labels and values, the indicators and recommendations, the charts and the
HTML body (reports/_report_body.html), all made from a hand-made PublishedReport alone."""
from __future__ import annotations

import base64
import csv
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from flask import render_template_string
from flask_babel import force_locale

from supervision import ROOT
from supervision.i18n_check import untranslated_template_text
from supervision.reports import labels
from supervision.reports.charts import report_charts
from supervision.reports.indicators import Status, burnout_status, indicators, recommendations
from supervision.reports.published import MEASURES, NATIONAL, PublishedReport, Reason
from supervision.reports.render_csv import render_csv
from supervision.reports.render_html import report_context

from .report_samples import sample_report, tiny_report, with_cells

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@pytest.fixture
def english(app):
    with app.test_request_context("/"), force_locale("en"):
        yield


def body_of(report: PublishedReport) -> str:
    return render_template_string('{% include "reports/_report_body.html" %}', **report_context(report))


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


# --- labels and values --------------------------------------------------------------------------------

def test_every_measure_category_and_kind_has_a_label(english):
    for measure in MEASURES:
        assert str(labels.MEASURE[measure.id]).strip()
        assert str(labels.SECTION[measure.section]).strip()
        for category in measure.categories:
            assert bool(labels.category_label(measure.id, category)) == bool(category)
        for kind in measure.kinds:
            assert str(labels.KIND[kind]).strip()
    assert labels.category_label("cbi_mean", "client") == "Burnout related to the people you support"
    assert labels.category_label("cbi_work", "50_or_more").startswith("50 or more")
    assert labels.category_label("single_item", "1") == "1: I enjoy my work. I have no symptoms of burnout."
    assert labels.category_label("agreement_S2", "5") == "Strongly agree"
    assert labels.category_label("by_urgency", "three_days") == "Within 3 days"
    assert labels.category_label("met_standard", "month_2") == "Second month"
    assert str(labels.MEASURE["agreement_S3"]) == "I feel supported by my employer."


def test_each_reason_is_explained_and_k_is_named_where_it_matters(english):
    texts = {reason: labels.reason_text(reason, 7) for reason in Reason}
    # Uniform (only in reports stored before rule 4 hid whole distributions) reads as complementary:
    # its own words would tell that everyone, or no one, gave the answer hidden.
    assert texts[Reason.uniform] == texts[Reason.complementary]
    assert len(set(texts.values())) == len(Reason) - 1
    assert "Fewer than 7 people" in texts[Reason.fewer_than_k]
    assert "fewer than 7" in texts[Reason.comparison]
    assert "1 to 7" in texts[Reason.small_count]


def test_quarters_are_named_by_their_months_and_never_by_a_day(english):
    assert labels.quarter_label("2026-Q3") == "July to September 2026"
    assert labels.quarter_short_label("2025-Q4") == "Oct–Dec 2025"
    with force_locale("cy"):
        assert "Gorffennaf" in labels.quarter_label("2026-Q3")


@pytest.mark.parametrize("value, shown", [
    (0, "0%"), (0.3, "less than 1%"), (37.5, "38%"), (99.6, "more than 99%"), (100, "100%"),
])
def test_a_percentage_never_rounds_to_0_or_100(english, value, shown):
    assert labels.display_percent(value) == shown


@pytest.mark.parametrize("value, plain", [(99.96, "99.96"), (0.04, "0.04"), (37.5, "37.5"), (100, "100.0"),
                                          (0, "0.0")])
def test_the_plain_percentage_never_rounds_to_0_or_100(value, plain):
    assert labels.percent_number(value) == plain


@pytest.mark.parametrize("minutes, shown", [(45, "45 minutes"), (60, "1 hour"), (95, "1 hour 35 minutes"),
                                            (2900, "2 days"), (1530, "1 day 1 hour")])
def test_median_times_read_naturally(english, minutes, shown):
    assert labels.display_minutes(minutes) == shown


# --- indicators and recommendations -----------------------------------------------------------------------

def _status(report: PublishedReport, indicator_id: str) -> Status:
    return next(i for i in indicators(report) if i.id == indicator_id).status


@pytest.mark.parametrize("value, status", [
    (95, Status.on_track), (90, Status.on_track), (89.9, Status.needs_attention), (75, Status.needs_attention),
    (74.9, Status.below_standard), (None, Status.not_shown),
])
def test_the_supervision_indicator_reads_the_last_month(value, status):
    reason = Reason.small_count if value is None else None
    report = with_cells(sample_report(), **{"met_standard:month_3:percent": (value, reason),
                                            "met_standard:month_1:percent": (10, None)})
    assert _status(report, "supervision") == status


@pytest.mark.parametrize("indicator_id, measure, values", [
    ("debriefs", "accepted_within_target", ((90, Status.on_track), (80, Status.needs_attention),
                                            (50, Status.below_standard))),
    ("participation", "participation", ((60, Status.on_track), (45, Status.needs_attention),
                                        (39, Status.below_standard))),
    ("reflection", "reflecting", ((50, Status.on_track), (25, Status.needs_attention),
                                  (24, Status.below_standard))),
])
def test_threshold_indicators(indicator_id, measure, values):
    for value, status in values:
        report = with_cells(sample_report(), **{f"{measure}::percent": (value, None)})
        assert _status(report, indicator_id) == status, value
    hidden = with_cells(sample_report(), **{f"{measure}::percent": (None, Reason.fewer_than_k)})
    assert _status(hidden, indicator_id) == Status.not_shown


def test_burnout_is_judged_against_the_national_share():
    assert burnout_status(30, 30) == Status.on_track
    assert burnout_status(25, 30) == Status.on_track
    assert burnout_status(40, 30) == Status.needs_attention
    assert burnout_status(40.5, 30) == Status.below_standard
    assert burnout_status(None, 30) == Status.not_shown
    assert burnout_status(40, None) == Status.not_shown


def test_recommendations_follow_the_figures():
    report = sample_report()  # supervision 88% and debriefs 75%: amber; work-related burnout mean 52.4
    chosen = recommendations(report)
    assert [r.id for r in chosen] == ["supervision", "wellbeing", "debriefs"]
    wellbeing = chosen[1]
    assert wellbeing.because == () and wellbeing.high_cbi_scales == ("work",)
    assert [i.id for i in chosen[0].because] == ["supervision"]


def test_a_hidden_figure_triggers_nothing_and_the_general_recommendation_stands_alone():
    report = tiny_report()
    assert {i.status for i in indicators(report)} == {Status.not_shown}
    assert [r.id for r in recommendations(report)] == ["general"]


def test_all_on_track_gives_only_the_general_recommendation():
    report = with_cells(sample_report(), **{
        "met_standard:month_3:percent": (95, None), "accepted_within_target::percent": (95, None),
        "cbi_mean:work:mean": (45.0, None)})
    assert {i.status for i in indicators(report)} == {Status.on_track}
    assert [r.id for r in recommendations(report)] == ["general"]


def test_low_participation_and_high_burnout_lead_to_their_recommendations():
    report = with_cells(sample_report(), **{"participation::percent": (30, None),
                                            "burning_out::percent": (60, None)})
    ids = [r.id for r in recommendations(report)]
    assert "participation" in ids and "wellbeing" in ids
    wellbeing = next(r for r in recommendations(report) if r.id == "wellbeing")
    assert [i.id for i in wellbeing.because] == ["burnout"]


# --- charts -------------------------------------------------------------------------------------------

def _printed_values(chart) -> list[str]:
    root = ET.fromstring(chart.svg)
    return [node.text for node in root.iter(f"{SVG}text")
            if "value" in (node.get("class") or "").split() and node.text]


def _bars(chart) -> int:
    root = ET.fromstring(chart.svg)
    return sum(1 for node in root.iter(f"{SVG}rect") if "rect" in (node.get("class") or "").split())


def test_a_hidden_figure_is_left_out_of_its_chart_never_drawn_as_zero(english):
    report = sample_report()
    charts = report_charts(report)
    single = charts["single-item"]
    # Answers 4 and 5 are hidden for the organisation: 3 bars of its own and 5 national ones.
    assert _bars(single) == 3 + 5
    assert "0%" not in _printed_values(single)
    organisation = [report.cell("single_item", answer, "percent").value for answer in "123"]
    assert sorted(_printed_values(single)[:3]) == sorted(labels.display_percent(v) for v in organisation)
    cbi = charts["cbi"]
    assert _bars(cbi) == 2 + 3  # the client scale's mean is hidden for the organisation
    assert _printed_values(cbi)[:2] == ["48.2", "52.4"]


def test_the_trend_chart_has_a_gap_for_each_hidden_quarter(english):
    report = sample_report()
    trend = report_charts(report)["trend"]
    root = ET.fromstring(trend.svg)
    texts = {node.text for node in root.iter(f"{SVG}text")}
    assert {"Jul–Sep 2025", "Jul–Sep 2026", "Participation in the surveys"} <= texts
    # 5 lines over 5 quarters: 2025-Q3 has no data at all, and in 2026-Q1 the two survey lines are hidden.
    assert len(_printed_values(trend)) == 5 * 5 - 5 - 2


def test_charts_carry_no_script_no_comment_and_no_date(english):
    for chart in report_charts(sample_report()).values():
        svg = chart.svg.decode()
        assert "<script" not in svg and "<!--" not in svg
        assert not re.search(r"\d{4}-\d{2}-\d{2}", svg)
        assert chart.title in svg
        assert "The same figures are in the table below" in chart.description
        assert base64.b64decode(chart.data_uri.split(",", 1)[1]) == chart.svg


# --- the HTML body --------------------------------------------------------------------------------------

def test_every_table_has_a_caption_and_headers(english):
    page = body_of(sample_report())
    tables = re.findall(r"<table.*?</table>", page, re.S)
    assert len(tables) >= 15
    for table in tables:
        assert re.search(r'<caption class="govuk-table__caption[^"]*" id="[^"]+">[^<]+</caption>', table)
        assert '<th scope="col"' in table and '<th scope="row"' in table
    captions = re.findall(r"<caption[^>]*>([^<]+)</caption>", page)
    assert len(captions) == len(set(captions)) == len(tables)
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_hidden_figure_is_a_star_with_its_reason_for_screen_readers_and_a_footnote(english):
    page = body_of(sample_report())
    small = labels.reason_text(Reason.small_count, 5)
    row = re.search(r'<th scope="row" class="govuk-table__header">4: The symptoms.*?</tr>', page, re.S).group(0)
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)
    assert len(cells) == 3
    assert cells[0].startswith("*<span class=\"govuk-visually-hidden\">, not shown: ")
    assert html.unescape(cells[0]).endswith(small + "</span>")
    assert cells[2] != "*" and "%" in cells[2]  # the national share of answer 4 is shown
    table = re.search(r'id="report-single-item-caption".*?</table>\s*</div>(.*?)</div>\s*</div>', page, re.S)
    assert small in html.unescape(table.group(1))
    assert labels.reason_text(Reason.complementary, 5) in html.unescape(table.group(1))


def test_the_body_has_every_section_the_benchmark_and_the_charts(english):
    report = sample_report()
    page = body_of(report)
    text = visible_text(page)
    for heading in ("Summary", "People and participation", "Wellbeing", "Supervision",
                    "Debriefs after distressing cases", "Reflective practice", "Trends over the last five quarters",
                    "What Care for the Carer recommends", "Method and privacy"):
        assert f">{heading}<" in page.replace("\n", "") or heading in text
    assert text.count("National benchmark") >= 10
    images = re.findall(r'<img src="(data:image/svg\+xml;base64,[^"]+)" alt="([^"]+)">', page)
    assert len(images) == 4 and all("table below" in alt for _src, alt in images)
    assert "Regular, protected clinical supervision" in text and "Needs attention" in text
    assert re.search(r'<strong class="govuk-tag govuk-tag--yellow">Needs attention</strong>', page)
    assert re.search(r'<strong class="govuk-tag govuk-tag--green">On track</strong>', page)


def test_the_method_notes_name_k_the_rules_and_every_hidden_figure(english):
    report = sample_report(k=7)
    text = visible_text(body_of(report))
    assert "at least 7 people" in text
    assert "shown as *" in text and "nearest 5" in text and "0% or 100%" in text
    assert "“the people you support”" in text
    assert "Kristensen, Borritz, Villadsen & Christensen (2005)" in text and "Rohland, Kruse & Rohrer (2004)" in text
    assert "Quarterly Copenhagen Burnout Inventory, version 1" in text and "Monthly wellbeing pulse, version 1" in text
    assert "nothing finer than the quarter, no free text and no figure about any one person" in text
    assert "Answers to the burnout question – answer 4" in text
    assert "Every figure for this quarter" in text  # 2025-Q3, before the organisation had any data
    assert "Every figure from survey answers" in text  # 2026-Q1, which fails the comparison rule
    assert labels.reason_text(Reason.uniform, 7) in text
    hidden_addresses = {(c.scope, c.quarter, c.reason) for c in report.suppressed_cells()}
    assert text.count("Your organisation, ") >= len({a for a in hidden_addresses if a[0] != NATIONAL})


@pytest.mark.parametrize("welsh, expected", [
    ((None, Reason.small_count), "may include some given in Welsh"),
    ((10, None), "Some of your organisation’s answers were given in Welsh"),
    ((0, None), None),
])
def test_answers_in_welsh_are_marked_as_an_unvalidated_translation(english, welsh, expected):
    report = with_cells(sample_report(), **{"welsh_respondents::count": welsh})
    # The national benchmark had nobody answering in Welsh, so only the organisation's figure speaks.
    report = replace(report, cells=tuple(replace(c, value=0) if (c.scope, c.measure) == (NATIONAL, "welsh_respondents")
                                         else c for c in report.cells))
    text = visible_text(body_of(report))
    if expected:
        assert expected in text and "unvalidated translation" in text
    else:
        assert "unvalidated translation" not in text and "given in Welsh" not in text


def test_the_organisation_name_is_text_and_the_draft_is_marked(english):
    name = '<img src="http://127.0.0.1:1/x"> & <script>alert(1)</script>'
    page = body_of(sample_report(organisation_name=name, draft=True))
    assert "<img src=\"http" not in page and "<script>" not in page
    assert "&lt;img src=&#34;http://127.0.0.1:1/x&#34;&gt; &amp; &lt;script&gt;" in page
    assert "Draft – not final" in page
    assert "Draft – not final" not in body_of(sample_report())


def test_the_body_shows_no_date_finer_than_the_quarter(english):
    text = visible_text(body_of(sample_report()))
    assert not re.search(r"\b\d{1,2} (%s)" % "|".join(MONTHS), text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}", text)
    # A month is only ever named as one end of a quarter: "July to September 2026".
    for match in re.finditer("|".join(MONTHS), text):
        window = text[max(0, match.start() - 20):match.end() + 20]
        assert re.search(r"(%s) to (%s) \d{4}" % ("|".join(MONTHS), "|".join(MONTHS)), window), window


def test_a_tiny_organisation_still_gets_a_useful_report(english):
    text = visible_text(body_of(tiny_report()))
    assert "Not shown" in text and "Keep supervision, debriefs and reflection part of normal working time" in text
    assert "2,000" in text  # the national benchmark is still there


def test_the_templates_have_no_text_outside_gettext():
    for name in ("_report_body.html", "pdf.html"):
        assert untranslated_template_text(ROOT / "templates" / "reports" / name) == []



# --- the real stage 2 in front of the renderers -----------------------------------------------------------

def _disclosed(small: bool) -> PublishedReport:
    from supervision.reports.quarters import Quarter

    from . import test_report_disclosure as stage2

    previous = tuple(stage2.figures(quarter) for quarter in Quarter(2026, 3).previous_ones(4))
    if not small:
        return stage2.report(previous=previous)
    few = stage2.people(link_workers=4, invited=4, answered=3, people_keys=stage2.people_keys(4))
    answers = stage2.wellbeing(single_item={"1": 1, "2": 1, "3": 1, "4": 0, "5": 0}, cbi_respondents=3,
                               welsh_respondents=1, respondent_keys=stage2.respondent_keys(3))
    return stage2.report(stage2.figures(people=few, wellbeing=answers, reflecting=2), previous=previous)


@pytest.mark.parametrize("small", [False, True])
def test_a_report_from_the_real_disclosure_step_renders_every_figure_it_holds(english, small):
    report = _disclosed(small)
    page = body_of(report)
    # Every figure the body asks for exists in stage 2's output: none falls back to "no figure".
    assert ", no figure</span>" not in page
    hidden_in_tables = page.count(", not shown: ")
    assert (hidden_in_tables > 0) == small
    rows = list(csv.reader(render_csv(report, "en").decode("utf-8-sig").splitlines()))
    assert len(rows) == 1 + len(report.cells)
    assert sum(1 for row in rows if row[6] == "*") == len(report.suppressed_cells())
    if small:
        assert "Fewer than 5 people are behind this figure." in visible_text(page)
        assert Status.not_shown in {i.status for i in indicators(report)}


def test_a_draft_shows_no_benchmark_even_if_stored_with_one_and_says_when_it_will_be_shown(english):
    # A draft made before drafts stopped carrying the benchmark still has national cells; none shows.
    draft = sample_report(draft=True)
    assert any(c.scope == NATIONAL and not c.suppressed for c in draft.cells)
    page = body_of(draft)
    text = visible_text(page)
    later = "The national benchmark is shown when the quarter’s report is issued."
    assert later in text and "National benchmark" not in re.sub(r'<img [^>]+>', "", page)
    assert "A draft does not show the national benchmark" in text
    assert "national benchmark’s answers" not in text  # nor the benchmark's Welsh note
    # Every table that set the benchmark beside the organisation says so under it instead, the
    # indicators' among them; and so do the summary's opening and the method notes.
    tables = [table for table in re.findall(r"<table.*?</table>", body_of(sample_report()), re.S)
              if "National benchmark" in table]
    assert text.count(later) == len(tables) + 2
    issued = visible_text(body_of(sample_report()))
    assert later not in issued and "National benchmark:" in issued


def test_a_draft_s_burnout_indicator_is_not_judged_against_the_benchmark(english):
    """Even a draft stored with national cells: on track or not would tell where the benchmark lies."""
    draft, issued = sample_report(draft=True), sample_report()
    burnout = {report.draft: next(i for i in indicators(report) if i.id == "burnout") for report in (draft, issued)}
    assert burnout[True].status == Status.not_shown and burnout[True].national is None
    assert burnout[False].status != Status.not_shown and burnout[False].national is not None


def test_a_draft_s_charts_have_no_benchmark_series_and_say_so(english):
    """Not even an empty series in the legend, nor "and the national benchmark" in the description."""
    for name, chart in report_charts(sample_report(draft=True)).items():
        if name == "trend":
            continue  # the trend is the organisation's alone, in drafts and issued reports alike
        assert "National benchmark" not in chart.svg.decode(), name
        assert "national benchmark" not in chart.description and "for your organisation." in chart.description
    for name, chart in report_charts(sample_report()).items():
        if name != "trend":
            assert "National benchmark" in chart.svg.decode() and "national benchmark" in chart.description


def test_a_draft_renders_in_welsh(app):
    with app.test_request_context("/"), force_locale("cy"):
        assert "cwtch-report-summary" in body_of(sample_report(draft=True))
