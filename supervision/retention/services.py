"""Purging records past their retention period. Every function takes `now`, flushes, never commits."""
from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Table, delete, select, update

from ..accounts.models import RETENTION_LIMITS, Invitation, InvitationRole, LoginAttempt, Organisation
from ..audit.models import AuditEvent
from ..debriefs.models import DebriefCheckIn, DebriefEvent, DebriefRequest
from ..extensions import db
from ..notifications.models import EmailAttachment, EmailStatus, Notification, OutboundEmail
from ..pulse.models import PulseAnswer, PulseInvitation, PulseResponse, PulseRound
from ..reports.aggregate import PREVIOUS_QUARTERS
from ..reports.models import QuarterlyReport

log = logging.getLogger(__name__)

# Records that belong to no organisation are kept for the defaults.
DEFAULT_AUDIT_MONTHS = RETENTION_LIMITS["retention_audit_months"][0]
# Outbox bodies may hold a password-reset or invitation link; failed sign-ins name an address.
SHORT_LIVED_DAYS = RETENTION_LIMITS["retention_invitation_days"][0]
READ_NOTIFICATION_MONTHS = 12


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier; the 31st becomes the month's last day."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _delete(table: Table, *conditions) -> int:
    result = db.session.execute(delete(table).where(*conditions))
    return result.rowcount or 0


def _settings_in_use(column) -> list[int]:
    """The distinct values organisations chose, so one DELETE serves every organisation sharing one."""
    return sorted(db.session.scalars(select(column).distinct()))


def purge_audit_events(now: datetime) -> int:
    # The ORM refuses to delete audit events (audit/models.py), by design: the log is append-only.
    # Retention is the one sanctioned deletion, so it goes round that guard with a Core DELETE on
    # the table itself. Each event is kept for its own organisation's period.
    table = AuditEvent.__table__
    deleted = _delete(
        table,
        table.c.organisation_id.is_(None),
        table.c.created_at < months_before(now, DEFAULT_AUDIT_MONTHS),
    )
    for months in _settings_in_use(Organisation.retention_audit_months):
        organisations = select(Organisation.id).where(Organisation.retention_audit_months == months)
        deleted += _delete(
            table,
            table.c.organisation_id.in_(organisations),
            table.c.created_at < months_before(now, months),
        )
    return deleted


def purge_invitations(now: datetime) -> int:
    """Invitations, used or not, some days after they expired: they name the invited address."""
    deleted = 0
    for days in _settings_in_use(Organisation.retention_invitation_days):
        expired = select(Invitation.id).where(
            Invitation.organisation_id.in_(
                select(Organisation.id).where(Organisation.retention_invitation_days == days)
            ),
            Invitation.expires_at < now - timedelta(days=days),
        )
        # Children first: SQLite enforces ON DELETE CASCADE only when asked to.
        _delete(InvitationRole.__table__, InvitationRole.invitation_id.in_(expired))
        deleted += _delete(Invitation.__table__, Invitation.id.in_(expired))
    return deleted


def purge_login_attempts(now: datetime) -> int:
    return _delete(LoginAttempt.__table__, LoginAttempt.created_at < now - timedelta(days=SHORT_LIVED_DAYS))


def purge_outbound_emails(now: datetime) -> int:
    """Sent or failed email: the body may hold a link that still works. Pending email stays."""
    finished = select(OutboundEmail.id).where(
        OutboundEmail.status.in_([EmailStatus.sent, EmailStatus.failed]),
        OutboundEmail.created_at < now - timedelta(days=SHORT_LIVED_DAYS),
    )
    _delete(EmailAttachment.__table__, EmailAttachment.email_id.in_(finished))
    return _delete(OutboundEmail.__table__, OutboundEmail.id.in_(finished))


def purge_read_notifications(now: datetime) -> int:
    return _delete(
        Notification.__table__,
        Notification.read_at.is_not(None),
        Notification.created_at < months_before(now, READ_NOTIFICATION_MONTHS),
    )


