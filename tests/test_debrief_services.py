"""Debrief rules, called directly at a frozen time: asking, triage (accept, pass on, decline),
withdrawing, booking the debrief, recording it, answering check-ins, and the race to accept."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import column, delete, func, select, table

from supervision.accounts.models import Membership, Organisation, Role, User
from supervision.booking.errors import BookingError
from supervision.booking.models import Booking, BookingStatus, SessionType
from supervision.debriefs import services
from supervision.debriefs.errors import AlreadyTaken, DebriefError
from supervision.debriefs.models import (
    MAX_DESCRIPTION, MAX_NOTES, MAX_REASON, Alternative, Category, CheckInAnswer, ContactWay, DebriefCheckIn,
    DebriefEvent, DebriefRequest, HeldBy, Outcome, RequestStatus, Urgency,
)
from supervision.debriefs.permissions import can_triage
from supervision.extensions import db
from supervision.notifications.models import Notification

from .conftest import Factory, make_test_app

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday 10:00 GMT, inside the default working day
DESCRIPTION = "A client told me about abuse at home and I keep thinking about it."


@dataclass
class World:
    make: Factory
    organisation: Organisation
    other: Organisation
    link_worker: object  # supervised by `own`
    own: object
    colleague: object  # a supervisor here who does not supervise the link worker
    third: object  # another supervisor here, to pass requests to
    outsider: object  # a supervisor of the other organisation
    admin: object

    def request(self, **fields) -> int:
        return self.make.debrief_request(self.link_worker, created_at=NOW, **fields)


@pytest.fixture
def world(make) -> World:
    organisation, other = make.organisation(name="Cwm Taf Connect"), make.organisation(name="Teifi Valley")
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Nia Griffiths")
    own = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    make.assign(own, link_worker)
    return World(make, organisation, other, link_worker, own,
                 make.user(Role.supervisor, organisation=organisation, name="Catrin Lloyd"),
                 make.user(Role.supervisor, organisation=organisation, name="Owain Bevan"),
                 make.user(Role.supervisor, organisation=other, name="Huw Parry"),
                 make.user(Role.admin, organisation=organisation, name="Gareth Price"))


def user(person) -> User:
    return db.session.get(User, person.id)


def debrief(request_id: int) -> DebriefRequest:
    return db.session.get(DebriefRequest, request_id, populate_existing=True)


def told(kind: str) -> list[int]:
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


def steps(request_id: int) -> list[tuple[str, int | None]]:
    return [(e.action, e.actor_id) for e in db.session.scalars(
        select(DebriefEvent).where(DebriefEvent.request_id == request_id).order_by(DebriefEvent.id))]


def state() -> tuple:
    """Everything a refused step must leave alone."""
    requests = db.session.execute(select(
        DebriefRequest.id, DebriefRequest.status, DebriefRequest.handler_id, DebriefRequest.assigned_to_id,
        DebriefRequest.accepted_at, DebriefRequest.closed_at, DebriefRequest.booking_id,
    ).order_by(DebriefRequest.id)).all()
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (DebriefEvent, DebriefCheckIn, Notification, Booking)]
    return tuple(map(tuple, requests)), tuple(counts)


def refused(code: str, call, raises=DebriefError, **kwargs):
    """Run a step that must be refused with `code`, and show it changed nothing."""
    before = state()
    with pytest.raises(raises) as error:
        call(**kwargs)
    db.session.rollback()
    assert error.value.code == code
    assert state() == before
    return error.value


def ask(world: World, *, now=NOW, supervisor=None, urgency=Urgency.three_days, description=DESCRIPTION,
        link_worker=None, organisation=None) -> DebriefRequest:
    return services.create_request(
        link_worker=user(link_worker or world.link_worker),
        organisation=db.session.get(Organisation, (organisation or world.organisation).id),
        urgency=urgency, category=Category.disclosure, description=description, contact_way=ContactWay.phone,
        supervisor=user(supervisor) if supervisor else None, now=now)


# --- asking ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("urgency, half, due", [
    # The default week is Monday to Friday, 09:00 to 17:00 in Europe/London (GMT in November).
    (Urgency.today, datetime(2026, 11, 2, 13, 30, tzinfo=UTC), datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),
    (Urgency.three_days, NOW + timedelta(hours=36), NOW + timedelta(hours=72)),
    (Urgency.this_week, NOW + timedelta(days=3, hours=12), NOW + timedelta(days=7)),
])
def test_asking_sets_targets_from_the_working_week(world, ctx, urgency, half, due):
    request = ask(world, urgency=urgency)
    db.session.commit()
    request = debrief(request.id)
    assert (request.half_due_at, request.due_at) == (half, due)
    assert (request.status, request.created_at, request.description) == (RequestStatus.open, NOW, DESCRIPTION)


def test_asking_goes_to_the_link_workers_own_supervisors_in_that_organisation_only(world, make, ctx):
    # The link worker also works for the other organisation, where the outsider supervises them.
    db.session.add(Membership(user_id=world.link_worker.id, organisation_id=world.other.id, role=Role.link_worker))
    db.session.commit()
    make.assign(world.outsider, world.link_worker, world.other)
    request = ask(world)
    db.session.commit()
    assert request.assigned_to_id is None and request.widened_at is None
    assert told("debrief_requested") == [world.own.id]
    assert steps(request.id) == [("requested", world.link_worker.id)]


def test_asking_a_chosen_supervisor_goes_to_them_only(world, ctx):
    request = ask(world, supervisor=world.colleague)
    db.session.commit()
    assert request.assigned_to_id == world.colleague.id and request.widened_at is None
    assert told("debrief_requested") == [world.colleague.id]
    assert can_triage(user(world.colleague), request) and not can_triage(user(world.own), request)


def test_a_link_worker_with_no_supervisor_here_asks_every_supervisor_at_once(world, make, ctx):
    alone = make.user(Role.link_worker, Role.supervisor, organisation=world.organisation, name="Alun Rees")
    request = ask(world, link_worker=alone)
    db.session.commit()
    assert request.widened_at == NOW
    # Every supervisor of the organisation, but not the person asking, nor the other organisation's.
    assert told("debrief_requested") == sorted([world.own.id, world.colleague.id, world.third.id])
    assert steps(request.id) == [("requested", alone.id), ("widened", None)]


def test_asking_refuses_bad_choices_and_bad_descriptions(world, make, ctx):
    both = make.user(Role.link_worker, Role.supervisor, organisation=world.organisation)
    stranger = make.user(Role.link_worker, organisation=world.other)
    refused("supervisor_unknown", ask, world=world, supervisor=world.outsider)
    refused("supervisor_unknown", ask, world=world, supervisor=world.admin)
    refused("supervisor_unknown", ask, world=world, link_worker=both, supervisor=both)
    for empty in ("", "   \n ", None):
        assert refused("description_missing", ask, world=world, description=empty).field == "description"
    assert refused("description_long", ask, world=world, description="x" * (MAX_DESCRIPTION + 1)).field \
        == "description"
    refused("not_link_worker", ask, world=world, link_worker=world.own)
    refused("not_link_worker", ask, world=world, link_worker=stranger)
    assert ask(world, description="x" * MAX_DESCRIPTION).description == "x" * MAX_DESCRIPTION


# --- triage ---------------------------------------------------------------------------------------

def _lose_role(world: World) -> None:
    db.session.execute(delete(Membership).where(Membership.user_id == world.own.id,
                                                Membership.role == Role.supervisor))
    db.session.commit()


def _deactivate(world: World) -> None:
    user(world.own).active = False
    db.session.commit()


# (who acts, how the request is made, what happens first, whether they may triage)
TRIAGE = [
    ("own", {}, None, True),
    ("colleague", {}, None, False),
    ("colleague", {"widened": True}, None, True),
    ("outsider", {"widened": True}, None, False),
    ("admin", {"widened": True}, None, False),
    ("own", {"assigned_to": "colleague"}, None, False),
    ("colleague", {"assigned_to": "colleague"}, None, True),
    ("own", {}, _deactivate, False),
    ("own", {"widened": True}, _lose_role, False),
]


def _triage(action: str, world: World, request: DebriefRequest, actor: User) -> None:
    if action == "accept":
        services.accept(request=request, supervisor=actor, now=NOW)
    elif action == "pass_to":
        services.pass_to(request=request, supervisor=actor, colleague=user(world.third), now=NOW)
    else:
        services.decline(request=request, supervisor=actor, reason="I am away this week.",
                         alternative=Alternative.another_supervisor, now=NOW)


@pytest.mark.parametrize("action", ["accept", "pass_to", "decline"])
@pytest.mark.parametrize("who, fields, first, allowed", TRIAGE,
                         ids=[f"{w}-{'-'.join(f) or 'plain'}-{getattr(s, '__name__', '')}" for w, f, s, _ in TRIAGE])
def test_who_may_triage(world, ctx, action, who, fields, first, allowed):
    fields = {k: getattr(world, v) if k == "assigned_to" else v for k, v in fields.items()}
    request_id = world.request(**fields)
    if first:
        first(world)
    request, actor = debrief(request_id), user(getattr(world, who))
    if not allowed:
        refused("not_yours", _triage, action=action, world=world, request=request, actor=actor)
        return
    _triage(action, world, request, actor)
    db.session.commit()
    assert steps(request_id)[-1] == ({"accept": "accepted", "pass_to": "passed"}.get(action, "declined"), actor.id)


def test_accepting_makes_the_supervisor_the_handler_and_tells_the_link_worker(world, ctx):
    request = debrief(world.request())
    services.accept(request=request, supervisor=user(world.own), now=NOW)
    db.session.commit()
    request = debrief(request.id)
    assert (request.status, request.handler_id, request.accepted_at) == (RequestStatus.accepted, world.own.id, NOW)
    assert told("debrief_accepted") == [world.link_worker.id]


def test_a_second_accept_is_already_taken_and_changes_nothing(world, ctx):
    request_id = world.request(widened=True)
    services.accept(request=debrief(request_id), supervisor=user(world.own), now=NOW)
    db.session.commit()
    for late in (world.colleague, world.own):
        error = refused("taken", services.accept, request=debrief(request_id), supervisor=user(late),
                        now=NOW + timedelta(minutes=1))
        assert isinstance(error, AlreadyTaken)
    assert debrief(request_id).handler_id == world.own.id
    assert steps(request_id) == [("accepted", world.own.id)]


def test_a_stale_copy_still_loses_the_race(world, app, ctx):
    """Two supervisors load the same open request; the second one's accept is refused by the database."""
    request_id = world.request(widened=True)
    stale = debrief(request_id)
    with app.app_context():  # another request, another session
        services.accept(request=debrief(request_id), supervisor=user(world.colleague), now=NOW)
        db.session.commit()
    assert stale.status == RequestStatus.open
    with pytest.raises(AlreadyTaken):
        services.accept(request=stale, supervisor=user(world.own), now=NOW)
    db.session.rollback()
    assert debrief(request_id).handler_id == world.colleague.id


