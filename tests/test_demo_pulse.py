"""The demo's wellbeing surveys: a year of rounds, all closed but this month's monthly one, Carys's
believable trend shared with her supervisor, answers in Welsh, leave, enough people in Ogmore for a
quarterly figure, and nothing duplicated by a second seeding."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Organisation, User
from supervision.demo import OGMORE, TEIFI, seed_demo
from supervision.demo_pulse import CARYS_COMMENTS, CARYS_SINGLE, NIA_COMMENTS, ON_LEAVE
from supervision.extensions import db
from supervision.identifiers import find_identifiers
from supervision.pulse import models as pm
from supervision.pulse.permissions import can_view_trend_share
from supervision.pulse.reporting import pulse_figures
from supervision.pulse.respondent import respondent_key
from supervision.pulse.rounds import open_round, periods_for
from supervision.pulse.services import my_results

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc)  # a Wednesday; the quarter began in April
CARYS, NIA, RHODRI = "linkworker@example.org", "cymraeg@example.org", "supervisor@example.org"


@pytest.fixture
def seeded(app):
    def _seed(now: datetime = NOW) -> str:
        with app.app_context():
            summary = seed_demo(now=now)
            db.session.commit()
            return summary
    return _seed


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _rounds(name: str) -> list[pm.PulseRound]:
    return list(db.session.scalars(select(pm.PulseRound).where(pm.PulseRound.organisation_id == _organisation(name).id)
                                   .order_by(pm.PulseRound.year, pm.PulseRound.month, pm.PulseRound.id)))


def _snapshot() -> dict:
    def count(model):
        return db.session.scalar(select(func.count()).select_from(model))
    return {model.__name__: count(model) for model in (pm.PulseRound, pm.PulseInvitation, pm.PulseResponse,
                                                       pm.PulseAnswer, pm.SurveyLeave, pm.TrendShare,
                                                       pm.TrendShareView)} | {
        "answered": db.session.scalar(select(func.count()).where(pm.PulseInvitation.answered.is_(True)))}


def test_a_year_of_rounds_with_only_this_months_pulse_open(app, seeded):
    assert "wellbeing survey responses" in seeded()
    with app.app_context():
        for name in (OGMORE, TEIFI):
            rounds = _rounds(name)
            monthly = [(r.year, r.month) for r in rounds if r.instrument == pm.InstrumentKey.monthly]
            cbi = [(r.year, r.month) for r in rounds if r.instrument == pm.InstrumentKey.cbi]
            assert monthly[0] == (2025, 7) and monthly[-1] == (2026, 6) and len(monthly) == 12
            assert cbi == [(2025, 7), (2025, 10), (2026, 1), (2026, 4)]
            open_now = [r for r in rounds if r.is_open(NOW)]
            assert [(r.instrument, r.month) for r in open_now] == [(pm.InstrumentKey.monthly, 6)]
            assert open_now[0].opens_at == NOW - timedelta(days=3) and open_now[0].closed_at is None
            assert open_now[0].closes_at == NOW + timedelta(days=11)
            for r in rounds:
                if r is not open_now[0]:
                    assert r.closes_at <= NOW and r.closed_at == r.closes_at
                    # Opened at the start of a working day, London time, as the scheduler would.
                    opened = r.opens_at.astimezone(LONDON)
                    assert (opened.hour, opened.minute) == (9, 0) and opened.weekday() < 5 and opened.day <= 3
            # The scheduler finds this month's round already there and opens no second one.
            organisation = _organisation(name)
            assert [open_round(organisation, p) for p in periods_for(
                organisation.working_days, organisation.working_day_start_minute, NOW)] == [None]


def test_carys_has_a_believable_trend_and_this_months_survey_to_answer(app, seeded):
    seeded()
    with app.app_context():
        carys = _person(CARYS)
        results = my_results(carys)
        single = [r.single_item for r in results if r.instrument.key == "monthly"]
        personal = [r.scales[s].score for r in results if r.instrument.key == "cbi" for s in r.scales
                    if s.value == "personal"]
        assert single == list(CARYS_SINGLE) and single.count(2) >= 6 and single.count(3) == 3
        assert len(personal) == 4 and all(45 <= score <= 58.4 for score in personal)
        assert any(r.needs_support for r in results) and not all(r.needs_support for r in results)
        assert sum(r.comment is not None for r in results) == 2
        invitations = db.session.scalars(select(pm.PulseInvitation).where(pm.PulseInvitation.user_id == carys.id)).all()
        assert len(invitations) == 16
        open_ones = [i for i in invitations if i.round.is_open(NOW)]
        assert len(open_ones) == 1 and not open_ones[0].answered
        assert sum(i.answered for i in invitations) == 15
        # She shared her trend with Dr Rhodri Evans, who has looked at it once.
        share = db.session.scalar(select(pm.TrendShare).where(pm.TrendShare.owner_id == carys.id))
        rhodri = _person(RHODRI)
        assert share.supervisor_id == rhodri.id and share.live and len(share.views) == 1
        assert can_view_trend_share(rhodri, share)


def test_the_others_answer_some_in_welsh_and_one_is_on_leave(app, seeded):
    seeded()
    with app.app_context():
        nia = _person(NIA)
        mine = db.session.scalars(select(pm.PulseResponse).where(
            pm.PulseResponse.respondent_key == respondent_key(nia.id))).all()
        assert mine and {r.language for r in mine} == {"cy"} and all(r.submitted for r in mine)
        assert any(r.comment and "Mererid" in r.comment for r in mine)
        assert db.session.scalar(select(func.count()).where(pm.PulseResponse.language == "cy")) > len(mine)
        # Every response belongs to someone invited to its round, and says so.
        answered = db.session.scalar(select(func.count()).where(pm.PulseInvitation.answered.is_(True)))
        assert answered == db.session.scalar(select(func.count()).select_from(pm.PulseResponse))
        megan = _person(ON_LEAVE)
        leave = db.session.scalars(select(pm.SurveyLeave).where(pm.SurveyLeave.user_id == megan.id)).all()
        assert len(leave) == 1 and leave[0].covers(NOW.astimezone(LONDON).date())


def test_every_ogmore_quarter_has_enough_people_for_a_figure(app, seeded):
    seeded()
    with app.app_context():
        ogmore = _organisation(OGMORE)
        for year, quarter in ((2025, 3), (2025, 4), (2026, 1), (2026, 2)):
            figures = pulse_figures(year=year, quarter=quarter, organisation_id=ogmore.id)
            assert figures.monthly_respondents >= 5 and figures.cbi_respondents >= 5, (year, quarter)
            assert figures.invited == 12 and figures.single_item_answered == figures.monthly_respondents
        national = pulse_figures(year=2026, quarter=1)
        assert national.welsh_responses > 0 and national.instrument_versions == ("cbi 1", "monthly 1")


def test_seeding_twice_adds_nothing(app, seeded):
    seeded()
    with app.app_context():
        first = _snapshot()
        assert first["PulseRound"] == 32 and first["SurveyLeave"] == 1 and first["TrendShareView"] == 1
        assert first["PulseResponse"] > 150 and first["answered"] == first["PulseResponse"]
    assert "wellbeing survey responses" not in seeded()
    with app.app_context():
        assert _snapshot() == first


def test_in_a_quarters_first_month_the_cbi_round_is_left_to_the_scheduler(app, seeded):
    now = datetime(2027, 1, 6, 10, 0, tzinfo=timezone.utc)
    seeded(now)
    with app.app_context():
        rounds = _rounds(OGMORE)
        assert [(r.year, r.month) for r in rounds if r.instrument == pm.InstrumentKey.cbi] == [
            (2026, 4), (2026, 7), (2026, 10)]
        assert [(r.instrument, r.year, r.month) for r in rounds if r.is_open(now)] == [
            (pm.InstrumentKey.monthly, 2027, 1)]
        assert len(my_results(_person(CARYS))) == 11 + 3


def test_the_demo_comments_name_no_one_they_support():
    assert find_identifiers(*CARYS_COMMENTS.values(), *NIA_COMMENTS.values()) == []
