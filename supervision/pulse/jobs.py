"""The survey jobs: opening each month's rounds and inviting people, the day-3 and day-10
reminders, and closing rounds after their 14 days.

Each is idempotent. Rounds and invitations are unique in the database (rounds.py); reminders and
closing are claimed with a conditional UPDATE before anyone is told or anything is deleted, so two
runs never act twice; the notifications' de-duplication keys guard as well. A run asks a number
of queries bounded by the number of organisations and open rounds, not of people, except where a
row per person is written: each new invitation (rounds.invite) and each message.

The rules for who hears what, and when:
- A person newly invited is told once that the survey is open, unless they are on leave that day.
  That message stands in for any reminder already due (someone who joins on day 5 is not also sent
  the day-3 reminder); someone on leave when invited is not told, and the reminders tell them later.
- The day-3 reminder goes at any run in [day 3, day 10); the day-10 reminder at any run in
  [day 10, close). So someone on leave on day 3 and back on day 5 hears on day 5, but once day 10
  has come only the day-10 reminder is left: nobody gets two reminders at once.
- Never to someone who has answered, is inactive, or is on leave that day (London date); never
  after the round has closed.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import contains_eager

from ..accounts.models import Membership, Organisation, Role, User
from ..extensions import db
from ..scheduler.registry import Job
from . import messages, rounds
from .leave import london_today, on_leave
from .models import REMINDER_DAYS, PulseAnswer, PulseInvitation, PulseResponse, PulseRound

FIRST_REMINDER, SECOND_REMINDER = (timedelta(days=d) for d in REMINDER_DAYS)


def reminders_due(pulse_round: PulseRound, now: datetime) -> int:
    """How many reminders (0, 1 or 2) should have gone for this round by `now`."""
    if now >= pulse_round.opens_at + SECOND_REMINDER:
        return 2
    if now >= pulse_round.opens_at + FIRST_REMINDER:
        return 1
    return 0


def _open_now(now: datetime):
    return (PulseRound.opens_at <= now, PulseRound.closes_at > now, PulseRound.closed_at.is_(None))


def _create_missing_rounds(organisations: list[Organisation], now: datetime) -> None:
    today = london_today(now)
    # The rounds of this month that exist already, in one query, so a quiet run asks nothing more.
    existing = set(db.session.execute(
        select(PulseRound.organisation_id, PulseRound.instrument)
        .where(PulseRound.year == today.year, PulseRound.month == today.month)).all())
    for organisation in organisations:
        for period in rounds.periods_for(organisation.working_days, organisation.working_day_start_minute, now):
            if (organisation.id, period.instrument) not in existing:
                rounds.open_round(organisation, period)


def open_rounds(*, now: datetime) -> int:
    """Open the rounds due today in every organisation, invite everyone eligible to every open
    round, and tell the newly invited. Returns how many people were newly invited."""
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    _create_missing_rounds(organisations, now)
    db.session.flush()
    open_rounds_now = db.session.scalars(
        select(PulseRound).where(*_open_now(now)).order_by(PulseRound.organisation_id, PulseRound.instrument)).all()
    invited: list[PulseInvitation] = []
    for pulse_round in open_rounds_now:
        for invitation in rounds.invite(pulse_round):
            invitation.round = pulse_round
            invited.append(invitation)
    _tell_invited(invited, now)
    return len(invited)


def _active_people(user_ids: Iterable[int]) -> dict[int, User]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)))}


def _tell_invited(invitations: list[PulseInvitation], now: datetime) -> None:
    people = _active_people(i.user_id for i in invitations)
    away = on_leave(people, london_today(now))
    for invitation in invitations:
        person = people.get(invitation.user_id)
        if person is None or person.id in away:
            continue
        messages.tell_survey_open(invitation, person)
        # The invitation is new and not yet committed, so no other run can be reminding it.
        invitation.reminders_sent = reminders_due(invitation.round, now)
    db.session.flush()


def _still_link_worker_there():
    """The invited person is still a link worker of the round's organisation."""
    return exists().where(Membership.user_id == PulseInvitation.user_id,
                          Membership.organisation_id == PulseRound.organisation_id,
                          Membership.role == Role.link_worker)


