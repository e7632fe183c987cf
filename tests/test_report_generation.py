"""Generating and storing a report: the published cells in the database, PDF and CSV in English and
Welsh under instance/reports/<organisation id>/; an issued report made once and never replaced
(same row, same bytes, same file times), even by a racing run; a draft rewritten each time, its
old files removed; and an admin's draft made from the reports page, marked "Draft – not final"."""
from __future__ import annotations

import csv
import io
import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Organisation, Role
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.reports import generation
from supervision.reports.generation import file_path, generate, reports_folder
from supervision.reports.models import FORMATS, LANGUAGES, QuarterlyReport, ReportStatus
from supervision.reports.published import PublishedReport
from supervision.reports.quarters import Quarter

from .conftest import post

UTC = timezone.utc
Q3 = Quarter(2026, 3)
ISSUED_AT = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def organisation(make) -> Organisation:
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    for _ in range(3):
        make.user(Role.link_worker, organisation=organisation)
    return organisation


def _org(organisation: Organisation) -> Organisation:
    return db.session.get(Organisation, organisation.id)


def _files(report: QuarterlyReport) -> dict[tuple[str, str], tuple[bytes, int]]:
    return {(language, fmt): (file_path(report, language, fmt).read_bytes(),
                              os.stat(file_path(report, language, fmt)).st_mtime_ns)
            for language in LANGUAGES for fmt in FORMATS}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(QuarterlyReport))


def test_an_issued_report_stores_its_cells_and_four_files(app, ctx, organisation):
    report = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    published = report.report()
    assert isinstance(published, PublishedReport)
    assert (published.organisation_name, published.quarter, published.draft) == ("Ogmore Valleys", "2026-Q3", False)
    assert (report.year, report.quarter, report.status, report.generated_at) == (2026, 3, ReportStatus.issued,
                                                                                 ISSUED_AT)
    # Stage 2's output only: never the respondent or people keys stage 1 carries for rule 5.
    assert "keys" not in report.published
    folder = reports_folder(organisation.id)
    assert str(folder) == os.path.join(app.instance_path, "reports", str(organisation.id))
    # (The folder is shared by the whole run's tests, and SQLite may give a later organisation the same id.)
    assert {report.file_name(language, fmt) for language in LANGUAGES for fmt in FORMATS} <= set(os.listdir(folder))
    for language in LANGUAGES:
        assert file_path(report, language, "pdf").read_bytes().startswith(b"%PDF")
        rows = list(csv.reader(io.StringIO(file_path(report, language, "csv").read_bytes().decode("utf-8-sig"))))
        assert len(rows) > 1
    # The two languages are two different documents.
    assert file_path(report, "en", "csv").read_bytes() != file_path(report, "cy", "csv").read_bytes()


def test_issuing_again_returns_the_same_report_and_replaces_nothing(app, ctx, make, organisation):
    first = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    files, published, stem = _files(first), first.published, first.file_stem
    db.session.rollback()  # end this session's read, so that SQLite lets the factory write
    make.user(Role.link_worker, organisation=organisation)  # the data changes meanwhile
    second = generate(_org(organisation), Q3, status=ReportStatus.issued, now=datetime(2026, 10, 2, tzinfo=UTC))
    db.session.commit()
    assert second.id == first.id and _count() == 1
    assert (second.published, second.file_stem, second.generated_at) == (published, stem, ISSUED_AT)
    assert _files(second) == files


def test_a_racing_run_that_stored_the_report_first_wins_and_the_session_goes_on(app, ctx, organisation):
    winner = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    late = QuarterlyReport(organisation_id=organisation.id, year=2026, quarter=3, status=ReportStatus.issued,
                           published=winner.published)
    assert generation._insert(late) is False  # the unique constraint, caught in a savepoint
    assert _count() == 1
    assert db.session.get(QuarterlyReport, winner.id).file_stem == winner.file_stem


