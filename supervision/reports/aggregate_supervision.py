"""Stage 1, supervision: sessions held, who attended, cancellations by each side, no-shows, hours,
and the share of link workers meeting their organisation's supervision standard at each month end.
For an organisation, also rule 5's keys of the bookings behind the figures (figures.Supervision)."""
from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import (CTE, BindParameter, ColumnElement, Float, Select, and_, bindparam, case, distinct, exists, func,
                        select)

from ..accounts.models import Membership, Organisation
from ..booking.events import Action
from ..booking.models import Attendance, Booking, BookingEvent, BookingStatus, SessionStatus, SupervisionSession
from ..db import UTCDateTime
from ..extensions import db
from .aggregate_people import headcount
from .aggregate_sql import BoundScope, Scope, epoch_seconds, key_list, key_pair, seconds_between, split_keys
from .figures import MonthStandard, PersonKey, Supervision

SECONDS_A_DAY = 86_400


class _Sessions(NamedTuple):
    held: int
    attending: int
    hours: float
    cancelled_by_link_worker: int
    cancelled: int
    no_shows: int
    # Rule 5's (link worker, booking) keys of the bookings behind each group of figures.
    attended_keys: frozenset[PersonKey]
    cancelled_keys: frozenset[PersonKey]
    no_show_keys: frozenset[PersonKey]


@functools.cache
def _sessions_statement(dialect: str, organisation: bool) -> Select:
    """Built once per process for each shape of scope (BoundScope); `dialect` keys the cache, since
    durations and the keys are written per dialect."""
    scope = BoundScope(organisation)
    attended = and_(Booking.attendance == Attendance.attended, SupervisionSession.status == SessionStatus.active)
    cancelled = Booking.status == BookingStatus.cancelled
    no_show = Booking.attendance == Attendance.no_show
    # The link worker's own step; any other (the supervisor's, a session cancelled, a group below
    # its minimum) counts against the supervisor's side.
    by_link_worker = exists().where(BookingEvent.booking_id == Booking.id, BookingEvent.action == Action.cancelled.value,
                                    BookingEvent.actor_id == Booking.link_worker_id)

    def keys_where(condition) -> ColumnElement[str | None]:
        return key_list(scope, case((condition, key_pair(Booking.link_worker_id, Booking.id))))

    return (select(func.count(distinct(case((attended, SupervisionSession.id)))),
                   func.count(distinct(case((attended, Booking.link_worker_id)))),
                   func.sum(case((attended, seconds_between(SupervisionSession.starts_at, SupervisionSession.ends_at)),
                                 else_=0)),
                   func.sum(case((and_(cancelled, by_link_worker), 1), else_=0)),
                   func.sum(case((cancelled, 1), else_=0)),
                   func.sum(case((no_show, 1), else_=0)),
                   keys_where(attended), keys_where(cancelled), keys_where(no_show))
            .select_from(Booking).join(SupervisionSession, SupervisionSession.id == Booking.session_id)
            .where(scope.within(SupervisionSession.starts_at), *scope.of_organisation(SupervisionSession.organisation_id)))


def _sessions(scope: Scope) -> _Sessions:
    """One query over the bookings of sessions that started in the quarter: the counts, and for an
    organisation the keys of the bookings behind them (none nationally)."""
    statement = _sessions_statement(db.session.get_bind().dialect.name, scope.organisation_id is not None)
    row = db.session.execute(statement, scope.values()).one()
    held, attending, seconds, by_lw, all_cancelled, no_shows, attended_ids, cancelled_ids, no_show_ids = row
    return _Sessions(held, attending, float(seconds or 0) / 3600, int(by_lw or 0), int(all_cancelled or 0),
                     int(no_shows or 0), split_keys(attended_ids), split_keys(cancelled_ids), split_keys(no_show_ids))


def month_moments(scope: Scope) -> tuple[datetime | None, ...]:
    """When each month of the quarter is checked: its end, or a draft's cut-off if sooner; None for
    a month that had not begun by then (it shows zeros rather than a repeat of the month before)."""
    moments = []
    month_start = scope.start
    for end in scope.quarter.month_ends():
        moments.append(min(end, scope.cutoff) if month_start < scope.cutoff else None)
        month_start = end
    return tuple(moments)


def _moment(name: str) -> BindParameter[datetime]:
    return bindparam(name, type_=UTCDateTime())


