"""Who may see and act on a debrief request. Every route asks one of these; nothing else decides.

- The link worker who made it sees it, always.
- While it is open, the supervisors who triage it: the one it is assigned to (chosen by the link
  worker, or passed to), otherwise the link worker's own supervisors in that organisation; and,
  once it is half-way to its target unaccepted, every supervisor of the organisation.
- Once accepted, only the supervisor who accepted it (the handler).

Admins and employers appear nowhere here: they never reach a request.
"""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import Membership, Role, SupervisorAssignment, User
from ..accounts.supervisors import _live_assignments
from ..extensions import db
from .models import DebriefCheckIn, DebriefRequest, RequestStatus


def is_supervisor_in(user: User, organisation_id: int) -> bool:
    return user.active and any(m.role == Role.supervisor and m.organisation_id == organisation_id
                               for m in user.memberships)


def supervises_in(supervisor_id: int, link_worker_id: int, organisation_id: int) -> bool:
    return db.session.scalar(
        _live_assignments().with_only_columns(SupervisorAssignment.id).where(
            SupervisorAssignment.supervisor_id == supervisor_id,
            SupervisorAssignment.link_worker_id == link_worker_id,
            SupervisorAssignment.organisation_id == organisation_id,
        ).limit(1)
    ) is not None


def is_owner(user: User, request: DebriefRequest) -> bool:
    return user.is_authenticated and user.id == request.link_worker_id


def can_triage(user: User, request: DebriefRequest) -> bool:
    """Accept, pass on or decline: an open request in this supervisor's queue."""
    if (not user.is_authenticated or request.status != RequestStatus.open or user.id == request.link_worker_id
            or not is_supervisor_in(user, request.organisation_id)):
        return False
    if request.widened_at is not None or request.assigned_to_id == user.id:
        return True
    return request.assigned_to_id is None and supervises_in(user.id, request.link_worker_id,
                                                            request.organisation_id)


def can_handle(user: User, request: DebriefRequest) -> bool:
    """Book the debrief and record its outcome: the supervisor who accepted it, while it is accepted."""
    return (user.is_authenticated and request.status == RequestStatus.accepted and request.handler_id == user.id
            and is_supervisor_in(user, request.organisation_id))


def can_see(user: User, request: DebriefRequest) -> bool:
    if not user.is_authenticated:
        return False
    if is_owner(user, request):
        return True
    if request.handler_id == user.id and user.id != request.link_worker_id:
        return is_supervisor_in(user, request.organisation_id)
    return can_triage(user, request)


def can_withdraw(user: User, request: DebriefRequest) -> bool:
    """Asking is voluntary, so the link worker may withdraw until the debrief is recorded."""
    return is_owner(user, request) and request.status in (RequestStatus.open, RequestStatus.accepted)


def can_answer(user: User, check_in: DebriefCheckIn, now) -> bool:
    return (is_owner(user, check_in.request) and check_in.answered_at is None and check_in.due_at <= now)


def organisation_supervisor_ids(organisation_id: int, *, excluding: int | None = None) -> list[int]:
    """Every active supervisor of the organisation, by id."""
    rows = db.session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation_id, Membership.role == Role.supervisor,
               User.active.is_(True))
        .order_by(Membership.user_id)
    ).all()
    return [i for i in dict.fromkeys(rows) if i != excluding]
