"""Closing a round and moving between organisations, at frozen times: drafts written after the
close job ran are still removed; on PostgreSQL the close leaves no transaction stamp that pairs an
invitation with its answers; someone who moves organisation mid-month is asked once, is no longer
reminded about the old organisation's round, and can no longer answer it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, text

from supervision.accounts.models import Membership, Role
from supervision.extensions import db
from supervision.pulse import jobs
from supervision.pulse.models import PulseInvitation, PulseResponse

from .conftest import sign_in

UTC = timezone.utc
NOV = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November 2026, 09:00 in London: rounds open


def _run(app, job, now) -> None:
    with app.app_context():
        job(now=now, worker="tests")


def _responses(app) -> list[tuple[str, bool]]:
    with app.app_context():
        return sorted((r.respondent_key[:8], r.submitted) for r in db.session.scalars(select(PulseResponse)))


def test_a_draft_written_after_the_close_job_ran_is_removed_next_time(app, make):
    org = make.organisation()
    early, late = make.user(Role.link_worker, organisation=org), make.user(Role.link_worker, organisation=org)
    round_id = make.pulse_round(org, opens_at=NOV)
    make.pulse_response(early, round_id, {"B1": 2})
    make.pulse_response(late, round_id, {"B1": 3}, submitted=False)
    closes = NOV + timedelta(days=14)
    _run(app, jobs.close_job, closes)
    assert [submitted for _key, submitted in _responses(app)] == [True]
    # A save that was under way as the round closed writes its draft just after.
    make.pulse_response(late, round_id, {"B1": 4}, submitted=False, invite=False)
    _run(app, jobs.close_job, closes + timedelta(minutes=15))
    assert [submitted for _key, submitted in _responses(app)] == [True]


def test_closing_leaves_no_transaction_stamp_pairing_invitations_with_answers(app, make):
    org = make.organisation()
    people = [make.user(Role.link_worker, organisation=org) for _ in range(4)]
    round_id = make.pulse_round(org, opens_at=NOV)
    for person in people:
        make.pulse_response(person, round_id, {"B1": 2})  # each in its own transaction, as submitting is
    _run(app, jobs.close_job, NOV + timedelta(days=14))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PulseResponse)
                                 .where(PulseResponse.submitted.is_(True))) == 4
        assert db.session.scalar(select(func.count()).select_from(PulseInvitation)
                                 .where(PulseInvitation.answered.is_(True))) == 4
        if db.engine.dialect.name == "postgresql":
            stamps = lambda table: set(db.session.scalars(text(f"SELECT xmin::text FROM {table}")))  # noqa: E731
            responses, invitations = stamps("pulse_response"), stamps("pulse_invitation")
            # One stamp for all of them (the close job's), so none points at one person.
            assert len(responses) == 1 and responses == invitations


def test_moving_organisation_mid_month_is_asked_once_and_leaves_the_old_round(app, client, make):
    first, second = make.organisation(name="Ogmore Valleys"), make.organisation(name="Teifi Valley")
    person = make.user(Role.link_worker, organisation=first, name="Carys Jenkins")
    _run(app, jobs.rounds_job, NOV + timedelta(hours=1))
    with app.app_context():
        (old,) = db.session.scalars(select(PulseInvitation).where(PulseInvitation.user_id == person.id)).all()
        old_round = old.round_id
        # She moves: a link worker of the second organisation now, no longer of the first.
        db.session.execute(delete(Membership).where(Membership.user_id == person.id))
        db.session.add(Membership(user_id=person.id, organisation_id=second.id, role=Role.link_worker))
        db.session.commit()
    _run(app, jobs.rounds_job, NOV + timedelta(days=1))
    _run(app, jobs.reminders_job, NOV + timedelta(days=4))
    with app.app_context():
        invitations = db.session.scalars(select(PulseInvitation).where(PulseInvitation.user_id == person.id)).all()
        assert [i.round_id for i in invitations] == [old_round]  # asked once this month
        assert invitations[0].reminders_sent == 0  # and not reminded about the old organisation's round
    sign_in(client, person.email)
    assert client.get(f"/wellbeing/surveys/{old_round}/questions").status_code == 404
    assert client.get(f"/wellbeing/surveys/{old_round}").status_code == 404


def test_inviting_falls_back_one_by_one_when_another_run_got_there_first(app, make, monkeypatch):
    from supervision.pulse import rounds

    org = make.organisation()
    carys, huw = make.user(Role.link_worker, organisation=org), make.user(Role.link_worker, organisation=org)
    round_id = make.pulse_round(org, opens_at=NOV)
    # As if another run inserted Carys between this run's read and its write: the batch clashes.
    monkeypatch.setattr(rounds, "eligible_user_ids", lambda organisation_id: [carys.id, huw.id, carys.id])
    with app.app_context():
        from supervision.pulse.models import PulseRound

        invited = rounds.invite(db.session.get(PulseRound, round_id))
        db.session.commit()
        assert sorted(i.user_id for i in invited) == sorted([carys.id, huw.id])
        assert sorted(db.session.scalars(select(PulseInvitation.user_id))) == sorted([carys.id, huw.id])
