"""The steps on a debrief request, each timestamped; the link worker sees every one."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..extensions import db
from .models import DebriefEvent, DebriefRequest


class Step(str, enum.Enum):
    requested = "requested"
    widened = "widened"  # half-way to the target: sent to every supervisor of the organisation
    escalated = "escalated"  # past the target: the organisation's admin was told one is waiting
    accepted = "accepted"
    passed = "passed"  # to a colleague
    declined = "declined"
    withdrawn = "withdrawn"
    booked = "booked"  # a debrief session booked in Cwtch
    completed = "completed"  # the debrief happened and its outcome is recorded
    check_in_sent = "check_in_sent"
    check_in_answered = "check_in_answered"


LABELS = {
    Step.requested: _l("Request made"),
    Step.widened: _l("Sent to every supervisor in the organisation"),
    Step.escalated: _l("Passed its response time: the organisation was told a request is waiting"),
    Step.accepted: _l("Accepted"),
    Step.passed: _l("Passed to another supervisor"),
    Step.declined: _l("Declined"),
    Step.withdrawn: _l("Withdrawn"),
    Step.booked: _l("Debrief booked"),
    Step.completed: _l("Debrief recorded"),
    Step.check_in_sent: _l("Check-in sent"),
    Step.check_in_answered: _l("Check-in answered"),
}


def record(request: DebriefRequest, step: Step, *, actor: User | None, now: datetime) -> DebriefEvent:
    event = DebriefEvent(request=request, actor_id=actor.id if actor is not None else None, action=step.value,
                         created_at=now)
    db.session.add(event)
    return event
