"""Who supervises whom. An assignment counts only while both people are active and still hold
the roles it joins in that organisation, so removing a role ends it at once, everywhere."""
from __future__ import annotations

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from ..extensions import db
from .models import Membership, Role, SupervisorAssignment, User

_SupervisorRole = aliased(Membership)
_LinkWorkerRole = aliased(Membership)
_Supervisor = aliased(User)
_LinkWorker = aliased(User)


def _live_assignments():
    """Assignments whose two people are active and still hold both roles in the organisation."""
    return (
        select(SupervisorAssignment)
        .join(_Supervisor, _Supervisor.id == SupervisorAssignment.supervisor_id)
        .join(_LinkWorker, _LinkWorker.id == SupervisorAssignment.link_worker_id)
        .where(
            _Supervisor.active.is_(True),
            _LinkWorker.active.is_(True),
            exists().where(and_(
                _SupervisorRole.user_id == SupervisorAssignment.supervisor_id,
                _SupervisorRole.organisation_id == SupervisorAssignment.organisation_id,
                _SupervisorRole.role == Role.supervisor,
            )),
            exists().where(and_(
                _LinkWorkerRole.user_id == SupervisorAssignment.link_worker_id,
                _LinkWorkerRole.organisation_id == SupervisorAssignment.organisation_id,
                _LinkWorkerRole.role == Role.link_worker,
            )),
        )
    )


def supervisors_of(link_worker: User) -> list[User]:
    """The link worker's supervisors in every organisation, each once, by name."""
    ids = db.session.scalars(
        _live_assignments().with_only_columns(SupervisorAssignment.supervisor_id)
        .where(SupervisorAssignment.link_worker_id == link_worker.id)
    ).all()
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(set(ids))).order_by(User.name, User.id)))


def link_workers_of(supervisor: User) -> list[User]:
    """The people this supervisor supervises in every organisation, each once, by name."""
    ids = db.session.scalars(
        _live_assignments().with_only_columns(SupervisorAssignment.link_worker_id)
        .where(SupervisorAssignment.supervisor_id == supervisor.id)
    ).all()
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(set(ids))).order_by(User.name, User.id)))


def supervises(supervisor_id: int, link_worker_id: int) -> bool:
    return db.session.scalar(
        _live_assignments().with_only_columns(SupervisorAssignment.id).where(
            SupervisorAssignment.supervisor_id == supervisor_id,
            SupervisorAssignment.link_worker_id == link_worker_id,
        ).limit(1)
    ) is not None
