"""The quarterly reports job: on each organisation's first working day after a quarter ends, once
its working day has started (London time), issue its report for that quarter and tell its
employers.

- Catch-up: any run from that moment until the next quarter ends issues the report, so a scheduler
  that was down that day issues it on its next run. Only the latest ended quarter is issued.
- Once: an issued report is unique per organisation and quarter and never replaced (generation.py),
  and the notifications' de-duplication keys guard the messages, so a second run sends nothing.
- An organisation created after the quarter ended gets no report for it.
- Each organisation's report and messages are committed together, so a failure in one organisation
  leaves the others' reports in place and its own for the next run.

A quiet run (everything issued already) asks two queries, whatever the number of organisations.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..accounts.models import Organisation
from ..extensions import db
from ..pulse.rounds import opening_time
from ..scheduler.registry import Job
from . import messages
from .generation import generate
from .models import QuarterlyReport, ReportStatus
from .quarters import Quarter


def issue_moment(organisation: Organisation, quarter: Quarter) -> datetime:
    """When the quarter's report is due: the start of the organisation's first working day after it."""
    following = quarter.next()
    return opening_time(following.year, following.months[0], organisation.working_days,
                        organisation.working_day_start_minute)


def due_organisations(*, now: datetime) -> tuple[Quarter, list[Organisation]]:
    """The latest ended quarter, and the organisations whose report for it is due and not yet issued."""
    quarter = Quarter.containing(now).previous()
    issued = set(db.session.scalars(select(QuarterlyReport.organisation_id).where(
        QuarterlyReport.year == quarter.year, QuarterlyReport.quarter == quarter.number,
        QuarterlyReport.status == ReportStatus.issued)))
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.created_at < quarter.end).order_by(Organisation.id))
    return quarter, [o for o in organisations if o.id not in issued and now >= issue_moment(o, quarter)]


def issue_report(organisation: Organisation, quarter: Quarter, *, now: datetime) -> QuarterlyReport:
    """Issue the report (or find the one issued already) and tell the employers; flushes only."""
    report = generate(organisation, quarter, status=ReportStatus.issued, now=now)
    messages.tell_employers(report)
    return report


def quarterly_job(*, now: datetime, worker: str) -> None:
    quarter, organisations = due_organisations(now=now)
    for organisation in organisations:
        issue_report(organisation, quarter, now=now)
        db.session.commit()


JOBS = [Job(id="reports.quarterly", func=quarterly_job, seconds=3600)]
