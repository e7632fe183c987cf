"""Admin operations on an organisation's people and settings. They flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import (
    RETENTION_LIMITS,
    SUPERVISION_STANDARD_DAYS,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from ..accounts.services import AccountError, rotate_session_token
from ..audit.services import record
from ..db import utcnow
from ..extensions import db
from ..notifications.services import notify, path_for
from .assignments import end_for_removed_roles


@dataclass
class Person:
    user: User
    roles: list[Role]


def people_in(organisation: Organisation) -> list[Person]:
    """Everyone with a role here, in two queries whatever the size of the organisation."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .options(selectinload(Membership.user))
    ).all()
    by_user: dict[int, Person] = {}
    for membership in memberships:
        person = by_user.setdefault(membership.user_id, Person(user=membership.user, roles=[]))
        person.roles.append(membership.role)
    order = list(Role)
    for person in by_user.values():
        person.roles.sort(key=order.index)
    return sorted(by_user.values(), key=lambda p: (p.user.name.lower(), p.user.id))


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .options(selectinload(Invitation.roles))
            .order_by(Invitation.created_at.desc())
        )
    )


def member_or_none(organisation: Organisation, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    if user is None or not user.roles_in(organisation.id):
        return None
    return user


def _active_admin_ids(organisation: Organisation) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.role == Role.admin,
                User.active.is_(True),
            )
        )
    )


def set_roles(*, organisation: Organisation, user: User, roles: set[Role], actor: User) -> None:
    current = user.roles_in(organisation.id)
    if Role.admin in current and Role.admin not in roles and _active_admin_ids(organisation) <= {user.id}:
        raise AccountError("last_admin")
    for membership in list(user.memberships):
        if membership.organisation_id == organisation.id and membership.role not in roles:
            user.memberships.remove(membership)
    for role in sorted(roles - current, key=lambda r: r.value):
        user.memberships.append(Membership(organisation=organisation, role=role))
    db.session.flush()
    end_for_removed_roles(organisation=organisation, user=user, removed=current - roles, actor=actor)
    audit_event = record(action="role_change", actor_id=actor.id, organisation_id=organisation.id,
                         target_type="user", target_id=user.id,
                         detail="roles: " + (", ".join(sorted(r.value for r in roles)) or "none"))
    if user.id != actor.id:
        notify(user=user, kind="roles_changed", dedupe_key=f"roles-changed:{audit_event.id}",
               link=path_for("accounts.settings"))


def deactivate(*, organisation: Organisation, user: User, actor: User) -> None:
    if user.id == actor.id:
        raise AccountError("self_deactivate")
    if {m.organisation_id for m in user.memberships} - {organisation.id}:
        # One organisation's admin must not lock someone out of another organisation.
        raise AccountError("member_elsewhere")
    if Role.admin in user.roles_in(organisation.id) and _active_admin_ids(organisation) <= {user.id}:
        raise AccountError("last_admin")
    user.active = False
    rotate_session_token(user)
    record(action="deactivate", actor_id=actor.id, organisation_id=organisation.id,
           target_type="user", target_id=user.id)


def reactivate(*, organisation: Organisation, user: User, actor: User) -> None:
    user.active = True
    db.session.flush()
    record(action="reactivate", actor_id=actor.id, organisation_id=organisation.id,
           target_type="user", target_id=user.id)


def revoke_invitation(*, invitation: Invitation, actor: User) -> None:
    if invitation.used_at is not None:
        raise AccountError("invitation_used")
    if invitation.revoked_at is not None:  # a second click: already done
        return
    invitation.revoked_at = utcnow()
    db.session.flush()
    record(action="invitation_revoke", actor_id=actor.id, organisation_id=invitation.organisation_id,
           target_type="invitation", target_id=invitation.id)


def update_settings(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    kind: OrganisationKind,
    region: Region,
    report_k: int,
    job_title_en: str | None,
    job_title_cy: str | None,
    retention: dict[str, int | None] | None = None,
    supervision_standard_days: int | None = None,
) -> None:
    """`retention` maps Organisation retention columns to new values (None: the default).
    `supervision_standard_days` None leaves the supervision standard as it is.

    The form checks the limits; the table's CHECK constraints are the last guard.
    """
    name = name.strip()
    clash = db.session.scalar(
        select(Organisation.id).where(Organisation.name == name, Organisation.id != organisation.id)
    )
    if clash is not None:
        raise AccountError("organisation_name_taken")
    if report_k < 5:
        raise AccountError("report_k_too_low")
    organisation.name = name
    organisation.kind = kind
    organisation.region = region
    organisation.report_k = report_k
    organisation.job_title_en = (job_title_en or "").strip() or None
    organisation.job_title_cy = (job_title_cy or "").strip() or None
    for column, value in (retention or {}).items():
        if column not in RETENTION_LIMITS:
            raise ValueError(f"not a retention setting: {column}")
        setattr(organisation, column, RETENTION_LIMITS[column][0] if value is None else value)
    if supervision_standard_days is not None:
        low, high = SUPERVISION_STANDARD_DAYS[1], SUPERVISION_STANDARD_DAYS[2]
        if not low <= supervision_standard_days <= high:
            raise ValueError(f"supervision standard out of range: {supervision_standard_days}")
        organisation.supervision_standard_days = supervision_standard_days
    db.session.flush()
    record(action="organisation_settings", actor_id=actor.id, organisation_id=organisation.id,
           target_type="organisation", target_id=organisation.id)
