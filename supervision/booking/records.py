"""The record of a supervision session: Proctor's three headings and the actions agreed.

Only the two people in the booking keep or read it (permissions.can_keep_record, loaders). These
functions flush, never commit. A notification says only that the record changed, never its text.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..db import utcnow
from ..extensions import db
from ..notifications.services import notify, path_for
from .errors import BookingError
from .models import MAX_RECORD_SECTION, Booking, SessionRecord, SupervisionSession
from .permissions import can_keep_record

SECTIONS = ("normative", "formative", "restorative")


def _clean(text: str | None) -> str | None:
    """Browsers send new lines as CRLF: keep them as one character, as the box shows them."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _clean_actions(text: str | None) -> str | None:
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line) or None


def version_of(record: SessionRecord | None) -> str:
    """What the form carries to show which saved version the writer started from."""
    return record.updated_at.isoformat() if record is not None else ""


def _changed_meanwhile() -> BookingError:
    return BookingError("record_changed", _l(
        "The record was changed by someone else while you were writing. Your text is still in the "
        "boxes: compare it with the saved record below, then save again."), field="normative")


def save_record(*, booking: Booking, user: User, normative: str | None, formative: str | None,
                restorative: str | None, actions: str | None, seen: str | None = None,
                now: datetime | None = None) -> SessionRecord:
    """Create or replace the record of this booking's session, and tell the other party.

    `seen` is the version (version_of) the writer's form started from: if the other party saved in
    between, nothing is overwritten and the writer is asked to compare, keeping what they typed."""
    now = now or utcnow()
    if not can_keep_record(user, booking, now):
        raise BookingError("record_not_allowed", _l("You cannot keep a record of this session"))
    values = {"normative": _clean(normative), "formative": _clean(formative),
              "restorative": _clean(restorative), "actions": _clean_actions(actions)}
    for field, value in values.items():
        if value is not None and len(value) > MAX_RECORD_SECTION:
            raise BookingError("record_too_long", _l("Enter %(limit)s characters or fewer",
                                                     limit=MAX_RECORD_SECTION), field=field)
    if not any(values.values()):
        raise BookingError("record_empty", _l("Write something under at least one heading, or an agreed action"),
                           field="normative")
    record = record_for(booking)
    if seen is not None and seen != version_of(record):
        raise _changed_meanwhile()
    try:
        # A savepoint: if both people save the first record at the same moment, the unique booking
        # id stops the second, which is told to compare rather than shown an error page.
        with db.session.begin_nested():
            if record is None:
                record = SessionRecord(booking=booking, created_at=now)
                db.session.add(record)
            for field, value in values.items():
                setattr(record, field, value)
            record.updated_by_id = user.id
            record.updated_at = now
    except IntegrityError:
        raise _changed_meanwhile() from None
    other_id = booking.session.supervisor_id if user.id == booking.link_worker_id else booking.link_worker_id
    other = db.session.get(User, other_id)
    if other is not None and other.active:
        notify(user=other, kind="session_record_updated",
               dedupe_key=f"session-record:{record.id}:{now:%Y%m%dT%H%M%S.%f}",
               link=path_for("booking.record", booking_id=booking.id))
    return record


def record_for(booking: Booking) -> SessionRecord | None:
    return db.session.scalar(select(SessionRecord).where(SessionRecord.booking_id == booking.id))


def last_agreed_actions(link_worker_id: int, supervisor_id: int) -> list[str]:
    """The actions agreed at the most recent recorded session between these two people."""
    record = db.session.scalar(
        select(SessionRecord)
        .join(SessionRecord.booking)
        .join(Booking.session)
        .where(Booking.link_worker_id == link_worker_id, SupervisionSession.supervisor_id == supervisor_id)
        .order_by(SupervisionSession.starts_at.desc(), SessionRecord.id.desc())
        .limit(1)
    )
    return record.action_list if record is not None else []
