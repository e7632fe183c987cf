"""A seeded, realistic world for the quarterly reports: organisations of link workers with their
supervisors, employer and admin, and five quarters (or more) of monthly pulses and quarterly CBIs,
supervision sessions (attended, cancelled by each side, missed), debrief requests with check-ins,
and reflections. Written with bulk inserts, so that the benchmark can build thousands of people.

Every free-text field, and every name and email, carries a distinctive canary, so that a test can
search a report for each of them: none may ever reach one. Random, but the same for the same seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from supervision.accounts.models import Membership, Organisation, OrganisationKind, Region, Role, User
from supervision.booking.events import Action
from supervision.booking.models import (Attendance, Booking, BookingEvent, BookingStatus, LocationKind, SessionKind,
                                        SessionRecord, SessionStatus, SessionType, SupervisionSession)
from supervision.debriefs.models import (Alternative, Category, CheckInAnswer, ContactWay, DebriefCheckIn,
                                         DebriefRequest, HeldBy, Outcome, RequestStatus, Urgency)
from supervision.extensions import db
from supervision.pulse.instruments import CBI
from supervision.pulse.models import InstrumentKey, PulseAnswer, PulseInvitation, PulseResponse, PulseRound
from supervision.pulse.respondent import respondent_key
from supervision.reflections.models import Reflection, Status
from supervision.reflections.structures import SECTIONS, Structure
from supervision.reports.quarters import Quarter

UTC = timezone.utc
REPORTED = Quarter(2026, 3)  # the quarter the tests report on; the world holds it and the 4 before
JOINED_ON = datetime(2026, 7, 15, 9, tzinfo=UTC)  # when the newcomer of a one-joined organisation arrives
CANARY = "CANARY"  # in every canary, so that one search finds any of them
CBI_ITEMS = tuple(item.id for item in CBI.items)
CHUNK = 5_000  # rows per bulk insert


@dataclass
class WorldOrganisation:
    label: str
    id: int
    name: str
    link_worker_ids: list[int]
    newcomer_id: int | None = None  # the one person who joined in the reported quarter


@dataclass
class World:
    quarter: Quarter  # the newest quarter with data: the one reported on
    organisations: dict[str, WorldOrganisation]
    canaries: set[str] = field(default_factory=set)  # every free text written
    names: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    respondent_keys: set[str] = field(default_factory=set)
    survey_responses: int = 0


@dataclass(frozen=True)
class Plan:
    """One organisation to build: `size` link workers from the start; with `one_joined`, a newcomer
    arrives in the reported quarter and every other link worker answers every pulse, so that the
    quarter's respondents are the previous quarter's plus exactly one person."""

    label: str
    size: int
    one_joined: bool = False
    supervisors: int | None = None
    standard_days: int = 30
    monthly_participation: float = 0.8  # the chance that a link worker answers a monthly pulse
    cbi_participation: float = 0.7


class _Builder:
    def __init__(self, seed: int, quarters: tuple[Quarter, ...]) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.quarters = quarters
        self.world = World(quarter=quarters[-1], organisations={})
        self.counter = 0
        self.joined_at: dict[int, datetime] = {}
        self.left_at: dict[int, datetime] = {}

    def there(self, user_id: int, moment: datetime) -> bool:
        """Was this link worker with their organisation at that moment?"""
        left = self.left_at.get(user_id)
        return self.joined_at[user_id] < moment and (left is None or moment < left)

    # --- text ------------------------------------------------------------------------------------

    def canary(self, kind: str) -> str:
        self.counter += 1
        text = f"{CANARY}-{kind}-{self.seed}-{self.counter:06d}"
        self.world.canaries.add(text)
        return text

    def sentence(self, kind: str) -> str:
        """A free text with a canary in it, like what people write."""
        return f"Met Mrs Jones at the surgery on 14/08/2026 at 10:30 about {self.canary(kind)}; hard week."

    def person(self, organisation: str, role: str, number: int) -> dict:
        name = f"Gwenllian {CANARY.title()}{role.title()}{organisation.title()}{number:04d} ap Rhys"
        email = f"{role}{number}.{organisation}.{self.seed}@canary-{organisation}.example.org".lower()
        self.world.names.add(name)
        self.world.emails.add(email)
        return {"name": name, "email": email, "password_hash": "not a real hash",
                "preferred_language": "cy" if number % 5 == 0 else "en",
                "created_at": datetime(2025, 1, 2, tzinfo=UTC)}

    # --- people ----------------------------------------------------------------------------------

    def organisation(self, plan: Plan) -> tuple[WorldOrganisation, list[int]]:
        organisation = Organisation(name=f"Leak test {plan.label} ({self.seed})", kind=OrganisationKind.primary_care,
                                    region=Region.powys, supervision_standard_days=plan.standard_days)
        db.session.add(organisation)
        db.session.flush()
        # Joiners arrive in a random quarter (except in a one-joined organisation, whose only joiner
        # arrives in the reported quarter); one person left (an inactive account) in larger ones.
        joiners = 1 if plan.one_joined else plan.size // 12
        leaving = 0 if plan.one_joined or plan.size < 12 else 1
        # Those there from the start: so many that the reported quarter's headcount is plan.size (the
        # one-joined organisation's newcomer comes on top).
        first = plan.size - (0 if plan.one_joined else joiners) + leaving
        supervisors = plan.supervisors or max(1, plan.size // 6)
        people = ([(Role.link_worker, n) for n in range(first + joiners)]
                  + [(Role.supervisor, n) for n in range(supervisors)] + [(Role.employer, 0), (Role.admin, 0)])
        rows = [self.person(plan.label, role.value, n) for role, n in people]
        leaver = first - 1 if leaving else None
        for (role, n), row in zip(people, rows):
            row["active"] = not (role == Role.link_worker and n == leaver)
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows).all()
        start = datetime.combine(self.quarters[0].first_day, datetime.min.time(), UTC) - timedelta(days=40)
        joined_at: dict[int, datetime] = {}
        memberships = []
        for (role, n), user_id in zip(people, ids):
            since = start
            if role == Role.link_worker and n >= first:
                since = JOINED_ON if plan.one_joined else self._some_time(self.rng.choice(self.quarters[1:]))
            if role == Role.link_worker:
                joined_at[user_id] = since
            memberships.append({"user_id": user_id, "organisation_id": organisation.id, "role": role,
                                "created_at": since})
        db.session.execute(insert(Membership), memberships)
        link_workers = [user_id for (role, n), user_id in zip(people, ids) if role == Role.link_worker]
        active = [user_id for (role, n), user_id in zip(people, ids) if role == Role.link_worker and n != leaver]
        supervisor_ids = [user_id for (role, _n), user_id in zip(people, ids) if role == Role.supervisor]
        newcomer = link_workers[-1] if plan.one_joined else None
        built = WorldOrganisation(plan.label, organisation.id, organisation.name, active, newcomer)
        self.world.organisations[plan.label] = built
        self._supervisors = supervisor_ids
        self.joined_at.update(joined_at)
        if leaver is not None:
            # They left (their account is now inactive) some weeks before the reported quarter.
            self.left_at[link_workers[leaver]] = self.quarters[-1].start - timedelta(days=20)
        return built, link_workers

    def _some_time(self, quarter: Quarter) -> datetime:
        """A moment in the first 80 days of a quarter, in working hours."""
        day = datetime.combine(quarter.first_day, datetime.min.time(), UTC)
        return day + timedelta(days=self.rng.randrange(80), hours=self.rng.randrange(8, 17),
                               minutes=self.rng.choice((0, 15, 30, 45)))

    # --- surveys ---------------------------------------------------------------------------------

    def surveys(self, plan: Plan, organisation_id: int, link_workers: list[int]) -> None:
        rounds, keys = [], {user_id: respondent_key(user_id) for user_id in link_workers}
        self.world.respondent_keys.update(keys.values())
        for quarter in self.quarters:
            for month in quarter.months:
                rounds.append((InstrumentKey.monthly, quarter.year, month))
            rounds.append((InstrumentKey.cbi, quarter.year, quarter.months[1]))
        round_rows = []
        for instrument, year, month in rounds:
            opens = datetime(year, month, 1, 9, tzinfo=UTC)
            round_rows.append({"organisation_id": organisation_id, "instrument": instrument, "year": year,
                               "month": month, "opens_at": opens, "closes_at": opens + timedelta(days=14),
                               "closed_at": opens + timedelta(days=14)})
        round_ids = db.session.scalars(
            insert(PulseRound).returning(PulseRound.id, sort_by_parameter_order=True), round_rows).all()
        invitations, responses, answers = [], [], []
        for (instrument, year, month), round_id, row in zip(rounds, round_ids, round_rows):
            for user_id in link_workers:
                if not self.there(user_id, row["opens_at"]):
                    continue
                chance = 1.0 if plan.one_joined else (
                    plan.monthly_participation if instrument == InstrumentKey.monthly else plan.cbi_participation)
                answered = self.rng.random() < chance
                invitations.append({"round_id": round_id, "user_id": user_id, "answered": answered})
                if not answered:
                    if self.rng.random() < 0.1:  # a draft left unsubmitted: never counted, never shown
                        responses.append(self._response(round_id, organisation_id, keys[user_id], instrument,
                                                        submitted=False))
                    continue
                response = self._response(round_id, organisation_id, keys[user_id], instrument, submitted=True)
                responses.append(response)
                answers += self._answers(response["id"], instrument, user_id)
        self.world.survey_responses += sum(1 for response in responses if response["submitted"])
        for rows, model in ((invitations, PulseInvitation), (responses, PulseResponse), (answers, PulseAnswer)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(model), rows[start:start + CHUNK])

    def _response(self, round_id: int, organisation_id: int, key: str, instrument: InstrumentKey, *,
                  submitted: bool) -> dict:
        comment = self.sentence("pulse-comment") if instrument == InstrumentKey.monthly and self.rng.random() < 0.3 \
            else None
        return {"id": f"{self.rng.getrandbits(128):032x}", "round_id": round_id, "organisation_id": organisation_id,
                "respondent_key": key, "instrument": instrument, "instrument_version": "1",
                "language": "cy" if self.rng.random() < 0.15 else "en", "submitted": submitted, "comment": comment}

    def _answers(self, response_id: str, instrument: InstrumentKey, user_id: int) -> list[dict]:
        # Each person leans one way, so that their answers hang together from month to month.
        lean = (user_id * 7919 + self.seed) % 5
        if instrument == InstrumentKey.monthly:
            single = min(5, max(1, 1 + lean // 2 + self.rng.choice((-1, 0, 0, 1))))
            values = {"B1": single, **{item: self.rng.choices((1, 2, 3, 4, 5), (1, 2, 3, 5, 3))[0]
                                       for item in ("S1", "S2", "S3")}}
        else:
            values = {item: min(100, max(0, 25 * (lean - 1) + self.rng.choice((-25, 0, 0, 25, 50))))
                      for item in CBI_ITEMS if self.rng.random() < 0.93}
        return [{"response_id": response_id, "item": item, "value": value} for item, value in values.items()]

    # --- supervision -----------------------------------------------------------------------------

    def supervision(self, organisation_id: int, link_workers: list[int]) -> None:
        types = []
        for supervisor in self._supervisors:
            types.append({"supervisor_id": supervisor, "organisation_id": organisation_id,
                          "kind": SessionKind.one_to_one, "name": f"One-to-one {self.canary('session-type')}",
                          "length_minutes": 60, "capacity": 1, "min_attendees": 1,
                          "location_kind": LocationKind.online,
                          "online_link": f"https://meet.example.org/{self.canary('link')}"})
        type_ids = db.session.scalars(
            insert(SessionType).returning(SessionType.id, sort_by_parameter_order=True), types).all()
        sessions, outcomes = [], []
        for index, user_id in enumerate(link_workers):
            supervisor_index = index % len(self._supervisors)
            for quarter in self.quarters:
                for month in quarter.months:
                    starts = datetime(quarter.year, month, self.rng.randrange(1, 28), self.rng.randrange(9, 16),
                                      tzinfo=UTC)
                    if not self.there(user_id, starts) or self.rng.random() > 0.85:
                        continue
                    outcome = self.rng.choices(("attended", "no_show", "by_link_worker", "by_supervisor",
                                                "session_cancelled"), (70, 8, 10, 7, 5))[0]
                    sessions.append({
                        "supervisor_id": self._supervisors[supervisor_index], "organisation_id": organisation_id,
                        "session_type_id": type_ids[supervisor_index], "kind": SessionKind.one_to_one,
                        "starts_at": starts, "ends_at": starts + timedelta(minutes=self.rng.choice((45, 60, 90))),
                        "capacity": 1, "min_attendees": 1, "location_kind": LocationKind.online,
                        "online_link": f"https://meet.example.org/{self.canary('link')}",
                        "status": SessionStatus.cancelled if outcome == "session_cancelled" else SessionStatus.active,
                        "cancelled_at": starts - timedelta(days=1) if outcome == "session_cancelled" else None})
                    outcomes.append((user_id, outcome))
        session_ids = self._insert_returning(SupervisionSession, sessions)
        bookings = [{
            "session_id": session_id, "link_worker_id": user_id,
            "status": BookingStatus.confirmed if outcome in ("attended", "no_show") else BookingStatus.cancelled,
            "attendance": {"attended": Attendance.attended, "no_show": Attendance.no_show}.get(outcome),
            "agenda": self.sentence("agenda") if self.rng.random() < 0.5 else None,
            "created_at": session["starts_at"] - timedelta(days=10)}
            for session_id, session, (user_id, outcome) in zip(session_ids, sessions, outcomes)]
        booking_ids = self._insert_returning(Booking, bookings)
        events, records = [], []
        for booking_id, session, booking, (user_id, outcome) in zip(booking_ids, sessions, bookings, outcomes):
            if outcome == "attended":
                records.append({"booking_id": booking_id, "normative": self.sentence("record"),
                                "restorative": self.sentence("record"), "actions": self.sentence("action"),
                                "updated_by_id": session["supervisor_id"]})
            action, actor = {"attended": (Action.attended, session["supervisor_id"]),
                             "no_show": (Action.no_show, session["supervisor_id"]),
                             "by_link_worker": (Action.cancelled, user_id),
                             "by_supervisor": (Action.cancelled, session["supervisor_id"]),
                             "session_cancelled": (Action.session_cancelled, session["supervisor_id"])}[outcome]
            events.append({"booking_id": booking_id, "actor_id": actor, "action": action.value,
                           "reason": self.sentence("cancel-reason") if action != Action.attended else None,
                           "created_at": session["starts_at"] - timedelta(days=1)})
        for rows, model in ((events, BookingEvent), (records, SessionRecord)):
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(model), rows[start:start + CHUNK])

    def _insert_returning(self, model, rows: list[dict]) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(rows), CHUNK):
            ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                      rows[start:start + CHUNK]).all()
        return ids

    # --- debriefs and reflections ----------------------------------------------------------------

    def debriefs(self, plan: Plan, organisation_id: int, link_workers: list[int]) -> None:
        requests, check_ins = [], []
        for quarter in self.quarters:
            for _ in range(max(1, round(plan.size * self.rng.uniform(0.25, 0.45)))):
                created = self._some_time(quarter)
                present = [u for u in link_workers if self.there(u, created)]
                if not present:
                    continue
                user_id = self.rng.choice(present)
                status = self.rng.choices(list(RequestStatus), (5, 10, 60, 15, 10))[0]
                urgency = self.rng.choices(list(Urgency), (2, 5, 3))[0]
                due = created + timedelta(hours={"today": 8, "three_days": 72, "this_week": 168}[urgency.value])
                accepted = created + timedelta(minutes=self.rng.randrange(10, 4000)) \
                    if status in (RequestStatus.accepted, RequestStatus.completed) else None
                closed = (accepted or created) + timedelta(hours=self.rng.randrange(2, 120)) \
                    if status in (RequestStatus.completed, RequestStatus.declined, RequestStatus.withdrawn) else None
                requests.append({
                    "organisation_id": organisation_id, "link_worker_id": user_id, "urgency": urgency,
                    "category": self.rng.choices(list(Category), (3, 4, 3, 2, 2, 2))[0],
                    "description": self.sentence("debrief"), "contact_way": self.rng.choice(list(ContactWay)),
                    "status": status, "created_at": created, "half_due_at": created + (due - created) / 2,
                    "due_at": due, "escalated_at": due if self.rng.random() < 0.15 else None,
                    "accepted_at": accepted, "closed_at": closed,
                    "handler_id": self._supervisors[0] if accepted else None,
                    "held_by": HeldBy.phone if status == RequestStatus.completed else None,
                    "outcome": self.rng.choice(list(Outcome)) if status == RequestStatus.completed else None,
                    "notes": self.sentence("debrief-notes") if status == RequestStatus.completed else None,
                    "decline_reason": self.sentence("decline") if status == RequestStatus.declined else None,
                    "alternative": Alternative.eap if status == RequestStatus.declined else None})
        request_ids = self._insert_returning(DebriefRequest, requests)
        for request_id, request in zip(request_ids, requests):
            if request["status"] != RequestStatus.completed:
                continue
            for day in (3, 28):
                answer = self.rng.choice(list(CheckInAnswer)) if self.rng.random() < 0.7 else None
                due = request["closed_at"] + timedelta(days=day)
                check_ins.append({"request_id": request_id, "day": day, "due_at": due, "sent_at": due,
                                  "answer": answer, "answered_at": due + timedelta(hours=3) if answer else None})
        if check_ins:
            db.session.execute(insert(DebriefCheckIn), check_ins)

    def reflections(self, link_workers: list[int]) -> None:
        rows = []
        for user_id in link_workers:
            for quarter in self.quarters:
                for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
                    created = self._some_time(quarter)
                    if not self.there(user_id, created):
                        continue
                    structure = self.rng.choice(list(Structure))
                    draft = self.rng.random() < 0.15
                    rows.append({"author_id": user_id, "structure": structure,
                                 "status": Status.draft if draft else Status.complete,
                                 "title": self.canary("reflection-title"),
                                 "practice_date": None if draft else created.date() - timedelta(days=1),
                                 "sections": {section.key: self.sentence("reflection")
                                              for section in SECTIONS[structure]},
                                 "actions": self.sentence("reflection-action"), "created_at": created,
                                 "updated_at": created})
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(Reflection), rows[start:start + CHUNK])


def build_world(plans: list[Plan], *, seed: int = 9, quarters: int = 5, last: Quarter = REPORTED) -> World:
    """Build every planned organisation's people and data for `quarters` quarters up to `last`, and
    commit. Call inside an app context, on an empty database (or one whose names differ by seed)."""
    builder = _Builder(seed, (*last.previous_ones(quarters - 1), last))
    for plan in plans:
        built, link_workers = builder.organisation(plan)
        builder.surveys(plan, built.id, link_workers)
        builder.supervision(built.id, link_workers)
        builder.debriefs(plan, built.id, link_workers)
        builder.reflections(link_workers)
        db.session.commit()
    return builder.world


# The organisations of the leak test: link workers numbering 4, 12 and 40, and one where exactly one
# person joined in the reported quarter.
LEAK_PLANS = [Plan("four", 4), Plan("twelve", 12), Plan("forty", 40), Plan("joined", 9, one_joined=True)]
