"""The history of a booking: each step, who took it, and why. Shown to both parties."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from .models import Booking, BookingEvent


class Action(str, enum.Enum):
    requested = "requested"
    booked = "booked"  # confirmed at once, no approval needed
    joined = "joined"  # a place in a group session
    waitlisted = "waitlisted"
    promoted = "promoted"  # from the waiting list to a place
    approved = "approved"
    declined = "declined"
    proposed = "proposed"
    proposal_accepted = "proposal_accepted"
    proposal_declined = "proposal_declined"
    rescheduled = "rescheduled"
    cancelled = "cancelled"
    session_cancelled = "session_cancelled"
    below_minimum = "below_minimum"
    expired = "expired"
    proposal_expired = "proposal_expired"  # a proposed time came without an answer
    attended = "attended"
    no_show = "no_show"


LABELS = {
    Action.requested: _l("Requested"),
    Action.booked: _l("Booked"),
    Action.joined: _l("Place booked"),
    Action.waitlisted: _l("Added to the waiting list"),
    Action.promoted: _l("Moved from the waiting list to a place"),
    Action.approved: _l("Approved"),
    Action.declined: _l("Declined"),
    Action.proposed: _l("Another time proposed"),
    Action.proposal_accepted: _l("Proposed time accepted"),
    Action.proposal_declined: _l("Proposed time declined"),
    Action.rescheduled: _l("Moved to another time"),
    Action.cancelled: _l("Cancelled"),
    Action.session_cancelled: _l("Session cancelled"),
    Action.below_minimum: _l("Cancelled: not enough people booked"),
    Action.expired: _l("Expired: not reviewed in time"),
    Action.proposal_expired: _l("Expired: the proposed time came without an answer"),
    Action.attended: _l("Attended"),
    Action.no_show: _l("Did not attend"),
}


def record(booking: Booking, action: Action, *, actor: User | None, now: datetime,
           reason: str | None = None, from_starts_at: datetime | None = None,
           to_starts_at: datetime | None = None) -> BookingEvent:
    event = BookingEvent(booking=booking, actor_id=actor.id if actor is not None else None,
                         action=action.value, reason=(reason or "").strip() or None,
                         from_starts_at=from_starts_at, to_starts_at=to_starts_at, created_at=now)
    db.session.add(event)
    db.session.flush()
    return event