def test_declining_keeps_the_reason_and_the_alternative(world, ctx):
    request = debrief(world.request())
    own = user(world.own)
    refused("reason_missing", services.decline, request=request, supervisor=own, reason="  ",
            alternative=Alternative.eap, now=NOW)
    refused("reason_long", services.decline, request=debrief(request.id), supervisor=own,
            reason="x" * (MAX_REASON + 1), alternative=Alternative.eap, now=NOW)
    services.decline(request=debrief(request.id), supervisor=user(world.own), reason=" Please call the EAP. ",
                     alternative=Alternative.eap, now=NOW)
    db.session.commit()
    request = debrief(request.id)
    assert (request.status, request.decline_reason, request.alternative, request.closed_at, request.handler_id) \
        == (RequestStatus.declined, "Please call the EAP.", Alternative.eap, NOW, world.own.id)
    assert told("debrief_declined") == [world.link_worker.id]
    refused("taken", services.accept, request=request, supervisor=user(world.own), now=NOW)


def test_passing_to_a_colleague_takes_it_out_of_the_passers_hands(world, ctx):
    request = debrief(world.request())
    own = user(world.own)
    for bad in (world.own, world.outsider, world.admin):
        refused("colleague_unknown", services.pass_to, request=debrief(request.id), supervisor=own,
                colleague=user(bad), now=NOW)
    services.pass_to(request=debrief(request.id), supervisor=own, colleague=user(world.colleague), now=NOW)
    db.session.commit()
    request = debrief(request.id)
    assert (request.status, request.assigned_to_id) == (RequestStatus.open, world.colleague.id)
    assert told("debrief_passed") == [world.colleague.id]
    assert told("debrief_passed_on") == [world.link_worker.id]
    assert not can_triage(user(world.own), request)
    refused("not_yours", services.accept, request=request, supervisor=user(world.own), now=NOW)
    services.accept(request=debrief(request.id), supervisor=user(world.colleague), now=NOW)
    db.session.commit()
    assert debrief(request.id).handler_id == world.colleague.id


