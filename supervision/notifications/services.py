"""Queuing email and creating in-app notifications, each at most once per event. They flush only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from . import kinds
from .models import EmailAttachment, Notification, OutboundEmail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def path_for(endpoint: str, **values) -> str:
    """A local path for a notification's link, built without a request (jobs have none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _insert_once(row) -> bool:
    """Insert unless the dedupe key exists. A SAVEPOINT keeps a racing duplicate harmless."""
    model = type(row)
    if db.session.scalar(select(model.id).where(model.dedupe_key == row.dedupe_key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def queue_email(
    *,
    dedupe_key: str,
    to: str,
    language: str,
    template: str,
    subject: LazyString,
    user_id: int | None = None,
    security: bool = False,
    bilingual: bool = False,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    **context,
) -> OutboundEmail | None:
    """Render now, in the recipient's language, and put the message in the outbox.

    Returns None when this event already produced an email.
    """
    rendered = mail.render(template=template, subject=subject, language=language,
                           bilingual=bilingual, **context)
    email = OutboundEmail(
        dedupe_key=dedupe_key,
        user_id=user_id,
        to_address=to,
        language="cy" if bilingual else language,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        security=security,
        next_attempt_at=utcnow(),
        attachments=[EmailAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
                     for a in attachments],
    )
    return email if _insert_once(email) else None


def queue_security_email(*, user: User, dedupe_key: str, template: str, subject: LazyString,
                         **context) -> OutboundEmail | None:
    """An email about a person's own account (password, second step): always sent, in their language."""
    return queue_email(dedupe_key=dedupe_key, to=user.email, user_id=user.id, language=user.preferred_language,
                       security=True, template=template, subject=subject, **context)


def notify(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    link: str | None = None,
    email: bool = True,
) -> Notification | None:
    """Tell a person something happened: in Cwtch, and by email unless they turned email off."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(dedupe_key=dedupe_key, user_id=user.id, kind=kind, link=link)
    if not _insert_once(notification):
        return None
    if email and user.email_notifications and user.active:
        queue_email(
            dedupe_key=f"email:{dedupe_key}",
            to=user.email,
            language=user.preferred_language,
            template="notification",
            subject=_l("You have a new notification in Cwtch"),
            user_id=user.id,
            kind=kind,
            link=mail.external_url(link or path_for("notifications.index")),
        )
    return notification


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def recent_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def notification_for(user: User, notification_id: int) -> Notification | None:
    notification = db.session.get(Notification, notification_id)
    return notification if notification is not None and notification.user_id == user.id else None


def mark_read(notification: Notification, *, now: datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    return result.rowcount or 0


def max_attempts() -> int:
    return int(current_app.config["MAIL_MAX_ATTEMPTS"])
