"""Retention of survey data: the answers and the invitations of a round go once it closed longer ago
than its organisation keeps them; the round stays; other organisations keep their own period; a
second run does nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from supervision.accounts.models import Role
from supervision.extensions import db
from supervision.pulse.models import PulseAnswer, PulseInvitation, PulseResponse, PulseRound
from supervision.retention.jobs import purge_expired_job
from supervision.retention.services import months_before, purge_expired

NOW = datetime(2031, 6, 15, 12, 0, tzinfo=timezone.utc)


def _round(make, organisation, closed_months_ago: int, *, extra: timedelta = timedelta(0),
           instrument: str = "monthly") -> int:
    closes_at = months_before(NOW, closed_months_ago) - extra
    return make.pulse_round(organisation, instrument=instrument, opens_at=closes_at - timedelta(days=14),
                            closes_at=closes_at, closed=True)


def _answered(make, person, round_id: int) -> int:
    make.pulse_response(person, round_id, {"B1": 3, "S1": 4}, comment="Only mine to read.")
    return round_id


def _left(app) -> tuple[set[int], set[int], int, set[int]]:
    """Rounds with responses, rounds with invitations, how many answers, and every round."""
    with app.app_context():
        return (set(db.session.scalars(select(PulseResponse.round_id))),
                set(db.session.scalars(select(PulseInvitation.round_id))),
                db.session.scalar(select(func.count()).select_from(PulseAnswer)),
                set(db.session.scalars(select(PulseRound.id))))


def test_each_organisation_keeps_survey_data_for_its_own_period(app, make):
    standard = make.organisation(name="Standard")  # 36 months, the default
    brief = make.organisation(name="Brief", retention_pulse_months=12)
    carys = make.user(Role.link_worker, organisation=standard)
    nia = make.user(Role.link_worker, organisation=brief)

    old = _answered(make, carys, _round(make, standard, 36, extra=timedelta(seconds=1), instrument="cbi"))
    edge = _answered(make, carys, _round(make, standard, 36))  # closed exactly 36 months ago: kept
    recent = _answered(make, carys, _round(make, standard, 35))
    brief_old = _answered(make, nia, _round(make, brief, 13, instrument="cbi"))
    brief_recent = _answered(make, nia, _round(make, brief, 11))
    # Someone asked who never answered: their invitation goes with the round's answers.
    unanswered = _round(make, brief, 24)
    make.pulse_invitation(nia, unanswered)
    # A draft left in a round the close job never reached goes too.
    draft_round = _round(make, standard, 40)
    make.pulse_response(carys, draft_round, {"B1": 2}, submitted=False)

    with app.app_context():
        purge_expired_job(now=NOW, worker="tests")
    kept = {edge, recent, brief_recent}
    every_round = kept | {old, brief_old, unanswered, draft_round}
    assert _left(app) == (kept, kept, 2 * len(kept), every_round)

    with app.app_context():
        report = purge_expired(now=NOW)
        db.session.commit()
    assert (report["pulse_responses"], report["pulse_invitations"]) == (0, 0)
    assert _left(app) == (kept, kept, 2 * len(kept), every_round)


def test_the_purge_reports_what_it_deleted_once(app, make):
    organisation = make.organisation()
    people = [make.user(Role.link_worker, organisation=organisation) for _ in range(3)]
    round_id = _round(make, organisation, 37)
    for person in people[:2]:
        _answered(make, person, round_id)
    make.pulse_invitation(people[2], round_id)
    with app.app_context():
        first = purge_expired(now=NOW)
        second = purge_expired(now=NOW)
        db.session.commit()
    assert (first["pulse_responses"], first["pulse_invitations"]) == (2, 3)
    assert (second["pulse_responses"], second["pulse_invitations"]) == (0, 0)


def test_an_open_round_and_a_later_change_of_period(app, make):
    """A round still open is never touched; shortening the period takes effect at the next run."""
    organisation = make.organisation()
    person = make.user(Role.link_worker, organisation=organisation)
    open_round = make.pulse_round(organisation, opens_at=NOW - timedelta(days=2))
    _answered(make, person, open_round)
    two_years = _answered(make, person, _round(make, organisation, 24))
    with app.app_context():
        purge_expired_job(now=NOW, worker="tests")
    assert _left(app)[0] == {open_round, two_years}
    with app.app_context():
        db.session.get(type(organisation), organisation.id).retention_pulse_months = 12
        db.session.commit()
        purge_expired_job(now=NOW, worker="tests")
    assert _left(app)[:2] == ({open_round}, {open_round})
