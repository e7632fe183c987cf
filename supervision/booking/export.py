"""A person's supervision bookings and sessions in their My data download.

As a link worker: each of their own bookings with its times, status, agenda, history and record.
As a supervisor: the sessions they run, with how many places are taken. Another person appears by
id only where the record needs one (the supervisor of a booking, who took a step), never by name;
a group attendee never sees who else was booked.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from ..mydata.sections import ExportSection, PdfTable, iso
from .events import LABELS, Action
from .models import Booking, BookingStatus, SessionKind, SupervisionSession

STATUS_LABELS = {
    BookingStatus.requested: _l("Waiting for approval"),
    BookingStatus.proposed: _l("Another time proposed"),
    BookingStatus.confirmed: _l("Confirmed"),
    BookingStatus.waitlisted: _l("On the waiting list"),
    BookingStatus.declined: _l("Declined"),
    BookingStatus.cancelled: _l("Cancelled"),
    BookingStatus.expired: _l("Expired"),
}
KIND_LABELS = {SessionKind.one_to_one: _l("One-to-one"), SessionKind.group: _l("Group")}


def _own_bookings(user: User) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.link_worker_id == user.id)
        .options(selectinload(Booking.session).selectinload(SupervisionSession.session_type),
                 selectinload(Booking.events), selectinload(Booking.record))
        .order_by(Booking.created_at, Booking.id)
    ))


def _booking_data(booking: Booking) -> dict:
    session, record = booking.session, booking.record
    return {
        "id": booking.id,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "status": booking.status.value,
        "session_status": session.status.value,
        "kind": session.kind.value,
        "session_type": session.session_type.name,
        "supervisor_id": session.supervisor_id,
        "location": session.location_kind.value,
        "agenda": booking.agenda,
        "reschedule_count": booking.reschedule_count,
        "attendance": booking.attendance.value if booking.attendance else None,
        "created_at": iso(booking.created_at),
        "history": [
            {"action": e.action, "actor_id": e.actor_id, "reason": e.reason, "from_starts_at": iso(e.from_starts_at),
             "to_starts_at": iso(e.to_starts_at), "created_at": iso(e.created_at)}
            for e in booking.events
        ],
        "record": None if record is None else {
            "normative": record.normative, "formative": record.formative, "restorative": record.restorative,
            "actions": record.action_list, "updated_by_id": record.updated_by_id,
            "created_at": iso(record.created_at), "updated_at": iso(record.updated_at),
        },
    }


def _sessions_run(user: User) -> list[tuple[SupervisionSession, int, int]]:
    """Sessions this person runs, with their confirmed and waiting-list counts, in two queries."""
    sessions = list(db.session.scalars(
        select(SupervisionSession).where(SupervisionSession.supervisor_id == user.id)
        .options(selectinload(SupervisionSession.session_type))
        .order_by(SupervisionSession.starts_at, SupervisionSession.id)
    ))
    counts: dict[tuple[int, BookingStatus], int] = {}
    if sessions:
        for session_id, status, count in db.session.execute(
                select(Booking.session_id, Booking.status, func.count())
                .where(Booking.session_id.in_([s.id for s in sessions]))
                .group_by(Booking.session_id, Booking.status)):
            counts[(session_id, status)] = count
    return [(s, counts.get((s.id, BookingStatus.confirmed), 0), counts.get((s.id, BookingStatus.waitlisted), 0))
            for s in sessions]


def _action_label(action: str) -> str:
    try:
        return str(LABELS[Action(action)])
    except ValueError:
        return action


def bookings_section(user: User) -> ExportSection:
    bookings = _own_bookings(user)
    sessions = _sessions_run(user)
    data = {
        "as_link_worker": [_booking_data(b) for b in bookings],
        "as_supervisor": [
            {"session_id": s.id, "starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at), "kind": s.kind.value,
             "session_type": s.session_type.name, "status": s.status.value, "capacity": s.capacity,
             "confirmed": confirmed, "waitlisted": waiting}
            for s, confirmed, waiting in sessions
        ],
    }
    attendance = {"attended": _("Attended"), "no_show": _("Did not attend")}
    own = PdfTable(
        _("Your supervision bookings"),
        [_("Time"), _("Session"), _("Status"), _("Attendance")],
        [[b.session.starts_at, f"{b.session.session_type.name} ({KIND_LABELS[b.session.kind]})",
          str(STATUS_LABELS[b.status]), attendance.get(b.attendance.value) if b.attendance else None]
         for b in bookings],
        empty=_("You have no supervision bookings."),
    )
    history = PdfTable(
        _("What happened to your bookings"),
        [_("Session time"), _("Time"), _("What happened"), _("Reason")],
        [[b.session.starts_at, e.created_at, _action_label(e.action), e.reason] for b in bookings for e in b.events],
        empty=_("You have no supervision bookings."),
    )
    texts = PdfTable(
        _("Agendas and session records"),
        [_("Session time"), _("Heading"), _("Text")],
        [[b.session.starts_at, _("Agenda"), b.agenda] for b in bookings if b.agenda]
        + [[b.session.starts_at, heading, text] for b in bookings if b.record is not None
           for heading, text in ((_("Normative"), b.record.normative), (_("Formative"), b.record.formative),
                                 (_("Restorative"), b.record.restorative),
                                 (_("Agreed actions"), "\n".join(b.record.action_list)))
           if text],
        empty=_("There are no agendas or session records."),
        widths=[22, 18, 60],
    )
    run = PdfTable(
        _("Supervision sessions you run"),
        [_("Time"), _("Session"), _("Status"), _("Places taken"), _("Waiting list")],
        [[s.starts_at, f"{s.session_type.name} ({KIND_LABELS[s.kind]})",
          _("Cancelled") if s.status.value == "cancelled" else _("Going ahead"), f"{confirmed} / {s.capacity}",
          waiting] for s, confirmed, waiting in sessions],
        empty=_("You do not run any supervision sessions."),
    )
    return ExportSection("bookings", data, [own, history, texts, run])