def test_passing_to_someone_who_left_is_refused(world, ctx):
    request = debrief(world.request())
    user(world.colleague).active = False
    db.session.commit()
    refused("colleague_unknown", services.pass_to, request=debrief(request.id), supervisor=user(world.own),
            colleague=user(world.colleague), now=NOW)


# --- withdrawing ----------------------------------------------------------------------------------

def test_withdrawing_while_open_tells_the_supervisors_who_were_asked(world, make, ctx):
    request = debrief(world.request())
    refused("not_open", services.withdraw, request=request,
            link_worker=user(make.user(Role.link_worker, organisation=world.organisation)), now=NOW)
    services.withdraw(request=debrief(request.id), link_worker=user(world.link_worker), now=NOW)
    db.session.commit()
    request = debrief(request.id)
    assert (request.status, request.closed_at) == (RequestStatus.withdrawn, NOW)
    assert told("debrief_withdrawn") == [world.own.id]
    refused("not_open", services.withdraw, request=request, link_worker=user(world.link_worker), now=NOW)
    refused("taken", services.accept, request=request, supervisor=user(world.own), now=NOW)


def test_withdrawing_once_accepted_tells_the_handler(world, ctx):
    request_id = world.request(status="accepted", handler=world.colleague)
    services.withdraw(request=debrief(request_id), link_worker=user(world.link_worker), now=NOW)
    db.session.commit()
    assert debrief(request_id).status == RequestStatus.withdrawn
    assert told("debrief_withdrawn") == [world.colleague.id]
    assert steps(request_id) == [("withdrawn", world.link_worker.id)]


