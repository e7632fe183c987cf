"""The reports pages: the list of an organisation's issued reports (and, for its admins, the draft
of the quarter so far), a report in the browser, and its PDF and CSV in English or Welsh.

Every view checks permissions.py before anything else is loaded: someone who may not see an
organisation's reports gets a 404 for all of them, whether or not the report exists.
"""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Organisation
from ..audit.services import record
from ..db import utcnow
from ..extensions import db
from .blueprint import bp
from .forms import DraftForm
from .aggregate import draft_cutoff
from .generation import CONTENT_TYPES, NothingToDraft, download_name, ensure_file, generate
from .labels import quarter_label
from .models import FORMATS, LANGUAGES, QuarterlyReport, ReportStatus
from .permissions import can_make_draft, can_see_reports, report_organisations
from .quarters import LONDON, Quarter
from .render_html import report_context


def _me():
    return current_user._get_current_object()


# Quarters are shown by their key ("2026-Q3") through the renderer's label, in the page's language.
bp.add_app_template_global(quarter_label, "report_quarter_label")


def _report_or_404(report_id: int) -> QuarterlyReport:
    """Issued: the organisation's employers and admins. Draft: its admins. Anyone else: 404."""
    report = db.session.get(QuarterlyReport, report_id)
    if report is None:
        abort(404)
    allowed = can_make_draft if report.status == ReportStatus.draft else can_see_reports
    if not allowed(_me(), report.organisation_id):
        abort(404)
    return report


@bp.get("/")
@login_required
def index():
    return _index_page()


def _index_page(draft_refused_for: int | None = None):
    """The list. `draft_refused_for`: the organisation whose draft was just asked for too early,
    shown through the error summary (400)."""
    organisations = report_organisations(_me())
    if not organisations:
        abort(404)
    ids = [o.id for o in organisations]
    drafts_for = {o.id for o in organisations if can_make_draft(_me(), o.id)}
    now = utcnow()
    current_quarter = Quarter.containing(now)
    # Every report of every one of these organisations in one query, newest quarter first.
    reports = db.session.scalars(
        select(QuarterlyReport).where(QuarterlyReport.organisation_id.in_(ids))
        .order_by(QuarterlyReport.year.desc(), QuarterlyReport.quarter.desc(), QuarterlyReport.id)).all()
    issued = {o.id: [] for o in organisations}
    drafts = {}
    for report in reports:
        if report.status == ReportStatus.issued:
            issued[report.organisation_id].append(report)
        elif report.organisation_id in drafts_for and report.period == current_quarter:
            drafts[report.organisation_id] = report
    page = render_template(
        "reports/index.html", organisations=organisations, issued=issued, drafts=drafts, drafts_for=drafts_for,
        form=DraftForm(), current_quarter=current_quarter, languages=LANGUAGES, formats=FORMATS,
        can_draft_now=draft_cutoff(current_quarter, now) is not None,
        # The day the quarter's first month ends, in London: the first day a draft can be made.
        first_draft_day=current_quarter.month_ends()[0].astimezone(LONDON).date(),
        draft_refused_for=draft_refused_for)
    return page, (400 if draft_refused_for is not None else 200)


@bp.get("/<int:report_id>")
@login_required
def view(report_id: int):
    report = _report_or_404(report_id)
    # The body's names are the renderer's (report_context); this page's own are prefixed so they never clash.
    return render_template("reports/view.html", **report_context(report.report()), report_row=report,
                           report_organisation=db.session.get(Organisation, report.organisation_id),
                           report_quarter=quarter_label(report.period.key), languages=LANGUAGES, formats=FORMATS)


@bp.get("/<int:report_id>/download/<language>.<fmt>")
@login_required
def download(report_id: int, language: str, fmt: str):
    report = _report_or_404(report_id)
    if language not in LANGUAGES or fmt not in FORMATS:
        abort(404)
    content = ensure_file(report, language, fmt).read_bytes()
    record(action="report.download", actor_id=_me().id, organisation_id=report.organisation_id,
           target_type="quarterly_report", target_id=report.id, detail=f"{fmt} {language}")
    db.session.commit()
    response = Response(content, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name(report, language, fmt)}"'
    # Never kept by a browser or a proxy: only the organisation's employers and admins may see it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/organisations/<int:organisation_id>/draft")
@login_required
def make_draft(organisation_id: int):
    if not can_make_draft(_me(), organisation_id):
        abort(404)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    if not DraftForm().validate_on_submit():
        return redirect(url_for("reports.index"))
    now = utcnow()
    try:
        # Its files are printed at their first download: making the draft stays quick.
        report = generate(organisation, Quarter.containing(now), status=ReportStatus.draft, now=now, files=False)
    except NothingToDraft:
        return _index_page(draft_refused_for=organisation_id)
    record(action="report.draft", actor_id=_me().id, organisation_id=organisation_id,
           target_type="quarterly_report", target_id=report.id)
    db.session.commit()
    return redirect(url_for("reports.view", report_id=report.id))
