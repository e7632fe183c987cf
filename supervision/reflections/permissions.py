"""Who may do what with a reflection. Nobody but the author, except a supervisor through a live share.

Admins and employers have no path to a reflection at all: there is deliberately no predicate
that mentions them.
"""
from __future__ import annotations

from datetime import datetime

from ..accounts.models import Role, User
from ..accounts.supervisors import supervises
from ..db import utcnow
from .models import Reflection, ReflectionShare, Status


def can_write_reflections(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.link_worker)


def can_manage(user: User, reflection: Reflection) -> bool:
    """List, read, edit, delete, export and share: the author only."""
    return user.is_authenticated and reflection.author_id == user.id


def can_share(user: User, reflection: Reflection) -> bool:
    return can_manage(user, reflection) and reflection.status == Status.complete


def can_share_with(author: User, supervisor: User) -> bool:
    return supervises(supervisor.id, author.id)


def can_view_share(user: User, share: ReflectionShare, now: datetime | None = None) -> bool:
    """The named supervisor, while the share is live and they still supervise the author."""
    now = now or utcnow()
    return (
        user.is_authenticated
        and share.supervisor_id == user.id
        and share.is_live(now)
        and share.reflection.status == Status.complete
        and supervises(user.id, share.reflection.author_id)
    )
