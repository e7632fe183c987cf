"""Who may do what with surveys. A person's answers are theirs alone; a supervisor sees a summary
of the trend only through a live share; admins mark leave dates and nothing else; employers see
aggregates only, through the reports. There is deliberately no predicate that lets an admin or an
employer near a response.
"""
from __future__ import annotations

from ..accounts.models import Role, User
from ..accounts.supervisors import supervises
from .models import PulseInvitation, TrendShare


def can_answer_surveys(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.link_worker)


def can_see_own(user: User, invitation: PulseInvitation) -> bool:
    """One's own invitation and, once submitted, one's own result."""
    return user.is_authenticated and invitation.user_id == user.id


def can_answer(user: User, invitation: PulseInvitation) -> bool:
    """Only while a link worker of the round's organisation: someone who has moved on no longer
    answers for it (their answers would count in its figures)."""
    return (can_see_own(user, invitation) and user.active
            and Role.link_worker in user.roles_in(invitation.round.organisation_id))


def can_share_trend_with(owner: User, supervisor: User) -> bool:
    return supervises(supervisor.id, owner.id)


def can_view_trend_share(user: User, share: TrendShare) -> bool:
    """The named supervisor, while the share is live and they still supervise its owner."""
    return (user.is_authenticated and share.supervisor_id == user.id and share.live
            and supervises(user.id, share.owner_id))


def can_mark_leave_for(admin: User, person: User) -> bool:
    """An admin of any organisation the person belongs to; never the reason, which is not stored."""
    if not admin.is_authenticated:
        return False
    administered = {m.organisation_id for m in admin.memberships if m.role == Role.admin}
    return any(m.organisation_id in administered for m in person.memberships)
