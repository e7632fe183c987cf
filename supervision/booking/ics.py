"""Calendar entries for bookings and sessions, and the RFC 5545 files that carry them.

A link worker's entry is their own booking (Booking.uid/sequence); a supervisor's is the session
(SupervisionSession.uid/sequence). Summaries are written in the recipient's language, so callers
build entries inside flask_babel.force_locale. No entry names a group's attendees, and none holds
agenda or record text. Times are written in UTC ("Z"), which every calendar converts correctly
across the clock changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from ..mail import external_url
from ..notifications.services import path_for
from .models import Booking, BookingStatus, SessionKind, SessionStatus, SupervisionSession

PRODID = "-//Cwtch//Supervision//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"

TENTATIVE_BOOKINGS = (BookingStatus.requested, BookingStatus.proposed)


@dataclass(frozen=True)
class Entry:
    """One VEVENT: what a single person's calendar shows for a session."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    url: str
    status: str  # TENTATIVE, CONFIRMED or CANCELLED

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"


def link_worker_path(booking: Booking) -> str:
    return path_for("booking.booking_view", booking_id=booking.id)


def supervisor_path(booking: Booking | None, session: SupervisionSession) -> str:
    """A request opens on its review page; anything else on the booking, or a group's session."""
    if session.kind == SessionKind.group or booking is None:
        return path_for("booking.supervisor_session", session_id=session.id)
    if booking.status == BookingStatus.requested:
        return path_for("booking.supervisor_review", booking_id=booking.id)
    return path_for("booking.supervisor_booking", booking_id=booking.id)


def _location(session: SupervisionSession) -> str:
    return session.address or session.online_link or ""


def link_worker_entry(booking: Booking) -> Entry:
    """The link worker's own entry. A group attendee's names only the supervisor and the group."""
    session = booking.session
    supervisor = session.supervisor.name
    if session.kind == SessionKind.group:
        summary = _("%(type)s: group peer supervision with %(supervisor)s",
                    type=session.session_type.name, supervisor=supervisor)
    else:
        summary = _("Supervision with %(supervisor)s", supervisor=supervisor)
    if session.status == SessionStatus.cancelled or booking.status not in (*TENTATIVE_BOOKINGS,
                                                                            BookingStatus.confirmed):
        status = "CANCELLED"
    elif booking.status in TENTATIVE_BOOKINGS:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    return Entry(uid=booking.uid, sequence=booking.sequence, starts_at=session.starts_at,
                 ends_at=session.ends_at, summary=summary, location=_location(session),
                 url=external_url(link_worker_path(booking)), status=status)


def holding_booking(session: SupervisionSession) -> Booking | None:
    """A one-to-one session's current booking: the one holding its time, else the latest."""
    bookings = session.bookings
    for booking in bookings:
        if booking.status in (*TENTATIVE_BOOKINGS, BookingStatus.confirmed):
            return booking
    return bookings[-1] if bookings else None


def supervisor_entry(session: SupervisionSession) -> Entry:
    """The supervisor's entry for the whole session. A group's shows how many are booked, not who."""
    booking = None
    status = "CONFIRMED"
    if session.kind == SessionKind.group:
        booked = sum(1 for b in session.bookings if b.status == BookingStatus.confirmed)
        summary = _("%(type)s: group peer supervision (%(count)s booked)",
                    type=session.session_type.name, count=booked)
    else:
        booking = holding_booking(session)
        name = booking.link_worker.name if booking is not None else ""
        summary = _("Supervision: %(link_worker)s", link_worker=name)
        if booking is None or booking.status not in (*TENTATIVE_BOOKINGS, BookingStatus.confirmed):
            status = "CANCELLED"
        elif booking.status in TENTATIVE_BOOKINGS:
            status = "TENTATIVE"
    if session.status == SessionStatus.cancelled:
        status = "CANCELLED"
    return Entry(uid=session.uid, sequence=session.sequence, starts_at=session.starts_at,
                 ends_at=session.ends_at, summary=summary, location=_location(session),
                 url=external_url(supervisor_path(booking, session)), status=status)


def _organizer() -> vCalAddress:
    # RFC 5546 wants an ORGANIZER on REQUEST and CANCEL. Cwtch itself organises, so no person's
    # address appears, and replies from calendar programs go nowhere harmful.
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(name or "Cwtch")
    return organizer


def _event(entry: Entry, now: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("sequence", entry.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    event.add("url", entry.url)
    event.add("description", _("See this session in Cwtch: %(url)s", url=entry.url))
    event.add("status", entry.status)
    event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    event.add("organizer", _organizer())
    return event


def calendar(entries: list[Entry], *, now: datetime, method: str | None = None,
             name: str | None = None) -> bytes:
    """A VCALENDAR holding these entries. Emails pass a method; a subscribed feed does not."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(_event(entry, now))
    return cal.to_ical()


def method_for(entry: Entry) -> str:
    return CANCEL if entry.cancelled else REQUEST
