"""A supervisor changing their calendar: cancelling a booking or a whole session, moving a
one-to-one, changing a group's places, and scheduling a new group session.

A rule that says no re-shows the form with its message (400), or 409 when someone took the time
a moment ago; nothing is changed either way.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role, User
from ..db import utcnow
from ..extensions import db
from ..permissions import role_required
from . import bookings
from .blueprint import bp
from .errors import BookingError, SlotTaken
from .loaders import booking_for_supervisor_or_404, session_for_supervisor_or_404, settings_for
from .models import SessionKind, SessionStatus, SessionType
from .permissions import can_cancel, can_reschedule
from .supervisor_forms import CapacityForm, ReasonForm, RescheduleForm, ScheduleGroupForm, show_booking_error
from .supervisor_routes import page_helpers, session_page


def _me() -> User:
    return current_user._get_current_object()


def _refused(error: BookingError, form, default: str) -> int:
    """Undo everything, put the message on the form, and say which status the page answers with."""
    db.session.rollback()
    show_booking_error(form, error, default)
    return 409 if isinstance(error, SlotTaken) else 400


def _not_possible(title: str, message: str, back: str):
    status = 409 if request.method == "POST" else 200
    return render_template("booking/supervisor/not_possible.html", title=title, message=message,
                           back=back), status


@bp.route("/sessions/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@role_required(Role.supervisor)
def supervisor_cancel_booking(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_supervisor_or_404(me, booking_id)
    back = url_for("booking.supervisor_booking", booking_id=booking.id)
    if not can_cancel(me, booking, now, settings_for(me.id)):
        return _not_possible(_("Cancel the booking"), _("This booking can no longer be cancelled."), back)
    form = ReasonForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            name = booking.link_worker.name
            try:
                bookings.cancel_booking(booking=booking, actor=me, reason=form.reason.data, now=now)
            except BookingError as error:
                status = _refused(error, form, "reason")
            else:
                db.session.commit()
                flash(_("The booking for %(name)s is cancelled. We have told them", name=name), "success")
                return redirect(back)
    return render_template("booking/supervisor/cancel_booking.html", form=form, booking=booking,
                           session=booking.session, back=back, **page_helpers()), status


@bp.route("/sessions/bookings/<int:booking_id>/reschedule", methods=["GET", "POST"])
@role_required(Role.supervisor)
def supervisor_reschedule(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_supervisor_or_404(me, booking_id)
    back = url_for("booking.supervisor_booking", booking_id=booking.id)
    if not can_reschedule(me, booking, now, settings_for(me.id)):
        return _not_possible(_("Move the session"), _("This session can no longer be moved."), back)
    form = RescheduleForm()
    status = 200
    if form.is_submitted():
        status = 400
        starts_at = form.starts_at(now) if form.validate() else None
        if starts_at is not None and not form.errors:
            try:
                bookings.reschedule(booking=booking, actor=me, starts_at=starts_at, reason=form.reason.data, now=now)
            except BookingError as error:
                status = _refused(error, form, "session_date")
            else:
                db.session.commit()
                flash(_("The session is moved. We have told %(name)s", name=booking.link_worker.name), "success")
                return redirect(back)
    return render_template("booking/supervisor/reschedule.html", form=form, booking=booking,
                           session=booking.session, back=back, **page_helpers()), status


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@role_required(Role.supervisor)
def supervisor_cancel_session(session_id: int):
    me, now = _me(), utcnow()
    session = session_for_supervisor_or_404(me, session_id)
    back = url_for("booking.supervisor_session", session_id=session.id)
    if session.status != SessionStatus.active or now >= session.starts_at:
        return _not_possible(_("Cancel the session"), _("This session can no longer be cancelled."), back)
    form = ReasonForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                bookings.cancel_session(session=session, actor=me, reason=form.reason.data, now=now)
            except BookingError as error:
                status = _refused(error, form, "reason")
            else:
                db.session.commit()
                flash(_("The session is cancelled. We have told everyone who was booked or waiting"), "success")
                return redirect(back)
    return render_template("booking/supervisor/cancel_session.html", form=form, session=session, back=back,
                           **page_helpers()), status


@bp.post("/sessions/<int:session_id>/capacity")
@role_required(Role.supervisor)
def supervisor_capacity(session_id: int):
    me, now = _me(), utcnow()
    session = session_for_supervisor_or_404(me, session_id)
    if session.kind != SessionKind.group or session.status != SessionStatus.active or now >= session.starts_at:
        back = url_for("booking.supervisor_session", session_id=session.id)
        return _not_possible(_("Change places"), _("The places in this session can no longer be changed."), back)
    form = CapacityForm()
    if not form.validate():
        return session_page(session, form, 400)
    try:
        bookings.change_capacity(session=session, supervisor=me, capacity=form.capacity.data,
                                 min_attendees=form.min_attendees.data, now=now)
    except BookingError as error:
        return session_page(session, form, _refused(error, form, "capacity"))
    db.session.commit()
    flash(_("The places are changed"), "success")
    return redirect(url_for("booking.supervisor_session", session_id=session.id))


@bp.route("/sessions/groups/new", methods=["GET", "POST"])
@role_required(Role.supervisor)
def supervisor_schedule_group():
    me, now = _me(), utcnow()
    types = list(db.session.scalars(
        select(SessionType).where(SessionType.supervisor_id == me.id, SessionType.kind == SessionKind.group,
                                  SessionType.active.is_(True)).order_by(SessionType.name, SessionType.id)))
    form = ScheduleGroupForm(session_types=types)
    status = 200
    if types and form.is_submitted():
        status = 400
        starts_at = form.starts_at(now) if form.validate() else None
        if starts_at is not None and not form.errors:
            chosen = next(kind for kind in types if str(kind.id) == form.session_type.data)
            try:
                session = bookings.schedule_group_session(supervisor=me, session_type=chosen, starts_at=starts_at,
                                                          now=now)
            except BookingError as error:
                status = _refused(error, form, "session_date")
            else:
                db.session.commit()
                flash(_("The group session is on your calendar. Link workers in your network can now book it"),
                      "success")
                return redirect(url_for("booking.supervisor_session", session_id=session.id))
    return render_template("booking/supervisor/schedule_group.html", form=form, types=types,
                           **page_helpers()), status