def test_withdrawing_a_request_sent_to_everyone_tells_everyone(world, ctx):
    request_id = world.request(widened=True)
    services.withdraw(request=debrief(request_id), link_worker=user(world.link_worker), now=NOW)
    db.session.commit()
    assert told("debrief_withdrawn") == sorted([world.own.id, world.colleague.id, world.third.id])


@pytest.mark.parametrize("status", ["completed", "declined"])
def test_no_withdrawing_once_settled(world, ctx, status):
    request_id = world.request(status=status, handler=world.own)
    refused("not_open", services.withdraw, request=debrief(request_id), link_worker=user(world.link_worker), now=NOW)


# --- booking the debrief --------------------------------------------------------------------------

SLOT = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)  # Tuesday 14:00


@pytest.fixture
def handled(world, make) -> tuple[int, int]:
    """An accepted request handled by `own`, and a one-to-one session type of theirs."""
    return world.request(status="accepted", handler=world.own), make.session_type(world.own)


def book(world, request_id, type_id, *, who=None, starts_at=SLOT, length=15, now=NOW) -> None:
    services.book(request=debrief(request_id), supervisor=user(who or world.own),
                  session_type=db.session.get(SessionType, type_id), starts_at=starts_at, length_minutes=length,
                  now=now)


def test_only_the_handler_books(world, make, ctx, handled):
    request_id, type_id = handled
    refused("not_yours", book, world=world, request_id=request_id, type_id=type_id, who=world.colleague)
    open_id = world.request()
    refused("not_yours", book, world=world, request_id=open_id, type_id=type_id)