def test_a_draft_is_rewritten_each_time_and_its_old_files_removed(app, ctx, organisation):
    now = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)
    first = generate(_org(organisation), Q3, status=ReportStatus.draft, now=now)
    db.session.commit()
    assert first.report().draft is True
    old_paths = [file_path(first, language, fmt) for language in LANGUAGES for fmt in FORMATS]
    old_stem = first.file_stem
    later = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
    second = generate(_org(organisation), Q3, status=ReportStatus.draft, now=later)
    db.session.commit()
    assert second.id == first.id and _count() == 1
    assert second.file_stem != old_stem and second.generated_at == later
    assert not any(path.exists() for path in old_paths)
    assert all(file_path(second, language, fmt).exists() for language in LANGUAGES for fmt in FORMATS)
    assert not [name for name in os.listdir(reports_folder(organisation.id)) if name.startswith(".part-")]


def test_issuing_a_quarter_removes_its_draft(app, ctx, organisation):
    draft = generate(_org(organisation), Q3, status=ReportStatus.draft, now=datetime(2026, 9, 1, tzinfo=UTC))
    db.session.commit()
    draft_paths = [file_path(draft, language, fmt) for language in LANGUAGES for fmt in FORMATS]
    issued = generate(_org(organisation), Q3, status=ReportStatus.issued, now=ISSUED_AT)
    db.session.commit()
    assert db.session.scalars(select(QuarterlyReport.id)).all() == [issued.id]
    assert not any(path.exists() for path in draft_paths)


def test_an_admin_makes_a_draft_from_the_reports_page_and_sees_it_marked(app, client, signed_in, make, organisation,
                                                                          monkeypatch):
    # A draft needs a whole month of the quarter behind it: the page's clock is put in a second month.
    monkeypatch.setattr("supervision.reports.routes.utcnow", lambda: datetime(2026, 8, 10, 9, 0, tzinfo=UTC))
    admin = make.user(Role.admin, organisation=organisation)
    employer = make.user(Role.employer, organisation=organisation)
    signed_in(admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Make a draft of this quarter so far" in page
    response = post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    assert response.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(QuarterlyReport))
        assert draft.status == ReportStatus.draft and draft.period == Quarter.containing(draft.generated_at)
        draft_id = draft.id
    assert response.headers["Location"] == f"/reports/{draft_id}"
    view = client.get(f"/reports/{draft_id}").get_data(as_text=True)
    assert "Draft – not final" in view
    assert f"/reports/{draft_id}" in client.get("/reports/").get_data(as_text=True)
    # Again: the same draft, made anew.
    assert post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/").headers[
        "Location"] == f"/reports/{draft_id}"
    with app.app_context():
        assert _count() == 1
        made = db.session.execute(select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.target_id)
                                  .where(AuditEvent.action == "report.draft")).all()
        assert made == [(admin.id, "report.draft", draft_id)] * 2
    other = app.test_client()
    from .conftest import sign_in

    sign_in(other, employer.email)
    assert other.get(f"/reports/{draft_id}").status_code == 404
    assert f"/reports/{draft_id}" not in other.get("/reports/").get_data(as_text=True)


def test_in_a_quarters_first_month_the_page_says_when_a_draft_can_be_made_and_refuses_one(
        app, client, signed_in, make, organisation, monkeypatch):
    # 20 July 2026: the quarter's first month has not ended, so there is no whole month to draft.
    monkeypatch.setattr("supervision.reports.routes.utcnow", lambda: datetime(2026, 7, 20, 9, 0, tzinfo=UTC))
    signed_in(make.user(Role.admin, organisation=organisation))
    page = client.get("/reports/").get_data(as_text=True)
    assert "You can make a draft from 1 August 2026" in page
    response = post(client, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "govuk-error-summary" in refused and "the first draft can be made on 1 August 2026" in refused
    assert f'href="#draft-{organisation.id}"' in refused and f'id="draft-{organisation.id}"' in refused
    with app.app_context():
        assert _count() == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "report.draft")) == 0

    # In Welsh, through the same error summary, with the date in Welsh.
    welsh = app.test_client()
    from .conftest import sign_in

    assert sign_in(welsh, make.user(Role.admin, organisation=organisation, language="cy").email).status_code == 302
    refused = post(welsh, f"/reports/organisations/{organisation.id}/draft", {}, token_from="/reports/")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "govuk-error-summary" in text
    assert "1 Awst 2026" in text and "the first draft can be made" not in text