def purge_debrief_requests(now: datetime) -> int:
    """Requests closed (completed, declined or withdrawn) longer ago than their organisation keeps
    them, with their steps and check-ins. An open or accepted request has no closed_at: it stays."""
    deleted = 0
    for months in _settings_in_use(Organisation.retention_debrief_months):
        expired = select(DebriefRequest.id).where(
            DebriefRequest.organisation_id.in_(
                select(Organisation.id).where(Organisation.retention_debrief_months == months)
            ),
            DebriefRequest.closed_at.is_not(None),
            DebriefRequest.closed_at < months_before(now, months),
        )
        # Children first: SQLite enforces ON DELETE CASCADE only when asked to.
        _delete(DebriefCheckIn.__table__, DebriefCheckIn.request_id.in_(expired))
        _delete(DebriefEvent.__table__, DebriefEvent.request_id.in_(expired))
        deleted += _delete(DebriefRequest.__table__, DebriefRequest.id.in_(expired))
    return deleted


def _expired_pulse_rounds(now: datetime, months: int):
    """The rounds of organisations keeping survey data `months` months that closed before then."""
    return select(PulseRound.id).where(
        PulseRound.organisation_id.in_(
            select(Organisation.id).where(Organisation.retention_pulse_months == months)
        ),
        PulseRound.closes_at < months_before(now, months),
    )


def purge_pulse_responses(now: datetime) -> int:
    """Each person's answers to rounds that closed longer ago than their organisation keeps them.
    The rounds themselves stay: they hold no one's data, and the reports' figures were worked out
    when each quarter was reported."""
    deleted = 0
    for months in _settings_in_use(Organisation.retention_pulse_months):
        expired = select(PulseResponse.id).where(PulseResponse.round_id.in_(_expired_pulse_rounds(now, months)))
        # Children first: SQLite enforces ON DELETE CASCADE only when asked to.
        _delete(PulseAnswer.__table__, PulseAnswer.response_id.in_(expired))
        deleted += _delete(PulseResponse.__table__, PulseResponse.id.in_(expired))
    return deleted


def purge_pulse_invitations(now: datetime) -> int:
    """Who was asked and who answered, for the same rounds: participation goes with the answers."""
    deleted = 0
    for months in _settings_in_use(Organisation.retention_pulse_months):
        deleted += _delete(PulseInvitation.__table__,
                           PulseInvitation.round_id.in_(_expired_pulse_rounds(now, months)))
    return deleted


@dataclass(frozen=True)
class Purge:
    name: str
    func: Callable[[datetime], int]


def purge_report_comparison_keys(now: datetime) -> int:
    """Forget the rule-5 keys a quarter's report kept once no report can be compared with it: the
    last is the report of the fourth quarter after it, which the job may issue as late as the quarter
    after that (catch-up). The report itself, its cells and files stay."""
    current = now.year * 4 + (now.month - 1) // 3 + 1
    result = db.session.execute(
        update(QuarterlyReport)
        .where(QuarterlyReport.comparison_keys.is_not(None),
               QuarterlyReport.year * 4 + QuarterlyReport.quarter <= current - PREVIOUS_QUARTERS - 2)
        .values(comparison_keys=None))
    return result.rowcount or 0


# Each domain that keeps records for a limited time adds its purge here.
PURGES: list[Purge] = [
    Purge("audit_events", purge_audit_events),
    Purge("debrief_requests", purge_debrief_requests),
    Purge("invitations", purge_invitations),
    Purge("login_attempts", purge_login_attempts),
    Purge("outbound_emails", purge_outbound_emails),
    Purge("pulse_invitations", purge_pulse_invitations),
    Purge("pulse_responses", purge_pulse_responses),
    Purge("read_notifications", purge_read_notifications),
    Purge("report_comparison_keys", purge_report_comparison_keys),
]


def purge_expired(*, now: datetime) -> dict[str, int]:
    """Delete everything past its retention period at `now`. Running it again deletes nothing more."""
    report = {purge.name: purge.func(now) for purge in PURGES}
    db.session.flush()
    if any(report.values()):
        log.info("Retention purge: %s", ", ".join(f"{k} {v}" for k, v in report.items() if v))
    return report
