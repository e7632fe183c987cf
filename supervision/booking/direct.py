"""A session a supervisor books directly with a link worker, outside the published slots: a
debrief after a distressing case, which may need to happen today. The supervisor's free time,
leave and buffer still apply, and neither person may be double booked."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from . import events, messages
from .bookings import _new_session
from .errors import BookingError
from .events import Action
from .locking import lock_calendars
from .models import Booking, BookingStatus, SessionKind, SessionType
from .slots import check_supervisor_free
from .steps import now_or_utcnow

# A debrief is soon after the case or not at all.
DIRECT_DAYS_AHEAD = 28
DIRECT_LENGTHS = (15, 30, 45, 60, 90)


def book_direct(*, supervisor: User, link_worker: User, session_type: SessionType, starts_at: datetime,
                length_minutes: int, now: datetime | None = None) -> Booking:
    """Book `link_worker` into a confirmed one-to-one session with `supervisor`, at a time the
    supervisor chose. The caller has already decided that the supervisor may (a debrief they
    accepted). Both people get the calendar file. Must come before any write in the transaction."""
    now = now_or_utcnow(now)
    lock_calendars(supervisor.id, link_worker.id)
    session_type = db.session.get(SessionType, session_type.id, populate_existing=True)
    if (session_type is None or session_type.supervisor_id != supervisor.id
            or session_type.kind != SessionKind.one_to_one or not session_type.active):
        raise BookingError("type_unavailable", _l("Choose one of your one-to-one session types."),
                           field="session_type")
    if length_minutes not in DIRECT_LENGTHS:
        raise BookingError("length", _l("Choose how long the session is."), field="length")
    if starts_at > now + timedelta(days=DIRECT_DAYS_AHEAD):
        raise BookingError("too_far", _l("Choose a time within the next %(days)s days.", days=DIRECT_DAYS_AHEAD),
                           field="starts_at")
    ends_at = starts_at + timedelta(minutes=length_minutes)
    check_supervisor_free(supervisor.id, starts_at, ends_at, now=now, link_worker_ids=(link_worker.id,))
    session = _new_session(session_type, starts_at)
    session.ends_at = ends_at
    booking = Booking(session=session, link_worker_id=link_worker.id, status=BookingStatus.confirmed,
                      created_at=now, updated_at=now)
    db.session.add(booking)
    db.session.flush()
    events.record(booking, Action.booked, actor=supervisor, now=now)
    messages.announce(booking, Action.booked, now=now)
    return booking
