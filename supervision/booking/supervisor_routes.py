"""A supervisor's sessions: the home page with the request queue, reviewing a request, and one
booking or session. Changes (cancel, move, places, new group sessions) are in supervisor_change_routes.

Another supervisor's booking or session answers 404 (loaders). Times are shown in London time.
"""
from __future__ import annotations

import math
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role, User
from ..db import utcnow
from ..extensions import db
from ..permissions import role_required
from . import bookings, supervisor_queries
from .blueprint import bp
from .errors import BookingError, SlotTaken
from .events import LABELS, Action
from .loaders import booking_for_supervisor_or_404, session_for_supervisor_or_404, settings_for
from .models import Booking, BookingStatus, SessionKind, SessionStatus, SupervisionSession
from .permissions import can_cancel, can_keep_record, can_mark_attendance, can_reschedule
from .supervisor_forms import APPROVE, DECLINE, PROPOSE, CapacityForm, ReviewForm, show_booking_error
from .views import status_tag, when


def _me() -> User:
    return current_user._get_current_object()


def hours_left(booking: Booking, now: datetime) -> int | None:
    """Whole hours until a request expires, rounded up, so "1 hour" never means already gone."""
    if booking.expires_at is None:
        return None
    return max(0, math.ceil((booking.expires_at - now).total_seconds() / 3600))


def page_helpers() -> dict:
    return {"when": when, "status_tag": status_tag, "LABELS": LABELS, "Action": Action,
            "BookingStatus": BookingStatus, "SessionKind": SessionKind, "SessionStatus": SessionStatus}


def action_label(action: str) -> str:
    try:
        return LABELS[Action(action)]
    except ValueError:
        return action


@bp.get("/sessions")
@role_required(Role.supervisor)
def supervisor_home():
    from .coverage import coverage_for_supervisor

    me, now = _me(), utcnow()
    return render_template(
        "booking/supervisor/home.html", now=now, hours_left=hours_left,
        requests=supervisor_queries.pending(me, BookingStatus.requested),
        proposals=supervisor_queries.pending(me, BookingStatus.proposed),
        upcoming=supervisor_queries.upcoming(me, now),
        follow_up=supervisor_queries.needing_follow_up(me, now),
        coverage=coverage_for_supervisor(me, now), **page_helpers(),
    )


# --- reviewing a request --------------------------------------------------------------------------

@bp.route("/sessions/requests/<int:booking_id>", methods=["GET", "POST"])
@role_required(Role.supervisor)
def supervisor_review(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_supervisor_or_404(me, booking_id)
    if booking.status != BookingStatus.requested:
        return _already_dealt_with(booking, 409 if request.method == "POST" else 200)
    form = ReviewForm()
    status = 200
    if form.is_submitted():
        status = 400
        starts_at = None
        if form.validate() and form.decision.data == PROPOSE:
            starts_at = form.starts_at(now)
        if not form.errors:
            try:
                _decide(form, booking, me, starts_at, now)
            except BookingError as error:
                db.session.rollback()
                if error.code == "no_longer_pending":
                    return _already_dealt_with(booking, 409)
                proposing = form.decision.data == PROPOSE
                # The service calls a proposal's note its reason.
                show_booking_error(form, error, "session_date" if proposing else "decision",
                                   {"reason": "note"} if proposing else None)
                status = 409 if isinstance(error, SlotTaken) else 400
            else:
                db.session.commit()
                return redirect(url_for("booking.supervisor_home"))
    return render_template("booking/supervisor/review.html", form=form, booking=booking, now=now,
                           hours_left=hours_left, **page_helpers()), status


def _decide(form: ReviewForm, booking: Booking, me: User, starts_at: datetime | None, now: datetime) -> None:
    name = booking.link_worker.name
    if form.decision.data == APPROVE:
        bookings.approve(booking=booking, supervisor=me, now=now)
        flash(_("You approved the session with %(name)s. We have told them", name=name), "success")
    elif form.decision.data == DECLINE:
        bookings.decline(booking=booking, supervisor=me, reason=form.reason.data, now=now)
        flash(_("You declined the request from %(name)s. We have told them why", name=name), "success")
    else:
        bookings.propose(booking=booking, supervisor=me, starts_at=starts_at, reason=form.note.data or None,
                         now=now)
        flash(_("You proposed another time to %(name)s. We will tell you when they answer", name=name), "success")


def _already_dealt_with(booking: Booking, status: int):
    db.session.refresh(booking)
    return render_template("booking/supervisor/already_handled.html", booking=booking, **page_helpers()), status


# --- one booking, one session ---------------------------------------------------------------------

@bp.get("/sessions/bookings/<int:booking_id>")
@role_required(Role.supervisor)
def supervisor_booking(booking_id: int):
    me, now = _me(), utcnow()
    booking = booking_for_supervisor_or_404(me, booking_id)
    settings = settings_for(me.id)
    return render_template(
        "booking/supervisor/booking.html", booking=booking, session=booking.session,
        history=supervisor_queries.history(booking), action_label=action_label, now=now,
        may_cancel=can_cancel(me, booking, now, settings),
        may_reschedule=can_reschedule(me, booking, now, settings),
        may_mark=can_mark_attendance(me, booking, now),
        may_record=can_keep_record(me, booking, now), **page_helpers(),
    )


@bp.get("/sessions/<int:session_id>")
@role_required(Role.supervisor)
def supervisor_session(session_id: int):
    session = session_for_supervisor_or_404(_me(), session_id)
    form = CapacityForm(data={"capacity": session.capacity, "min_attendees": session.min_attendees})
    return session_page(session, form)


def session_page(session: SupervisionSession, form: CapacityForm, status: int = 200):
    now = utcnow()
    places, waiting = supervisor_queries.attendees(session)
    changeable = session.status == SessionStatus.active and now < session.starts_at
    return render_template("booking/supervisor/session.html", session=session, places=places, waiting=waiting,
                           booked=sum(1 for b in places if b.status == BookingStatus.confirmed),
                           form=form, changeable=changeable, now=now, **page_helpers()), status


# The pages that change bookings and sessions add their views to the same blueprint.
from . import supervisor_change_routes  # noqa: E402,F401
