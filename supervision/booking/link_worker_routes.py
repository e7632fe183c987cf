"""The link worker's supervision pages: the overview, finding a time, booking it, and joining a group."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role, User
from ..accounts.supervisors import supervisors_of
from ..db import utcnow
from ..extensions import db
from ..permissions import role_required
from . import bookings, coverage, slots, views
from .blueprint import bp
from .errors import BookingError, SlotTaken
from .loaders import settings_for
from .lw_forms import BookForm, JoinForm
from .models import OPEN_STATUSES, Booking, BookingStatus, SessionKind, SessionType, SupervisionSession
from .permissions import can_book_with, can_join_group

NEXT_SLOTS = 5


def _me() -> User:
    return current_user._get_current_object()


def place_error(form, error: BookingError) -> str | None:
    """Put a rule's message on its field when the form has that field; otherwise return it for the
    error summary on its own."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error.message)]
        return None
    return str(error.message)


def taken_page(supervisor: User, session_type: SessionType, *, now, slot_url, ignore_session_id=None):
    """"That time was just taken", with the next free times as links (status 409)."""
    upcoming = slots.free_slots(supervisor, session_type, now=now, link_worker_id=_me().id,
                                ignore_session_id=ignore_session_id)[:NEXT_SLOTS]
    return render_template("booking/lw/taken.html", supervisor=supervisor, session_type=session_type,
                           upcoming=upcoming, slot_url=slot_url, when=views.when), 409


def _supervisor_and_type_or_404(me: User, supervisor_id: int, type_id: int) -> tuple[User, SessionType]:
    supervisor = db.session.get(User, supervisor_id)
    if supervisor is None or not can_book_with(me, supervisor):
        abort(404)
    session_type = db.session.get(SessionType, type_id)
    if (session_type is None or session_type.supervisor_id != supervisor.id or not session_type.active
            or session_type.kind != SessionKind.one_to_one):
        abort(404)
    return supervisor, session_type


@bp.get("/")
@role_required(Role.link_worker)
def index():
    me, now = _me(), utcnow()
    upcoming = views.upcoming_bookings(me, now)
    supervisors = supervisors_of(me)
    return render_template(
        "booking/lw/index.html",
        needs_answer=[b for b in upcoming if b.status == BookingStatus.proposed],
        upcoming=[b for b in upcoming if b.status != BookingStatus.proposed],
        past=views.past_bookings(me, now), past_limit=views.PAST_LIMIT,
        supervisors=supervisors, types=views.one_to_one_types([s.id for s in supervisors]),
        groups=views.open_groups(me, now, {b.session_id for b in upcoming}),
        coverage=coverage.coverage_for(me, now), when=views.when, status_tag=views.status_tag, now=now,
    )


@bp.get("/with/<int:supervisor_id>/<int:type_id>")
@role_required(Role.link_worker)
def find_time(supervisor_id: int, type_id: int):
    me, now = _me(), utcnow()
    supervisor, session_type = _supervisor_and_type_or_404(me, supervisor_id, type_id)
    settings = settings_for(supervisor.id)
    week = views.week_for(request.args.get("week"), now=now, max_days_ahead=settings.max_days_ahead)
    free = slots.free_slots(supervisor, session_type, now=now, start=week.monday, days=7, link_worker_id=me.id)
    return render_template(
        "booking/lw/find_time.html", supervisor=supervisor, session_type=session_type, settings=settings,
        types=views.one_to_one_types([supervisor.id])[supervisor.id], week=week,
        week_label=views.week_label(week), days=views.slots_by_day(week, free),
        blocks=views.blocks_in(supervisor.id, week), when=views.when,
        slot_url=lambda slot: url_for("booking.book_slot", supervisor_id=supervisor.id,
                                      type_id=session_type.id, start=views.iso(slot.starts_at)),
        week_url=lambda monday: url_for("booking.find_time", supervisor_id=supervisor.id,
                                        type_id=session_type.id, week=monday.isoformat()),
    ), 400 if week.error else 200


