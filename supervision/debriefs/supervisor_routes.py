"""The supervisor's debrief pages: the queue, one request, and accepting, passing on, declining,
booking and recording it.

Each view loads the request through loaders (anyone else's answers 404), asks permissions what is
allowed now, calls one service and commits once. When another supervisor settled the request a
moment before, the answer is a 409 page that says so: never a 500, never "database is locked".
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role, User
from ..booking.errors import BookingError
from ..booking.models import Booking, BookingStatus, SessionKind, SessionType
from ..booking.supervisor_forms import show_booking_error
from ..booking.views import when
from ..db import utcnow
from ..extensions import db
from ..permissions import role_required
from . import loaders, queries, services
from .blueprint import bp
from .errors import AlreadyTaken, DebriefError
from .models import Alternative, DebriefRequest, HeldBy, Outcome, RequestStatus
from .permissions import can_handle, can_triage, is_owner
from .supervisor_forms import BookForm, DeclineForm, PassOnForm, RecordForm

# How many completed debriefs the queue page lists with their check-ins.
RECENT = 10


def _me() -> User:
    return current_user._get_current_object()


def _page(template: str, **context):
    return render_template(f"debriefs/supervisor/{template}", RequestStatus=RequestStatus, **context)


def _to_view(debrief: DebriefRequest):
    return redirect(url_for("debriefs.supervisor_view", request_id=debrief.id))


def _refused(form, message, field: str | None = None) -> str | None:
    """A rule the service applied: its message on its field when the form has one, else returned for
    the error summary alone. Marks the form, so that the page answers 200, not 400 (_status)."""
    form.rule_broken = True
    target = form._fields.get(field) if field and field != "csrf_token" else None
    if target is None:
        return str(message)
    target.errors = [*target.errors, str(message)]
    return None


def _status(form) -> int:
    """A form filled in wrongly is a 400; a rule the service applied (a time not free, a session not
    yet held) is part of the conversation, so the page comes back as a 200 with the message."""
    return 400 if form.errors and not getattr(form, "rule_broken", False) else 200


# --- loading -----------------------------------------------------------------------------------------

def _was_in_queue(me: User, debrief: DebriefRequest) -> bool:
    """Whether this settled request was in my queue while it was open: then someone else settled it a
    moment ago, and saying so reveals nothing I had not already seen. Asks the one triage rule, about
    the request as it was."""
    if debrief.status == RequestStatus.open or is_owner(me, debrief):
        return False
    as_it_was = SimpleNamespace(status=RequestStatus.open, link_worker_id=debrief.link_worker_id,
                                organisation_id=debrief.organisation_id, widened_at=debrief.widened_at,
                                assigned_to_id=debrief.assigned_to_id)
    return can_triage(me, as_it_was)


def _for_triage(me: User, request_id: int) -> tuple[DebriefRequest, bool]:
    """The request, and whether I may still accept, pass on or decline it. 404 when it is not mine
    to see and never was. (The loader alone would answer 404 to a supervisor who lost the race.)"""
    debrief = db.session.get(DebriefRequest, request_id)
    if debrief is not None and _was_in_queue(me, debrief) and debrief.handler_id != me.id:
        return debrief, False
    debrief = loaders.request_for_supervisor_or_404(me, request_id)
    return debrief, can_triage(me, debrief)


def _not_open(me: User, debrief: DebriefRequest, status: int):
    if debrief.handler_id == me.id:
        flash(_("You have already dealt with this request."))
        return _to_view(debrief)
    return _taken(debrief, status)


def _taken(debrief: DebriefRequest, status: int = 409):
    """Another supervisor got there first: no name of who, nothing changed."""
    db.session.refresh(debrief)
    accepted = debrief.status in (RequestStatus.accepted, RequestStatus.completed)
    return _page("taken.html", accepted=accepted), status


def _settle(debrief: DebriefRequest, form, step, done: str):
    """Run one triage step and commit, then back to the queue. A request taken meanwhile gets the 409
    page; a rule the step broke leaves (None, the message for the summary) and nothing written."""
    try:
        step()
    except AlreadyTaken:
        db.session.rollback()
        return _taken(debrief), None
    except DebriefError as error:
        db.session.rollback()
        return None, _refused(form, error.message, error.field)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("debriefs.queue")), None


def _for_handling(me: User, request_id: int):
    """The request I accepted and may still book or record; (None, a redirect) when it is mine but
    past that; 404 for anyone else."""
    debrief = loaders.request_for_supervisor_or_404(me, request_id)
    if can_handle(me, debrief):
        return debrief, None
    if debrief.handler_id == me.id:
        flash(_("This request is no longer waiting for a debrief."))
        return None, _to_view(debrief)
    abort(404)


def _confirmed_booking(debrief: DebriefRequest) -> Booking | None:
    booking = debrief.booking
    return booking if booking is not None and booking.status == BookingStatus.confirmed else None


# --- the queue and one request ---------------------------------------------------------------------

@bp.get("/queue")
@role_required(Role.supervisor)
def queue():
    me, now = _me(), utcnow()
    waiting = queries.queue_for(me)
    handling = queries.handled_by(me, open_only=True)
    recent = queries.handled_by(me, status=RequestStatus.completed, limit=RECENT)
    names = queries.names_of({r.link_worker_id for r in (*waiting, *handling, *recent)})
    return _page("queue.html", waiting=waiting, handling=handling, recent=recent, names=names, now=now,
                 format_timedelta=format_timedelta, when=when)


@bp.get("/queue/<int:request_id>")
@role_required(Role.supervisor)
def supervisor_view(request_id: int):
    me = _me()
    debrief = loaders.request_for_supervisor_or_404(me, request_id)
    names = queries.names_of({e.actor_id for e in debrief.events if e.actor_id} | {debrief.link_worker_id})
    return _page("view.html", debrief=debrief, names=names, may_triage=can_triage(me, debrief),
                 may_handle=can_handle(me, debrief), booking=_confirmed_booking(debrief), when=when)


# --- triage ------------------------------------------------------------------------------------------

@bp.post("/queue/<int:request_id>/accept")
@role_required(Role.supervisor)
def accept(request_id: int):
    me = _me()
    debrief, still_open = _for_triage(me, request_id)
    if not still_open:
        return _not_open(me, debrief, 409)
    try:
        services.accept(request=debrief, supervisor=me)
    except AlreadyTaken:
        db.session.rollback()
        return _taken(debrief)
    db.session.commit()
    flash(_("You accepted the request. We have told the link worker. Book the debrief, or record it "
            "once you have talked."), "success")
    return _to_view(debrief)


@bp.route("/queue/<int:request_id>/pass-on", methods=["GET", "POST"])
@role_required(Role.supervisor)
def pass_on(request_id: int):
    me = _me()
    debrief, still_open = _for_triage(me, request_id)
    if not still_open:
        return _not_open(me, debrief, 409 if request.method == "POST" else 200)
    colleagues = services.colleagues_of(me, debrief)
    form, problem = PassOnForm(colleagues=colleagues), None
    if form.validate_on_submit():
        colleague = next(person for person in colleagues if str(person.id) == form.colleague.data)
        done, problem = _settle(debrief, form, lambda: services.pass_to(request=debrief, supervisor=me,
                                                                        colleague=colleague),
                                _("You passed the request to %(name)s. We have told them and the link worker.",
                                  name=colleague.name))
        if done is not None:
            return done
    return _page("pass_on.html", debrief=debrief, form=form, problem=problem, colleagues=colleagues), _status(form)


@bp.route("/queue/<int:request_id>/decline", methods=["GET", "POST"])
@role_required(Role.supervisor)
def decline(request_id: int):
    me = _me()
    debrief, still_open = _for_triage(me, request_id)
    if not still_open:
        return _not_open(me, debrief, 409 if request.method == "POST" else 200)
    form, problem = DeclineForm(), None
    if form.validate_on_submit():
        done, problem = _settle(debrief, form, lambda: services.decline(
            request=debrief, supervisor=me, reason=form.reason.data, alternative=Alternative(form.alternative.data)),
            _("You declined the request. We have told the link worker, with your reason."))
        if done is not None:
            return done
    return _page("decline.html", debrief=debrief, form=form, problem=problem), _status(form)


# --- the debrief itself ------------------------------------------------------------------------------

def _one_to_one_types(me: User, organisation_id: int) -> list[SessionType]:
    return list(db.session.scalars(
        select(SessionType).where(SessionType.supervisor_id == me.id, SessionType.organisation_id == organisation_id,
                                  SessionType.kind == SessionKind.one_to_one, SessionType.active.is_(True))
        .order_by(SessionType.name, SessionType.id)))


@bp.route("/queue/<int:request_id>/book", methods=["GET", "POST"])
@role_required(Role.supervisor)
def book(request_id: int):
    me, now = _me(), utcnow()
    debrief, elsewhere = _for_handling(me, request_id)
    if elsewhere is not None:
        return elsewhere
    types = _one_to_one_types(me, debrief.organisation_id)
    posted = request.method == "POST"
    # On a post, a radio left empty stays empty rather than falling back to the default length.
    form = BookForm(session_types=types, data=None if posted else {"length": BookForm.default_length(debrief.urgency)})
    if posted and not types:
        return _page("book.html", debrief=debrief, form=form, types=types,
                     problem=_("Add a one-to-one kind of session before you book a debrief.")), 400
    problem = None
    if form.is_submitted():
        valid = form.validate()
        starts_at = form.starts_at(now)  # adds its own messages, so every mistake shows at once
        if valid and starts_at is not None:
            kind = next(t for t in types if str(t.id) == form.session_type.data)
            # Nothing is written before the service: booking takes the calendar lock first.
            try:
                services.book(request=debrief, supervisor=me, session_type=kind, starts_at=starts_at,
                              length_minutes=int(form.length.data), now=now)
            except BookingError as error:
                db.session.rollback()
                show_booking_error(form, error, "session_date")
                form.rule_broken = True
            except DebriefError as error:
                db.session.rollback()
                problem = _refused(form, error.message, error.field)
            else:
                db.session.commit()
                flash(_("The debrief is booked. We have sent the calendar invitation to you and the link worker."),
                      "success")
                return _to_view(debrief)
    return _page("book.html", debrief=debrief, form=form, problem=problem, types=types), _status(form)


@bp.route("/queue/<int:request_id>/record", methods=["GET", "POST"])
@role_required(Role.supervisor)
def record(request_id: int):
    me = _me()
    debrief, elsewhere = _for_handling(me, request_id)
    if elsewhere is not None:
        return elsewhere
    form, problem = RecordForm(booked=_confirmed_booking(debrief) is not None), None
    if form.validate_on_submit():
        try:
            services.record_outcome(request=debrief, supervisor=me, held_by=HeldBy(form.held_by.data),
                                    outcome=Outcome(form.outcome.data), notes=form.notes.data)
        except DebriefError as error:
            db.session.rollback()
            problem = _refused(form, error.message, error.field)
        else:
            db.session.commit()
            flash(_("The debrief is recorded. We will check in with the link worker after 3 days and "
                    "after 28 days."), "success")
            return _to_view(debrief)
    return _page("record.html", debrief=debrief, form=form, problem=problem), _status(form)
