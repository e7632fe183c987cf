"""How well each link worker meets their organisation's supervision standard: the last session they
attended, the days since, their next confirmed session and when supervision is next due.

Figures only: nothing here reads agendas or session records. Every function runs a fixed number of
queries, whatever the number of people, so the supervisor's table and the daily job stay cheap.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from ..accounts.models import Membership, Organisation, Role, SupervisorAssignment, User
from ..accounts.supervisors import _live_assignments, link_workers_of
from ..extensions import db
from .models import Attendance, Booking, BookingStatus, SessionStatus, SupervisionSession

# A standard is "due soon" when its due date is at most this many days away.
DUE_SOON_DAYS = 7


class CoverageStatus(str, enum.Enum):
    meets = "meets"
    due_soon = "due_soon"
    overdue = "overdue"
    never = "never"  # no attended session yet


@dataclass(frozen=True)
class Coverage:
    link_worker_id: int
    name: str
    organisation_id: int
    organisation_name: str
    standard_days: int
    last_attended: datetime | None  # the start of the latest attended session, UTC
    days_since: int | None  # None: never attended
    next_session: datetime | None  # the start of the next confirmed session, UTC
    # The last London date on which a session keeps the standard met. Someone who never attended
    # is given one standard period from when they became a link worker in the organisation.
    due_by: date
    meets_standard: bool
    status: CoverageStatus
    today: date  # the London date the figures were worked out for

    @property
    def days_until_due(self) -> int:
        return (self.due_by - self.today).days

    @property
    def session_before_due(self) -> bool:
        """A confirmed session is booked on or before the due date."""
        return self.next_session is not None and _london_date(self.next_session) <= self.due_by


def _london() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _london_date(moment: datetime) -> date:
    return moment.astimezone(_london()).date()


def coverage_for(link_worker: User, now: datetime) -> list[Coverage]:
    """One row per organisation where this person is a link worker, by organisation name."""
    org_ids = db.session.scalars(
        select(Membership.organisation_id).where(Membership.user_id == link_worker.id,
                                                 Membership.role == Role.link_worker)
    ).all()
    return coverage_for_pairs([(link_worker.id, org_id) for org_id in set(org_ids)], now)


def coverage_for_supervisor(supervisor: User, now: datetime) -> list[Coverage]:
    """One row per supervisee, by name. Supervising someone in several organisations shows the
    organisation where supervision is due first."""
    people = link_workers_of(supervisor)
    if not people:
        return []
    # Live assignments only: both people active and still holding both roles in that organisation.
    pairs = db.session.execute(
        _live_assignments().with_only_columns(SupervisorAssignment.link_worker_id,
                                              SupervisorAssignment.organisation_id)
        .where(SupervisorAssignment.supervisor_id == supervisor.id,
               SupervisorAssignment.link_worker_id.in_([p.id for p in people]))
    ).all()
    rows = coverage_for_pairs([tuple(pair) for pair in pairs], now)
    first: dict[int, Coverage] = {}
    for row in rows:
        if row.link_worker_id not in first or row.due_by < first[row.link_worker_id].due_by:
            first[row.link_worker_id] = row
    return sorted(first.values(), key=lambda r: (r.name.casefold(), r.link_worker_id))


def coverage_for_pairs(pairs: list[tuple[int, int]], now: datetime) -> list[Coverage]:
    """Coverage for each (link worker id, organisation id), in five queries whatever their number."""
    pairs = sorted(set(pairs))
    if not pairs:
        return []
    person_ids = sorted({p for p, _ in pairs})
    org_ids = sorted({o for _, o in pairs})
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(person_ids))).all())
    organisations = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
    joined = {
        (user_id, org_id): created for user_id, org_id, created in db.session.execute(
            select(Membership.user_id, Membership.organisation_id, func.min(Membership.created_at))
            .where(Membership.user_id.in_(person_ids), Membership.organisation_id.in_(org_ids),
                   Membership.role == Role.link_worker)
            .group_by(Membership.user_id, Membership.organisation_id))
    }
    by_pair = (Booking.link_worker_id, SupervisionSession.organisation_id)
    last = {
        (user_id, org_id): starts for user_id, org_id, starts in db.session.execute(
            select(*by_pair, func.max(SupervisionSession.starts_at))
            .join(Booking.session)
            .where(Booking.link_worker_id.in_(person_ids), SupervisionSession.organisation_id.in_(org_ids),
                   Booking.attendance == Attendance.attended, SupervisionSession.starts_at <= now)
            .group_by(*by_pair))
    }
    upcoming = {
        (user_id, org_id): starts for user_id, org_id, starts in db.session.execute(
            select(*by_pair, func.min(SupervisionSession.starts_at))
            .join(Booking.session)
            .where(Booking.link_worker_id.in_(person_ids), SupervisionSession.organisation_id.in_(org_ids),
                   Booking.status == BookingStatus.confirmed, SupervisionSession.status == SessionStatus.active,
                   SupervisionSession.starts_at > now)
            .group_by(*by_pair))
    }
    today = _london_date(now)
    rows = []
    for pair in pairs:
        organisation = organisations.get(pair[1])
        if organisation is None or pair[0] not in names:
            continue
        rows.append(_row(pair, names[pair[0]], organisation, _aware(last.get(pair)), _aware(upcoming.get(pair)),
                         _aware(joined.get(pair)) or now, today))
    return sorted(rows, key=lambda r: (r.name.casefold(), r.organisation_name.casefold(), r.link_worker_id))


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the column type on some drivers, so SQLite can hand back naive UTC or text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def _row(pair: tuple[int, int], name: str, organisation: Organisation, last: datetime | None,
         upcoming: datetime | None, joined: datetime, today: date) -> Coverage:
    standard = organisation.supervision_standard_days
    if last is None:
        days_since = None
        due_by = _london_date(joined) + timedelta(days=standard)
        meets = False
        status = CoverageStatus.never
    else:
        days_since = (today - _london_date(last)).days
        due_by = _london_date(last) + timedelta(days=standard)
        meets = days_since <= standard
        if not meets:
            status = CoverageStatus.overdue
        elif (due_by - today).days <= DUE_SOON_DAYS:
            status = CoverageStatus.due_soon
        else:
            status = CoverageStatus.meets
    return Coverage(link_worker_id=pair[0], name=name, organisation_id=organisation.id,
                    organisation_name=organisation.name, standard_days=standard, last_attended=last,
                    days_since=days_since, next_session=upcoming, due_by=due_by, meets_standard=meets,
                    status=status, today=today)
