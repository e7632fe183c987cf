"""The quarterly reports job at frozen times: each organisation's report is issued at the start of
its first working day after the quarter ends (London time, across BST), late if the scheduler was
down, never twice, never for an organisation made after the quarter; employers are told once, in
their own language, with no figure in the message; a quiet run asks a fixed number of queries."""
from __future__ import annotations

import os
import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.reports import jobs
from supervision.reports.generation import file_path
from supervision.reports.models import FORMATS, LANGUAGES, QuarterlyReport
from supervision.reports.quarters import Quarter
from supervision.scheduler.registry import all_jobs

from .conftest import counting_queries

UTC = timezone.utc
LONG_AGO = datetime(2024, 6, 1, tzinfo=UTC)  # when the test organisations were made
Q4_2025 = Quarter(2025, 4)
MONDAY_TO_WEDNESDAY = 0b0000111
FRIDAY_ONLY = 0b0010000


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _run(app, now: datetime) -> None:
    with app.app_context():
        jobs.quarterly_job(now=now, worker="tests")


def _issued(app) -> list[tuple[int, str]]:
    with app.app_context():
        return sorted((r.organisation_id, r.period.key) for r in db.session.scalars(select(QuarterlyReport)))


def _due(app, now: datetime) -> tuple[Quarter, list[int]]:
    with app.app_context():
        quarter, organisations = jobs.due_organisations(now=now)
        return quarter, [o.id for o in organisations]


def test_the_job_is_registered():
    job = next(job for job in all_jobs() if job.id == "reports.quarterly")
    assert job.func is jobs.quarterly_job and job.seconds == 3600


def test_a_report_is_due_when_the_first_working_day_after_the_quarter_starts(app, make):
    """1 January 2026 is a Thursday: bank holidays are not modelled, so for a Monday-to-Friday
    organisation that is the first working day; for Monday to Wednesday it is Monday 5 January."""
    weekdays = make.organisation(name="Mon-Fri", created_at=LONG_AGO)
    early_week = make.organisation(name="Mon-Wed", working_days=MONDAY_TO_WEDNESDAY, created_at=LONG_AGO)
    late_start = make.organisation(name="Starts at 10:30", working_day_start_minute=10 * 60 + 30,
                                   created_at=LONG_AGO)
    fridays = make.organisation(name="Fridays", working_days=FRIDAY_ONLY, created_at=LONG_AGO)
    everyone = [weekdays.id, early_week.id, late_start.id, fridays.id]
    # Until midnight in London the quarter just ended is Q3, whose moment came in October.
    assert _due(app, utc(2025, 12, 31, 23, 59)) == (Quarter(2025, 3), everyone)
    assert _due(app, utc(2026, 1, 1, 8, 59)) == (Q4_2025, [])
    assert _due(app, utc(2026, 1, 1, 9, 0)) == (Q4_2025, [weekdays.id])
    assert _due(app, utc(2026, 1, 1, 10, 30)) == (Q4_2025, [weekdays.id, late_start.id])
    assert _due(app, utc(2026, 1, 2, 9, 0)) == (Q4_2025, [weekdays.id, late_start.id, fridays.id])
    assert _due(app, utc(2026, 1, 5, 8, 59)) == (Q4_2025, [weekdays.id, late_start.id, fridays.id])
    assert _due(app, utc(2026, 1, 5, 9, 0)) == (Q4_2025, everyone)


def test_in_summer_time_nine_in_london_is_eight_in_utc(app, make):
    organisation = make.organisation(created_at=LONG_AGO)  # Q1 2026 ends; Wednesday 1 April is in BST
    assert _due(app, utc(2026, 4, 1, 7, 59)) == (Quarter(2026, 1), [])
    assert _due(app, utc(2026, 4, 1, 8, 0)) == (Quarter(2026, 1), [organisation.id])


def test_an_organisation_made_after_the_quarter_gets_no_report_for_it(app, make):
    old = make.organisation(name="Old", created_at=LONG_AGO)
    make.organisation(name="New", created_at=utc(2026, 1, 1, 0, 30))
    assert _due(app, utc(2026, 1, 2, 12, 0)) == (Q4_2025, [old.id])


