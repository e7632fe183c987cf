"""The spec of issue 9, "Proof that nothing leaks": reports generated for seeded organisations of 4,
12 and 40 link workers and for a quarter in which exactly one person joined, through the whole
pipeline (aggregate, disclose, generate: the stored cells, PDF and CSV in English and Welsh; and the
HTML body), checked over every cell of every output against the raw aggregates:

- no published survey or debrief figure rests on fewer than k people;
- no count from 1 to 7 appears;
- no suppressed value can be recomputed from the others (totals, the national benchmark);
- no 0% or 100% appears in a sensitive band;
- no comparison is shown across a one-person change;
- no free text, name, email or date finer than a quarter appears anywhere.
"""
from __future__ import annotations

import base64
import csv
import io
import json
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from html.parser import HTMLParser
from itertools import combinations

import pytest
from flask import render_template_string
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import pgettext
from pypdf import PdfReader

from supervision.accounts.models import Organisation
from supervision.extensions import db
from supervision.reports.aggregate import report_input
from supervision.reports.disclosure import disclose
from supervision.reports.figures import QuarterFigures, ReportInput
from supervision.reports.generation import file_path, generate, published_before
from supervision.reports.labels import MEASURE, display_value
from supervision.reports.models import QuarterlyReport, ReportStatus
from supervision.reports.published import MEASURES_BY_ID, NATIONAL, ORGANISATION, Cell, PublishedReport, Reason
from supervision.reports.render_html import report_context

from .report_world import CANARY, LEAK_PLANS, World, build_world

LABELS = [plan.label for plan in LEAK_PLANS]
ISSUED_AT = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)  # the first working day after the quarter
SMALL = range(1, 8)

# Sensitive bands (rule 4): breakdowns of people by their answer, and of requests by their kind.
BAND_MEASURES = {"single_item", "burning_out", "cbi_personal", "cbi_work", "cbi_client", "agreement_S1",
                 "agreement_S2", "agreement_S3", "check_ins", "by_urgency", "by_category"}
# Rule 3: (members, totals) of each breakdown a reader could add up; (measure, category) pairs. The
# first is a part of a band rather than everyone asked: rule 4 does not judge its members against it.
LIKERT = ("1", "2", "3", "4", "5")
BURNING_OUT_PARTS = ([("single_item", v) for v in ("3", "4", "5")], [("burning_out", "")])
BREAKDOWNS = [
    BURNING_OUT_PARTS,
    ([("single_item", v) for v in LIKERT], [("monthly_respondents", "")]),
    ([("single_item", "1"), ("single_item", "2"), ("burning_out", "")], [("monthly_respondents", "")]),
    *(([(f"cbi_{s}", "under_50"), (f"cbi_{s}", "50_or_more")], [("cbi_respondents", "")])
      for s in ("personal", "work", "client")),
    *(([(f"agreement_{i}", v) for v in LIKERT], [("monthly_respondents", "")]) for i in ("S1", "S2", "S3")),
    ([("by_urgency", u) for u in ("today", "three_days", "this_week")], [("requests", "")]),
    ([("by_category", c) for c in ("client_death", "safeguarding", "aggression", "disclosure", "suicide_concern",
                                   "other")], [("requests", "")]),
    ([("check_ins", a) for a in ("better", "same", "worse")], []),
]
# The HTML tables that are sensitive bands, by their caption's id.
BAND_TABLES = {"single-item", "cbi-bands", "agreement-s1", "agreement-s2", "agreement-s3", "check-ins",
               "urgency", "category"}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WELSH_MONTHS = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
                "Hydref", "Tachwedd", "Rhagfyr")
