"""Answering a survey, and reading one's own answers back. Typed; they flush, never commit.

Answers are found by the respondent key, never by a user id: see models.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..extensions import db
from .instruments import INSTRUMENTS, Instrument, Scale
from .models import LANGUAGES, MAX_COMMENT, PulseAnswer, PulseInvitation, PulseResponse, PulseRound
from .respondent import respondent_key
from .scoring import ScaleScore, burning_out, cbi_scores, check_answers, needs_support


class SurveyError(Exception):
    """A rule of answering was broken; the message is for the person."""


class RoundClosed(SurveyError):
    pass


class AlreadySubmitted(SurveyError):
    pass


class NothingAnswered(SurveyError):
    pass


def instrument_of(pulse_round: PulseRound) -> Instrument:
    return INSTRUMENTS[pulse_round.instrument.value]


def invitation_for(user: User, round_id: int) -> PulseInvitation | None:
    """This person's invitation to this round, or None (the route answers 404)."""
    return db.session.scalar(
        select(PulseInvitation).where(PulseInvitation.round_id == round_id, PulseInvitation.user_id == user.id)
        .options(selectinload(PulseInvitation.round).selectinload(PulseRound.organisation)))


def open_invitations(user: User, now: datetime) -> list[PulseInvitation]:
    return list(db.session.scalars(
        select(PulseInvitation).join(PulseInvitation.round)
        .where(PulseInvitation.user_id == user.id, PulseRound.opens_at <= now, PulseRound.closes_at > now)
        .options(selectinload(PulseInvitation.round))
        .order_by(PulseRound.closes_at, PulseRound.instrument)))


def response_for(user: User, pulse_round: PulseRound) -> PulseResponse | None:
    return db.session.scalar(
        select(PulseResponse).where(PulseResponse.round_id == pulse_round.id,
                                    PulseResponse.respondent_key == respondent_key(user.id))
        .options(selectinload(PulseResponse.answers)))


def _lock_person(user_id: int) -> None:
    """Take one person's survey writes in turn. A double click on "Submit" sends two requests at
    once: both would find no draft and both would write one. With the lock, the second waits, then
    finds the first's answers and is refused (or updates the draft)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    elif not connection.connection.dbapi_connection.in_transaction:
        # SQLite: take the single write lock before reading (see booking/locking.py). A connection
        # already in a transaction has written, so it holds that lock already.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def save_answers(user: User, invitation: PulseInvitation, answers: Mapping[str, int | None], *,
                 comment: str | None, language: str, submit: bool, now: datetime) -> PulseResponse:
    """Save a draft, or submit. A second submission, or any answer once the round has closed, is
    refused; a draft can be changed until it is submitted."""
    _lock_person(user.id)
    pulse_round = invitation.round
    if not pulse_round.is_open(now):
        raise RoundClosed()
    instrument = instrument_of(pulse_round)
    given = {item: value for item, value in answers.items() if value is not None}
    check_answers(instrument, given)
    if language not in LANGUAGES:
        raise ValueError(language)
    if comment and (not instrument.has_comment or len(comment) > MAX_COMMENT):
        raise ValueError("comment")
    response = response_for(user, pulse_round)
    if invitation.answered or (response is not None and response.submitted):
        raise AlreadySubmitted()
    if submit and not given:
        raise NothingAnswered()
    if response is None:
        response = PulseResponse(round_id=pulse_round.id, organisation_id=pulse_round.organisation_id,
                                 respondent_key=respondent_key(user.id), instrument=pulse_round.instrument)
        db.session.add(response)
    response.instrument_version = instrument.version
    response.language = language
    response.comment = (comment or None) if instrument.has_comment else None
    response.answers = [PulseAnswer(item=item, value=value) for item, value in sorted(given.items())]
    if submit:
        # The database decides between two submissions at the same moment: one flips the flag.
        claimed = db.session.execute(
            update(PulseInvitation).where(PulseInvitation.id == invitation.id, PulseInvitation.answered.is_(False))
            .values(answered=True).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            raise AlreadySubmitted()
        invitation.answered = True
        response.submitted = True
    db.session.flush()
    return response


@dataclass(frozen=True)
class Result:
    """One submitted response, scored: what the person's own trend is made of."""
    round: PulseRound
    instrument: Instrument
    language: str
    values: dict[str, int]
    comment: str | None
    single_item: int | None
    burning_out: bool | None
    scales: dict[Scale, ScaleScore]
    needs_support: bool


def score(response: PulseResponse) -> Result:
    instrument = INSTRUMENTS[response.instrument.value]
    values = response.values()
    single = values.get("B1") if instrument.key == "monthly" else None
    return Result(
        round=response.round, instrument=instrument, language=response.language, values=values,
        comment=response.comment, single_item=single, burning_out=burning_out(single),
        scales=cbi_scores(values) if instrument.key == "cbi" else {},
        needs_support=needs_support(instrument, values),
    )


def my_results(user: User) -> list[Result]:
    """Every submitted response of this person, oldest first, in a bounded number of queries."""
    responses = db.session.scalars(
        select(PulseResponse).join(PulseResponse.round)
        .where(PulseResponse.respondent_key == respondent_key(user.id), PulseResponse.submitted.is_(True))
        .options(selectinload(PulseResponse.answers), selectinload(PulseResponse.round))
        .order_by(PulseRound.year, PulseRound.month, PulseRound.instrument))
    return [score(r) for r in responses]
