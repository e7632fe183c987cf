"""Deny-by-default helpers shared by every domain: role decorators and organisation lookups."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

from .accounts.models import Organisation, Role, User
from .extensions import db

F = TypeVar("F", bound=Callable)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Signed in, and holding at least one of these roles somewhere. Otherwise 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.has_role(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_administer(user: User, organisation: Organisation) -> bool:
    return user.is_authenticated and Role.admin in user.roles_in(organisation.id)


def organisation_for_admin_or_404(user: User, organisation_id: int) -> Organisation:
    """Another organisation answers 404, so its existence is not revealed."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_administer(user, organisation):
        abort(404)
    return organisation