def send_reminders(*, now: datetime) -> int:
    """The day-3 and day-10 reminders, each once, to those who have not answered. Returns how many went."""
    due = db.session.scalars(
        select(PulseInvitation)
        .join(PulseInvitation.round).join(PulseInvitation.user)
        .where(*_open_now(now), PulseInvitation.answered.is_(False), User.active.is_(True),
               _still_link_worker_there(),
               or_(PulseRound.opens_at <= now - SECOND_REMINDER,
                   and_(PulseRound.opens_at <= now - FIRST_REMINDER, PulseInvitation.reminders_sent == 0)),
               PulseInvitation.reminders_sent < 2)
        .options(contains_eager(PulseInvitation.round), contains_eager(PulseInvitation.user))
        .order_by(PulseInvitation.id)
    ).all()
    away = on_leave({i.user_id for i in due}, london_today(now))
    by_stage: dict[int, list[PulseInvitation]] = {1: [], 2: []}
    for invitation in due:
        if invitation.user_id not in away:
            by_stage[reminders_due(invitation.round, now)].append(invitation)
    sent = 0
    for stage, invitations in by_stage.items():
        for invitation in _claim_reminders(invitations, stage):
            sent += messages.tell_reminder(invitation, invitation.user, stage)
    return sent


def _claim_reminders(invitations: list[PulseInvitation], stage: int) -> list[PulseInvitation]:
    """Move these invitations' count up to `stage` where it is still lower and they are unanswered,
    in one UPDATE; only the rows this run moved are reminded."""
    if not invitations:
        return []
    claimed = set(db.session.scalars(
        update(PulseInvitation)
        .where(PulseInvitation.id.in_([i.id for i in invitations]), PulseInvitation.reminders_sent < stage,
               PulseInvitation.answered.is_(False))
        .values(reminders_sent=stage).returning(PulseInvitation.id)
        .execution_options(synchronize_session=False)))
    won = [i for i in invitations if i.id in claimed]
    for invitation in won:
        db.session.expire(invitation, ["reminders_sent"])
    return won


def close_rounds(*, now: datetime) -> int:
    """Rounds past their close: claim them by setting closed_at, then remove the drafts nobody
    submitted. Submitted responses and the invitations stay. Returns how many rounds closed."""
    closed = list(db.session.scalars(
        update(PulseRound)
        .where(PulseRound.closes_at <= now, PulseRound.closed_at.is_(None))
        .values(closed_at=now).returning(PulseRound.id)
        .execution_options(synchronize_session=False)))
    # Every round past its close, not only those closed now: a save that was under way as the
    # round closed may have written a draft after this job first ran.
    past = select(PulseRound.id).where(PulseRound.closes_at <= now)
    drafts = select(PulseResponse.id).where(PulseResponse.round_id.in_(past), PulseResponse.submitted.is_(False))
    # The answers first: a bulk delete does not run the ORM cascade.
    db.session.execute(delete(PulseAnswer).where(PulseAnswer.response_id.in_(drafts))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(PulseResponse).where(PulseResponse.round_id.in_(past),
                                                   PulseResponse.submitted.is_(False))
                       .execution_options(synchronize_session=False))
    if closed:
        # Submitting wrote the person's invitation and their answers in one transaction, which
        # PostgreSQL stamps on both rows (xmin). Rewrite every row of the closed rounds in this one
        # transaction, so that stamp no longer pairs an invitation with its answers.
        db.session.execute(update(PulseResponse).where(PulseResponse.round_id.in_(closed))
                           .values(submitted=PulseResponse.submitted).execution_options(synchronize_session=False))
        db.session.execute(update(PulseInvitation).where(PulseInvitation.round_id.in_(closed))
                           .values(answered=PulseInvitation.answered).execution_options(synchronize_session=False))
    return len(closed)


def rounds_job(*, now: datetime, worker: str) -> None:
    open_rounds(now=now)
    db.session.commit()


def reminders_job(*, now: datetime, worker: str) -> None:
    send_reminders(now=now)
    db.session.commit()


def close_job(*, now: datetime, worker: str) -> None:
    close_rounds(now=now)
    db.session.commit()


JOBS = [
    Job(id="pulse.rounds", func=rounds_job, seconds=3600),
    Job(id="pulse.reminders", func=reminders_job, seconds=3600),
    Job(id="pulse.close", func=close_job, seconds=900),
]
