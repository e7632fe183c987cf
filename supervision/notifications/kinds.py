"""What each kind of notification says. Only the event, never its sensitive content."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "invitation_accepted": _l("Someone you invited has joined Cwtch"),
    "roles_changed": _l("Your roles in Cwtch have changed"),
    "supervisors_changed": _l("Your supervisors in Cwtch have changed"),
    "reflection_shared": _l("A link worker has shared a reflection with you"),
    "reflection_comment": _l("Your supervisor has commented on a reflection you shared"),
    "booking_requested": _l("A link worker has asked for a supervision session"),
    "booking_confirmed": _l("A supervision session is confirmed"),
    "booking_declined": _l("Your request for a supervision session was declined"),
    "booking_proposed": _l("Your supervisor has proposed another time for your session"),
    "proposal_accepted": _l("A link worker accepted the time you proposed"),
    "proposal_declined": _l("A link worker declined the time you proposed"),
    "booking_cancelled": _l("A supervision session has been cancelled"),
    "booking_rescheduled": _l("A supervision session has moved to another time"),
    "booking_expired": _l("Your request for a supervision session expired before it was reviewed"),
    "proposal_expired": _l("The time your supervisor proposed has passed without an answer"),
    "proposal_expired_supervisor": _l("A time you proposed has passed without an answer from the link worker"),
    "waitlist_promoted": _l("A place came up: you are booked into a group session"),
    "group_below_minimum": _l("A group session was cancelled because too few people booked"),
    "booking_reminder_24h": _l("Reminder: you have a supervision session tomorrow"),
    "booking_reminder_1h": _l("Reminder: you have a supervision session in an hour"),
    "session_record_updated": _l("The record of a supervision session has been updated"),
    "coverage_due": _l("Supervision is due soon"),
    "debrief_requested": _l("You have a new debrief request"),
    "debrief_waiting": _l("A debrief request is waiting for a supervisor"),
    "debrief_passed": _l("A debrief request has been passed to you"),
    "debrief_passed_on": _l("Your debrief request has been passed to another supervisor"),
    "debrief_accepted": _l("A supervisor has accepted your debrief request"),
    "debrief_declined": _l("Your debrief request was declined"),
    "debrief_withdrawn": _l("A debrief request has been withdrawn"),
    "debrief_completed": _l("Your supervisor has recorded your debrief"),
    "debrief_check_in": _l("How are you now? A short check-in after your debrief"),
    "debrief_check_in_answered": _l("A check-in after a debrief has been answered"),
    "debrief_waiting_admin": _l("An urgent request is waiting"),
    "pulse_open": _l("A new wellbeing survey is open"),
    "pulse_reminder": _l("Reminder: your wellbeing survey is still open"),
    "trend_shared": _l("A link worker has shared a summary of their wellbeing trend with you"),
    "report_ready": _l("A new quarterly wellbeing report is ready"),
}


def title(kind: str) -> str:
    return str(KINDS.get(kind, _l("You have a new notification")))
