"""Stage 1, supervision: sessions held, who attended, cancellations by each side, no-shows, hours,
and the share of link workers meeting their organisation's supervision standard at each month end."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, distinct, exists, func, literal, select, union_all

from ..accounts.models import SUPERVISION_STANDARD_DAYS, Membership, Organisation
from ..booking.events import Action
from ..booking.models import Attendance, Booking, BookingEvent, BookingStatus, SessionStatus, SupervisionSession
from ..extensions import db
from .aggregate_people import headcount
from .aggregate_sql import Scope, moment, seconds_between
from .figures import MonthStandard, Supervision

SECONDS_A_DAY = 86_400


def _sessions(scope: Scope) -> tuple[int, int, float, int, int, int]:
    """One query over the bookings of sessions that started in the quarter: (sessions held, people
    attending, attended hours, cancelled by the link worker, cancelled in all, no-shows)."""
    attended = and_(Booking.attendance == Attendance.attended, SupervisionSession.status == SessionStatus.active)
    cancelled = Booking.status == BookingStatus.cancelled
    # The link worker's own step; any other (the supervisor's, a session cancelled, a group below
    # its minimum) counts against the supervisor's side.
    by_link_worker = exists().where(BookingEvent.booking_id == Booking.id, BookingEvent.action == Action.cancelled.value,
                                    BookingEvent.actor_id == Booking.link_worker_id)
    row = db.session.execute(
        select(func.count(distinct(case((attended, SupervisionSession.id)))),
               func.count(distinct(case((attended, Booking.link_worker_id)))),
               func.sum(case((attended, seconds_between(SupervisionSession.starts_at, SupervisionSession.ends_at)),
                             else_=0)),
               func.sum(case((and_(cancelled, by_link_worker), 1), else_=0)),
               func.sum(case((cancelled, 1), else_=0)),
               func.sum(case((Booking.attendance == Attendance.no_show, 1), else_=0)))
        .select_from(Booking).join(SupervisionSession, SupervisionSession.id == Booking.session_id)
        .where(scope.within(SupervisionSession.starts_at), *scope.of_organisation(SupervisionSession.organisation_id))
    ).one()
    held, attending, seconds, by_lw, all_cancelled, no_shows = row
    return held, attending, float(seconds or 0) / 3600, int(by_lw or 0), int(all_cancelled or 0), int(no_shows or 0)


def month_moments(scope: Scope) -> tuple[datetime | None, ...]:
    """When each month of the quarter is checked: its end, or a draft's cut-off if sooner; None for
    a month that had not begun by then (it shows zeros rather than a repeat of the month before)."""
    moments = []
    month_start = scope.start
    for end in scope.quarter.month_ends():
        moments.append(min(end, scope.cutoff) if month_start < scope.cutoff else None)
        month_start = end
    return tuple(moments)


def _attended_within(scope: Scope, when: datetime, standard_days: int):
    """The (link worker, organisation) pairs with an attended session in (when − standard, when].
    For one organisation the standard is a constant, so the condition is a plain range on
    starts_at that the (organisation_id, starts_at) index answers. Nationally each organisation has
    its own standard: the widest range any may have narrows the sessions through the index, then
    each session is held to its own organisation's standard."""
    own_standard = scope.organisation_id is not None
    widest = standard_days if own_standard else SUPERVISION_STANDARD_DAYS[2]
    query = (select(Booking.link_worker_id.label("user_id"), SupervisionSession.organisation_id.label("organisation_id"))
             .join(SupervisionSession, SupervisionSession.id == Booking.session_id)
             .where(Booking.attendance == Attendance.attended, SupervisionSession.status == SessionStatus.active,
                    SupervisionSession.starts_at <= when, SupervisionSession.starts_at > when - timedelta(days=widest),
                    *scope.of_organisation(SupervisionSession.organisation_id)))
    if not own_standard:
        query = (query.join(Organisation, Organisation.id == SupervisionSession.organisation_id)
                 .where(seconds_between(SupervisionSession.starts_at, moment(when))
                        < Organisation.supervision_standard_days * SECONDS_A_DAY))
    return query


def _months(scope: Scope, standard_days: int) -> tuple[MonthStandard, MonthStandard, MonthStandard]:
    """One query: per month, the headcount at its moment, and those of them who attended a session of
    the same organisation within its standard before that moment."""
    parts = []
    for index, when in enumerate(month_moments(scope)):
        if when is None:
            continue
        attended = _attended_within(scope, when, standard_days).subquery(f"attended_{index}")
        parts.append(
            headcount(scope, when)
            .outerjoin(attended, and_(attended.c.user_id == Membership.user_id,
                                      attended.c.organisation_id == Membership.organisation_id))
            .with_only_columns(literal(index).label("month_index"),
                               func.count(distinct(Membership.user_id)).label("link_workers"),
                               func.count(distinct(attended.c.user_id)).label("met")))
    counts = {index: (0, 0) for index in range(3)}
    if parts:
        for index, link_workers, met_count in db.session.execute(union_all(*parts)):
            counts[index] = (link_workers, met_count)
    months = scope.quarter.months
    return tuple(MonthStandard(month=months[i], link_workers=counts[i][0], met=counts[i][1])  # type: ignore[return-value]
                 for i in range(3))


def supervision(scope: Scope, standard_days: int) -> Supervision:
    held, attending, hours, by_link_worker, cancelled, no_shows = _sessions(scope)
    return Supervision(
        sessions_held=held,
        people_attending=attending,
        months=_months(scope, standard_days),
        cancelled_by_link_worker=by_link_worker,
        cancelled_by_supervisor=cancelled - by_link_worker,
        no_shows=no_shows,
        attended_hours=hours,
        standard_days=standard_days,
    )
