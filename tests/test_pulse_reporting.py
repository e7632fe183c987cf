"""The survey figures for the quarterly reports: who was asked and who answered, distributions and
means per organisation and nationally, each person once (their latest response), drafts never, and
nothing in them but numbers and the respondent keys the comparison rule needs."""
from __future__ import annotations

import dataclasses
import inspect
import uuid

import pytest
from supervision.accounts.models import Membership, Role, User
from supervision.extensions import db
from supervision.pulse import models as pm
from supervision.pulse.reporting import PulseFigures, ScaleFigures, pulse_figures
from supervision.pulse.respondent import respondent_key

from .conftest import counting_queries

COMMENT = "A private word about a hard week that no report may hold."


def _cbi(p: int | None = None, w: int | None = None, c: int | None = None, *, p_items: int = 6, w_items: int = 7,
         c_items: int = 6, w7: int | None = None) -> dict[str, int]:
    """CBI answers: the same value for the first n items of each scale (W7 as given)."""
    answers: dict[str, int] = {}
    if p is not None:
        answers |= {f"P{i}": p for i in range(1, p_items + 1)}
    if w is not None:
        answers |= {f"W{i}": w for i in range(1, min(w_items, 6) + 1)}
    if w7 is not None:
        answers["W7"] = w7
    if c is not None:
        answers |= {f"C{i}": c for i in range(1, c_items + 1)}
    return answers


@pytest.fixture
def world(app, make):
    """Two organisations' first quarter of 2026, with a round either side of it."""
    ogmore, teifi = make.organisation(name="Ogmore Valleys"), make.organisation(name="Teifi Valley")
    a1, a2, a3, a4 = (make.user(Role.link_worker, organisation=ogmore) for _ in range(4))
    b1, b2 = (make.user(Role.link_worker, organisation=teifi) for _ in range(2))

    def round_(organisation, month, instrument="monthly", year=2026):
        return make.pulse_round(organisation, instrument=instrument, year=year, month=month, closed=True)

    jan, feb, mar, apr = (round_(ogmore, m) for m in (1, 2, 3, 4))
    dec = round_(ogmore, 12, year=2025)
    cbi_jan = round_(ogmore, 1, "cbi")
    teifi_jan, teifi_cbi = round_(teifi, 1), round_(teifi, 1, "cbi")

    # a1 answered twice: January, then March (which stands for them), and in April (next quarter).
    make.pulse_response(a1, jan, {"B1": 2, "S1": 4, "S2": 5, "S3": 3})
    make.pulse_response(a1, mar, {"B1": 4, "S1": 2}, comment=COMMENT)
    make.pulse_response(a1, apr, {"B1": 5})
    make.pulse_response(a1, dec, {"B1": 5})
    # Personal 75, work 50 (W7 answered "Sometimes", reversed 50), client 25 on three items.
    make.pulse_response(a1, cbi_jan, _cbi(75, 50, 25, c_items=3, w7=50))
    # a2 answered in Welsh. Personal not scored (2 of 6); work (4 × 25 + W7 reversed 0) / 5 = 20; client 50.
    make.pulse_response(a2, feb, {"B1": 3, "S1": 3, "S2": 3, "S3": 3}, language="cy", comment=COMMENT)
    make.pulse_response(a2, cbi_jan, _cbi(100, 25, 50, p_items=2, w_items=4, w7=100), language="cy")
    # a3 answered January; their February draft (a 5) never counts.
    make.pulse_response(a3, jan, {"B1": 1, "S3": 5})
    make.pulse_response(a3, feb, {"B1": 5, "S1": 1}, submitted=False)
    # a4 was asked and did not answer, though a CBI draft of theirs exists.
    make.pulse_invitation(a4, jan)
    make.pulse_response(a4, cbi_jan, _cbi(100, 100, 100), submitted=False)
    # Teifi: b1 personal 25, work 0 (W7 "Always" reversed to 0), client 100; b2 answered in Welsh.
    make.pulse_response(b1, teifi_jan, {"B1": 2, "S1": 5, "S2": 4, "S3": 4})
    make.pulse_response(b1, teifi_cbi, _cbi(25, 0, 100, w7=100))
    make.pulse_response(b2, teifi_jan, {"B1": 3}, language="cy")
    make.pulse_invitation(b2, teifi_cbi)
    return dict(ogmore=ogmore, teifi=teifi, people=dict(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2))


