"""The readable half of the download: the export's sections as a PDF, made with WeasyPrint."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ..accounts.models import User
from ..pdf import render_pdf_template
from .sections import Cell, ExportSection


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # The same Europe/London format as every page, in the current language.
        return current_app.jinja_env.filters["datetime"](value)
    return str(value)


def render_pdf(*, user: User, sections: list[ExportSection], generated_at: datetime, language: str) -> bytes:
    """Call inside force_locale(language): headings and labels come already translated.

    Like every PDF, it goes through supervision.pdf: its fetcher loads the print font from static/
    and refuses anything else, so a person's own text can never make the server fetch a thing.
    """
    return render_pdf_template(
        "mydata/export_pdf.html",
        title=_("Your data in Cwtch"),
        language=language,
        user=user,
        sections=sections,
        generated_at=generated_at,
        cell=cell_text,
    )
