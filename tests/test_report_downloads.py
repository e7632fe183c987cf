"""Downloading a report: the stored file, as an attachment that is never cached, named by quarter
and language only, each download audited; a lost file made again from the stored cells (never
from fresh data); and the rate limit."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from supervision.accounts.models import Role
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.reports.models import QuarterlyReport

from .conftest import Factory, make_test_app, sign_in

TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@pytest.fixture
def employer_and_report(make):
    organisation = make.organisation(name="Ogmore Valleys")
    employer = make.user(Role.employer, organisation=organisation, name="Siân Morgan")
    return employer, organisation, make.quarterly_report(organisation, "2026-Q3")


def _stored(app, report_id: int) -> QuarterlyReport:
    with app.app_context():
        report = db.session.get(QuarterlyReport, report_id)
        db.session.expunge(report)
        return report


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_a_download_is_the_stored_file_as_an_uncached_attachment(app, client, signed_in, employer_and_report,
                                                                  language, fmt):
    employer, organisation, report_id = employer_and_report
    signed_in(employer)
    response = client.get(f"/reports/{report_id}/download/{language}.{fmt}")
    assert response.status_code == 200
    stem = _stored(app, report_id).file_stem
    assert response.data == f"{stem} {language} {fmt}".encode()
    assert response.headers["Content-Type"] == TYPES[fmt]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="cwtch-wellbeing-report-2026-Q3-{language}.{fmt}"')
    assert response.headers["Cache-Control"] == "no-store"
    assert "Ogmore" not in response.headers["Content-Disposition"]


def test_each_download_is_audited_with_no_free_text(app, client, signed_in, employer_and_report):
    employer, organisation, report_id = employer_and_report
    signed_in(employer)
    for language, fmt in (("cy", "pdf"), ("en", "csv"), ("cy", "pdf")):
        assert client.get(f"/reports/{report_id}/download/{language}.{fmt}").status_code == 200
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.download")
                                    .order_by(AuditEvent.id)).all()
        assert [(e.actor_id, e.organisation_id, e.target_type, e.target_id, e.detail, e.outcome) for e in events] == [
            (employer.id, organisation.id, "quarterly_report", report_id, detail, "success")
            for detail in ("pdf cy", "csv en", "pdf cy")]


def test_a_refused_download_is_not_audited_as_a_download(app, client, signed_in, make, employer_and_report):
    _employer, _organisation, report_id = employer_and_report
    signed_in(make.user(Role.employer, organisation=make.organisation(name="Teifi Valley")))
    assert client.get(f"/reports/{report_id}/download/en.pdf").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "report.download")) is None


def test_a_drafts_file_name_says_draft(app, client, signed_in, make):
    organisation = make.organisation()
    admin = make.user(Role.admin, organisation=organisation)
    draft = make.quarterly_report(organisation, "2026-Q4", status="draft")
    signed_in(admin)
    response = client.get(f"/reports/{draft}/download/cy.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cwtch-wellbeing-report-2026-Q4-draft-cy.csv"'


def test_a_lost_file_is_made_again_from_the_stored_cells(app, client, signed_in, make):
    """The files are gone (a lost disk): the download renders the report that was issued, from its
    stored cells, not from today's data, and writes it back for next time."""
    organisation = make.organisation(name="Ogmore Valleys")
    employer = make.user(Role.employer, organisation=organisation)
    report_id = make.quarterly_report(organisation, "2026-Q3", files=False)
    report = _stored(app, report_id)
    signed_in(employer)
    response = client.get(f"/reports/{report_id}/download/en.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    # The hand-made stored report has exactly these two cells: 10 link workers, and a suppressed count.
    assert "link_workers" in text or "link workers" in text.lower()
    assert "10" in text
    path = os.path.join(app.instance_path, "reports", str(organisation.id), report.file_name("en", "csv"))
    with open(path, "rb") as handle:
        assert handle.read() == response.data
    pdf = client.get(f"/reports/{report_id}/download/cy.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_report_downloads_are_rate_limited_per_person(databases, tmp_path):
    app = make_test_app(databases.new("reportlimits"), str(tmp_path), RATELIMIT_REPORT_DOWNLOADS="2 per hour")
    with app.app_context():
        db.create_all()
    make = Factory(app)
    organisation = make.organisation()
    first, second = (make.user(Role.employer, organisation=organisation) for _ in range(2))
    report_id = make.quarterly_report(organisation, "2026-Q3")
    client, other = app.test_client(), app.test_client()
    assert sign_in(client, first.email).status_code == 302
    assert sign_in(other, second.email).status_code == 302
    assert [client.get(f"/reports/{report_id}/download/en.pdf").status_code for _ in range(3)] == [200, 200, 429]
    assert "Retry-After" in client.get(f"/reports/{report_id}/download/cy.csv").headers
    assert other.get(f"/reports/{report_id}/download/en.pdf").status_code == 200
    # Each report endpoint counts on its own: reading a report and the list have their own counts,
    # and refused downloads are not audited.
    assert [client.get(f"/reports/{report_id}").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/reports/").status_code for _ in range(3)] == [200, 200, 429]
    assert other.get("/reports/").status_code == 200
    with app.app_context():
        downloads = db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "report.download")).all()
    assert sorted(downloads) == sorted([first.id, first.id, second.id])
