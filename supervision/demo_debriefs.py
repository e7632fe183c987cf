"""Demo debrief requests: Carys's four (waiting today, booked, held by phone with its check-ins,
declined with the employee assistance programme offered), Nia's in Welsh, one that passed its
target so the Ogmore admin was told a request is waiting, and both organisations' support
contacts. Development only.

The requests go through the real debrief services with `now=` set in the past, so every step has
a coherent time and sends the notifications it would have sent; the scheduler's jobs run at the
moments they would have run (half-way, the target, each check-in). Only the debrief session is
written directly, as booking.direct.book_direct would write it and after the same free-time check:
book_direct takes the calendar lock first, which SQLite only allows at the start of a transaction,
and the demo is one transaction.

Running it twice changes nothing: once a demo link worker has a debrief request, it is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from .accounts.models import Organisation, Role, User
from .booking import events as booking_events
from .booking.errors import BookingError
from .booking.models import Booking, BookingStatus, SessionKind
from .booking.slots import check_supervisor_free
from .db import utcnow
from .debriefs import services
from .debriefs.events import Step, record
from .debriefs.jobs import escalate_due, send_check_ins, widen_due
from .debriefs.models import (
    Alternative,
    Category,
    CheckInAnswer,
    ContactWay,
    DebriefCheckIn,
    DebriefRequest,
    HeldBy,
    Outcome,
    Urgency,
)
from .demo_booking import CARYS, LONDON, MERERID, NIA, RHODRI, _next, _session, _type, _weeks_ago
from .demo_debriefs_text import (
    CARYS_BOOKED,
    CARYS_COMPLETED,
    CARYS_COMPLETED_NOTES,
    CARYS_DECLINE_REASON,
    CARYS_DECLINED,
    CARYS_TODAY,
    CONTACTS,
    ESCALATED,
    NIA_NOTES,
)
from .demo_debriefs_text import NIA as NIA_TEXT
from .extensions import db

MON, TUE, WED, FRI = 0, 1, 2, 4
# The Ogmore link worker whose request waited too long (one of Bethan Howells's supervisees).
LOWRI = "lowri.edwards@ogmore.example.org"
DEBRIEF_MINUTES = 45


@dataclass(frozen=True)
class Demo:
    people: dict[str, User]
    organisations: dict[str, Organisation]
    now: datetime
    today: date

    def organisation_of(self, email: str) -> Organisation:
        person = self.people[email]
        ids = {m.organisation_id for m in person.memberships if m.role == Role.link_worker}
        return next(o for o in self.organisations.values() if o.id in ids)


def _ask(demo: Demo, email: str, *, urgency: Urgency, category: Category, description: str,
         contact_way: ContactWay, at: datetime, supervisor: str | None = None) -> DebriefRequest:
    return services.create_request(
        link_worker=demo.people[email], organisation=demo.organisation_of(email), urgency=urgency,
        category=category, description=description, contact_way=contact_way,
        supervisor=demo.people[supervisor] if supervisor else None, now=at)


def _send_check_in(check_in: DebriefCheckIn) -> None:
    """The check-in job, run when this check-in fell due (nothing else is due at that moment)."""
    send_check_ins(now=check_in.due_at)


def _check_in(request: DebriefRequest, day: int) -> DebriefCheckIn:
    return next(c for c in request.check_ins if c.day == day)


def _waiting_today(demo: Demo) -> DebriefRequest:
    """Carys asks Rhodri for a debrief today, after hearing of a death; nobody has answered yet."""
    return _ask(demo, CARYS, urgency=Urgency.today, category=Category.client_death, description=CARYS_TODAY,
                contact_way=ContactWay.phone, at=demo.now - timedelta(minutes=40), supervisor=RHODRI)


def _booked(demo: Demo) -> DebriefRequest:
    """Rhodri accepted Carys's request after a threat on a home visit and booked a video debrief."""
    rhodri, carys = demo.people[RHODRI], demo.people[CARYS]
    asked = demo.now - timedelta(hours=26)
    request = _ask(demo, CARYS, urgency=Urgency.three_days, category=Category.aggression,
                   description=CARYS_BOOKED, contact_way=ContactWay.video, at=asked)
    accepted = asked + timedelta(hours=2, minutes=35)
    services.accept(request=request, supervisor=rhodri, now=accepted)
    booked = accepted + timedelta(minutes=10)
    one_to_one = _type(rhodri, SessionKind.one_to_one)
    # A Friday, when neither of them has a session; the second one is there in case a developer
    # has filled the first in an older demo database.
    for starts_at in (_next(demo.today, FRI, "10:00", 2), _next(demo.today, FRI, "14:00", 2)):
        ends_at = starts_at + timedelta(minutes=DEBRIEF_MINUTES)
        try:
            check_supervisor_free(rhodri.id, starts_at, ends_at, now=booked, link_worker_ids=(carys.id,))
        except BookingError:
            continue
        session = _session(one_to_one, starts_at, booked)
        session.ends_at = ends_at
        booking = Booking(session=session, link_worker_id=carys.id, status=BookingStatus.confirmed,
                          created_at=booked, updated_at=booked)
        db.session.add(booking)
        db.session.flush()
        booking_events.record(booking, booking_events.Action.booked, actor=rhodri, now=booked)
        request.booking = booking
        record(request, Step.booked, actor=rhodri, now=booked)
        break
    return request


