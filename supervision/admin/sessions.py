"""What an organisation's admin may know about supervision sessions: when they happen and who runs them.

DESIGN.md: an admin sees that sessions exist, to support scheduling, never the notes. So this reads
sessions and counts of bookings only (never a booking row, a link worker, an agenda or a record),
and returns plain values, so a template cannot reach further.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Organisation
from ..booking.models import (HOLDING_STATUSES, Booking, BookingStatus, SessionKind, SessionStatus,
                              SupervisionSession)
from ..booking.slots import LONDON
from ..extensions import db

DEFAULT_WEEKS = 8
WEEKS = (1, 26)


@dataclass(frozen=True)
class ScheduledSession:
    starts_at: datetime
    ends_at: datetime
    supervisor_id: int
    supervisor_name: str
    kind: SessionKind
    # Confirmed places, for a group; how many, never who.
    booked: int
    capacity: int
    waiting_for_approval: bool


@dataclass(frozen=True)
class SupervisorLoad:
    supervisor_name: str
    sessions: int


@dataclass(frozen=True)
class Schedule:
    sessions: list[ScheduledSession]
    supervisors: list[SupervisorLoad]


def period(now: datetime, weeks: int) -> tuple[datetime, datetime]:
    """From the start of today in London to the same wall-clock midnight `weeks` later, in UTC,
    so a clock change inside the period neither adds nor loses an hour."""
    today = now.astimezone(LONDON).date()
    start = datetime.combine(today, time(0), tzinfo=LONDON)
    end = datetime.combine(today + timedelta(weeks=weeks), time(0), tzinfo=LONDON)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def schedule(*, organisation: Organisation, now: datetime, weeks: int = DEFAULT_WEEKS) -> Schedule:
    """The organisation's active sessions in the period, in time order, in two queries."""
    start, end = period(now, weeks)
    in_period = (SupervisionSession.organisation_id == organisation.id,
                 SupervisionSession.status == SessionStatus.active,
                 SupervisionSession.starts_at >= start,
                 SupervisionSession.starts_at < end)
    sessions = db.session.scalars(
        select(SupervisionSession).options(joinedload(SupervisionSession.supervisor))
        .where(*in_period).order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ).all()
    counts: Counter[tuple[int, BookingStatus]] = Counter()
    if sessions:
        ids = select(SupervisionSession.id).where(*in_period).scalar_subquery()
        rows = db.session.execute(
            select(Booking.session_id, Booking.status, func.count(Booking.id))
            .where(Booking.session_id.in_(ids), Booking.status.in_(HOLDING_STATUSES))
            .group_by(Booking.session_id, Booking.status))
        counts.update({(session_id, status): number for session_id, status, number in rows})
    shown = []
    for session in sessions:
        confirmed = counts[session.id, BookingStatus.confirmed]
        pending = counts[session.id, BookingStatus.requested] + counts[session.id, BookingStatus.proposed]
        if session.kind == SessionKind.one_to_one and not (confirmed or pending):
            continue  # nobody holds this time any more: nothing is scheduled
        shown.append(ScheduledSession(
            starts_at=session.starts_at, ends_at=session.ends_at, supervisor_id=session.supervisor_id,
            supervisor_name=session.supervisor.name,
            kind=session.kind, booked=confirmed, capacity=session.capacity,
            waiting_for_approval=session.kind == SessionKind.one_to_one and not confirmed))
    return Schedule(shown, _loads(shown))


def _loads(sessions: list[ScheduledSession]) -> list[SupervisorLoad]:
    # By id, so two supervisors who share a name are not added together.
    per_supervisor = Counter((s.supervisor_id, s.supervisor_name) for s in sessions)
    return sorted((SupervisorLoad(name, number) for (_id, name), number in per_supervisor.items()),
                  key=lambda load: load.supervisor_name.casefold())
