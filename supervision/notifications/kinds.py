"""What each kind of notification says. Only the event, never its sensitive content."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "invitation_accepted": _l("Someone you invited has joined Cwtch"),
    "roles_changed": _l("Your roles in Cwtch have changed"),
    "supervisors_changed": _l("Your supervisors in Cwtch have changed"),
    "reflection_shared": _l("A link worker has shared a reflection with you"),
    "reflection_comment": _l("Your supervisor has commented on a reflection you shared"),
}


def title(kind: str) -> str:
    return str(KINDS.get(kind, _l("You have a new notification")))
