"""Telling an organisation's employers that a quarterly report has been issued: an in-app
notification and an email in each person's own language, carrying only that a report is ready and
a link to the reports page, never a figure."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import Membership, Role, User
from ..extensions import db
from ..notifications.services import notify, path_for
from .models import QuarterlyReport

REPORT_READY = "report_ready"


def employers_of(organisation_id: int) -> list[User]:
    """Active people who are employers of this organisation now."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id, Membership.role == Role.employer,
               User.active.is_(True))
        .order_by(User.id).distinct()))


def tell_employers(report: QuarterlyReport, *, email: bool = True) -> int:
    """Tell each employer once per report (the de-duplication key); returns how many were told now."""
    link = path_for("reports.index")
    told = 0
    for person in employers_of(report.organisation_id):
        if notify(user=person, kind=REPORT_READY, dedupe_key=f"report-ready:{report.id}:{person.id}",
                  link=link, email=email) is not None:
            told += 1
    return told
