"""The booking jobs the scheduler runs: expiring requests, the group minimum, reminders before each
session, and reminders when the supervision standard is about to be missed.

Each is idempotent: running it twice at the same moment changes nothing the second time, because
the booking rules mark what they handled and every notification carries a de-duplication key.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Membership, Role, SupervisorAssignment, User
from ..accounts.supervisors import _live_assignments
from ..extensions import db
from ..notifications.services import notify, path_for
from ..scheduler.registry import Job
from . import bookings
from .coverage import DUE_SOON_DAYS, Coverage, coverage_for_pairs
from .models import Booking, BookingStatus, SessionStatus, SupervisionSession



def expire_requests_job(*, now: datetime, worker: str) -> None:
    bookings.expire_requests(now=now)
    db.session.commit()


def group_minimum_job(*, now: datetime, worker: str) -> None:
    bookings.cancel_groups_below_minimum(now=now)
    db.session.commit()


# --- reminders before a session ------------------------------------------------------------------

def _which_reminder(starts_at: datetime, now: datetime) -> str | None:
    """"24h" within [start-24h, start-1h), "1h" within [start-1h, start), otherwise None."""
    if starts_at - timedelta(hours=24) <= now < starts_at - timedelta(hours=1):
        return "24h"
    if starts_at - timedelta(hours=1) <= now < starts_at:
        return "1h"
    return None


def send_reminders(*, now: datetime) -> int:
    """Remind each confirmed link worker, and the supervisor once per session. The keys hold the
    session's start, so a session moved after its reminder is reminded again at its new time."""
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(SupervisionSession.status == SessionStatus.active, SupervisionSession.starts_at > now,
               SupervisionSession.starts_at <= now + timedelta(hours=24))
        .options(joinedload(SupervisionSession.supervisor),
                 selectinload(SupervisionSession.bookings).joinedload(Booking.link_worker))
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).all()
    sent = 0
    for session in sessions:
        which = _which_reminder(session.starts_at, now)
        confirmed = [b for b in session.bookings if b.status == BookingStatus.confirmed]
        if which is None or not confirmed:
            continue
        starts = f"{session.starts_at:%Y%m%dT%H%M}"
        kind = f"booking_reminder_{which}"
        for booking in confirmed:
            if booking.link_worker.active and notify(
                    user=booking.link_worker, kind=kind, email=True,
                    dedupe_key=f"booking-reminder:{booking.id}:{starts}:{which}",
                    link=path_for("booking.index")) is not None:
                sent += 1
        if session.supervisor.active and notify(
                user=session.supervisor, kind=kind, email=True,
                dedupe_key=f"session-reminder:{session.id}:{starts}:{which}",
                link=path_for("booking.supervisor_home")) is not None:
            sent += 1
    return sent


def reminders_job(*, now: datetime, worker: str) -> None:
    send_reminders(now=now)
    db.session.commit()


# --- the supervision standard ---------------------------------------------------------------------

def _needs_reminder(row: Coverage) -> bool:
    """Due within DUE_SOON_DAYS with no session booked on or before the due date. Someone already
    overdue is reminded only while nothing is booked: booking is all they can do."""
    if row.days_until_due > DUE_SOON_DAYS:
        return False
    if row.days_until_due >= 0:
        return not row.session_before_due
    return row.next_session is None


def coverage_due(*, now: datetime) -> list[Coverage]:
    """Every active link worker's coverage in each organisation that needs a reminder."""
    pairs = db.session.execute(
        select(Membership.user_id, Membership.organisation_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.link_worker, User.active.is_(True))
    ).all()
    return [row for row in coverage_for_pairs([tuple(p) for p in pairs], now) if _needs_reminder(row)]


def remind_coverage(*, now: datetime) -> int:
    """Tell each link worker whose standard is about to be missed, and each of their supervisors
    in that organisation, once per due date."""
    due = coverage_due(now=now)
    if not due:
        return 0
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({r.link_worker_id for r in due})))}
    supervised = db.session.execute(
        _live_assignments().with_only_columns(SupervisorAssignment.link_worker_id,
                                              SupervisorAssignment.organisation_id,
                                              SupervisorAssignment.supervisor_id)
        .where(SupervisorAssignment.link_worker_id.in_(list(people)))
    ).all()
    supervisors_by_pair: dict[tuple[int, int], set[int]] = {}
    for link_worker_id, organisation_id, supervisor_id in supervised:
        supervisors_by_pair.setdefault((link_worker_id, organisation_id), set()).add(supervisor_id)
    supervisor_ids = set().union(*supervisors_by_pair.values()) if supervisors_by_pair else set()
    supervisors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(supervisor_ids)))}
    sent = 0
    for row in due:
        key = f"coverage-due:{row.link_worker_id}:{row.organisation_id}:{row.due_by:%Y%m%d}"
        if notify(user=people[row.link_worker_id], kind="coverage_due", dedupe_key=key, email=True,
                  link=path_for("booking.index")) is not None:
            sent += 1
        for supervisor_id in sorted(supervisors_by_pair.get((row.link_worker_id, row.organisation_id), ())):
            if notify(user=supervisors[supervisor_id], kind="coverage_due", dedupe_key=f"{key}:to:{supervisor_id}",
                      email=True, link=path_for("booking.supervisor_home")) is not None:
                sent += 1
    return sent


def coverage_job(*, now: datetime, worker: str) -> None:
    remind_coverage(now=now)
    db.session.commit()


JOBS = [
    Job(id="booking.expire_requests", func=expire_requests_job, seconds=300),
    Job(id="booking.group_minimum", func=group_minimum_job, seconds=300),
    Job(id="booking.reminders", func=reminders_job, seconds=300),
    Job(id="booking.coverage", func=coverage_job, seconds=86_400),
]
