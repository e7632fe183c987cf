"""Telling people about bookings: an in-app notification and an email carrying an RFC 5545 .ics file.

Emails name no other attendee and carry no agenda or record text. A group attendee's calendar
file is their own booking's entry (Booking.uid/sequence); the supervisor's is the session's
(SupervisionSession.uid/sequence).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..notifications import kinds
from ..notifications.services import Attachment, notify, queue_email
from . import ics
from .events import Action
from .models import Booking, BookingEvent, SessionKind, SupervisionSession

# What each person is told, as a notification kind; None: that person is not told.
LINK_WORKER_KINDS: dict[Action, str | None] = {
    Action.requested: None,  # they asked: the supervisor is the one to tell
    Action.booked: "booking_confirmed",
    Action.joined: "booking_confirmed",
    Action.promoted: "waitlist_promoted",
    Action.approved: "booking_confirmed",
    Action.declined: "booking_declined",
    Action.proposed: "booking_proposed",
    Action.proposal_accepted: "booking_confirmed",
    Action.proposal_declined: "booking_cancelled",
    Action.rescheduled: "booking_rescheduled",
    Action.cancelled: "booking_cancelled",
    Action.session_cancelled: "booking_cancelled",
    Action.below_minimum: "group_below_minimum",
    Action.expired: "booking_expired",
    Action.proposal_expired: "proposal_expired",
}
SUPERVISOR_KINDS: dict[Action, str | None] = {
    Action.requested: "booking_requested",
    Action.booked: "booking_confirmed",
    Action.joined: "booking_confirmed",
    Action.promoted: "booking_confirmed",
    Action.approved: "booking_confirmed",
    Action.declined: "booking_cancelled",
    Action.proposed: "booking_rescheduled",
    Action.proposal_accepted: "proposal_accepted",
    Action.proposal_declined: "proposal_declined",
    Action.rescheduled: "booking_rescheduled",
    Action.cancelled: "booking_cancelled",
    Action.session_cancelled: "booking_cancelled",
    Action.below_minimum: "group_below_minimum",
    Action.expired: "booking_cancelled",
    Action.proposal_expired: "proposal_expired_supervisor",
}
# Steps that create the link worker's entry: its first file goes out at sequence 0.
CREATING = {Action.requested, Action.booked, Action.joined, Action.promoted}
# Steps that change nothing a calendar shows, so nobody is sent anything.
QUIET = {Action.waitlisted, Action.attended, Action.no_show}
# Steps that end a whole session: a group's supervisor hears once, not once per attendee.
SESSION_WIDE = {Action.session_cancelled, Action.below_minimum}


def announce(booking: Booking, action: Action, *, now: datetime, to_link_worker: bool = True,
             to_supervisor: bool = True) -> None:
    """Tell the link worker and/or the supervisor what just happened to this booking. Raises the
    sequence of each calendar entry it changes; cancellations use METHOD:CANCEL. Call after the
    booking and session rows hold their new state. Deduplicated per booking, action and sequence."""
    if action in QUIET:
        return
    session = booking.session
    # Every calendar showing these entries must see the change, told or not (the feed shows them too).
    if action not in CREATING:
        booking.sequence += 1
    if session.kind == SessionKind.group or action not in CREATING:
        session.sequence += 1
    db.session.flush()
    reason = _reason_given(booking, action)
    if to_link_worker and LINK_WORKER_KINDS.get(action):
        _tell(booking.link_worker, LINK_WORKER_KINDS[action], f"booking:{booking.id}:{action.value}:{booking.sequence}",
              link=ics.link_worker_path(booking), entry=lambda: ics.link_worker_entry(booking), now=now,
              reason=reason)
    if to_supervisor and SUPERVISOR_KINDS.get(action):
        if session.kind == SessionKind.group and action in SESSION_WIDE:
            key = f"session:{session.id}:{action.value}"
        else:
            key = f"booking:{booking.id}:{action.value}:supervisor:{session.sequence}"
        _tell(session.supervisor, SUPERVISOR_KINDS[action], key, link=ics.supervisor_path(booking, session),
              entry=lambda: ics.supervisor_entry(session), now=now, reason=reason)


def announce_session_change(session: SupervisionSession, action: Action, *, now: datetime) -> None:
    """Tell the supervisor about a change to their session as a whole (a group session cancelled
    or moved), with the session's own calendar entry."""
    kind = SUPERVISOR_KINDS.get(action)
    if action in QUIET or kind is None:
        return
    session.sequence += 1
    db.session.flush()
    # A session ends once, so its cancellation shares one key with announce()'s, and is told once.
    key = (f"session:{session.id}:{action.value}" if action in SESSION_WIDE
           else f"session:{session.id}:{action.value}:{session.sequence}")
    _tell(session.supervisor, kind, key, link=ics.supervisor_path(None, session),
          entry=lambda: ics.supervisor_entry(session), now=now, reason=False)


def _reason_given(booking: Booking, action: Action) -> bool:
    """Whether the person who took this step gave a reason. The reason itself stays in Cwtch:
    it is the actor's own words and may be sensitive, so emails only say that there is one."""
    return db.session.scalar(
        select(BookingEvent.reason.is_not(None))
        .where(BookingEvent.booking_id == booking.id, BookingEvent.action == action.value)
        .order_by(BookingEvent.id.desc()).limit(1)
    ) or False


def describe_when(starts_at: datetime, ends_at: datetime) -> str:
    """"Tuesday 1 December 2026, 10:00 to 11:00" in London time, in the current language."""
    return _("%(date)s, %(start)s to %(end)s", date=format_date(starts_at, "EEEE d MMMM y"),
             start=format_time(starts_at, "HH:mm"), end=format_time(ends_at, "HH:mm"))


def _tell(user: User, kind: str, key: str, *, link: str, entry: Callable[[], ics.Entry], now: datetime,
          reason: bool) -> None:
    if notify(user=user, kind=kind, dedupe_key=key, link=link, email=False) is None:
        return  # already told about this very change
    if not (user.email_notifications and user.active):
        return
    language = user.preferred_language
    with force_locale(language):
        built = entry()
        when = describe_when(built.starts_at, built.ends_at)
        method = ics.method_for(built)
        content = ics.calendar([built], now=now, method=method)
    queue_email(
        dedupe_key=f"email:{key}", to=user.email, language=language, template="booking",
        subject=kinds.KINDS[kind], user_id=user.id,
        attachments=[Attachment("supervision.ics", f"text/calendar; method={method}", content)],
        kind=kind, summary=built.summary, when=when, where=built.location, cancelled=built.cancelled,
        tentative=built.status == "TENTATIVE", reason_given=reason, link=built.url,
    )
