"""Stage 1 agrees with the domains' own reporting functions on random data: the survey figures with
pulse.reporting.pulse_figures, and the debrief figures they share with debriefs.reporting."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from supervision.accounts.models import Membership, Role
from supervision.debriefs import models as dm
from supervision.debriefs.reporting import debrief_figures
from supervision.extensions import db
from supervision.pulse.instruments import CBI
from supervision.pulse.reporting import pulse_figures
from supervision.reports.aggregate import quarter_figures
from supervision.reports.disclosure_rules import people_of
from supervision.reports.quarters import Quarter

Q1 = Quarter(2026, 1)
UTC = timezone.utc
ROUNDS = (("monthly", 2025, 12), ("monthly", 2026, 1), ("monthly", 2026, 2), ("monthly", 2026, 3),
          ("monthly", 2026, 4), ("cbi", 2026, 1), ("cbi", 2026, 3), ("cbi", 2026, 4))
POINTS = (0, 25, 50, 75, 100)


def _answers(rng: random.Random, instrument: str) -> dict[str, int]:
    if instrument == "monthly":
        answers = {item: rng.randint(1, 5) for item in ("B1", "S1", "S2", "S3") if rng.random() < 0.8}
        return answers or {"B1": rng.randint(1, 5)}
    answers = {item.id: rng.choice(POINTS) for item in CBI.items if rng.random() < 0.7}
    return answers or {"P1": rng.choice(POINTS)}


def _random_surveys(app, make, rng: random.Random):
    """Three organisations of five people each, one of whom also works in a second organisation (so
    one respondent key answers two rounds of the same month nationally). Returns, per organisation
    id (None: nationally), the people answering in Welsh whose submitted responses are behind it."""
    organisations = [make.organisation() for _ in range(3)]
    welsh_behind: dict[int | None, set[int]] = {o.id: set() for o in organisations} | {None: set()}
    people = []
    for organisation in organisations:
        for _ in range(5):
            people.append((make.user(Role.link_worker, organisation=organisation), organisation,
                           rng.choice(("en", "cy"))))
    shared, _home, language = people[0]
    with app.app_context():
        db.session.add(Membership(user_id=shared.id, organisation_id=organisations[1].id, role=Role.link_worker))
        db.session.commit()
    people.append((shared, organisations[1], language))
    rounds = {(o.id, *spec): make.pulse_round(o, instrument=spec[0], year=spec[1], month=spec[2],
                                              opens_at=datetime(spec[1], spec[2], 1, 9, tzinfo=UTC), closed=True)
              for o in organisations for spec in ROUNDS}
    for person, organisation, language in people:
        for spec in ROUNDS:
            if rng.random() < 0.3:
                continue
            submitted = rng.random() < 0.85
            make.pulse_response(person, rounds[(organisation.id, *spec)], _answers(rng, spec[0]),
                                submitted=submitted, language=language)
            if submitted and language == "cy" and (spec[1], spec[2]) in ((2026, 1), (2026, 2), (2026, 3)):
                welsh_behind[organisation.id].add(person.id)
                welsh_behind[None].add(person.id)
    return organisations, welsh_behind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_survey_figures_equal_pulse_figures(app, make, seed):
    organisations, welsh_behind = _random_surveys(app, make, random.Random(seed))
    for organisation_id in [o.id for o in organisations] + [None]:
        with app.app_context():
            ours = quarter_figures(Q1, organisation_id)
            theirs = pulse_figures(year=2026, quarter=1, organisation_id=organisation_id)
        figures = ours.wellbeing
        if organisation_id is None:  # the random data exercise every figure
            assert theirs.monthly_respondents >= 8 and theirs.cbi_respondents >= 8 and theirs.welsh_responses
            assert all(scale.scored for scale in theirs.scales.values())
        assert (ours.people.invited, ours.people.answered) == (theirs.invited, theirs.answered)
        assert figures.monthly_respondents == theirs.monthly_respondents
        assert figures.single_item == {str(value): people for value, people in theirs.single_item.items()}
        assert figures.burning_out == theirs.burning_out
        assert figures.agreement == {item: {str(v): n for v, n in counts.items()}
                                     for item, counts in theirs.agreement.items()}
        assert figures.cbi_respondents == theirs.cbi_respondents
        for scale, expected in theirs.scales.items():
            actual = figures.scales[scale]
            assert actual.scored == expected.scored
            assert actual.mean == (pytest.approx(expected.mean) if expected.mean is not None else None)
            assert actual.bands == {"under_50": expected.scored - expected.high, "50_or_more": expected.high}
        assert figures.instrument_versions == theirs.instrument_versions
        # The national benchmark is never compared (rule 5), so it carries no keys.
        assert people_of(figures.respondent_keys) == (theirs.respondent_keys if organisation_id else frozenset())
        # pulse_figures counts Welsh responses; a report counts the people who gave them.
        assert figures.welsh_respondents == len(welsh_behind[organisation_id])
        assert figures.welsh_respondents <= theirs.welsh_responses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_debrief_figures_agree_with_debrief_reporting(app, make, seed):
    rng = random.Random(seed)
    organisations = [make.organisation() for _ in range(2)]
    people = [make.user(Role.link_worker, organisation=o) for o in organisations for _ in range(3)]
    with app.app_context():
        for _ in range(40):
            person = rng.choice(people)
            created = Q1.start + timedelta(minutes=rng.randint(-20 * 24 * 60, 110 * 24 * 60))
            due = created + timedelta(minutes=rng.choice((240, 72 * 60, 7 * 24 * 60)))
            accepted = created + timedelta(minutes=rng.randint(1, 9 * 24 * 60)) if rng.random() < 0.7 else None
            db.session.add(dm.DebriefRequest(
                organisation_id=person.organisation.id, link_worker_id=person.id,
                urgency=rng.choice(list(dm.Urgency)), category=rng.choice(list(dm.Category)),
                description="Words no report may hold.", contact_way=dm.ContactWay.phone,
                status=dm.RequestStatus.accepted if accepted else dm.RequestStatus.open, created_at=created,
                half_due_at=created + (due - created) / 2, due_at=due, accepted_at=accepted,
                escalated_at=due if accepted is None and rng.random() < 0.5 else None))
        # Whatever the seed, one request of the quarter's last hours accepted after its end, and one
        # escalated after it.
        for accepted, escalated in ((Q1.end + timedelta(hours=1), None), (None, Q1.end + timedelta(hours=1))):
            created = Q1.end - timedelta(hours=3)
            db.session.add(dm.DebriefRequest(
                organisation_id=people[0].organisation.id, link_worker_id=people[0].id, urgency=dm.Urgency.today,
                category=dm.Category.other, description="Words no report may hold.",
                contact_way=dm.ContactWay.phone, created_at=created, half_due_at=created + timedelta(hours=2),
                due_at=created + timedelta(hours=4), accepted_at=accepted, escalated_at=escalated,
                status=dm.RequestStatus.accepted if accepted else dm.RequestStatus.open))
        db.session.commit()
    scopes = [o.id for o in organisations] + [None]
    with app.app_context():
        ours_now = {organisation_id: quarter_figures(Q1, organisation_id).debriefs for organisation_id in scopes}
        # A report counts each state as it stood at the quarter's end; debrief_figures reads it as it
        # is now. The random data accepts and escalates some of the quarter's last requests after its
        # end, so: put the data back as it stood then (nothing accepted or escalated yet after it),
        # and the two must agree, and a report's figures must not have moved.
        late = [dm.DebriefRequest.accepted_at >= Q1.end, dm.DebriefRequest.escalated_at >= Q1.end]
        in_q1 = (dm.DebriefRequest.created_at >= Q1.start) & (dm.DebriefRequest.created_at < Q1.end)
        assert all(db.session.scalar(select(func.count()).select_from(dm.DebriefRequest).where(in_q1, condition))
                   for condition in late)
        db.session.execute(update(dm.DebriefRequest).where(late[0]).values(
            accepted_at=None, status=dm.RequestStatus.open))
        db.session.execute(update(dm.DebriefRequest).where(late[1]).values(escalated_at=None))
        db.session.commit()
    for organisation_id in scopes:
        with app.app_context():
            ours = quarter_figures(Q1, organisation_id).debriefs
            theirs = debrief_figures(organisation_id, Q1.start, Q1.end)
        assert ours == ours_now[organisation_id]
        assert ours.requests == theirs.requests
        if organisation_id is None:
            assert theirs.accepted >= 5 and theirs.escalated
        assert ours.by_category == theirs.by_category and ours.by_urgency == theirs.by_urgency
        assert (ours.accepted, ours.accepted_within_target, ours.escalated) == (
            theirs.accepted, theirs.accepted_within_target, theirs.escalated)
        if theirs.minutes_to_accept_median is None:
            assert ours.minutes_to_accept_median is None
        else:
            assert ours.minutes_to_accept_median == pytest.approx(theirs.minutes_to_accept_median, abs=1e-3)