@bp.route("/with/<int:supervisor_id>/<int:type_id>/book", methods=["GET", "POST"])
@role_required(Role.link_worker)
def book_slot(supervisor_id: int, type_id: int):
    me, now = _me(), utcnow()
    supervisor, session_type = _supervisor_and_type_or_404(me, supervisor_id, type_id)
    find_url = url_for("booking.find_time", supervisor_id=supervisor.id, type_id=session_type.id)
    starts_at = views.parse_start(request.args.get("start"))
    if starts_at is None:
        return render_template("booking/lw/bad_time.html", find_url=find_url), 400
    form, problem = BookForm(), None
    if request.method == "GET":
        form.agenda.data = bookings.agenda_prefill(link_worker=me, supervisor=supervisor, now=now)
    elif form.validate_on_submit():
        try:
            booking = bookings.book(link_worker=me, session_type=session_type, starts_at=starts_at,
                                    agenda=(form.agenda.data or "").strip() or None, now=now)
        except SlotTaken:
            db.session.rollback()
            return taken_page(supervisor, session_type, now=now, slot_url=lambda slot: url_for(
                "booking.book_slot", supervisor_id=supervisor.id, type_id=session_type.id,
                start=views.iso(slot.starts_at)))
        except BookingError as error:
            db.session.rollback()
            problem = place_error(form, error)
        else:
            confirmed = booking.status == BookingStatus.confirmed
            db.session.commit()
            flash(_("Booked. Your session with %(name)s is confirmed.", name=supervisor.name) if confirmed
                  else _("Request sent. %(name)s will review it, and we will tell you when they do.",
                         name=supervisor.name), "success")
            return redirect(url_for("booking.booking_view", booking_id=booking.id), 303)
    settings = settings_for(supervisor.id)
    return render_template(
        "booking/lw/book.html", form=form, problem=problem, supervisor=supervisor, session_type=session_type,
        needs_approval=settings.requires_approval, find_url=find_url,
        when=views.when(starts_at, starts_at + timedelta(minutes=session_type.length_minutes)),
    ), 400 if (form.errors or problem) else 200


@bp.route("/groups/<int:session_id>/join", methods=["GET", "POST"])
@role_required(Role.link_worker)
def join_group(session_id: int):
    me, now = _me(), utcnow()
    session = db.session.get(SupervisionSession, session_id)
    if session is None or session.starts_at <= now or not can_join_group(me, session):
        abort(404)
    mine = db.session.scalar(select(Booking.id).where(Booking.session_id == session.id,
                                                      Booking.link_worker_id == me.id,
                                                      Booking.status.in_(OPEN_STATUSES)))
    if mine is not None:
        flash(_("You already have a place in this session, or are on its waiting list."))
        return redirect(url_for("booking.booking_view", booking_id=mine), 303)
    form, problem = JoinForm(), None
    if form.validate_on_submit():
        try:
            booking = bookings.join_group(link_worker=me, session=session,
                                          agenda=(form.agenda.data or "").strip() or None, now=now)
        except BookingError as error:
            db.session.rollback()
            problem = place_error(form, error)
        else:
            waiting = booking.status == BookingStatus.waitlisted
            db.session.commit()
            flash(_("The session is full, so you are on the waiting list. We will tell you if a place comes up.")
                  if waiting else _("Booked. You have a place in this session."), "success")
            return redirect(url_for("booking.booking_view", booking_id=booking.id), 303)
    places_left = max(session.capacity - views.places_taken([session.id]).get(session.id, 0), 0)
    return render_template("booking/lw/join.html", form=form, problem=problem, session=session,
                           places_left=places_left, when=views.when(session.starts_at, session.ends_at),
                           ), 400 if (form.errors or problem) else 200


# The pages for one booking (view, cancel, move, answer a proposal) live beside these.
from . import lw_booking_routes  # noqa: E402,F401
