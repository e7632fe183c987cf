"""Stage 1, debriefs: the requests made in the quarter, by urgency and category, how quickly they
were accepted and held, escalations, and the check-ins that followed. Counts and medians only.

Fields shared with debriefs.reporting.debrief_figures follow its rules: a request counts as
accepted whenever that happened, and is within target when accepted at or before its due time.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, case, distinct, func, select

from ..booking.models import Booking, SupervisionSession
from ..debriefs.models import Category, DebriefCheckIn, DebriefRequest, HeldBy, RequestStatus, Urgency
from ..extensions import db
from .aggregate_sql import Scope, as_float, median, minutes_between
from .figures import CATEGORIES, CHECK_IN_ANSWERS, URGENCIES, Debriefs


def _count_where(condition) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _in_scope(scope: Scope):
    return [scope.within(DebriefRequest.created_at), *scope.of_organisation(DebriefRequest.organisation_id)]


def debriefs(scope: Scope) -> Debriefs:
    """Three queries: the totals with the breakdown by urgency and category (and the people behind
    the check-ins), the two medians, and the check-ins."""
    where = _in_scope(scope)
    accepted = DebriefRequest.accepted_at.is_not(None)
    # Its own FROM, not the totals' rows: correlate(None) keeps SQLAlchemy from tying the two together.
    check_in_people = (select(func.count(distinct(DebriefRequest.link_worker_id)))
                       .join(DebriefCheckIn, DebriefCheckIn.request_id == DebriefRequest.id)
                       .where(*where, DebriefCheckIn.answer.is_not(None)).correlate(None).scalar_subquery())
    breakdown = [_count_where(DebriefRequest.urgency == urgency) for urgency in Urgency] + [
        _count_where(DebriefRequest.category == category) for category in Category]
    totals = db.session.execute(select(
        func.count(),
        func.count(distinct(DebriefRequest.link_worker_id)),
        _count_where(accepted),
        _count_where(accepted & (DebriefRequest.accepted_at <= DebriefRequest.due_at)),
        _count_where(DebriefRequest.status == RequestStatus.completed),
        _count_where(DebriefRequest.escalated_at.is_not(None)),
        check_in_people,
        *breakdown,
    ).where(*where)).one()
    requests, requesters, accepted_count, within_target, held, escalated, check_in_count = totals[:7]
    counts = [int(count or 0) for count in totals[7:]]
    by_urgency = {urgency.value: count for urgency, count in zip(Urgency, counts[:len(Urgency)])}
    by_category = {category.value: count for category, count in zip(Category, counts[len(Urgency):])}

    # The debrief itself: the booked session's start when held in a session, else when it was recorded.
    debriefed_at = case((DebriefRequest.held_by == HeldBy.session,
                         func.coalesce(SupervisionSession.starts_at, DebriefRequest.closed_at)),
                        else_=DebriefRequest.closed_at)
    to_accept = select(minutes_between(DebriefRequest.created_at, DebriefRequest.accepted_at).label("value")).where(
        *where, accepted)
    to_debrief = (select(minutes_between(DebriefRequest.created_at, debriefed_at).label("value"))
                  .outerjoin(Booking, Booking.id == DebriefRequest.booking_id)
                  .outerjoin(SupervisionSession, SupervisionSession.id == Booking.session_id)
                  .where(*where, DebriefRequest.status == RequestStatus.completed))
    accept_median, debrief_median = db.session.execute(select(median(to_accept), median(to_debrief))).one()

    check_ins = dict.fromkeys(CHECK_IN_ANSWERS, 0)
    for answer, count in db.session.execute(
            select(DebriefCheckIn.answer, func.count())
            .join(DebriefRequest, DebriefRequest.id == DebriefCheckIn.request_id)
            .where(*where, DebriefCheckIn.answer.is_not(None)).group_by(DebriefCheckIn.answer)):
        check_ins[answer.value] = count

    return Debriefs(
        requests=requests,
        requesters=requesters,
        by_urgency=by_urgency,
        by_category=by_category,
        accepted=int(accepted_count or 0),
        accepted_within_target=int(within_target or 0),
        minutes_to_accept_median=as_float(accept_median),
        held=int(held or 0),
        minutes_to_debrief_median=as_float(debrief_median),
        escalated=int(escalated or 0),
        check_ins=check_ins,
        check_in_people=check_in_count or 0,
    )
