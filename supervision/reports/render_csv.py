"""A quarterly report as CSV, in English or Welsh, from its published cells alone: one row per cell,
hidden ones included with the reason, and k on every row. A draft has no benchmark: one row, where
the benchmark's would follow the organisation's quarter, says when it will be shown.

UTF-8 with a byte order mark, so that spreadsheets read Welsh letters correctly. Every text field
that a spreadsheet could take for a formula gets a leading apostrophe: the labels are ours, but the
organisation's name is typed by an admin.
"""
from __future__ import annotations

import csv
import io

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import pgettext

from .labels import (BENCHMARK_WHEN_ISSUED, KIND, MEASURE, SECTION, category_label, plain_value, reason_text,
                     scope_label, shows_benchmark)
from .published import MEASURES_BY_ID, NATIONAL, Cell, PublishedReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A field a spreadsheet will show as text, never run as a formula (OWASP's CSV injection advice)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _header() -> list[str]:
    return [_("Organisation or benchmark"), _("Quarter"), _("Section"), _("Measure"), _("Category"), _("Kind"),
            _("Value"), _("Not shown"), _("Reason not shown"), _("k")]


def _cell_row(report: PublishedReport, cell: Cell, yes: str, no: str) -> list[str]:
    return [
        scope_label(cell.scope, report.organisation_name),
        cell.quarter,
        str(SECTION[MEASURES_BY_ID[cell.measure].section]),
        str(MEASURE[cell.measure]),
        category_label(cell.measure, cell.category),
        str(KIND[cell.kind]),
        plain_value(cell),
        yes if cell.suppressed else no,
        reason_text(cell.reason, report.k, cell.kind) if cell.reason else "",
        str(report.k),
    ]


def _benchmark_row(report: PublishedReport, yes: str) -> list[str]:
    """A draft's one row for the benchmark it does not show: no figure, and when there will be one."""
    return [scope_label(NATIONAL, report.organisation_name), report.quarter, "", "", "", "", "", yes,
            str(BENCHMARK_WHEN_ISSUED), str(report.k)]


def render_csv(report: PublishedReport, language: str) -> bytes:
    """Call inside the app, for its translations."""
    with force_locale(language):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(_header())
        # The "not shown" column's answers; a context keeps them apart from "Yes" as a reply elsewhere.
        yes, no = pgettext("not shown", "Yes"), pgettext("not shown", "No")
        benchmark = shows_benchmark(report)
        # The quarter's own rows first (the organisation's, then the benchmark's), then the trend's.
        this_quarter = [cell for cell in report.cells if cell.quarter == report.quarter]
        rows = [_cell_row(report, cell, yes, no) for cell in this_quarter if benchmark or cell.scope != NATIONAL]
        if not benchmark:
            rows.append(_benchmark_row(report, yes))
        rows += [_cell_row(report, cell, yes, no) for cell in report.cells if cell.quarter != report.quarter]
        for row in rows:
            writer.writerow([spreadsheet_safe(field) for field in row])
        return buffer.getvalue().encode("utf-8-sig")
