"""Who may do what with bookings and sessions. Every route asks one of these; nothing else decides.

Admins and employers appear nowhere here: they never reach a booking, a session or its record.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..accounts.models import Membership, Role, User
from ..accounts.supervisors import supervises
from ..extensions import db
from .models import (
    RESCHEDULE_CAP,
    Booking,
    BookingStatus,
    SessionKind,
    SessionStatus,
    SupervisionSession,
    SupervisorSettings,
)


def _holds(user: User, role: Role, organisation_id: int | None = None) -> bool:
    return any(m.role == role and (organisation_id is None or m.organisation_id == organisation_id)
               for m in user.memberships)


def can_book_with(link_worker: User, supervisor: User) -> bool:
    """One-to-one supervision only with one's own supervisors (a live assignment)."""
    return (link_worker.active and supervisor.active and link_worker.id != supervisor.id
            and _holds(link_worker, Role.link_worker) and supervises(supervisor.id, link_worker.id))


def in_network(link_worker: User, organisation_id: int) -> bool:
    """Group peer supervision is open to the link workers of the organisation that offers it."""
    return link_worker.active and _holds(link_worker, Role.link_worker, organisation_id)


def can_join_group(link_worker: User, session: SupervisionSession) -> bool:
    return (session.kind == SessionKind.group and session.status == SessionStatus.active
            and session.supervisor_id != link_worker.id and in_network(link_worker, session.organisation_id)
            and _supervisor_still_offers(session))


def _supervisor_still_offers(session: SupervisionSession) -> bool:
    return db.session.scalar(
        select(Membership.id).where(Membership.user_id == session.supervisor_id,
                                    Membership.organisation_id == session.organisation_id,
                                    Membership.role == Role.supervisor).limit(1)
    ) is not None


def is_party(user: User, booking: Booking) -> bool:
    """The two people a booking belongs to: the link worker and the session's supervisor."""
    return user.is_authenticated and user.id in (booking.link_worker_id, booking.session.supervisor_id)


def runs(user: User, session: SupervisionSession) -> bool:
    return user.is_authenticated and user.id == session.supervisor_id


def cutoff_for(session: SupervisionSession, settings: SupervisorSettings | None) -> datetime:
    """The last moment the link worker may cancel or move: the supervisor's cut-off before the start."""
    hours = settings.cancel_cutoff_hours if settings is not None else 24
    return session.starts_at - timedelta(hours=hours)


def can_cancel(user: User, booking: Booking, now: datetime, settings: SupervisorSettings | None) -> bool:
    """Both parties until the cut-off; after it, only the supervisor, until the session starts."""
    if booking.status not in (BookingStatus.requested, BookingStatus.proposed, BookingStatus.confirmed,
                              BookingStatus.waitlisted):
        return False
    session = booking.session
    if session.status != SessionStatus.active or now >= session.starts_at:
        return False
    if user.id == session.supervisor_id:
        return True
    if user.id != booking.link_worker_id:
        return False
    # Leaving a waiting list or withdrawing a request is always allowed before the start.
    if booking.status in (BookingStatus.waitlisted, BookingStatus.requested, BookingStatus.proposed):
        return True
    return now < cutoff_for(session, settings)


def can_reschedule(user: User, booking: Booking, now: datetime, settings: SupervisorSettings | None) -> bool:
    """One-to-one only. The link worker: before the cut-off and at most RESCHEDULE_CAP times.
    The supervisor: until the session starts."""
    session = booking.session
    if (session.kind != SessionKind.one_to_one or session.status != SessionStatus.active
            or booking.status != BookingStatus.confirmed or now >= session.starts_at):
        return False
    if user.id == session.supervisor_id:
        return True
    return (user.id == booking.link_worker_id and booking.reschedule_count < RESCHEDULE_CAP
            and now < cutoff_for(session, settings))


def can_mark_attendance(user: User, booking: Booking, now: datetime) -> bool:
    """The supervisor, once the session has started, for a confirmed booking."""
    return (user.id == booking.session.supervisor_id and booking.status == BookingStatus.confirmed
            and booking.session.status == SessionStatus.active and now >= booking.session.starts_at)


def can_keep_record(user: User, booking: Booking, now: datetime) -> bool:
    """Either party, once the session has started, unless it was a no-show."""
    from .models import Attendance

    return (is_party(user, booking) and booking.status == BookingStatus.confirmed
            and booking.session.status == SessionStatus.active and now >= booking.session.starts_at
            and booking.attendance != Attendance.no_show)
