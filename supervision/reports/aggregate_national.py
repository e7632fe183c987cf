"""Stage 1, the national benchmark's contributions: how many people each organisation brings to
each basis the national rule judges (disclosure_national), reduced to what that rule needs.

One statement, a UNION ALL of `count(DISTINCT person) ... GROUP BY organisation` branches, one
scan each of the quarter's memberships, responses, bookings and debrief requests, so one row per
organisation and family: its cost grows with the quarter's rows as a grouped count does, never
with a ranking or a query per organisation. The organisation ids it groups by never leave
this module: only the number of organisations and the two largest contributions do.

The bookers (those behind the cancellations and no-shows) are counted in the bookings' branch, and
once more in a branch of one row over every organisation, the one second scan of the bookings: no
figure counts them, and the national rule needs their exact number (a person who books in two
organisations counts in both contributions).

The CBI scales have no branch of their own: counting who scored a scale would join every CBI
answer. Each organisation's CBI respondents bound its scored people from above instead, and an
overstated contribution only makes the rule stricter (see disclosure_national).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import fields

from sqlalchemy import Integer, Select, and_, case, cast, distinct, func, literal_column, null, select, union_all

from ..accounts.models import Membership
from ..booking.models import Attendance, Booking, SessionStatus, SupervisionSession
from ..debriefs.models import DebriefCheckIn, DebriefRequest
from ..extensions import db
from ..pulse.models import InstrumentKey, PulseResponse, PulseRound
from .aggregate_people import headcount, rounds_of
from .aggregate_sql import Scope
from .figures import Contribution, Contributions

BASES = tuple(field.name for field in fields(Contributions) if field.name != "bookers_nationally")

# The kinds of row of the one statement, one branch each; its columns: kind, organisation, then up
# to three counts of distinct people, each branch one scan of its rows.
_HEADCOUNT, _RESPONDENTS, _ATTENDING, _DEBRIEFS, _BOOKERS_NATIONALLY = range(5)


def _row(kind: int, organisation, *people) -> list:
    counts = [*people, *(cast(null(), Integer) for _ in range(3 - len(people)))]
    return [literal_column(str(kind), Integer).label("kind"), organisation.label("organisation_id"),
            *(count.label(f"people_{n}") for n, count in enumerate(counts))]


def _distinct(person, when=None):
    return func.count(distinct(person if when is None else case((when, person))))


def _headcount(scope: Scope) -> Select:
    """First: the union's column types are its. headcount() selects its user ids; here the same
    rows, grouped by the membership's organisation."""
    return (headcount(scope, scope.cutoff)
            .with_only_columns(*_row(_HEADCOUNT, Membership.organisation_id, _distinct(Membership.user_id)))
            .group_by(Membership.organisation_id))


def _respondents(scope: Scope) -> Select:
    """Those who answered either instrument, the monthly pulse's and the CBI's respondents. A
    respondent is anyone with a submitted response in the quarter's rounds: the figures take each
    one's latest response, so they are the same people."""
    key = PulseResponse.respondent_key
    return (select(*_row(_RESPONDENTS, PulseRound.organisation_id, _distinct(key),
                         _distinct(key, PulseRound.instrument == InstrumentKey.monthly),
                         _distinct(key, PulseRound.instrument == InstrumentKey.cbi)))
            .join(PulseRound, PulseRound.id == PulseResponse.round_id)
            .where(PulseResponse.submitted.is_(True), *rounds_of(scope))
            .group_by(PulseRound.organisation_id))


def _bookings(scope: Scope, kind: int, organisation, *people) -> Select:
    """The bookings of the sessions that started in the quarter, as aggregate_supervision counts
    them, whatever became of the booking or the session."""
    return (select(*_row(kind, organisation, *people))
            .select_from(SupervisionSession).join(Booking, Booking.session_id == SupervisionSession.id)
            .where(scope.within(SupervisionSession.starts_at),
                   *scope.of_organisation(SupervisionSession.organisation_id)))


def _attending(scope: Scope) -> Select:
    """As aggregate_supervision's people attending, and the bookers: every link worker with a
    booking, whose cancellations and no-shows those figures count. The conditions on the booking
    and the session are counted, not filtered: filtered, SQLite picks the sessions by status over
    every quarter rather than by organisation and start, and takes twice as long."""
    attended = and_(Booking.attendance == Attendance.attended, SupervisionSession.status == SessionStatus.active)
    return (_bookings(scope, _ATTENDING, SupervisionSession.organisation_id,
                      _distinct(Booking.link_worker_id, attended), _distinct(Booking.link_worker_id))
            .group_by(SupervisionSession.organisation_id))


def _bookers_nationally(scope: Scope) -> Select:
    """The bookers counted once over every organisation, one row: someone who books in two counts in
    both organisations' contributions, and the national rule must not count them twice."""
    return _bookings(scope, _BOOKERS_NATIONALLY, cast(null(), Integer), _distinct(Booking.link_worker_id))


def _debriefs(scope: Scope) -> Select:
    """Those behind the requests, and those behind check-ins answered before the cut-off (as
    aggregate_debriefs reads every state: as at the cut-off)."""
    return (select(*_row(_DEBRIEFS, DebriefRequest.organisation_id, _distinct(DebriefRequest.link_worker_id),
                         _distinct(DebriefRequest.link_worker_id, DebriefCheckIn.answered_at < scope.cutoff)))
            .outerjoin(DebriefCheckIn, DebriefCheckIn.request_id == DebriefRequest.id)
            .where(scope.within(DebriefRequest.created_at), *scope.of_organisation(DebriefRequest.organisation_id))
            .group_by(DebriefRequest.organisation_id))


def contribution(people: list[int]) -> Contribution:
    """The organisations bringing anyone, and the two largest numbers of people brought."""
    brought = sorted((count for count in people if count > 0), reverse=True)
    return Contribution(organisations=len(brought), largest=brought[0] if brought else 0,
                        second=brought[1] if len(brought) > 1 else 0)


def contributions(scope: Scope) -> Contributions:
    """One query, whatever the data. Meant for the national scope; for one organisation it gives
    that organisation's own counts as the largest contributions."""
    statement = union_all(_headcount(scope), _respondents(scope), _attending(scope), _debriefs(scope),
                          _bookers_nationally(scope))
    people: dict[str, list[int]] = defaultdict(list)
    names = {_HEADCOUNT: ("link_workers",), _RESPONDENTS: ("answered", "monthly", "cbi"),
             _ATTENDING: ("attending", "bookers"), _DEBRIEFS: ("requesters", "check_in_people"),
             _BOOKERS_NATIONALLY: ("bookers_nationally",)}
    for kind, _organisation, *counts in db.session.execute(statement):
        for basis, count in zip(names[kind], counts):
            people[basis].append(int(count or 0))
    return Contributions(**{basis: contribution(people[basis]) for basis in BASES},
                         bookers_nationally=sum(people["bookers_nationally"]))