def test_the_job_issues_once_tells_each_employer_once_and_replaces_nothing(app, make, outbox):
    organisation = make.organisation(name="Ogmore Valleys", created_at=LONG_AGO)
    english = make.user(Role.employer, organisation=organisation, name="Siân Morgan")
    welsh = make.user(Role.employer, organisation=organisation, name="Alun Vaughan", language="cy")
    make.user(Role.admin, organisation=organisation)  # admins are not told: they can make drafts
    make.user(Role.employer, organisation=organisation, active=False)
    outbox()  # empties the outbox folder
    _run(app, utc(2026, 1, 1, 9, 0))
    assert _issued(app) == [(organisation.id, "2025-Q4")]
    with app.app_context():
        report = db.session.scalar(select(QuarterlyReport))
        paths = [file_path(report, language, fmt) for language in LANGUAGES for fmt in FORMATS]
        stamps = [(p.read_bytes(), os.stat(p).st_mtime_ns) for p in paths]
        stem, published = report.file_stem, report.published
    with app.app_context():
        queued = {e.to_address: e for e in db.session.scalars(select(OutboundEmail))}
        # Each in the person's own language, saying only that a report is ready and where.
        for person, language, subject in ((english, "en", "You have a new notification in Cwtch"),
                                          (welsh, "cy", "Mae gennych chi hysbysiad newydd yn Cwtch")):
            email = queued[_email(app, person.id)]
            assert (email.language, email.subject) == (language, subject)
            assert "http://localhost/reports/" in email.text_body
            assert "Ogmore" not in email.text_body and "%" not in email.text_body
            assert not re.search(r"\d", email.text_body.replace("http://localhost/reports/", ""))
    emails = outbox()
    assert sorted(message["To"] for message in emails) == sorted([
        _email(app, english.id), _email(app, welsh.id)])

    for later in (utc(2026, 1, 1, 10, 0), utc(2026, 2, 20, 15, 0)):  # the next run, and much later
        _run(app, later)
    assert _issued(app) == [(organisation.id, "2025-Q4")]
    with app.app_context():
        report = db.session.scalar(select(QuarterlyReport))
        assert (report.file_stem, report.published) == (stem, published)
        assert [(p.read_bytes(), os.stat(p).st_mtime_ns) for p in paths] == stamps
        told = db.session.execute(select(Notification.user_id, Notification.kind, Notification.link)).all()
        assert sorted(told) == sorted([(english.id, "report_ready", "/reports/"), (welsh.id, "report_ready", "/reports/")])
        assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 2
    assert len(outbox()) == 2  # the same two messages: nothing new went


def _email(app, user_id: int) -> str:
    from supervision.accounts.models import User

    with app.app_context():
        return db.session.get(User, user_id).email


def test_a_scheduler_that_was_down_issues_late_for_the_latest_quarter_only(app, make):
    organisation = make.organisation(created_at=LONG_AGO)
    _run(app, utc(2026, 3, 30, 12, 0))  # down from New Year until the end of March
    assert _issued(app) == [(organisation.id, "2025-Q4")]
    _run(app, utc(2026, 7, 1, 9, 0))  # and again from April to July: Q1 2026 is skipped, Q2 issued
    assert _issued(app) == [(organisation.id, "2025-Q4"), (organisation.id, "2026-Q2")]


def test_a_quiet_run_asks_the_same_number_of_queries_whatever_the_number_of_organisations(app, make):
    make.organisation(created_at=LONG_AGO)
    now = utc(2026, 1, 1, 9, 0)
    _run(app, now)

    def quiet() -> int:
        with counting_queries(app) as statements:
            _run(app, now)
        return len(statements)

    few = quiet()
    for _ in range(3):  # more organisations, their reports issued already
        make.quarterly_report(make.organisation(created_at=LONG_AGO), "2025-Q4", files=False)
    assert quiet() == few
