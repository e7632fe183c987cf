"""Telling people a wellbeing survey is open, or still open. An in-app notification and an email
that carry only the kind's title and a link to the survey: never a score, an answer or a band."""
from __future__ import annotations

from ..accounts.models import User
from ..notifications.services import notify, path_for
from .models import PulseInvitation


def _survey_link(invitation: PulseInvitation) -> str:
    return path_for("pulse.start", round_id=invitation.round_id)


def tell_survey_open(invitation: PulseInvitation, person: User) -> bool:
    """Once per invitation; False when this person was told already."""
    return notify(user=person, kind="pulse_open", dedupe_key=f"pulse-open:{invitation.id}",
                  link=_survey_link(invitation)) is not None


def tell_reminder(invitation: PulseInvitation, person: User, number: int) -> bool:
    """`number` is 1 (day 3) or 2 (day 10): each goes once per invitation."""
    return notify(user=person, kind="pulse_reminder", dedupe_key=f"pulse-reminder:{invitation.id}:{number}",
                  link=_survey_link(invitation)) is not None
