"""Loading bookings and sessions for a route: another person's object answers 404, never 403."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..extensions import db
from .models import Booking, SupervisionSession, SupervisorSettings
from .permissions import is_party, runs


def settings_for(supervisor_id: int) -> SupervisorSettings:
    """The supervisor's settings, or the defaults (unsaved) if they never changed them."""
    settings = db.session.scalar(select(SupervisorSettings).where(SupervisorSettings.user_id == supervisor_id))
    if settings is None:
        settings = SupervisorSettings(user_id=supervisor_id, requires_approval=False, buffer_minutes=15,
                                      min_notice_hours=24, max_days_ahead=56, weekly_cap=None,
                                      cancel_cutoff_hours=24)
    return settings


def booking_for_party_or_404(user: User, booking_id: int) -> Booking:
    """A booking seen by its link worker or by the supervisor who runs its session."""
    booking = db.session.scalar(
        select(Booking).options(joinedload(Booking.session)).where(Booking.id == booking_id)
    )
    if booking is None or not is_party(user, booking):
        abort(404)
    return booking


def booking_for_link_worker_or_404(user: User, booking_id: int) -> Booking:
    booking = booking_for_party_or_404(user, booking_id)
    if booking.link_worker_id != user.id:
        abort(404)
    return booking


def booking_for_supervisor_or_404(user: User, booking_id: int) -> Booking:
    booking = booking_for_party_or_404(user, booking_id)
    if booking.session.supervisor_id != user.id:
        abort(404)
    return booking


def session_for_supervisor_or_404(user: User, session_id: int) -> SupervisionSession:
    session = db.session.get(SupervisionSession, session_id)
    if session is None or not runs(user, session):
        abort(404)
    return session
