"""Who supervises whom in an organisation, as its admin decides. They flush, never commit.

Ending an assignment also ends the link worker's live shares with that supervisor, unless the
supervisor still supervises them through another organisation.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from ..accounts.models import Membership, Organisation, Role, SupervisorAssignment, User
from ..audit.services import record
from ..extensions import db
from ..notifications.services import notify
from ..pulse.sharing import revoke_shares_between as revoke_trend_shares_between
from ..reflections.sharing import revoke_shares_between


class AssignmentError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def supervisor_choices(organisation: Organisation, link_worker: User) -> list[User]:
    """The organisation's active supervisors, by name: anyone but the link worker themself."""
    return list(db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == Role.supervisor,
            User.active.is_(True),
            User.id != link_worker.id,
        )
        .order_by(User.name, User.id)
    ))


def _assignments(organisation: Organisation, **where) -> list[SupervisorAssignment]:
    query = select(SupervisorAssignment).where(SupervisorAssignment.organisation_id == organisation.id)
    for column, value in where.items():
        query = query.where(getattr(SupervisorAssignment, column) == value)
    return list(db.session.scalars(query.options(joinedload(SupervisorAssignment.supervisor),
                                                 joinedload(SupervisorAssignment.link_worker))))


@dataclass
class Supervision:
    """A person's assignments in one organisation, for the admin's person page."""

    supervisors: list[User]  # who supervises them here
    supervisees: list[User]  # whom they supervise here


def supervision_of(organisation: Organisation, user: User) -> Supervision:
    def by_name(people):
        return sorted(people, key=lambda person: (person.name.lower(), person.id))

    return Supervision(
        supervisors=by_name(a.supervisor for a in _assignments(organisation, link_worker_id=user.id)),
        supervisees=by_name(a.link_worker for a in _assignments(organisation, supervisor_id=user.id)),
    )


def set_supervisors(*, organisation: Organisation, link_worker: User, supervisor_ids: set[int],
                    actor: User) -> bool:
    """Make exactly these people the link worker's supervisors here. Says whether anything changed.

    Only the supervisors on offer (supervisor_choices) are added or removed: an assignment to
    someone deactivated stays as it is, and counts again if they come back.
    """
    if Role.link_worker not in link_worker.roles_in(organisation.id):
        raise AssignmentError("not_a_link_worker")
    if link_worker.id in supervisor_ids:
        raise AssignmentError("self")
    offered = {person.id for person in supervisor_choices(organisation, link_worker)}
    if supervisor_ids - offered:
        raise AssignmentError("not_a_supervisor")
    current = {a.supervisor_id for a in _assignments(organisation, link_worker_id=link_worker.id)}
    added = supervisor_ids - current
    removed = (current & offered) - supervisor_ids
    if not added and not removed:
        return False
    for supervisor_id in sorted(added):
        db.session.add(SupervisorAssignment(organisation_id=organisation.id, supervisor_id=supervisor_id,
                                            link_worker_id=link_worker.id))
    _unassign(organisation, [(supervisor_id, link_worker.id) for supervisor_id in sorted(removed)])
    _record_change(organisation, link_worker, actor, added=sorted(added), removed=sorted(removed))
    return True


def end_for_removed_roles(*, organisation: Organisation, user: User, removed: set[Role], actor: User) -> None:
    """When a person loses the supervisor or link-worker role here, the assignments it made end."""
    ended: set[SupervisorAssignment] = set()
    if Role.supervisor in removed:
        ended.update(_assignments(organisation, supervisor_id=user.id))
    if Role.link_worker in removed:
        ended.update(_assignments(organisation, link_worker_id=user.id))
    if not ended:
        return
    _unassign(organisation, sorted((a.supervisor_id, a.link_worker_id) for a in ended))
    for link_worker in {a.link_worker for a in ended}:
        _record_change(organisation, link_worker, actor, added=[],
                       removed=sorted(a.supervisor_id for a in ended if a.link_worker_id == link_worker.id))


def _unassign(organisation: Organisation, pairs: list[tuple[int, int]]) -> None:
    """Delete these (supervisor, link worker) assignments and end the shares they allowed."""
    for supervisor_id, link_worker_id in pairs:
        db.session.execute(delete(SupervisorAssignment).where(
            SupervisorAssignment.organisation_id == organisation.id,
            SupervisorAssignment.supervisor_id == supervisor_id,
            SupervisorAssignment.link_worker_id == link_worker_id,
        ))
    db.session.flush()
    for supervisor_id, link_worker_id in pairs:
        revoke_shares_between(author_id=link_worker_id, supervisor_id=supervisor_id)
        revoke_trend_shares_between(owner_id=link_worker_id, supervisor_id=supervisor_id)


def _record_change(organisation: Organisation, link_worker: User, actor: User, *, added: list[int],
                   removed: list[int]) -> None:
    """An audit event with only who and when, and a notification for the link worker."""
    detail = f"added: {', '.join(map(str, added)) or 'none'}; removed: {', '.join(map(str, removed)) or 'none'}"
    audit_event = record(action="supervisors_change", actor_id=actor.id, organisation_id=organisation.id,
                         target_type="user", target_id=link_worker.id, detail=detail)
    if link_worker.id != actor.id:
        notify(user=link_worker, kind="supervisors_changed", dedupe_key=f"supervisors-changed:{audit_event.id}")
