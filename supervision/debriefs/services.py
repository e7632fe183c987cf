"""Debrief rules: asking, accepting, passing on, declining, withdrawing, booking the debrief,
recording its outcome and answering check-ins.

Every function flushes and never commits: the route (or job) commits once. Each step on an open
request is a conditional UPDATE (`WHERE status = 'open'`), so when two supervisors accept at the
same moment exactly one row changes: the database decides, on SQLite and PostgreSQL alike, and
the other supervisor is told it was taken. Emails never carry the request's content.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..accounts.models import Membership, Organisation, Role, User
from ..booking.direct import book_direct
from ..booking.errors import BookingError
from ..booking.models import SessionType
from ..db import utcnow
from ..extensions import db
from . import messages
from .clock import WorkingWeek, targets
from .errors import AlreadyTaken, DebriefError
from .events import Step, record
from .models import (
    CHECK_IN_DAYS,
    MAX_DESCRIPTION,
    MAX_NOTES,
    MAX_REASON,
    Alternative,
    Category,
    CheckInAnswer,
    ContactWay,
    DebriefCheckIn,
    DebriefRequest,
    HeldBy,
    Outcome,
    RequestStatus,
    Urgency,
)
from .permissions import (
    can_answer,
    can_handle,
    can_triage,
    can_withdraw,
    is_owner,
    is_supervisor_in,
    organisation_supervisor_ids,
    supervises_in,
)


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _text(value: str | None) -> str:
    return (value or "").strip()


def is_link_worker_in(user: User, organisation_id: int) -> bool:
    return any(m.role == Role.link_worker and m.organisation_id == organisation_id for m in user.memberships)


def supervisor_choices(link_worker: User, organisation_id: int) -> list[User]:
    """Whom a link worker may ask by name: any active supervisor of the organisation but themselves."""
    ids = organisation_supervisor_ids(organisation_id, excluding=link_worker.id)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name, User.id)))


def first_recipients(request: DebriefRequest) -> list[int]:
    """Who is told about a new request: the chosen supervisor, or the link worker's own
    supervisors in the organisation; nobody if it went to everyone at once."""
    if request.assigned_to_id is not None:
        return [request.assigned_to_id]
    return [i for i in organisation_supervisor_ids(request.organisation_id, excluding=request.link_worker_id)
            if supervises_in(i, request.link_worker_id, request.organisation_id)]


def create_request(*, link_worker: User, organisation: Organisation, urgency: Urgency, category: Category,
                   description: str | None, contact_way: ContactWay, supervisor: User | None = None,
                   now: datetime | None = None) -> DebriefRequest:
    """Ask for a debrief. Goes to the chosen supervisor, or to the link worker's supervisors in the
    organisation; if there are none, to every supervisor of the organisation at once."""
    now = _now(now)
    if not is_link_worker_in(link_worker, organisation.id):
        raise DebriefError("not_link_worker", _l("You can only ask for a debrief in an organisation you work for."))
    description = _text(description)
    if not description:
        raise DebriefError("description_missing", _l("Describe briefly what happened"), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise DebriefError("description_long", _l("The description must be %(max)s characters or fewer",
                                                  max=MAX_DESCRIPTION), field="description")
    if supervisor is not None and (supervisor.id == link_worker.id
                                   or not is_supervisor_in(supervisor, organisation.id)):
        raise DebriefError("supervisor_unknown", _l("Choose one of the supervisors listed"), field="supervisor")
    due = targets(urgency, now, WorkingWeek.of(organisation))
    request = DebriefRequest(
        organisation_id=organisation.id, link_worker_id=link_worker.id, urgency=urgency, category=category,
        description=description, contact_way=contact_way,
        assigned_to_id=supervisor.id if supervisor is not None else None, status=RequestStatus.open,
        half_due_at=due.half_due_at, due_at=due.due_at, created_at=now,
    )
    db.session.add(request)
    db.session.flush()
    record(request, Step.requested, actor=link_worker, now=now)
    recipients = first_recipients(request)
    if not recipients:
        # Nobody supervises this person here: waiting for half the target would help no one.
        request.widened_at = now
        record(request, Step.widened, actor=None, now=now)
        recipients = organisation_supervisor_ids(organisation.id, excluding=link_worker.id)
    db.session.flush()
    messages.tell_supervisors(request, recipients, "debrief_requested", now=now)
    return request


def _settle(request: DebriefRequest, **values) -> None:
    """Change an open request, or raise AlreadyTaken if someone else changed it first."""
    result = db.session.execute(
        update(DebriefRequest)
        .where(DebriefRequest.id == request.id, DebriefRequest.status == RequestStatus.open)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(request)
        raise AlreadyTaken("taken", _l("Another supervisor has just dealt with this request. Nothing was changed."))
    db.session.refresh(request)


def _may_triage(supervisor: User, request: DebriefRequest) -> None:
    if not can_triage(supervisor, request):
        if request.status != RequestStatus.open:
            raise AlreadyTaken("taken", _l("Another supervisor has just dealt with this request. Nothing was changed."))
        raise DebriefError("not_yours", _l("This request is not in your queue."))


def accept(*, request: DebriefRequest, supervisor: User, now: datetime | None = None) -> None:
    now = _now(now)
    _may_triage(supervisor, request)
    _settle(request, status=RequestStatus.accepted, handler_id=supervisor.id, accepted_at=now)
    record(request, Step.accepted, actor=supervisor, now=now)
    db.session.flush()
    messages.tell_link_worker(request, "debrief_accepted", now=now)


def pass_to(*, request: DebriefRequest, supervisor: User, colleague: User, now: datetime | None = None) -> None:
    now = _now(now)
    _may_triage(supervisor, request)
    if (colleague.id in (supervisor.id, request.link_worker_id)
            or not is_supervisor_in(colleague, request.organisation_id)):
        raise DebriefError("colleague_unknown", _l("Choose one of the supervisors listed"), field="colleague")
    _settle(request, assigned_to_id=colleague.id)
    record(request, Step.passed, actor=supervisor, now=now)
    db.session.flush()
    messages.tell_supervisors(request, [colleague.id], "debrief_passed", now=now)
    messages.tell_link_worker(request, "debrief_passed_on", now=now)


def decline(*, request: DebriefRequest, supervisor: User, reason: str | None, alternative: Alternative,
            now: datetime | None = None) -> None:
    now = _now(now)
    _may_triage(supervisor, request)
    reason = _text(reason)
    if not reason:
        raise DebriefError("reason_missing", _l("Give a reason, so that the link worker knows what to do next"),
                           field="reason")
    if len(reason) > MAX_REASON:
        raise DebriefError("reason_long", _l("The reason must be %(max)s characters or fewer", max=MAX_REASON),
                           field="reason")
    _settle(request, status=RequestStatus.declined, handler_id=supervisor.id, decline_reason=reason,
            alternative=alternative, closed_at=now)
    record(request, Step.declined, actor=supervisor, now=now)
    db.session.flush()
    messages.tell_link_worker(request, "debrief_declined", now=now)


def withdraw(*, request: DebriefRequest, link_worker: User, now: datetime | None = None) -> None:
    now = _now(now)
    if not can_withdraw(link_worker, request):
        raise DebriefError("not_open", _l("This request can no longer be withdrawn."))
    result = db.session.execute(
        update(DebriefRequest)
        .where(DebriefRequest.id == request.id,
               DebriefRequest.status.in_((RequestStatus.open, RequestStatus.accepted)))
        .values(status=RequestStatus.withdrawn, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    if result.rowcount != 1:
        raise DebriefError("not_open", _l("This request can no longer be withdrawn."))
    record(request, Step.withdrawn, actor=link_worker, now=now)
    db.session.flush()
    if request.handler_id:
        told = [request.handler_id]
    elif request.widened_at is not None:  # every supervisor of the organisation was asked
        told = organisation_supervisor_ids(request.organisation_id, excluding=request.link_worker_id)
    else:
        told = first_recipients(request)
    messages.tell_supervisors(request, told, "debrief_withdrawn", now=now)


def book(*, request: DebriefRequest, supervisor: User, session_type: SessionType, starts_at: datetime,
         length_minutes: int, now: datetime | None = None) -> None:
    """Book the debrief into the booking system: a confirmed session for both people, with the
    calendar file. Raises BookingError (shown like any booking rule) when the time is not free."""
    now = _now(now)
    if not can_handle(supervisor, request):
        raise DebriefError("not_yours", _l("Only the supervisor who accepted this request can book it."))
    if request.booking is not None and request.booking.status.value == "confirmed" \
            and request.booking.session.starts_at > now:
        raise DebriefError("already_booked", _l("A debrief is already booked for this request."))
    booking = book_direct(supervisor=supervisor, link_worker=request.link_worker, session_type=session_type,
                          starts_at=starts_at, length_minutes=length_minutes, now=now)
    # The relationship, not just the id: a later step in this transaction (record_outcome) reads it.
    request.booking = booking
    record(request, Step.booked, actor=supervisor, now=now)
    db.session.flush()


def record_outcome(*, request: DebriefRequest, supervisor: User, held_by: HeldBy, outcome: Outcome,
                   notes: str | None, now: datetime | None = None) -> None:
    """The debrief happened: record how and its outcome, and plan the check-ins."""
    now = _now(now)
    if not can_handle(supervisor, request):
        raise DebriefError("not_yours", _l("Only the supervisor who accepted this request can record it."))
    if held_by == HeldBy.session:
        booking = request.booking
        if booking is None or booking.status.value != "confirmed":
            raise DebriefError("no_session", _l("No debrief session is booked. Choose by phone, or book one."),
                               field="held_by")
        if booking.session.starts_at > now:
            raise DebriefError("session_later", _l("The booked session has not started yet. Record it "
                                                   "after it has happened."), field="held_by")
    notes = _text(notes) or None
    if notes is not None and len(notes) > MAX_NOTES:
        raise DebriefError("notes_long", _l("The notes must be %(max)s characters or fewer", max=MAX_NOTES),
                           field="notes")
    # Conditional, like triage: a withdrawal at the same moment wins or loses whole, never half.
    result = db.session.execute(
        update(DebriefRequest)
        .where(DebriefRequest.id == request.id, DebriefRequest.status == RequestStatus.accepted,
               DebriefRequest.handler_id == supervisor.id)
        .values(status=RequestStatus.completed, held_by=held_by, outcome=outcome, notes=notes, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    if result.rowcount != 1:
        raise DebriefError("not_yours", _l("Only the supervisor who accepted this request can record it."))
    for day in CHECK_IN_DAYS:
        db.session.add(DebriefCheckIn(request=request, day=day, due_at=now + timedelta(days=day)))
    record(request, Step.completed, actor=supervisor, now=now)
    db.session.flush()
    messages.tell_link_worker(request, "debrief_completed", now=now)


def answer_check_in(*, check_in: DebriefCheckIn, link_worker: User, answer: CheckInAnswer,
                    now: datetime | None = None) -> None:
    now = _now(now)
    if not can_answer(link_worker, check_in, now):
        if is_owner(link_worker, check_in.request) and check_in.answered_at is None:
            raise DebriefError("not_due", _l("This check-in is not open yet."))
        raise DebriefError("not_open", _l("This check-in has already been answered."))
    result = db.session.execute(
        update(DebriefCheckIn)
        .where(DebriefCheckIn.id == check_in.id, DebriefCheckIn.answered_at.is_(None))
        .values(answer=answer, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(check_in)
    if result.rowcount != 1:
        raise DebriefError("not_open", _l("This check-in has already been answered."))
    record(check_in.request, Step.check_in_answered, actor=link_worker, now=now)
    db.session.flush()
    messages.tell_handler_of_check_in(check_in, now=now)


def needs_more_support(answer: CheckInAnswer | None) -> bool:
    """Worse, or not improving: offer another session and the support options."""
    return answer in (CheckInAnswer.worse, CheckInAnswer.same)


def colleagues_of(supervisor: User, request: DebriefRequest) -> list[User]:
    """Whom a request may be passed to: the organisation's other active supervisors."""
    ids = [i for i in organisation_supervisor_ids(request.organisation_id, excluding=supervisor.id)
           if i != request.link_worker_id]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name, User.id)))


def link_worker_organisations(user: User) -> list[Organisation]:
    ids = db.session.scalars(select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == Role.link_worker)).all()
    if not ids:
        return []
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(set(ids)))
                                   .order_by(Organisation.name)))


__all__ = ["BookingError", "DebriefError", "AlreadyTaken"]
