"""Demo wellbeing surveys: a year of monthly rounds and the quarterly CBI rounds in both demo
organisations, with invitations and answers; Carys's trend (mostly 2, a stretch at 3, CBI personal
burnout between 45 and 58), shared with Dr Rhodri Evans, who has looked at it once; Nia's answers
in Welsh; one Ogmore link worker on leave. Development only.

Every round is closed except this month's monthly round, which the demo opens 3 days before "now"
so that people can try answering it (in real use rounds open on the first working day of the
month: see pulse/rounds.py). This month's CBI round, in a quarter's first month, is left to the
scheduler. Everyone else's answers come from a seeded random generator, so every seeding gives the
same answers; none of them is free text except Carys's and Nia's two comments each.

Running it twice changes nothing: once Carys has answers, the surveys are left alone.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from .accounts.models import Organisation, User
from .db import utcnow
from .demo_booking import CARYS, LONDON, NIA, RHODRI
from .extensions import db
from .pulse.instruments import CBI, MONTHLY
from .pulse.models import (
    ROUND_DAYS,
    InstrumentKey,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseRound,
    SurveyLeave,
    TrendShare,
    TrendShareView,
)
from .pulse.respondent import respondent_key
from .pulse.rounds import QUARTER_FIRST_MONTHS, eligible_user_ids, opening_time

PAST_MONTHS = 11  # with this month's open round, a year of monthly rounds
WELSH_SPEAKERS = {NIA, "gwenllian.bowen@teifi.example.org"}
ON_LEAVE = "megan.roberts@ogmore.example.org"
# Carys's single item, oldest month first: mostly 2, with a stretch at 3 in the middle.
CARYS_SINGLE = (2, 2, 1, 2, 2, 3, 3, 3, 2, 2, 2)
# Her CBI personal answers, scoring 45.8, 50.0, 58.3 and 54.2; the last ones go to the latest quarters.
CARYS_PERSONAL = ((75, 50, 50, 25, 50, 25), (75, 50, 50, 25, 75, 25), (75, 75, 50, 25, 75, 50),
                  (75, 50, 75, 25, 50, 50))
CARYS_WORK = {"W1": 50, "W2": 25, "W3": 50, "W4": 75, "W5": 25, "W6": 25, "W7": 50}  # 42.9
CARYS_CLIENT = {"C1": 25, "C2": 25, "C3": 50, "C4": 50, "C5": 25, "C6": 0}  # 29.2
CARYS_COMMENTS = {
    5: "Three hard weeks: several people I support lost their benefits at once and the waiting list grew.",
    7: "Better after supervision with Rhodri. I have started blocking out Friday afternoons for notes.",
}
NIA_COMMENTS = {
    6: "Mis prysur. Mae siarad â Mererid ar ôl achos anodd wedi helpu.",
    9: "Teimlo'n well. Mae'r grŵp cymheiriaid yn gefn mawr.",
}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def before(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)


def _round(organisation: Organisation, instrument: InstrumentKey, month: Month, *,
           opens_at: datetime | None = None) -> PulseRound:
    """The round if it exists (the scheduler may have opened it), else a new one: closed when it
    has no `opens_at`, at the times the scheduler would have used."""
    existing = db.session.scalar(select(PulseRound).where(
        PulseRound.organisation_id == organisation.id, PulseRound.instrument == instrument,
        PulseRound.year == month.year, PulseRound.month == month.month))
    if existing is not None:
        return existing
    closed = opens_at is None
    if closed:
        opens_at = opening_time(month.year, month.month, organisation.working_days,
                                organisation.working_day_start_minute)
    closes_at = opens_at + timedelta(days=ROUND_DAYS)
    pulse_round = PulseRound(organisation_id=organisation.id, instrument=instrument, year=month.year,
                             month=month.month, opens_at=opens_at, closes_at=closes_at,
                             closed_at=closes_at if closed else None)
    db.session.add(pulse_round)
    return pulse_round


def _rounds(organisation: Organisation, now: datetime) -> tuple[list[PulseRound], PulseRound]:
    today = now.astimezone(LONDON).date()
    this_month = Month(today.year, today.month)
    past = []
    for months in range(PAST_MONTHS, 0, -1):
        month = this_month.before(months)
        past.append(_round(organisation, InstrumentKey.monthly, month))
        if month.month in QUARTER_FIRST_MONTHS:
            past.append(_round(organisation, InstrumentKey.cbi, month))
    current = _round(organisation, InstrumentKey.monthly, this_month, opens_at=now - timedelta(days=3))
    db.session.flush()
    return past, current


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _someones_answers(email: str, pulse_round: PulseRound) -> dict[str, int] | None:
    """A colleague's answers, or None when they skipped this round: the same on every seeding.
    Nia, a documented demo account, never skips one, so that her trend is there in Welsh."""
    level = random.Random(f"cwtch-demo:{email}").choice((1, 2, 2, 2, 3))
    rng = random.Random(f"cwtch-demo:{email}:{pulse_round.year}-{pulse_round.month}:{pulse_round.instrument.value}")
    if rng.random() < 0.15 and email != NIA:
        return None
    if pulse_round.instrument == InstrumentKey.monthly:
        answers = {"B1": _clamp(level + rng.choice((-1, 0, 0, 0, 1)), 1, 5)}
        answers |= {item: rng.choice((2, 3, 4, 4, 5)) for item in ("S1", "S2", "S3")}
        return answers
    base = 25 * level
    answers = {item.id: _clamp(base + rng.choice((-25, 0, 0, 25)), 0, 100) for item in CBI.items}
    answers["W7"] = 100 - answers["W7"]  # a tired person seldom has energy left: reversed
    return answers


def _carys_answers(past: list[PulseRound], cbi_count: int) -> dict[int, tuple[dict[str, int], str | None]]:
    answers: dict[int, tuple[dict[str, int], str | None]] = {}
    monthly = [r for r in past if r.instrument == InstrumentKey.monthly]
    for index, (pulse_round, single) in enumerate(zip(monthly, CARYS_SINGLE[-len(monthly):])):
        support = {"S1": 2 if single >= 3 else 4, "S2": 4, "S3": 3}
        answers[pulse_round.id] = ({"B1": single, **support}, CARYS_COMMENTS.get(index))
    quarterly = [r for r in past if r.instrument == InstrumentKey.cbi]
    for pulse_round, personal in zip(quarterly, CARYS_PERSONAL[-cbi_count:]):
        values = {f"P{i}": value for i, value in enumerate(personal, start=1)}
        answers[pulse_round.id] = ({**values, **CARYS_WORK, **CARYS_CLIENT}, None)
    return answers


def _respond(pulse_round: PulseRound, person: User, answers: dict[str, int], *, comment: str | None,
             language: str) -> PulseResponse:
    instrument = MONTHLY if pulse_round.instrument == InstrumentKey.monthly else CBI
    response = PulseResponse(
        round_id=pulse_round.id, organisation_id=pulse_round.organisation_id, respondent_key=respondent_key(person.id),
        instrument=pulse_round.instrument, instrument_version=instrument.version, language=language,
        submitted=True, comment=comment if instrument.has_comment else None,
        answers=[PulseAnswer(item=item, value=value) for item, value in sorted(answers.items())])
    db.session.add(response)
    return response


def _seed_organisation(organisation: Organisation, people: dict[int, User], now: datetime) -> int:
    past, current = _rounds(organisation, now)
    round_ids = [r.id for r in (*past, current)]
    invited = {tuple(row) for row in db.session.execute(select(PulseInvitation.round_id, PulseInvitation.user_id)
                                                         .where(PulseInvitation.round_id.in_(round_ids)))}
    # Answers given for real, if the scheduler opened a round before the demo reached it.
    answered = {tuple(row) for row in db.session.execute(select(PulseResponse.round_id, PulseResponse.respondent_key)
                                                          .where(PulseResponse.round_id.in_(round_ids)))}
    carys_cbi = sum(r.instrument == InstrumentKey.cbi for r in past)
    month_index = {r.id: i for i, r in enumerate(r for r in past if r.instrument == InstrumentKey.monthly)}
    written = 0
    for user_id in eligible_user_ids(organisation.id):
        person = people[user_id]
        carys = _carys_answers(past, carys_cbi) if person.email == CARYS else {}
        language = "cy" if person.email in WELSH_SPEAKERS else "en"
        for pulse_round in (*past, current):
            answers, comment = None, None
            if person.email == CARYS:
                answers, comment = carys.get(pulse_round.id, (None, None))
            elif pulse_round is not current or person.email not in (NIA, ON_LEAVE):
                answers = _someones_answers(person.email, pulse_round)
                # This month's round has only just opened: a few have answered already.
                if pulse_round is current and random.Random(f"cwtch-demo:{person.email}:now").random() > 0.3:
                    answers = None
                if person.email == NIA and pulse_round.instrument == InstrumentKey.monthly:
                    comment = NIA_COMMENTS.get(month_index.get(pulse_round.id, -1))
            if (pulse_round.id, respondent_key(user_id)) in answered:
                continue
            if answers is not None:
                _respond(pulse_round, person, answers, comment=comment, language=language)
                written += 1
            if (pulse_round.id, user_id) not in invited:
                db.session.add(PulseInvitation(round_id=pulse_round.id, user_id=user_id, answered=answers is not None))
    return written


def _leave_and_share(by_email: dict[str, User], now: datetime) -> None:
    megan, carys, rhodri = by_email[ON_LEAVE], by_email[CARYS], by_email[RHODRI]
    today = now.astimezone(LONDON).date()
    if db.session.scalar(select(SurveyLeave.id).where(SurveyLeave.user_id == megan.id).limit(1)) is None:
        db.session.add(SurveyLeave(user_id=megan.id, starts_on=today - timedelta(days=5),
                                   ends_on=today + timedelta(days=9), created_by_id=megan.id,
                                   created_at=now - timedelta(days=12)))
    if db.session.scalar(select(TrendShare.id).where(TrendShare.owner_id == carys.id).limit(1)) is None:
        db.session.add(TrendShare(owner_id=carys.id, supervisor_id=rhodri.id, created_at=now - timedelta(days=20),
                                  views=[TrendShareView(viewed_at=now - timedelta(days=13, hours=2))]))


def seed_pulse(organisations: dict[str, Organisation], now: datetime | None = None) -> int:
    """Rounds, invitations, answers, leave and a trend share; returns how many responses were written."""
    now = now or utcnow()
    by_email = {user.email: user for user in db.session.scalars(select(User))}
    if db.session.scalar(select(PulseResponse.id).where(
            PulseResponse.respondent_key == respondent_key(by_email[CARYS].id)).limit(1)) is not None:
        return 0
    people = {user.id: user for user in by_email.values()}
    written = sum(_seed_organisation(organisation, people, now) for organisation in organisations.values())
    _leave_and_share(by_email, now)
    db.session.flush()
    return written

