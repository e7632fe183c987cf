"""One booking, as its link worker sees it: the details and history, cancelling, moving it, and
answering a time the supervisor proposed."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import Role
from ..db import utcnow
from ..extensions import db
from ..permissions import role_required
from . import bookings, slots, views
from .blueprint import bp
from .errors import BookingError, SlotTaken
from .events import LABELS
from .link_worker_routes import _me, place_error, taken_page
from .loaders import booking_for_link_worker_or_404, settings_for
from .lw_forms import CancelForm, RescheduleForm, RespondForm
from .models import (
    OPEN_STATUSES,
    RESCHEDULE_CAP,
    Booking,
    BookingEvent,
    BookingStatus,
    SessionKind,
    SessionStatus,
)
from .permissions import can_cancel, can_keep_record, can_reschedule, cutoff_for


def _booking_page(booking: Booking, form: RespondForm, problem: str | None = None, status: int = 200):
    me, now = _me(), utcnow()
    session = booking.session
    settings = settings_for(session.supervisor_id)
    events = list(db.session.scalars(select(BookingEvent).options(joinedload(BookingEvent.actor))
                                     .where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.id)))
    places = (views.places_taken([session.id]).get(session.id, 0) if session.kind == SessionKind.group else None)
    show_record = booking.record is not None or can_keep_record(me, booking, now)
    return render_template(
        "booking/lw/booking.html", booking=booking, session=session, form=form, problem=problem,
        events=events, labels={action.value: label for action, label in LABELS.items()}, places=places,
        tag=views.status_tag(booking), when=views.when, can_cancel=can_cancel(me, booking, now, settings),
        can_reschedule=can_reschedule(me, booking, now, settings), show_record=show_record,
        moves_left=RESCHEDULE_CAP - booking.reschedule_count, upcoming=session.ends_at > now,
        proposed=booking.status == BookingStatus.proposed and session.status == SessionStatus.active,
    ), status


@bp.get("/bookings/<int:booking_id>")
@role_required(Role.link_worker)
def booking_view(booking_id: int):
    return _booking_page(booking_for_link_worker_or_404(_me(), booking_id), RespondForm())


def _why_not(booking: Booking, now, settings, moving: bool) -> str:
    """Why the link worker cannot cancel (or move) now, and who can."""
    session, name = booking.session, booking.session.supervisor.name
    still_on = (booking.status in OPEN_STATUSES and session.status == SessionStatus.active
                and now < session.starts_at)
    if moving and still_on and booking.status == BookingStatus.confirmed:
        if booking.reschedule_count >= RESCHEDULE_CAP:
            return _("You have already moved this booking %(cap)s times, which is the most you can. "
                     "Only %(name)s can move it now: contact them if the time no longer suits you.",
                     cap=RESCHEDULE_CAP, name=name)
        if session.kind != SessionKind.one_to_one:
            return _("A place in a group session cannot be moved. You can cancel it and join another session.")
    if still_on and now >= cutoff_for(session, settings):
        if moving:
            return _("The session starts in less than %(hours)s hours, so only %(name)s can move it now. "
                     "Contact them if the time no longer suits you.", hours=settings.cancel_cutoff_hours, name=name)
        return _("The session starts in less than %(hours)s hours, so only %(name)s can cancel it now. "
                 "Contact them if you cannot come.", hours=settings.cancel_cutoff_hours, name=name)
    if moving and still_on:
        return _("Only a confirmed booking can be moved. You can cancel this one and book another time.")
    return _("This booking can no longer be changed.")


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@role_required(Role.link_worker)
def cancel(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_link_worker_or_404(me, booking_id)
    settings = settings_for(booking.session.supervisor_id)
    form, problem = CancelForm(), None
    if not can_cancel(me, booking, now, settings):
        return render_template("booking/lw/cancel.html", booking=booking, form=form, blocked=True,
                               problem=_why_not(booking, now, settings, moving=False), when=views.when,
                               ), 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            bookings.cancel_booking(booking=booking, actor=me, reason=form.reason.data.strip(), now=now)
        except BookingError as error:
            db.session.rollback()
            problem = place_error(form, error)
        else:
            db.session.commit()
            flash(_("Your booking is cancelled. We have told %(name)s.", name=booking.session.supervisor.name),
                  "success")
            return redirect(url_for("booking.booking_view", booking_id=booking.id), 303)
    return render_template("booking/lw/cancel.html", booking=booking, form=form, blocked=False, problem=problem,
                           when=views.when), 400 if (form.errors or problem) else 200


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["GET", "POST"])
@role_required(Role.link_worker)
def reschedule(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_link_worker_or_404(me, booking_id)
    session = booking.session
    settings = settings_for(session.supervisor_id)
    context = {"booking": booking, "when": views.when, "moves_left": RESCHEDULE_CAP - booking.reschedule_count}
    if not can_reschedule(me, booking, now, settings):
        return render_template("booking/lw/reschedule.html", blocked=_why_not(booking, now, settings, moving=True),
                               **context), 400 if request.method == "POST" else 200
    form, problem = RescheduleForm(), None
    raw_start = form.start.data if request.method == "POST" else request.args.get("start")
    starts_at = views.parse_start(raw_start)
    if raw_start and starts_at is None:
        problem = _("That time is not one we offer. Choose a new time from the list.")
    elif starts_at is not None:
        if request.method == "GET":
            form.start.data = raw_start
        elif form.validate_on_submit():
            try:
                bookings.reschedule(booking=booking, actor=me, starts_at=starts_at,
                                    reason=form.reason.data.strip(), now=now)
            except SlotTaken:
                db.session.rollback()
                return taken_page(session.supervisor, session.session_type, now=now, ignore_session_id=session.id,
                                  slot_url=lambda slot: url_for("booking.reschedule", booking_id=booking.id,
                                                                start=views.iso(slot.starts_at)))
            except BookingError as error:
                db.session.rollback()
                problem = place_error(form, error)
            else:
                db.session.commit()
                flash(_("Your booking has moved. We have told %(name)s.", name=session.supervisor.name), "success")
                return redirect(url_for("booking.booking_view", booking_id=booking.id), 303)
        length = session.ends_at - session.starts_at
        return render_template("booking/lw/reschedule.html", form=form, problem=problem, blocked=None,
                               new_time=views.when(starts_at, starts_at + length), **context,
                               ), 400 if (form.errors or problem) else 200
    elif request.method == "POST":
        form.validate_on_submit()  # no time chosen: the form says so
    week = views.week_for(request.args.get("week"), now=now, max_days_ahead=settings.max_days_ahead)
    free = slots.free_slots(session.supervisor, session.session_type, now=now, start=week.monday, days=7,
                            link_worker_id=me.id, ignore_session_id=session.id)
    return render_template(
        "booking/lw/reschedule.html", form=form, problem=problem or week.error, blocked=None, week=week,
        week_label=views.week_label(week), days=views.slots_by_day(week, free), new_time=None,
        slot_url=lambda slot: url_for("booking.reschedule", booking_id=booking.id, start=views.iso(slot.starts_at)),
        week_url=lambda monday: url_for("booking.reschedule", booking_id=booking.id, week=monday.isoformat()),
        **context,
    ), 400 if (form.errors or problem or week.error) else 200


@bp.post("/bookings/<int:booking_id>/respond")
@role_required(Role.link_worker)
def respond(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_link_worker_or_404(me, booking_id)
    form = RespondForm()
    if booking.status != BookingStatus.proposed or booking.session.status != SessionStatus.active:
        return _booking_page(booking, form, _("There is no proposed time to answer."), 400)
    problem = None
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        try:
            if accept:
                bookings.accept_proposal(booking=booking, link_worker=me, now=now)
            else:
                bookings.decline_proposal(booking=booking, link_worker=me,
                                          reason=(form.reason.data or "").strip() or None, now=now)
        except BookingError as error:
            db.session.rollback()
            problem = str(error.message)
        else:
            db.session.commit()
            flash(_("You accepted the new time. Your session is confirmed.") if accept
                  else _("You declined the new time. We have told %(name)s.", name=booking.session.supervisor.name),
                  "success")
            return redirect(url_for("booking.booking_view", booking_id=booking.id), 303)
    return _booking_page(booking, form, problem, 400)