_ANY_MONTH = "|".join(MONTHS + WELSH_MONTHS + tuple(m[:3] for m in MONTHS))
DATE_PATTERNS = {
    "dd/mm/yyyy": re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"),
    "ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "day month": re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th|af|ain|ydd|fed)?\s+(?:{_ANY_MONTH})\b"),
    "month day": re.compile(rf"\b(?:{_ANY_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)"),
    "time": re.compile(r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b"),
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# --- building every output once ------------------------------------------------------------------------

@dataclass
class Outputs:
    data: ReportInput
    report: PublishedReport
    stored_json: str
    html: dict[str, str]  # language → the report body
    pdf: dict[str, bytes]
    csv: dict[str, bytes]


def _render_body(app, report: PublishedReport, language: str) -> str:
    with app.test_request_context("/"), force_locale(language):
        return render_template_string('{% include "reports/_report_body.html" %}', **report_context(report))


@pytest.fixture(scope="module")
def world_and_outputs(app) -> tuple[World, dict[str, Outputs]]:
    """One world, every organisation's report generated and rendered; the tests only read these
    (the database is emptied after the first test, as after every test)."""
    with app.app_context():
        world = build_world(LEAK_PLANS, seed=9)
        outputs = {}
        for label, built in world.organisations.items():
            organisation = db.session.get(Organisation, built.id)
            # The quarters before it issued first, oldest first, as the job would have: a trend shows
            # only what each quarter's own report published.
            for earlier in world.quarter.previous_ones(4):
                generate(organisation, earlier, status=ReportStatus.issued, now=earlier.end, files=False)
            data = report_input(organisation, world.quarter)
            data = replace(data, published_before=published_before(organisation.id, [f.quarter for f in data.previous]))
            stored: QuarterlyReport = generate(organisation, world.quarter, status=ReportStatus.issued, now=ISSUED_AT)
            db.session.commit()
            report = stored.report()
            assert report == disclose(data, organisation_name=organisation.name)
            outputs[label] = Outputs(
                data=data, report=report, stored_json=stored.published,
                html={language: _render_body(app, report, language) for language in ("en", "cy")},
                pdf={language: file_path(stored, language, "pdf").read_bytes() for language in ("en", "cy")},
                csv={language: file_path(stored, language, "csv").read_bytes() for language in ("en", "cy")})
    return world, outputs


@pytest.fixture
def world(world_and_outputs) -> World:
    return world_and_outputs[0]


@pytest.fixture
def outputs(world_and_outputs) -> dict[str, Outputs]:
    return world_and_outputs[1]


# --- reading the outputs ---------------------------------------------------------------------------------

@dataclass
class HtmlTable:
    id: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]  # (row label, figures as shown)


