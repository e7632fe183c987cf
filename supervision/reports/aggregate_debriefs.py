"""Stage 1, debriefs: the requests made in the quarter, by urgency and category, how quickly they
were accepted and held, escalations, and the check-ins that followed. Counts and medians only,
plus the opaque keys rule 5 compares (figures.Debriefs).

Every state is read as it stood at the scope's cut-off (`scope.cutoff`: the quarter's end, or a
draft's month end), never as it is now, so that a draft's figures do not change after the fact and
can be compared with the issued report's: a request is accepted if it was accepted before the
cut-off, held if it was completed (closed_at) before it, escalated if escalated before it, and a
check-in counts if it was answered (answered_at) before it. The medians are taken over those
accepted, or held, before the cut-off. So a request made late in the quarter and accepted after
its end counts as not accepted in the issued report, and its debrief as not held: the honest "as
at the quarter's end" reading, which a later report never revises.

Fields shared with debriefs.reporting.debrief_figures follow its rules at the cut-off: a request
counts as accepted whenever that happened before it, and is within target when accepted at or
before its due time. (debrief_figures reads the states as they are now: the two agree on data as
it stood at the cut-off; tests/test_report_aggregation_equivalence.py.)
"""
from __future__ import annotations

import functools

from sqlalchemy import ColumnElement, Select, case, distinct, func, select

from ..booking.models import Booking, SupervisionSession
from ..debriefs.models import Category, DebriefCheckIn, DebriefRequest, HeldBy, RequestStatus, Urgency
from ..extensions import db
from .aggregate_sql import BoundScope, Scope, as_float, key_list, key_pair, median, minutes_between, split_keys
from .figures import CATEGORIES, CHECK_IN_ANSWERS, URGENCIES, Debriefs, PersonKey


def _count_where(condition) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _pair(row_id) -> ColumnElement[str]:
    """"requester:id" (key_pair), split again by split_keys."""
    return key_pair(DebriefRequest.link_worker_id, row_id)


def _ids_where(scope: BoundScope, condition) -> ColumnElement[str | None]:
    """The (requester, request) keys of the requests meeting `condition`, as one comma-separated text."""
    return key_list(scope, case((condition, _pair(DebriefRequest.id))))


def _in_scope(scope: BoundScope):
    return [scope.within(DebriefRequest.created_at), *scope.of_organisation(DebriefRequest.organisation_id)]


@functools.cache
def _statements(dialect: str, organisation: bool) -> tuple[Select, Select, Select]:
    """The three statements, built once per process for each shape of scope (BoundScope): the totals
    with the breakdown by urgency and category (and the people behind the check-ins, and the
    requests' keys), the two medians, and the check-ins with theirs. `dialect` only keys the cache:
    the keys and the durations are written per dialect."""
    scope = BoundScope(organisation)
    where = _in_scope(scope)
    # Each state as at the cut-off. The times only ever get set, never cleared or moved, so a state
    # before the cut-off is the state the request was in at the cut-off.
    accepted = DebriefRequest.accepted_at < scope.cutoff
    held = (DebriefRequest.status == RequestStatus.completed) & (DebriefRequest.closed_at < scope.cutoff)
    escalated = DebriefRequest.escalated_at < scope.cutoff
    answered = DebriefCheckIn.answered_at < scope.cutoff  # answered_at is set with the answer, and only then
    # Its own FROM, not the totals' rows: correlate(None) keeps SQLAlchemy from tying the two together.
    check_in_people = (select(func.count(distinct(DebriefRequest.link_worker_id)))
                       .join(DebriefCheckIn, DebriefCheckIn.request_id == DebriefRequest.id)
                       .where(*where, answered).correlate(None).scalar_subquery())
    breakdown = [_count_where(DebriefRequest.urgency == urgency) for urgency in Urgency] + [
        _count_where(DebriefRequest.category == category) for category in Category]
    totals = select(
        func.count(),
        func.count(distinct(DebriefRequest.link_worker_id)),
        _count_where(accepted),
        _count_where(accepted & (DebriefRequest.accepted_at <= DebriefRequest.due_at)),
        _count_where(held),
        _count_where(escalated),
        check_in_people,
        key_list(scope, _pair(DebriefRequest.id)),
        _ids_where(scope, accepted),
        _ids_where(scope, held),
        _ids_where(scope, escalated),
        *breakdown,
    ).where(*where)

    # The debrief itself: the booked session's start when held in a session, else when it was recorded.
    debriefed_at = case((DebriefRequest.held_by == HeldBy.session,
                         func.coalesce(SupervisionSession.starts_at, DebriefRequest.closed_at)),
                        else_=DebriefRequest.closed_at)
    to_accept = select(minutes_between(DebriefRequest.created_at, DebriefRequest.accepted_at).label("value")).where(
        *where, accepted)
    to_debrief = (select(minutes_between(DebriefRequest.created_at, debriefed_at).label("value"))
                  .outerjoin(Booking, Booking.id == DebriefRequest.booking_id)
                  .outerjoin(SupervisionSession, SupervisionSession.id == Booking.session_id)
                  .where(*where, held))
    medians = select(median(to_accept), median(to_debrief))

    check_ins = (select(DebriefCheckIn.answer, func.count(), key_list(scope, _pair(DebriefCheckIn.id)))
                 .join(DebriefRequest, DebriefRequest.id == DebriefCheckIn.request_id)
                 .where(*where, answered).group_by(DebriefCheckIn.answer))
    return totals, medians, check_ins


def debriefs(scope: Scope) -> Debriefs:
    """Three queries, whatever the data (_statements)."""
    totals_statement, medians_statement, check_ins_statement = _statements(
        db.session.get_bind().dialect.name, scope.organisation_id is not None)
    values = scope.values()
    totals = db.session.execute(totals_statement, values).one()
    requests, requesters, accepted_count, within_target, held_count, escalated_count, check_in_count = totals[:7]
    request_ids, accepted_ids, held_ids, escalated_ids = totals[7:11]
    counts = [int(count or 0) for count in totals[11:]]
    by_urgency = {urgency.value: count for urgency, count in zip(Urgency, counts[:len(Urgency)])}
    by_category = {category.value: count for category, count in zip(Category, counts[len(Urgency):])}
    accept_median, debrief_median = db.session.execute(medians_statement, values).one()

    check_ins = dict.fromkeys(CHECK_IN_ANSWERS, 0)
    check_in_keys: set[PersonKey] = set()
    for answer, count, ids in db.session.execute(check_ins_statement, values):
        check_ins[answer.value] = count
        # An answer is given once and never changed, so the answer adds nothing to the id; it keeps
        # the key meaning "this check-in, answered so" should that ever change.
        check_in_keys |= split_keys(ids, f":{answer.value}")

    return Debriefs(
        requests=requests,
        requesters=requesters,
        by_urgency=by_urgency,
        by_category=by_category,
        accepted=int(accepted_count or 0),
        accepted_within_target=int(within_target or 0),
        minutes_to_accept_median=as_float(accept_median),
        held=int(held_count or 0),
        minutes_to_debrief_median=as_float(debrief_median),
        escalated=int(escalated_count or 0),
        check_ins=check_ins,
        check_in_people=check_in_count or 0,
        request_keys=split_keys(request_ids),
        accepted_keys=split_keys(accepted_ids),
        held_keys=split_keys(held_ids),
        escalated_keys=split_keys(escalated_ids),
        check_in_keys=frozenset(check_in_keys),
    )
