"""Lists of requests for pages: a bounded number of queries whatever the number of requests."""
from __future__ import annotations

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, Role, SupervisorAssignment, User
from ..accounts.supervisors import _live_assignments
from ..extensions import db
from .models import DebriefRequest, RequestStatus, Urgency

URGENCY_ORDER = case(
    {Urgency.today.value: 0, Urgency.three_days.value: 1, Urgency.this_week.value: 2},
    value=DebriefRequest.urgency, else_=3,
)


def requests_of(link_worker: User) -> list[DebriefRequest]:
    """The link worker's own requests, newest first, with their check-ins."""
    return list(db.session.scalars(
        select(DebriefRequest).where(DebriefRequest.link_worker_id == link_worker.id)
        .options(selectinload(DebriefRequest.check_ins))
        .order_by(DebriefRequest.created_at.desc(), DebriefRequest.id.desc())
    ))


def _supervisor_organisations(supervisor: User):
    return select(Membership.organisation_id).where(Membership.user_id == supervisor.id,
                                                    Membership.role == Role.supervisor)


def _queue_query(supervisor: User):
    mine = _live_assignments().with_only_columns(SupervisorAssignment.id).where(
        SupervisorAssignment.supervisor_id == supervisor.id,
        SupervisorAssignment.link_worker_id == DebriefRequest.link_worker_id,
        SupervisorAssignment.organisation_id == DebriefRequest.organisation_id,
    ).exists()
    return (
        select(DebriefRequest)
        .where(DebriefRequest.status == RequestStatus.open,
               DebriefRequest.link_worker_id != supervisor.id,
               DebriefRequest.organisation_id.in_(_supervisor_organisations(supervisor)),
               or_(DebriefRequest.widened_at.is_not(None),
                   DebriefRequest.assigned_to_id == supervisor.id,
                   and_(DebriefRequest.assigned_to_id.is_(None), mine)))
    )


def queue_for(supervisor: User) -> list[DebriefRequest]:
    """Open requests this supervisor may triage, most urgent first, then the longest waiting.
    The same rule as permissions.can_triage, as one query."""
    if not supervisor.active:
        return []
    return list(db.session.scalars(
        _queue_query(supervisor).order_by(URGENCY_ORDER, DebriefRequest.created_at, DebriefRequest.id)))


def queue_count(supervisor: User) -> int:
    """How many requests wait in this supervisor's queue, counted without loading (or decrypting) them."""
    if not supervisor.active:
        return 0
    return db.session.scalar(select(func.count()).select_from(_queue_query(supervisor).subquery())) or 0


def handled_by(supervisor: User, *, open_only: bool = False, status: RequestStatus | None = None,
               limit: int | None = None) -> list[DebriefRequest]:
    """Requests this supervisor accepted (or declined), newest first, with their check-ins."""
    query = (select(DebriefRequest).where(DebriefRequest.handler_id == supervisor.id,
                                          DebriefRequest.link_worker_id != supervisor.id,
                                          DebriefRequest.organisation_id.in_(_supervisor_organisations(supervisor)))
             .options(selectinload(DebriefRequest.check_ins))
             .order_by(DebriefRequest.created_at.desc(), DebriefRequest.id.desc()))
    if open_only:
        query = query.where(DebriefRequest.status == RequestStatus.accepted)
    if status is not None:
        query = query.where(DebriefRequest.status == status)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def names_of(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


__all__ = ["requests_of", "queue_for", "queue_count", "handled_by", "names_of", "exists"]