class _BodyParser(HTMLParser):
    """The report body's tables (figures without their screen-reader reasons), its key figures, and
    its text with every attribute and every data: URI's content."""

    def __init__(self, benchmark_label: str) -> None:
        super().__init__(convert_charrefs=True)
        self._benchmark_label = benchmark_label
        self.tables: list[HtmlTable] = []
        self.key_figures: list[str] = []
        self.texts: list[str] = []
        self._hidden = 0  # depth inside a visually hidden span
        self._cell: list[str] | None = None
        self._cell_tag = ""
        self._row: list[str] | None = None
        self._in_head = False
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        for value in attributes.values():
            if value and value.startswith("data:"):
                self.texts.append(base64.b64decode(value.split(",", 1)[1]).decode("utf-8"))
            elif value:
                self.texts.append(value)
        self._stack.append(tag)
        if tag == "span" and (self._hidden or "govuk-visually-hidden" in classes):
            self._hidden += 1
        elif tag == "caption" and attributes.get("id", "").startswith("report-"):
            self.tables.append(HtmlTable(attributes["id"][len("report-"):-len("-caption")], [], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") or (tag == "dd" and "govuk-summary-list__value" in classes):
            self._cell, self._cell_tag = [], tag
        elif tag == "br" and self._cell is not None and self._cell_tag == "dd":
            self._cell.append("|")

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "thead":
            self._in_head = False
        elif tag == self._cell_tag and self._cell is not None:
            text = " ".join(" ".join(self._cell).split())
            if tag == "dd" and "|" in text:  # a key figure: the organisation's, then the benchmark's
                self.key_figures += [part.strip().removeprefix(self._benchmark_label).strip()
                                     for part in text.split("|")]
            elif self._row is not None:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            if self._in_head:
                self.tables[-1].columns = self._row[1:]
            elif self._row:
                self.tables[-1].rows.append((self._row[0], self._row[1:]))
            self._row = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def parse_body(html: str, benchmark_label: str = "National benchmark:") -> _BodyParser:
    parser = _BodyParser(benchmark_label)
    parser.feed(html)
    return parser


def pdf_text(pdf: bytes) -> tuple[str, dict]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    metadata = {key: str(value) for key, value in (reader.metadata or {}).items()}
    xmp = reader.xmp_metadata
    if xmp is not None:
        metadata["xmp"] = xmp.stream.get_data().decode("utf-8", "replace")
    return " ".join(text.split()), metadata


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def every_text(output: Outputs) -> dict[str, str]:
    """Each output's text, named, for the searches: HTML (with attributes and charts), PDF (pages
    and metadata) and CSV, in both languages."""
    texts = {}
    for language in ("en", "cy"):
        texts[f"html {language}"] = " ".join(parse_body(output.html[language]).texts)
        text, metadata = pdf_text(output.pdf[language])
        texts[f"pdf {language}"] = text
        texts[f"pdf metadata {language}"] = " ".join(metadata.values())
        texts[f"csv {language}"] = output.csv[language].decode("utf-8-sig")
    texts["stored cells"] = output.stored_json
    return texts


# --- the raw figures behind each cell -------------------------------------------------------------------

def people_behind(f: QuarterFigures, measure: str, category: str) -> int | None:
    """Rule 1: the people a survey or debrief figure rests on; None for the other figures."""
    w, d = f.wellbeing, f.debriefs
    if measure in ("answered", "participation", "welsh_respondents"):
        return f.people.answered
    if measure == "monthly_respondents":
        return w.monthly_respondents
    if measure in ("single_item", "burning_out"):
        return sum(w.single_item.values())
    if measure.startswith("agreement_"):
        return sum(w.agreement[measure.removeprefix("agreement_")].values())
    if measure == "cbi_respondents":
        return w.cbi_respondents
    if measure == "cbi_mean":
        return w.scales[category].scored
    if measure.startswith("cbi_"):
        return w.scales[measure.removeprefix("cbi_")].scored
    if measure == "check_ins":
        return d.check_in_people
    if MEASURES_BY_ID[measure].section == "debriefs":
        return d.requesters
    return None


def raw_count(f: QuarterFigures, measure: str, category: str) -> int:
    """The unrounded count a count cell (or a percentage's numerator) is made from."""
    p, w, s, d = f.people, f.wellbeing, f.supervision, f.debriefs
    if measure == "participation":
        return p.answered
    if measure.startswith("agreement_"):
        return w.agreement[measure.removeprefix("agreement_")][category]
    if measure in ("cbi_personal", "cbi_work", "cbi_client"):
        return w.scales[measure.removeprefix("cbi_")].bands[category]
    if measure == "met_standard":
        return s.months[int(category[-1]) - 1].met
    by_category = {"single_item": w.single_item, "by_urgency": d.by_urgency, "by_category": d.by_category,
                   "check_ins": d.check_ins}
    if measure in by_category:
        return by_category[measure][category]
    single = {"link_workers": p.link_workers, "invited": p.invited, "answered": p.answered,
              "monthly_respondents": w.monthly_respondents, "burning_out": w.burning_out,
              "cbi_respondents": w.cbi_respondents, "welsh_respondents": w.welsh_respondents,
              "reflecting": f.reflection.link_workers_reflecting}
    if measure in single:
        return single[measure]
    return getattr(s if hasattr(s, measure) else d, measure)


def contribution(f: QuarterFigures, cell: Cell) -> int:
    """What one scope puts into a figure: the people behind an average, else the count."""
    if cell.kind == "mean":
        return f.wellbeing.scales[cell.category].scored
    if cell.kind == "minutes":
        return f.debriefs.requesters
    if cell.kind == "hours":
        return f.people.link_workers
    return raw_count(f, cell.measure, cell.category)


def frames(data: ReportInput) -> dict[tuple[str, str], QuarterFigures]:
    return {(ORGANISATION, data.organisation.quarter.key): data.organisation,
            (NATIONAL, data.national.quarter.key): data.national,
            **{(ORGANISATION, f.quarter.key): f for f in data.previous}}


def cells_by_address(report: PublishedReport) -> dict[tuple, Cell]:
    return {(c.scope, c.quarter, c.measure, c.category, c.kind): c for c in report.cells}


# --- rule 1 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", LABELS)
def test_no_survey_or_debrief_figure_rests_on_fewer_than_k_people(outputs, label):
    output = outputs[label]
    k, checked = output.report.k, 0
    assert k >= 5
    for cell in output.report.cells:
        behind = people_behind(frames(output.data)[(cell.scope, cell.quarter)], cell.measure, cell.category)
        if behind is not None and not cell.suppressed:
            checked += 1
            assert behind >= k, cell
    if label in ("forty", "joined"):
        assert checked > 10, "the organisation publishes survey and debrief figures"


# --- rule 2 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", LABELS)
def test_no_count_from_1_to_7_in_any_cell(outputs, label):
    output = outputs[label]
    for cell in output.report.cells:
        if cell.kind != "count":
            continue
        raw = raw_count(frames(output.data)[(cell.scope, cell.quarter)], cell.measure, cell.category)
        if cell.suppressed:
            continue
        assert cell.value not in SMALL and cell.value % 5 == 0, cell
        assert raw not in SMALL, (cell, raw)
        assert abs(cell.value - raw) <= 2.5, (cell, raw)  # rounded to the nearest 5, no more


@pytest.mark.parametrize("label", LABELS)
def test_no_count_from_1_to_7_in_the_html_or_pdf_tables(app, outputs, label):
    output = outputs[label]
    for language in ("en", "cy"):
        with app.test_request_context("/"), force_locale(language):
            shown = {display_value(cell) for cell in output.report.cells if not cell.suppressed}
            body = parse_body(output.html[language], _("National benchmark:"))
        # Every figure of every table (an indicator's status is a word), and the key figures.
        figures = [figure for table in body.tables for _row, row in table.rows
                   for figure in (row[:2] if table.id == "indicators" else row)]
        assert len(figures) > 150 and len(body.key_figures) == 8
        for figure in figures + body.key_figures:
            assert not re.fullmatch(r"[1-7]", figure), figure
            # Every figure on the page is a published cell's value as shown, or a * or –.
            assert figure in shown or figure in ("*", "–"), figure
        text, _metadata = pdf_text(output.pdf[language])
        for table in body.tables:
            for row_label, row in table.rows:
                # The PDF's tables are the page's: each row reads the same, label then figures. A long
                # label may wrap, and its second line can then be extracted after the figures.
                whole = " ".join([row_label, *row])
                assert whole in text or (" ".join(row) in text and all(w in text for w in row_label.split())), (
                    table.id, row_label, row)


@pytest.mark.parametrize("label", LABELS)
def test_no_count_from_1_to_7_in_the_csv(app, outputs, label):
    output = outputs[label]
    for language in ("en", "cy"):
        header, *rows = csv_rows(output.csv[language])
        assert len(header) == 10 and len(rows) == len(output.report.cells)
        for row, cell in zip(rows, output.report.cells):
            with app.test_request_context("/"), force_locale(language):
                assert row[3] == str(MEASURE[cell.measure])
                assert (row[7] == pgettext("not shown", "Yes")) == cell.suppressed, row
            assert row[1] == cell.quarter
            value = row[6]
            assert (value == "*") == cell.suppressed, row
            if cell.suppressed:
                continue
            # Whole minutes in a spreadsheet; every other value as published.
            assert abs(float(value) - cell.value) <= (0.5 if cell.kind == "minutes" else 1e-9), (row, cell)
            if cell.kind == "count":
                assert int(value) not in SMALL, row
            if cell.kind == "percent" and cell.measure in BAND_MEASURES:
                assert 0 < float(value) < 100, row


# --- rule 3 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", LABELS)
def test_no_suppressed_cell_can_be_worked_out_from_a_total(outputs, label):
    report = outputs[label].report
    cells = cells_by_address(report)
    checked = 0
    for scope, quarter in {(c.scope, c.quarter) for c in report.cells}:
        for members, totals in BREAKDOWNS:
            counts = [cells[(scope, quarter, m, c, "count")] for m, c in members]
            percents = [cells.get((scope, quarter, m, c, "percent")) for m, c in members]
            total_known = (any(not cells[(scope, quarter, m, c, "count")].suppressed for m, c in totals)
                           or any(p is not None and not p.suppressed for p in percents))
            if total_known:
                checked += 1
                assert sum(c.suppressed for c in counts) != 1, (scope, quarter, members)
    assert checked > 0


@pytest.mark.parametrize("label", LABELS)
def test_no_suppressed_cell_can_be_worked_out_from_the_national_benchmark(outputs, label):
    output = outputs[label]
    cells, k = cells_by_address(output.report), output.report.k
    organisation, national = output.data.organisation, output.data.national
    for cell in output.report.cells:
        if cell.scope != ORGANISATION or cell.quarter != output.report.quarter or not cell.suppressed:
            continue
        benchmark = cells[(NATIONAL, cell.quarter, cell.measure, cell.category, cell.kind)]
        if benchmark.suppressed:
            continue
        others = contribution(national, benchmark) - contribution(organisation, cell)
        assert national.organisations > 1 and others >= k, (cell, benchmark, others)


# --- rule 4 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", LABELS)
def test_no_0_or_100_percent_in_a_sensitive_band(outputs, label):
    report = outputs[label].report
    cells = cells_by_address(report)
    for cell in report.cells:
        if cell.measure in BAND_MEASURES and cell.kind == "percent" and not cell.suppressed:
            assert 0 < cell.value < 100, cell
    # Nor by implication: a band's count equal to its published total, or a survey band's 0.
    for scope, quarter in {(c.scope, c.quarter) for c in report.cells}:
        for members, totals in BREAKDOWNS[1:]:
            for total in (cells[(scope, quarter, m, c, "count")] for m, c in totals):
                for m, c in members:
                    member = cells[(scope, quarter, m, c, "count")]
                    if not member.suppressed and not total.suppressed:
                        assert member.value != total.value, (member, total)
            for m, c in members:
                member = cells[(scope, quarter, m, c, "count")]
                if MEASURES_BY_ID[m].survey and not member.suppressed:
                    assert member.value != 0, member


@pytest.mark.parametrize("label", LABELS)
def test_no_0_or_100_percent_shown_in_a_sensitive_band(outputs, label):
    output = outputs[label]
    for language in ("en", "cy"):
        body = parse_body(output.html[language])
        uniform = re.compile(r"^(?:0|100) ?%$")
        for table in body.tables:
            if table.id in BAND_TABLES:
                for _row_label, row in table.rows:
                    assert not any(uniform.match(figure) for figure in row), (table.id, row)
        trend = next(table for table in body.tables if table.id == "trend")
        indicators = next(table for table in body.tables if table.id == "indicators")
        if language == "en":
            burning = trend.columns.index("Burning out")
            assert all(not uniform.match(row[burning]) for _label, row in trend.rows)
            for row_label, row in indicators.rows:
                if "burning out" in row_label:
                    assert not any(uniform.match(figure) for figure in row[:2]), row


# --- rule 5 ---------------------------------------------------------------------------------------------

def _keys(f: QuarterFigures, measure: str, category: str) -> frozenset:
    """The people a cell rests on: each survey figure by the respondents of its own instrument, item or
    scale; each debrief figure by those whose requests (or check-ins) in the state it counts stand behind it;
    each supervision and reflection figure by those whose bookings or reflections do (the months' standard
    by the headcount)."""
    w, d, s = f.wellbeing, f.debriefs, f.supervision
    debrief_keys = {"requests": d.request_keys, "by_urgency": d.request_keys, "by_category": d.request_keys,
                    "accepted": d.accepted_keys, "accepted_within_target": d.accepted_keys,
                    "minutes_to_accept": d.accepted_keys, "held": d.held_keys, "minutes_to_debrief": d.held_keys,
                    "escalated": d.escalated_keys, "check_ins": d.check_in_keys,
                    "sessions_held": s.attended_keys, "people_attending": s.attended_keys,
                    "hours_per_link_worker": s.attended_keys, "cancelled_by_link_worker": s.cancelled_keys,
                    "cancelled_by_supervisor": s.cancelled_keys, "no_shows": s.no_show_keys,
                    "reflecting": f.reflection.reflection_keys}
    if measure in debrief_keys:
        keys = debrief_keys[measure]
    elif measure in ("single_item", "burning_out"):
        keys = w.item_keys["B1"]
    elif measure.startswith("agreement_"):
        keys = w.item_keys[measure.removeprefix("agreement_")]
    elif measure == "monthly_respondents":
        keys = w.monthly_keys
    elif measure == "cbi_respondents":
        keys = w.cbi_keys
    elif measure.startswith("cbi_"):
        keys = w.scale_keys[category if measure == "cbi_mean" else measure.removeprefix("cbi_")]
    else:
        keys = w.respondent_keys if MEASURES_BY_ID[measure].survey else f.people.people_keys
    # Quarters are compared by the people behind them: each answers afresh every quarter.
    return frozenset(key[0] if isinstance(key, tuple) else key for key in keys)


@pytest.mark.parametrize("label", LABELS)
def test_no_comparison_is_shown_across_a_change_of_fewer_than_k_people(outputs, label):
    """Within the report's trend, and across reports: the earlier quarters' own reports (every one
    that met k, whether or not it was published) are read beside this one."""
    output = outputs[label]
    k, current = output.report.k, output.data.organisation
    by_quarter = {f.quarter.key: f for f in output.data.previous}
    compared = 0
    for cell in output.report.cells:
        if cell.scope != ORGANISATION or cell.suppressed or cell.measure in ("link_workers", "invited"):
            continue  # headcounts are known to the employer anyway: not compared
        one = current if cell.quarter == current.quarter.key else by_quarter[cell.quarter]
        shown = {c.quarter for c in output.report.cells
                 if (c.scope, c.measure, c.category, c.kind) == (cell.scope, cell.measure, cell.category, cell.kind)
                 and not c.suppressed}
        others = [by_quarter[q] for q in shown if q in by_quarter]
        if one is current:  # the earlier reports, which may have published any quarter with k people
            others += [f for f in output.data.previous if _met_k(f, cell, k)]
        for other in others:
            if other is not one:
                a, b = _keys(one, cell.measure, cell.category), _keys(other, cell.measure, cell.category)
                assert a == b or len(a ^ b) >= k, (cell, other.quarter, len(a ^ b))
                compared += 1
    # The smaller organisations may honestly show no comparison at all (rule 5 by the requests,
    # bookings and responses behind each figure hides most of a team of 12's): the forty must, so
    # that this check is never empty.
    if label == "forty":
        assert compared, "no comparison was checked"


def _met_k(f: QuarterFigures, cell: Cell, k: int) -> bool:
    """Did the quarter have k people behind the cell's figure, so that its own report could publish it?"""
    return len(_keys(f, cell.measure, cell.category)) >= k


def test_a_quarter_in_which_one_person_joined_is_withheld_beside_the_last(outputs, world):
    """The last quarter's report, read beside this one, would give the newcomer away: this quarter's
    figures are withheld; the earlier quarters still stand on their own, as in their own reports."""
    output = outputs["joined"]
    data, report = output.data, output.report
    newcomer = world.organisations["joined"].newcomer_id
    # The world is what it says: the same people answered before, plus one now.
    assert data.organisation.people.people_keys - data.previous[-1].people.people_keys == {newcomer}
    assert len({key for key, _response in data.organisation.wellbeing.respondent_keys}
               ^ {key for key, _response in data.previous[-1].wellbeing.respondent_keys}) == 1
    assert data.previous[-1].people.answered >= report.k
    for measure in ("answered", "monthly_respondents", "sessions_held"):
        assert report.cell(measure).reason == Reason.comparison, measure
        assert not report.cell(measure, quarter=report.previous_quarters[-1]).suppressed, measure
    now = [c for c in report.cells if c.scope == ORGANISATION and c.quarter == report.quarter
           and c.measure not in ("link_workers", "invited")]
    assert now and all(c.suppressed for c in now)
    for language in ("en", "cy"):
        trend_table = next(t for t in parse_body(output.html[language]).tables if t.id == "trend")
        assert len(trend_table.rows) == 5
        assert set(trend_table.rows[-1][1]) <= {"*", "–"}, trend_table.rows[-1]
        assert set(trend_table.rows[-2][1]) - {"*", "–"}, trend_table.rows[-2]


# --- rule 7: no free text, name, email or date finer than a quarter -------------------------------------

@pytest.mark.parametrize("label", LABELS)
def test_no_free_text_name_email_or_date_anywhere(outputs, world, label):
    texts = every_text(outputs[label])
    assert len(world.canaries) > 1000 and len(world.names) > 60
    for where, text in texts.items():
        squeezed = "".join(text.split()).lower()
        assert CANARY.lower() not in squeezed, where  # catches every canary, name and email at once
        for name in world.names:
            assert "".join(name.split()).lower() not in squeezed, (where, name)
        for email in world.emails:
            assert email not in squeezed, (where, email)
        assert not EMAIL.search(text), (where, EMAIL.search(text))
        for pattern_name, pattern in DATE_PATTERNS.items():
            assert not pattern.search(text), (where, pattern_name, pattern.search(text))
        # A month is named only as the end of a quarter ("July to September 2026"), never alone.
        for match in re.finditer(rf"(\w+)\s+(?:to\s+)?({'|'.join(MONTHS)})\s+(\d{{4}})", text):
            first, last = match.group(1), match.group(2)
            assert first in MONTHS and (MONTHS.index(last) - MONTHS.index(first), MONTHS.index(last) % 3) == (2, 2), \
                (where, match.group(0))


@pytest.mark.parametrize("label", LABELS)
def test_the_pdf_metadata_names_nobody(outputs, label):
    for language in ("en", "cy"):
        _text, metadata = pdf_text(outputs[label].pdf[language])
        assert set(metadata) <= {"/Title", "/Producer", "/Creator"}, metadata
        assert metadata["/Title"].endswith(outputs[label].report.organisation_name)


@pytest.mark.parametrize("label", LABELS)
def test_the_stored_report_holds_no_key_id_or_text(outputs, world, label):
    output = outputs[label]
    stored = json.loads(output.stored_json)
    assert set(stored) == {f.name for f in fields(PublishedReport)}
    assert {tuple(sorted(cell)) for cell in stored["cells"]} == {tuple(sorted(f.name for f in fields(Cell)))}
    for cell in stored["cells"]:
        assert isinstance(cell["value"], (int, float, type(None)))
    text = output.stored_json
    assert "keys" not in text and CANARY.lower() not in text.lower()
    for key in world.respondent_keys:
        assert key not in text
    # No list of people: the only lists are the cells, the trend's quarters and the instruments.
    assert all(isinstance(value, (str, int, bool)) for name, value in stored.items()
               if name not in ("cells", "previous_quarters", "instrument_versions"))
    assert all(re.fullmatch(r"\d{4}-Q[1-4]", q) for q in stored["previous_quarters"])