def _keys(world, *names) -> frozenset[str]:
    return frozenset(respondent_key(world["people"][n].id) for n in names)


def test_an_organisations_quarter(app, world):
    with app.app_context():
        figures = pulse_figures(year=2026, quarter=1, organisation_id=world["ogmore"].id)
        keys = _keys(world, "a1", "a2", "a3")
    assert (figures.year, figures.quarter, figures.organisation_id) == (2026, 1, world["ogmore"].id)
    assert (figures.invited, figures.answered, figures.monthly_respondents) == (4, 3, 3)
    assert figures.single_item == {1: 1, 2: 0, 3: 1, 4: 1, 5: 0}
    assert (figures.single_item_answered, figures.burning_out) == (3, 2)
    assert figures.agreement == {"S1": {1: 0, 2: 1, 3: 1, 4: 0, 5: 0}, "S2": {1: 0, 2: 0, 3: 1, 4: 0, 5: 0},
                                 "S3": {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}}
    assert figures.cbi_respondents == 2
    assert figures.scales == {
        "personal": ScaleFigures(scored=1, mean=75.0, high=1, bands={0: 0, 25: 0, 50: 0, 75: 1}),
        "work": ScaleFigures(scored=2, mean=35.0, high=1, bands={0: 1, 25: 0, 50: 1, 75: 0}),
        "client": ScaleFigures(scored=2, mean=37.5, high=1, bands={0: 0, 25: 1, 50: 1, 75: 0}),
    }
    assert figures.welsh_responses == 2
    assert figures.instrument_versions == ("cbi 1", "monthly 1")
    assert figures.respondent_keys == keys


def test_the_other_organisation_and_the_nation(app, world):
    with app.app_context():
        teifi = pulse_figures(year=2026, quarter=1, organisation_id=world["teifi"].id)
        national = pulse_figures(year=2026, quarter=1)
        keys = _keys(world, "a1", "a2", "a3", "b1", "b2")
    assert (teifi.invited, teifi.answered, teifi.monthly_respondents, teifi.cbi_respondents) == (2, 2, 2, 1)
    assert (teifi.single_item, teifi.burning_out) == ({1: 0, 2: 1, 3: 1, 4: 0, 5: 0}, 1)
    assert teifi.agreement["S1"] == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert teifi.scales["client"] == ScaleFigures(scored=1, mean=100.0, high=1, bands={0: 0, 25: 0, 50: 0, 75: 1})
    assert teifi.scales["work"].mean == 0.0 and teifi.scales["work"].bands[0] == 1
    assert teifi.welsh_responses == 1

    assert national.organisation_id is None
    assert (national.invited, national.answered, national.monthly_respondents, national.cbi_respondents) == (
        6, 5, 5, 3)
    assert national.single_item == {1: 1, 2: 1, 3: 2, 4: 1, 5: 0}
    assert (national.single_item_answered, national.burning_out) == (5, 3)
    assert national.scales["personal"] == ScaleFigures(scored=2, mean=50.0, high=1,
                                                       bands={0: 0, 25: 1, 50: 0, 75: 1})
    assert national.scales["work"].scored == 3 and national.scales["work"].mean == pytest.approx(70 / 3)
    assert national.scales["work"].bands == {0: 2, 25: 0, 50: 1, 75: 0}
    assert national.scales["client"].mean == pytest.approx(175 / 3) and national.scales["client"].high == 2
    assert national.welsh_responses == 3
    assert national.respondent_keys == keys


def test_each_person_counts_once_with_their_latest_submitted_answer(app, make):
    organisation = make.organisation()
    person = make.user(Role.link_worker, organisation=organisation)
    rounds = [make.pulse_round(organisation, year=2027, month=m, closed=True) for m in (4, 5, 6)]
    make.pulse_response(person, rounds[0], {"B1": 5})
    make.pulse_response(person, rounds[1], {"B1": 1})
    make.pulse_response(person, rounds[2], {"B1": 4}, submitted=False)  # a draft: never counts
    with app.app_context():
        figures = pulse_figures(year=2027, quarter=2, organisation_id=organisation.id)
    assert (figures.invited, figures.answered, figures.monthly_respondents) == (1, 1, 1)
    assert figures.single_item == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0} and figures.burning_out == 0
    assert figures.scales["personal"] == ScaleFigures(scored=0, mean=None, high=0, bands={0: 0, 25: 0, 50: 0, 75: 0})


