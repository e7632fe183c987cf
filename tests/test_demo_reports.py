"""The demo's quarterly reports: both organisations' last three quarters issued, as the scheduler
would have on each first working day; an admin's draft of Ogmore's quarter so far; Ogmore's
reports publishing some figures and hiding others; the employer told in Cwtch; and nothing made
again by a second seeding."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Organisation, User
from supervision.demo import OGMORE, TEIFI, seed_demo
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.reflections.models import Reflection
from supervision.reports.models import QuarterlyReport, ReportStatus
from supervision.reports.published import ORGANISATION

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc)  # a Wednesday; the quarter began in April


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed_demo(now=NOW)
        db.session.commit()


def _organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _reports(name: str) -> list[tuple[str, str]]:
    return [(r.period.key, r.status.value) for r in db.session.scalars(
        select(QuarterlyReport).where(QuarterlyReport.organisation_id == _organisation(name).id)
        .order_by(QuarterlyReport.year, QuarterlyReport.quarter, QuarterlyReport.status))]


def test_both_organisations_have_three_issued_reports_and_ogmore_a_draft(app, ctx, seeded):
    assert _reports(OGMORE) == [("2025-Q3", "issued"), ("2025-Q4", "issued"), ("2026-Q1", "issued"),
                                ("2026-Q2", "draft")]
    assert _reports(TEIFI) == [("2025-Q3", "issued"), ("2025-Q4", "issued"), ("2026-Q1", "issued")]
    for report in db.session.scalars(select(QuarterlyReport)):
        assert report.report().draft is (report.status == ReportStatus.draft)
    latest = db.session.scalar(select(QuarterlyReport).where(
        QuarterlyReport.organisation_id == _organisation(OGMORE).id, QuarterlyReport.year == 2026,
        QuarterlyReport.quarter == 1))
    # Issued as the scheduler would have: Wednesday 1 April 2026, 09:00 in London (BST).
    assert latest.generated_at == datetime(2026, 4, 1, 8, 0, tzinfo=timezone.utc)


def test_ogmores_latest_report_publishes_some_figures_and_hides_others(app, ctx, seeded):
    report = db.session.scalar(select(QuarterlyReport).where(
        QuarterlyReport.organisation_id == _organisation(OGMORE).id, QuarterlyReport.year == 2026,
        QuarterlyReport.quarter == 1)).report()
    own = [cell for cell in report.cells if cell.scope == ORGANISATION and cell.quarter == report.quarter]
    published = {cell.measure for cell in own if not cell.suppressed}
    hidden = {cell.measure for cell in own if cell.suppressed}
    assert published - {"link_workers", "invited"}, published  # more than the headcount
    assert hidden, "nothing hidden"


def test_each_issued_ogmore_report_publishes_the_link_workers_who_reflected(app, ctx, seeded):
    # 8 to 10 of Ogmore's 12 link workers wrote in each quarter (demo_reflection_history.py): not `*`,
    # and not the 0 of reflections all written after the quarter. Rounded, both counts are 10.
    issued = db.session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.organisation_id == _organisation(OGMORE).id, QuarterlyReport.status == ReportStatus.issued))
    for stored_report in issued:
        report = stored_report.report()
        count = report.cell("reflecting", "", "count")
        assert (count.value, count.reason) == (10, None), report.quarter
        assert report.cell("reflecting", "", "percent").value == 100.0


def test_a_second_seeding_writes_no_past_reflection_again(app, seeded):
    with app.app_context():
        before = db.session.scalar(select(func.count(Reflection.id)))
        seed_demo(now=NOW)
        db.session.commit()
        assert db.session.scalar(select(func.count(Reflection.id))) == before


def test_the_employer_is_told_in_cwtch_and_nobody_by_email(app, ctx, seeded):
    employers = db.session.scalars(select(User.id).where(User.email.in_(
        ["employer@example.org", "alun.vaughan@teifi.example.org"]))).all()
    told = db.session.execute(select(Notification.user_id, Notification.link)
                              .where(Notification.kind == "report_ready")).all()
    assert sorted(told) == sorted((user_id, "/reports/") for user_id in employers)
    assert db.session.scalar(select(OutboundEmail.id).where(OutboundEmail.dedupe_key.like("email:report-ready:%"))) is None


def test_seeding_twice_makes_no_report_again(app, seeded):
    with app.app_context():
        before = [(r.id, r.file_stem, r.published, r.generated_at) for r in db.session.scalars(
            select(QuarterlyReport).order_by(QuarterlyReport.id))]
        seed_demo(now=NOW)
        db.session.commit()
        after = [(r.id, r.file_stem, r.published, r.generated_at) for r in db.session.scalars(
            select(QuarterlyReport).order_by(QuarterlyReport.id))]
    assert after == before


def test_the_files_are_written_at_the_first_download(app, ctx, seeded):
    from supervision.reports.generation import ensure_file, file_path

    report = db.session.scalar(select(QuarterlyReport).where(QuarterlyReport.status == ReportStatus.issued)
                               .order_by(QuarterlyReport.id))
    assert not file_path(report, "cy", "csv").exists()
    assert ensure_file(report, "cy", "csv").read_bytes().decode("utf-8-sig").count("\n") > 10