def _held_by_phone(demo: Demo) -> DebriefRequest:
    """A safeguarding concern five weeks ago: talked through by phone; three days later Carys felt
    better; the 28-day check-in has been sent and waits for her answer."""
    rhodri, carys = demo.people[RHODRI], demo.people[CARYS]
    asked = _weeks_ago(demo.today, MON, "16:40", 5)
    request = _ask(demo, CARYS, urgency=Urgency.three_days, category=Category.safeguarding,
                   description=CARYS_COMPLETED, contact_way=ContactWay.phone, at=asked)
    services.accept(request=request, supervisor=rhodri, now=asked + timedelta(hours=16, minutes=35))
    services.record_outcome(request=request, supervisor=rhodri, held_by=HeldBy.phone, outcome=Outcome.supported,
                            notes=CARYS_COMPLETED_NOTES, now=asked + timedelta(hours=21, minutes=50))
    first, last = _check_in(request, 3), _check_in(request, 28)
    _send_check_in(first)
    services.answer_check_in(check_in=first, link_worker=carys, answer=CheckInAnswer.better,
                             now=first.due_at + timedelta(hours=5, minutes=20))
    _send_check_in(last)
    return request


def _declined(demo: Demo) -> DebriefRequest:
    """Rhodri could not give Carys time that week and offered the employee assistance programme."""
    asked = _weeks_ago(demo.today, WED, "11:30", 2)
    request = _ask(demo, CARYS, urgency=Urgency.this_week, category=Category.disclosure,
                   description=CARYS_DECLINED, contact_way=ContactWay.in_person, at=asked)
    services.decline(request=request, supervisor=demo.people[RHODRI], reason=CARYS_DECLINE_REASON,
                     alternative=Alternative.eap, now=asked + timedelta(hours=3, minutes=40))
    return request


def _escalated(demo: Demo) -> DebriefRequest:
    """Lowri's request went unanswered: at half its target every Ogmore supervisor was told, and at
    its target the admin heard that an urgent request is waiting. It is still in their queues."""
    request = _ask(demo, LOWRI, urgency=Urgency.this_week, category=Category.other, description=ESCALATED,
                   contact_way=ContactWay.phone, at=demo.now - timedelta(days=8, hours=3))
    # The escalation job, run at half the target and at the target.
    widen_due(now=request.half_due_at)
    escalate_due(now=request.due_at)
    return request


def _nias(demo: Demo) -> DebriefRequest:
    """Nia's request, in Welsh: Mererid talked it through by phone; three days on Nia felt worse,
    which Mererid sees beside the request."""
    mererid, nia = demo.people[MERERID], demo.people[NIA]
    asked = _weeks_ago(demo.today, TUE, "15:20", 1)
    request = _ask(demo, NIA, urgency=Urgency.three_days, category=Category.suicide_concern,
                   description=NIA_TEXT, contact_way=ContactWay.phone, at=asked)
    services.accept(request=request, supervisor=mererid, now=asked + timedelta(minutes=45))
    services.record_outcome(request=request, supervisor=mererid, held_by=HeldBy.phone,
                            outcome=Outcome.signposted, notes=NIA_NOTES, now=asked + timedelta(hours=19, minutes=40))
    first = _check_in(request, 3)
    _send_check_in(first)
    services.answer_check_in(check_in=first, link_worker=nia, answer=CheckInAnswer.worse,
                             now=first.due_at + timedelta(hours=6))
    return request


def _support_contacts(organisations: dict[str, Organisation]) -> None:
    """Each organisation's employee assistance programme and occupational health, unless its admin
    has already written their own."""
    for name, (eap_en, eap_cy, oh_en, oh_cy) in CONTACTS.items():
        organisation = organisations[name]
        if organisation.eap_en is None and organisation.occupational_health_en is None:
            organisation.eap_en, organisation.eap_cy = eap_en, eap_cy
            organisation.occupational_health_en, organisation.occupational_health_cy = oh_en, oh_cy


# Roughly oldest first, so that the notifications come in the order things happened.
REQUESTS = (_held_by_phone, _declined, _escalated, _nias, _booked, _waiting_today)


def seed_debriefs(organisations: dict[str, Organisation], now: datetime | None = None) -> int:
    """Support contacts and debrief requests; returns how many requests were written."""
    now = now or utcnow()
    _support_contacts(organisations)
    people = {user.email: user for user in db.session.scalars(select(User))}
    demo_link_workers = [people[email].id for email in (CARYS, NIA, LOWRI)]
    if db.session.scalar(select(DebriefRequest.id)
                         .where(DebriefRequest.link_worker_id.in_(demo_link_workers)).limit(1)) is not None:
        return 0
    demo = Demo(people=people, organisations=organisations, now=now, today=now.astimezone(LONDON).date())
    for make in REQUESTS:
        make(demo)
    db.session.flush()
    return len(REQUESTS)
