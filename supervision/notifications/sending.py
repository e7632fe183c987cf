"""Turning outbox rows into messages and sending them: claim, send, record, with retries."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import or_, select, update

from .. import mail
from ..extensions import db
from .models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)

# A claim older than this belongs to a sender that died mid-batch; another may take the row.
STALE_CLAIM = timedelta(minutes=10)


class PermanentFailure(Exception):
    """Retrying cannot help: a malformed or refused recipient."""


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def to_message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_address
    # Stable per row, so a receiving server (or a test) can spot a duplicate.
    # The creation time keeps it unique even where a database reuses a deleted row's id.
    message["Message-ID"] = f"<cwtch-outbox-{email.id}-{email.created_at:%Y%m%d%H%M%S%f}@cwtch.invalid>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=attachment.filename)
    # After the body: set_content() clears every Content-* header.
    message["Content-Language"] = email.language
    return message


def _check_recipient(address: str) -> None:
    try:
        validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise PermanentFailure(f"invalid recipient address: {error}") from error


def _due_ids(now: datetime, batch: int) -> list[int]:
    return list(
        db.session.scalars(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.pending,
                OutboundEmail.next_attempt_at <= now,
                or_(OutboundEmail.claimed_at.is_(None), OutboundEmail.claimed_at < now - STALE_CLAIM),
            )
            .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
            .limit(batch)
        )
    )


def _claim(email_id: int, *, now: datetime, worker: str) -> bool:
    """The conditional UPDATE: only one sender can move a row from unclaimed to claimed."""
    result = db.session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id == email_id,
            OutboundEmail.status == EmailStatus.pending,
            or_(OutboundEmail.claimed_at.is_(None), OutboundEmail.claimed_at < now - STALE_CLAIM),
        )
        .values(claimed_at=now, claimed_by=worker)
    )
    db.session.commit()
    return result.rowcount == 1


def _record_failure(email: OutboundEmail, error: Exception, *, now: datetime, permanent: bool,
                    report: SendReport) -> None:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:500]
    email.claimed_at = None
    email.claimed_by = None
    if permanent or email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        email.status = EmailStatus.failed
        report.failed.append(email.id)
        log.error("Email %s failed for good: %s", email.id, email.last_error)
    else:
        email.next_attempt_at = now + backoff(email.attempts)
        report.retrying.append(email.id)
        log.warning("Email %s not sent (attempt %s), retrying at %s: %s", email.id, email.attempts,
                    email.next_attempt_at, email.last_error)


def send_pending_emails(*, now: datetime, worker: str = "sender", batch: int = 100) -> SendReport:
    """Send what is due. Safe to run in several processes at once and to run again."""
    report = SendReport()
    ids = _due_ids(now, batch)
    db.session.rollback()
    if not ids:
        return report
    claimed = [i for i in ids if _claim(i, now=now, worker=worker)]
    if not claimed:
        return report
    try:
        with mail.open_transport() as transport:
            for email_id in claimed:
                email = db.session.get(OutboundEmail, email_id)
                try:
                    _check_recipient(email.to_address)
                    transport.send(to_message(email))
                except PermanentFailure as error:
                    _record_failure(email, error, now=now, permanent=True, report=report)
                except smtplib.SMTPRecipientsRefused as error:
                    _record_failure(email, error, now=now, permanent=True, report=report)
                except (smtplib.SMTPException, OSError) as error:
                    _record_failure(email, error, now=now, permanent=False, report=report)
                else:
                    email.status = EmailStatus.sent
                    email.sent_at = now
                    # Once delivered, the links inside are the recipient's business, not ours to keep.
                    email.text_body = email.html_body = ""
                    email.attempts += 1
                    email.claimed_at = None
                    email.last_error = None
                    report.sent.append(email.id)
                db.session.commit()
    except (smtplib.SMTPException, OSError) as error:
        # The server could not be reached at all: every claimed row waits for a retry.
        db.session.rollback()
        for email_id in claimed:
            email = db.session.get(OutboundEmail, email_id)
            if email.status == EmailStatus.pending and email.claimed_by == worker and email.claimed_at:
                _record_failure(email, error, now=now, permanent=False, report=report)
        db.session.commit()
    return report
