"""A quarterly report as a PDF, in English or Welsh, from its published cells alone: the page's body
printed through the restricted fetcher (supervision/pdf.py), tagged, with a title and language in
its metadata and no person's name there."""
from __future__ import annotations

from flask_babel import force_locale

from ..pdf import render_pdf_template
from .published import PublishedReport
from .render_html import report_context


def render_pdf(report: PublishedReport, language: str) -> bytes:
    """Call inside the app: the templates, the fonts in static/ and the translations come from it."""
    with force_locale(language):
        context = report_context(report)
        return render_pdf_template("reports/pdf.html", title=context["report_body"].title, language=language,
                                   for_print=True, **context)
