"""The quarterly report as CSV (render_csv): UTF-8 with a byte order mark, one row per published
cell with hidden ones as * and their reason, k on every row, headers and labels in the chosen
language, and no text field a spreadsheet could run as a formula."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from supervision.reports.labels import reason_text
from supervision.reports.published import MEASURES_BY_ID, NATIONAL, ORGANISATION, Reason
from supervision.reports.render_csv import render_csv, spreadsheet_safe

from .report_samples import sample_report

HEADER = ["Organisation or benchmark", "Quarter", "Section", "Measure", "Category", "Kind", "Value", "Not shown",
          "Reason not shown", "k"]


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM, so spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_one_row_per_cell_hidden_ones_with_a_star_and_their_reason(app):
    # The sample's national benchmark is published whole; one of its figures is hidden here, so
    # that the report holds every reason, the national benchmark's own among them.
    report = sample_report(k=6)
    report = replace(report, cells=tuple(
        replace(cell, value=None, reason=Reason.few_organisations)
        if (cell.scope, cell.measure) == (NATIONAL, "escalated") else cell for cell in report.cells))
    with app.app_context():
        header, *rows = rows_of(render_csv(report, "en"))
    assert header == HEADER
    assert len(rows) == len(report.cells)
    for row, cell in zip(rows, report.cells):
        record = dict(zip(header, row))
        assert record["Quarter"] == cell.quarter and record["k"] == "6"
        if cell.suppressed:
            assert record["Value"] == "*" and record["Not shown"] == "Yes"
            assert record["Reason not shown"] == reason_text(cell.reason, 6, cell.kind)
        else:
            assert record["Not shown"] == "No" and record["Reason not shown"] == ""
            assert float(record["Value"]) == pytest.approx(cell.value, abs=0.05)
    hidden = [dict(zip(header, row)) for row in rows if row[7] == "Yes"]
    assert {reason_text(reason, 6) for reason in Reason} <= {r["Reason not shown"] for r in hidden}


def test_rows_are_labelled_in_words(app):
    report = sample_report()
    with app.app_context():
        header, *rows = rows_of(render_csv(report, "en"))
    records = [dict(zip(header, row)) for row in rows]
    answer_4 = next(r for r, c in zip(records, report.cells)
                    if (c.scope, c.quarter, c.measure, c.category, c.kind) ==
                    (ORGANISATION, report.quarter, "single_item", "4", "count"))
    assert answer_4["Organisation or benchmark"] == "Cwm Taf Link Workers"
    assert answer_4["Section"] == "Wellbeing" and answer_4["Measure"] == "Answers to the burnout question"
    assert answer_4["Category"].startswith("4: The symptoms of burnout") and answer_4["Kind"] == "Number"
    assert answer_4["Value"] == "*" and "1 to 7" in answer_4["Reason not shown"]
    national = [r for r, c in zip(records, report.cells) if c.scope != ORGANISATION]
    assert national and {r["Organisation or benchmark"] for r in national} == {"National benchmark"}
    assert {r["Section"] for r in records} == {"People and participation", "Wellbeing", "Supervision",
                                              "Debriefs after distressing cases", "Reflective practice"}
    assert len({r["Measure"] for r in records}) == len(MEASURES_BY_ID)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1:A2)",
                                  "\tTab", "\rReturn"])
def test_formula_injection_is_escaped(app, name):
    with app.app_context():
        header, *rows = rows_of(render_csv(sample_report(organisation_name=name), "en"))
    organisation_rows = [row for row in rows if row[0] != "National benchmark"]
    assert organisation_rows and all(row[0] == "'" + name for row in organisation_rows)
    for row in rows:
        assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row)


def test_only_a_field_that_could_be_a_formula_is_changed():
    assert spreadsheet_safe("Cwm Taf") == "Cwm Taf"
    assert spreadsheet_safe("") == ""
    assert spreadsheet_safe("a=b") == "a=b"
    assert spreadsheet_safe("=1") == "'=1"


def test_welsh_headers_differ_and_the_cells_are_the_same(app):
    report = sample_report()
    with app.app_context():
        english = rows_of(render_csv(report, "en"))
        welsh = rows_of(render_csv(report, "cy"))
    assert welsh[0] != english[0] and len(welsh[0]) == len(english[0])
    assert [row[6] for row in welsh][1:] == [row[6] for row in english][1:]  # the values
    assert len(welsh) == len(english)


def test_a_draft_has_one_benchmark_row_saying_when_it_will_be_shown(app):
    # A draft stored with national cells (as drafts once were) still shows none of them.
    report = sample_report(draft=True)
    with app.app_context():
        header, *rows = rows_of(render_csv(report, "en"))
        welsh = rows_of(render_csv(report, "cy"))
    national = [row for row in rows if row[0] == "National benchmark"]
    assert national == [["National benchmark", report.quarter, "", "", "", "", "", "Yes",
                         "The national benchmark is shown when the quarter’s report is issued.", "5"]]
    organisation = [cell for cell in report.cells if cell.scope != NATIONAL]
    assert len(rows) == len(organisation) + 1 == len(welsh) - 1
    # Where the benchmark's rows would be: after the quarter's own, before the trend's.
    assert rows.index(national[0]) == sum(1 for cell in organisation if cell.quarter == report.quarter)
