"""When rounds open, and who is asked.

- A monthly round opens on the organisation's first working day of each month, when its working
  day starts (London time), so nobody is told of a survey at midnight; a CBI round opens beside it
  in the first month of each quarter. Each stays open 14 days, and reminders follow from the
  opening time, so they too come in working hours.
- If the scheduler was down that day, the round opens on its next run, as long as it is still
  inside those 14 days: a late round closes when it would have closed anyway.
- A person is asked once a month, by the organisation of their first link-worker membership, so
  that nobody answers the same survey twice because they work for two organisations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Membership, Organisation, Role, User
from ..extensions import db
from .models import ROUND_DAYS, InstrumentKey, PulseInvitation, PulseRound

LONDON = ZoneInfo("Europe/London")
QUARTER_FIRST_MONTHS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Period:
    instrument: InstrumentKey
    year: int
    month: int
    opens_at: datetime  # UTC
    closes_at: datetime  # UTC


def first_working_day(year: int, month: int, working_days: int) -> date:
    """The first date of the month whose weekday is in the mask (Monday = 1 … Sunday = 64)."""
    day = date(year, month, 1)
    for _ in range(7):
        if working_days & (1 << day.weekday()):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day in the week")


def opening_time(year: int, month: int, working_days: int, start_minute: int) -> datetime:
    """When a month's round opens: the start of the first working day, in UTC."""
    start = first_working_day(year, month, working_days)
    wall = datetime.combine(start, time(0)) + timedelta(minutes=start_minute)
    return wall.replace(tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def periods_for(working_days: int, start_minute: int, now: datetime) -> list[Period]:
    """The rounds an organisation should have open at this moment (pure)."""
    today = now.astimezone(LONDON).date()
    opens_at = opening_time(today.year, today.month, working_days, start_minute)
    closes_at = opens_at + timedelta(days=ROUND_DAYS)
    if not (opens_at <= now < closes_at):
        return []
    instruments = [InstrumentKey.monthly]
    if today.month in QUARTER_FIRST_MONTHS:
        instruments.append(InstrumentKey.cbi)
    return [Period(i, today.year, today.month, opens_at, closes_at) for i in instruments]


def open_round(organisation: Organisation, period: Period) -> PulseRound | None:
    """Create the round unless it exists; None when another run got there first."""
    existing = db.session.scalar(select(PulseRound).where(
        PulseRound.organisation_id == organisation.id, PulseRound.instrument == period.instrument,
        PulseRound.year == period.year, PulseRound.month == period.month))
    if existing is not None:
        return None
    pulse_round = PulseRound(organisation_id=organisation.id, instrument=period.instrument, year=period.year,
                             month=period.month, opens_at=period.opens_at, closes_at=period.closes_at)
    try:
        with db.session.begin_nested():
            db.session.add(pulse_round)
    except IntegrityError:
        return None
    return pulse_round


def eligible_user_ids(organisation_id: int) -> list[int]:
    """Active link workers whose first link-worker membership is this organisation."""
    first = (select(Membership.user_id, db.func.min(Membership.id).label("first_id"))
             .where(Membership.role == Role.link_worker).group_by(Membership.user_id).subquery())
    return list(db.session.scalars(
        select(Membership.user_id)
        .join(first, first.c.first_id == Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation_id, User.active.is_(True))
        .order_by(Membership.user_id)
    ))


def invite(pulse_round: PulseRound) -> list[PulseInvitation]:
    """Invite everyone eligible who has not been invited yet (people who joined mid-round too).
    Someone already asked this month, by another organisation they have since moved from, is
    not asked again."""
    invited = set(db.session.scalars(
        select(PulseInvitation.user_id).join(PulseRound, PulseRound.id == PulseInvitation.round_id)
        .where(PulseRound.instrument == pulse_round.instrument, PulseRound.year == pulse_round.year,
               PulseRound.month == pulse_round.month)))
    new = [PulseInvitation(round_id=pulse_round.id, user_id=user_id)
           for user_id in eligible_user_ids(pulse_round.organisation_id) if user_id not in invited]
    if not new:
        return []
    try:
        with db.session.begin_nested():  # one INSERT for everyone new
            db.session.add_all(new)
    except IntegrityError:
        # Another run invited some of them meanwhile: add the rest one at a time.
        new = [_invite_one(pulse_round.id, invitation.user_id) for invitation in new]
        return [invitation for invitation in new if invitation is not None]
    return new


def _invite_one(round_id: int, user_id: int) -> PulseInvitation | None:
    invitation = PulseInvitation(round_id=round_id, user_id=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError:
        return None
    return invitation