def test_a_quarter_with_nothing_in_it(app, world):
    with app.app_context():
        figures = pulse_figures(year=2026, quarter=3)
    assert (figures.invited, figures.answered, figures.monthly_respondents, figures.cbi_respondents) == (0, 0, 0, 0)
    assert set(figures.single_item.values()) == {0} and figures.respondent_keys == frozenset()
    assert all(s.mean is None and s.scored == 0 for s in figures.scales.values())
    assert figures.instrument_versions == ()


def test_a_quarter_must_be_one_to_four(app, world):
    with app.app_context(), pytest.raises(ValueError):
        pulse_figures(year=2026, quarter=5)


def _walk(value, path: str) -> None:
    """Only numbers, maps of numbers, the keys' frozenset and version strings: never a row."""
    if value is None or isinstance(value, (int, float)):
        return
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), f"{path}.{f.name}")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, (int, str)) and not isinstance(key, bool), path
            assert isinstance(item, (int, float, dict, ScaleFigures)), f"{path}[{key!r}]"
            _walk(item, f"{path}[{key!r}]")
        return
    if path.endswith(".respondent_keys"):
        assert isinstance(value, frozenset) and all(isinstance(k, str) and len(k) == 64 for k in value)
        return
    assert path.endswith(".instrument_versions") and isinstance(value, tuple), path
    assert all(isinstance(v, str) and len(v) < 30 for v in value)


def test_the_figures_hold_no_rows_no_comments_and_select_no_person(app, world):
    with app.app_context():
        every = [pulse_figures(year=2026, quarter=1, organisation_id=o) for o in
                 (world["ogmore"].id, world["teifi"].id, None)]
        keys = _keys(world, "a1")
    for figures in every:
        assert isinstance(figures, PulseFigures)
        with pytest.raises(dataclasses.FrozenInstanceError):
            figures.invited = 0  # type: ignore[misc]
        _walk(figures, "figures")
        text = repr(figures)
        assert "private word" not in text and COMMENT not in str(dataclasses.asdict(figures))
        # The keys never leave the server: not even in a log line that prints the figures.
        assert next(iter(keys)) not in text
    parameters = inspect.signature(pulse_figures).parameters
    assert list(parameters) == ["year", "quarter", "organisation_id"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())


def _people(app, organisation, count: int, rounds: tuple[int, int]) -> None:
    """`count` link workers who each answered both rounds, written in bulk."""
    with app.app_context():
        ids = []
        for _ in range(count):
            user = User(email=f"bulk-{uuid.uuid4().hex[:10]}@example.org", name="Bulk", password_hash="x")
            user.memberships.append(Membership(organisation_id=organisation.id, role=Role.link_worker))
            db.session.add(user)
            db.session.flush()
            ids.append(user.id)
        for round_id, answers in zip(rounds, ({"B1": 2, "S1": 4}, _cbi(50, 25, 75, w7=25))):
            instrument = db.session.get(pm.PulseRound, round_id).instrument
            for user_id in ids:
                db.session.add(pm.PulseInvitation(round_id=round_id, user_id=user_id, answered=True))
                db.session.add(pm.PulseResponse(
                    round_id=round_id, organisation_id=organisation.id, respondent_key=respondent_key(user_id),
                    instrument=instrument, instrument_version="1", language="en", submitted=True,
                    answers=[pm.PulseAnswer(item=k, value=v) for k, v in answers.items()]))
        db.session.commit()


def test_the_queries_do_not_grow_with_the_respondents(app, make):
    organisation = make.organisation()
    rounds = (make.pulse_round(organisation, year=2028, month=1, closed=True),
              make.pulse_round(organisation, instrument="cbi", year=2028, month=1, closed=True))
    counts = []
    for extra in (5, 35):
        _people(app, organisation, extra, rounds)
        with app.app_context():
            for organisation_id in (organisation.id, None):
                with counting_queries(app) as statements:
                    figures = pulse_figures(year=2028, quarter=1, organisation_id=organisation_id)
                counts.append(len(statements))
        assert figures.answered == figures.cbi_respondents == (5 if extra == 5 else 40)
    assert counts[:2] == counts[2:] and max(counts) <= 2
