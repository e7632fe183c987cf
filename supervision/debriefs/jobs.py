"""The debrief jobs: widening a request to every supervisor half-way to its target, telling the
organisation's admins when it passes its target, and sending the check-ins after a debrief.

Each is idempotent. A row is claimed with a conditional UPDATE (`WHERE widened_at IS NULL`, and so
on) before anyone is told, so two runs, or two schedulers, never act on it twice; the
notifications' de-duplication keys guard as well.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import Membership, Role, User
from ..extensions import db
from ..scheduler.registry import Job
from . import messages
from .events import Step, record
from .models import DebriefCheckIn, DebriefRequest, RequestStatus


def _claim(model, row, unclaimed, **values) -> bool:
    """Set `values` on this row only if `unclaimed` still holds; True when this run won it."""
    result = db.session.execute(
        update(model).where(model.id == row.id, *unclaimed).values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # Keep the loaded row in step without a second UPDATE or a reload.
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True


def _people_by_organisation(role: Role, organisation_ids: set[int]) -> dict[int, list[int]]:
    """Every active holder of `role` in these organisations, in one query."""
    found: dict[int, list[int]] = defaultdict(list)
    if not organisation_ids:
        return found
    rows = db.session.execute(
        select(Membership.organisation_id, Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(organisation_ids), Membership.role == role, User.active.is_(True))
        .order_by(Membership.organisation_id, Membership.user_id)
    ).all()
    for organisation_id, user_id in rows:
        if user_id not in found[organisation_id]:
            found[organisation_id].append(user_id)
    return found


def _open_requests(*conditions) -> list[DebriefRequest]:
    return list(db.session.scalars(
        select(DebriefRequest)
        .where(DebriefRequest.status == RequestStatus.open, *conditions)
        .options(joinedload(DebriefRequest.organisation))
        .order_by(DebriefRequest.due_at, DebriefRequest.id)
    ))


def _widen(request: DebriefRequest, supervisors: list[int], now: datetime) -> bool:
    if not _claim(DebriefRequest, request,
                  (DebriefRequest.widened_at.is_(None), DebriefRequest.status == RequestStatus.open),
                  widened_at=now):
        return False
    record(request, Step.widened, actor=None, now=now)
    db.session.flush()
    messages.tell_supervisors(request, [i for i in supervisors if i != request.link_worker_id],
                              "debrief_waiting", now=now)
    return True


def widen_due(*, now: datetime) -> int:
    """Open requests half-way to their target go to every supervisor of the organisation."""
    due = _open_requests(DebriefRequest.half_due_at <= now, DebriefRequest.widened_at.is_(None))
    supervisors = _people_by_organisation(Role.supervisor, {r.organisation_id for r in due})
    return sum(_widen(request, supervisors[request.organisation_id], now) for request in due)


def escalate_due(*, now: datetime) -> int:
    """Open requests past their target: the organisation's admins hear that one is waiting, and
    nothing else. One that was never widened (the scheduler was down at half-way) is widened too."""
    due = _open_requests(DebriefRequest.due_at <= now, DebriefRequest.escalated_at.is_(None))
    organisation_ids = {r.organisation_id for r in due}
    supervisors = _people_by_organisation(Role.supervisor, organisation_ids)
    admins = _people_by_organisation(Role.admin, organisation_ids)
    escalated = 0
    for request in due:
        if request.widened_at is None:
            _widen(request, supervisors[request.organisation_id], now)
        if not _claim(DebriefRequest, request,
                      (DebriefRequest.escalated_at.is_(None), DebriefRequest.status == RequestStatus.open),
                      escalated_at=now):
            continue
        record(request, Step.escalated, actor=None, now=now)
        db.session.flush()
        # The link worker is not told about their own request as an admin: they can see its steps.
        messages.tell_admins_waiting(request, [i for i in admins[request.organisation_id]
                                               if i != request.link_worker_id], now=now)
        escalated += 1
    return escalated


def send_check_ins(*, now: datetime) -> int:
    """"How are you now?" once each, when due, after a completed debrief, to an active link worker."""
    due = db.session.scalars(
        select(DebriefCheckIn)
        .join(DebriefCheckIn.request).join(DebriefRequest.link_worker)
        .where(DebriefCheckIn.due_at <= now, DebriefCheckIn.sent_at.is_(None),
               DebriefCheckIn.answered_at.is_(None), DebriefRequest.status == RequestStatus.completed,
               User.active.is_(True))
        .options(contains_eager(DebriefCheckIn.request).contains_eager(DebriefRequest.link_worker))
        .order_by(DebriefCheckIn.due_at, DebriefCheckIn.id)
    ).all()
    sent = 0
    for check_in in due:
        if not _claim(DebriefCheckIn, check_in,
                      (DebriefCheckIn.sent_at.is_(None), DebriefCheckIn.answered_at.is_(None)), sent_at=now):
            continue
        record(check_in.request, Step.check_in_sent, actor=None, now=now)
        db.session.flush()
        messages.tell_check_in_due(check_in, now=now)
        sent += 1
    return sent


def escalate_job(*, now: datetime, worker: str) -> None:
    widen_due(now=now)
    escalate_due(now=now)
    db.session.commit()


def check_ins_job(*, now: datetime, worker: str) -> None:
    send_check_ins(now=now)
    db.session.commit()


JOBS = [
    Job(id="debriefs.escalate", func=escalate_job, seconds=300),
    Job(id="debriefs.check_ins", func=check_ins_job, seconds=900),
]
