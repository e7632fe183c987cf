"""Who may see an organisation's quarterly reports: its employers and admins, and nobody else.

Only current memberships of an active account count. Everyone else gets a 404 for every report
URL (the routes check these before they load anything else), so a report's existence in another
organisation is never revealed. Drafts of the quarter so far are for the organisation's admins.
"""
from __future__ import annotations

from ..accounts.models import Organisation, Role, User

REPORT_ROLES = frozenset({Role.employer, Role.admin})


def _roles_in(user: User, organisation_id: int) -> set[Role]:
    if not user.is_authenticated or not user.active:
        return set()
    return user.roles_in(organisation_id)


def can_see_reports(user: User, organisation_id: int) -> bool:
    """Issued reports: employers and admins of that organisation."""
    return bool(_roles_in(user, organisation_id) & REPORT_ROLES)


def can_make_draft(user: User, organisation_id: int) -> bool:
    """Making and reading a draft of the quarter so far: admins of that organisation."""
    return Role.admin in _roles_in(user, organisation_id)


def report_organisations(user: User) -> list[Organisation]:
    """The organisations whose reports this person may see, by name."""
    if not user.is_authenticated or not user.active:
        return []
    return sorted({m.organisation for m in user.memberships if m.role in REPORT_ROLES}, key=lambda o: o.name)
