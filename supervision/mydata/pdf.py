"""The readable half of the download: the export's sections as a PDF, made with WeasyPrint."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ..accounts.models import User
from .sections import Cell, ExportSection


class NoFetching(URLFetcher):
    """The print template is self-contained. Anything it might load is refused, never fetched:
    a person's own text must not make the server reach out to the network or the disk."""

    def fetch(self, url, headers=None):
        raise ValueError(f"the export PDF loads nothing: {url}")


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # The same Europe/London format as every page, in the current language.
        return current_app.jinja_env.filters["datetime"](value)
    return str(value)


def render_pdf(*, user: User, sections: list[ExportSection], generated_at: datetime, language: str) -> bytes:
    """Call inside force_locale(language): headings and labels come already translated."""
    html = render_template(
        "mydata/export_pdf.html",
        user=user,
        sections=sections,
        generated_at=generated_at,
        language=language,
        cell=cell_text,
    )
    return HTML(string=html, url_fetcher=NoFetching()).write_pdf()