def test_booking_makes_a_confirmed_session_of_the_chosen_length(world, ctx, handled):
    request_id, type_id = handled
    book(world, request_id, type_id, length=15)
    db.session.commit()
    request = debrief(request_id)
    booking = request.booking
    assert booking is not None and request.booking_id == booking.id
    assert (booking.status, booking.link_worker_id) == (BookingStatus.confirmed, world.link_worker.id)
    session = booking.session
    assert (session.supervisor_id, session.starts_at, session.ends_at) == \
        (world.own.id, SLOT, SLOT + timedelta(minutes=15))
    assert steps(request_id)[-1] == ("booked", world.own.id)
    refused("already_booked", book, world=world, request_id=request_id, type_id=type_id,
            starts_at=SLOT + timedelta(days=1))


def test_booking_a_time_that_is_not_free_is_refused(world, make, ctx, handled):
    request_id, type_id = handled
    busy = make.supervision_session(type_id, SLOT + timedelta(minutes=30))
    make.booking(busy, make.user(Role.link_worker, organisation=world.organisation))
    for starts_at, code in ((SLOT, "taken"), (NOW - timedelta(hours=1), "in_past")):
        refused(code, book, raises=BookingError, world=world, request_id=request_id, type_id=type_id,
                starts_at=starts_at, length=60)
    refused("length", book, raises=BookingError, world=world, request_id=request_id, type_id=type_id, length=20)
    assert debrief(request_id).booking_id is None


# --- recording the debrief ------------------------------------------------------------------------

def record(world, request_id, *, held_by=HeldBy.phone, notes=None, who=None, now=NOW) -> None:
    services.record_outcome(request=debrief(request_id), supervisor=user(who or world.own), held_by=held_by,
                            outcome=Outcome.supported, notes=notes, now=now)


def test_held_in_a_session_needs_one_booked_and_started(world, ctx, handled):
    request_id, type_id = handled
    refused("no_session", record, world=world, request_id=request_id, held_by=HeldBy.session)
    book(world, request_id, type_id)
    db.session.commit()
    refused("session_later", record, world=world, request_id=request_id, held_by=HeldBy.session,
            now=SLOT - timedelta(minutes=1))
    record(world, request_id, held_by=HeldBy.session, now=SLOT + timedelta(minutes=20))
    db.session.commit()
    request = debrief(request_id)
    assert (request.status, request.held_by, request.outcome) == \
        (RequestStatus.completed, HeldBy.session, Outcome.supported)


def test_booking_then_recording_in_one_transaction_sees_the_booking(world, ctx, handled):
    request_id, type_id = handled
    request, own = debrief(request_id), user(world.own)
    services.book(request=request, supervisor=own, session_type=db.session.get(SessionType, type_id),
                  starts_at=SLOT, length_minutes=15, now=NOW)
    services.record_outcome(request=request, supervisor=own, held_by=HeldBy.session, outcome=Outcome.supported,
                            notes=None, now=SLOT + timedelta(minutes=20))
    db.session.commit()
    assert debrief(request_id).status == RequestStatus.completed


def test_recording_completes_and_plans_two_check_ins(world, ctx, handled):
    request_id, _ = handled
    refused("not_yours", record, world=world, request_id=request_id, who=world.colleague)
    refused("notes_long", record, world=world, request_id=request_id, notes="x" * (MAX_NOTES + 1))
    record(world, request_id, now=NOW + timedelta(hours=2))
    db.session.commit()
    done = NOW + timedelta(hours=2)
    request = debrief(request_id)
    assert (request.status, request.held_by, request.closed_at, request.notes) == \
        (RequestStatus.completed, HeldBy.phone, done, None)
    assert [(c.day, c.due_at, c.answer) for c in request.check_ins] == \
        [(3, done + timedelta(days=3), None), (28, done + timedelta(days=28), None)]
    assert steps(request_id)[-1] == ("completed", world.own.id)
    assert told("debrief_completed") == [world.link_worker.id]
    refused("not_yours", record, world=world, request_id=request_id)


def test_a_withdrawal_a_moment_before_recording_wins_whole(world, app, ctx, handled):
    request_id, _ = handled
    stale = debrief(request_id)
    with app.app_context():  # the link worker, in another request
        services.withdraw(request=debrief(request_id), link_worker=user(world.link_worker), now=NOW)
        db.session.commit()
    with pytest.raises(DebriefError):
        services.record_outcome(request=stale, supervisor=user(world.own), held_by=HeldBy.phone,
                                outcome=Outcome.supported, notes=None, now=NOW)
    db.session.rollback()
    request = debrief(request_id)
    assert (request.status, request.outcome, request.check_ins) == (RequestStatus.withdrawn, None, [])