def _attended(organisation: bool, last: BindParameter[datetime]) -> CTE:
    """The attended sessions that can count towards the standard at any of the month ends up to
    `last` (those that started after `earliest`, the first month end less the longest standard in
    scope): (link worker, organisation, start) and, nationally, until when each counts (its start
    plus its own organisation's standard, in seconds since 1970), worked out once per session, then
    read against every month end."""
    columns = [Booking.link_worker_id.label("user_id"), SupervisionSession.organisation_id.label("organisation_id"),
               SupervisionSession.starts_at.label("starts_at")]
    if not organisation:
        columns.append((epoch_seconds(SupervisionSession.starts_at)
                        + Organisation.supervision_standard_days * SECONDS_A_DAY).label("counts_until"))
    query = (select(*columns)
             .join(SupervisionSession, SupervisionSession.id == Booking.session_id)
             .where(Booking.attendance == Attendance.attended, SupervisionSession.status == SessionStatus.active,
                    SupervisionSession.starts_at <= last, SupervisionSession.starts_at > _moment("earliest"),
                    *BoundScope(organisation).of_organisation(SupervisionSession.organisation_id)))
    if not organisation:
        query = query.join(Organisation, Organisation.id == SupervisionSession.organisation_id)
    return query.cte("attended").prefix_with("MATERIALIZED")


@functools.cache
def _months_statement(dialect: str, organisation: bool, moments: int) -> Select:
    """Built once per process for each shape: one organisation or all, and how many month ends
    (`when_0`...) have come by the cut-off. For one organisation a session counts at a month end
    when it started after `since_n`, the month end less its standard: a plain range of starts.
    Nationally each organisation has its own, so after `epoch_n` less its standard, in seconds."""
    last = _moment(f"when_{moments - 1}")
    attended = _attended(organisation, last)
    columns = []
    for n in range(moments):
        when = _moment(f"when_{n}")
        member = Membership.created_at < when
        if organisation:
            within = and_(attended.c.starts_at <= when, attended.c.starts_at > _moment(f"since_{n}"))
        else:
            within = and_(attended.c.starts_at <= when, attended.c.counts_until > bindparam(f"epoch_{n}", type_=Float()))
        columns += [func.count(distinct(case((member, Membership.user_id)))),
                    func.count(distinct(case((and_(member, within), attended.c.user_id))))]
    return (headcount(BoundScope(organisation), last)
            .outerjoin(attended, and_(attended.c.user_id == Membership.user_id,
                                      attended.c.organisation_id == Membership.organisation_id))
            .with_only_columns(*columns))


def _months(scope: Scope, standard_days: int, longest_days: int) -> tuple[MonthStandard, MonthStandard, MonthStandard]:
    """One query, one pass over the headcount and their attended sessions: per month, the headcount
    at its moment, and those of them who attended a session of the same organisation within its
    standard (the organisation's own, nationally each its own) before that moment."""
    moments = [(index, when) for index, when in enumerate(month_moments(scope)) if when is not None]
    counts = {index: (0, 0) for index in range(3)}
    if moments:
        organisation = scope.organisation_id is not None
        values: dict[str, object] = {"organisation_id": scope.organisation_id,
                                     "earliest": moments[0][1] - timedelta(days=longest_days)}
        for n, (_index, when) in enumerate(moments):
            values |= {f"when_{n}": when, f"since_{n}": when - timedelta(days=standard_days),
                       f"epoch_{n}": when.timestamp()}
        statement = _months_statement(db.session.get_bind().dialect.name, organisation, len(moments))
        row = db.session.execute(statement, values).one()
        for position, (index, _when) in enumerate(moments):
            counts[index] = (row[2 * position], row[2 * position + 1])
    months = scope.quarter.months
    return tuple(MonthStandard(month=months[i], link_workers=counts[i][0], met=counts[i][1])  # type: ignore[return-value]
                 for i in range(3))


def supervision(scope: Scope, standard_days: int, longest_days: int) -> Supervision:
    """`standard_days` is the organisation's standard (nationally the most common one);
    `longest_days` the longest of any organisation in scope."""
    sessions = _sessions(scope)
    return Supervision(
        sessions_held=sessions.held,
        people_attending=sessions.attending,
        months=_months(scope, standard_days, longest_days),
        cancelled_by_link_worker=sessions.cancelled_by_link_worker,
        cancelled_by_supervisor=sessions.cancelled - sessions.cancelled_by_link_worker,
        no_shows=sessions.no_shows,
        attended_hours=sessions.hours,
        standard_days=standard_days,
        attended_keys=sessions.attended_keys,
        cancelled_keys=sessions.cancelled_keys,
        no_show_keys=sessions.no_show_keys,
    )