def test_notes_description_and_reason_are_stored_encrypted(world, ctx, handled):
    request_id, _ = handled
    notes = "We talked through the home visit and agreed to bring in the safeguarding lead."
    declined = world.request(status="declined", handler=world.own)
    record(world, request_id, notes=notes)
    db.session.commit()
    raw = table("debrief_request", column("id"), column("description"), column("notes"),
                column("decline_reason"))  # no types: what the database holds, undecrypted
    rows = {row.id: row for row in db.session.execute(select(raw))}
    assert notes not in rows[request_id].notes and "safeguarding" not in rows[request_id].notes
    assert "abuse" not in rows[request_id].description and "client" not in rows[request_id].description
    assert "leave" not in rows[declined].decline_reason
    assert debrief(request_id).notes == notes and debrief(declined).decline_reason == "I am on leave this week."


# --- check-ins ------------------------------------------------------------------------------------

def test_a_check_in_is_answered_once_when_due_and_the_handler_is_told(world, make, ctx, handled):
    request_id, _ = handled
    record(world, request_id)
    db.session.commit()
    check_in = debrief(request_id).check_ins[0]
    me, stranger = user(world.link_worker), user(make.user(Role.link_worker, organisation=world.organisation))
    due = NOW + timedelta(days=3)

    def answer(who=me, now=due):
        services.answer_check_in(check_in=db.session.get(DebriefCheckIn, check_in.id), link_worker=who,
                                 answer=CheckInAnswer.worse, now=now)

    refused("not_due", answer, now=due - timedelta(minutes=1))
    refused("not_open", answer, who=stranger)
    answer()
    db.session.commit()
    check_in = db.session.get(DebriefCheckIn, check_in.id, populate_existing=True)
    assert (check_in.answer, check_in.answered_at) == (CheckInAnswer.worse, due)
    assert told("debrief_check_in_answered") == [world.own.id]
    assert steps(request_id)[-1] == ("check_in_answered", world.link_worker.id)
    refused("not_open", answer, now=due + timedelta(days=1))
    assert services.needs_more_support(CheckInAnswer.worse) and services.needs_more_support(CheckInAnswer.same)
    assert not services.needs_more_support(CheckInAnswer.better)


# --- the race to accept ---------------------------------------------------------------------------

PEOPLE = 20


def test_twenty_supervisors_accept_at_once_and_exactly_one_wins(databases, tmp_path):
    # Its own app and database, with a pool big enough for every thread to hold a connection.
    app = make_test_app(databases.new("debrief_race"), str(tmp_path),
                        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": PEOPLE + 5})
    with app.app_context():
        db.create_all()
    make = Factory(app)
    organisation = make.organisation(name="Bro Morgannwg")
    link_worker = make.user(Role.link_worker, organisation=organisation)
    supervisors = [make.user(Role.supervisor, organisation=organisation, mfa=False, name=f"Supervisor {i}")
                   for i in range(PEOPLE)]
    request_id = make.debrief_request(link_worker, created_at=NOW, widened=True)
    barrier = threading.Barrier(PEOPLE)

    def go(person) -> str:
        with app.app_context():
            try:
                request = db.session.get(DebriefRequest, request_id)
                supervisor = db.session.get(User, person.id)
                assert supervisor.memberships and request.status == RequestStatus.open
                barrier.wait(timeout=60)
                services.accept(request=request, supervisor=supervisor, now=NOW)
                db.session.commit()
                return "won"
            except AlreadyTaken:
                db.session.rollback()
                return "taken"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(PEOPLE) as pool:
        results = list(pool.map(go, supervisors))
    assert sorted(results) == ["taken"] * (PEOPLE - 1) + ["won"]
    winner = supervisors[results.index("won")]
    with app.app_context():
        request = db.session.get(DebriefRequest, request_id)
        assert (request.status, request.handler_id) == (RequestStatus.accepted, winner.id)
        assert steps(request_id) == [("accepted", winner.id)]
        assert told("debrief_accepted") == [link_worker.id]
        db.session.remove()
