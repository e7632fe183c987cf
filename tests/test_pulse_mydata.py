"""Wellbeing surveys in My data: the download holds the person's own answers (found by their
respondent key), scores, comments, invitations, leave and trend shares, and nobody else's; deleting
the account deletes them, while a colleague's answers stay."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from supervision.accounts.models import Role, User
from supervision.db import utcnow
from supervision.extensions import db
from supervision.mydata.exporters import pulse_section
from supervision.pulse import models as pm
from supervision.pulse.respondent import respondent_key

from .conftest import counting_queries, sign_in
from .mydata_helpers import delete_account, download

DELETE = "/account/my-data/delete"
COMMENT = "A long week; the drive between visits is wearing me down."
OTHER = "Huw's own private comment about his caseload."
CBI = {**{f"P{i}": 50 for i in range(1, 7)}, "W1": 75, "W2": 100, **{f"C{i}": 25 for i in range(1, 7)}}


def _round(make, organisation, year, month, instrument="monthly", closed=True):
    opens = datetime(year, month, 2, 8, tzinfo=timezone.utc)
    return make.pulse_round(organisation, instrument=instrument, year=year, month=month, opens_at=opens,
                            closes_at=opens + timedelta(days=14), closed=closed)


@pytest.fixture
def surveys(app, make):
    organisation = make.organisation(name="Ogmore Valleys")
    carys = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    huw = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    rhodri = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    gareth = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    for person in (carys, huw):
        make.assign(rhodri, person, organisation)
    january, cbi, february, march = (_round(make, organisation, 2026, 1), _round(make, organisation, 2026, 1, "cbi"),
                                     _round(make, organisation, 2026, 2), _round(make, organisation, 2026, 3))
    current = make.pulse_round(organisation)  # open now
    make.pulse_response(carys, january, {"B1": 3, "S1": 4, "S2": 2}, language="cy", comment=COMMENT)
    make.pulse_response(carys, cbi, CBI)
    make.pulse_invitation(carys, february)  # asked, never answered
    make.pulse_response(carys, current, {"B1": 2}, submitted=False)
    make.pulse_response(huw, january, {"B1": 5}, comment=OTHER)
    make.pulse_response(huw, march, {"B1": 4})
    with app.app_context():
        mine = pm.TrendShare(owner_id=carys.id, supervisor_id=rhodri.id, created_at=utcnow() - timedelta(days=9))
        mine.views = [pm.TrendShareView(viewed_at=utcnow() - timedelta(days=d)) for d in (8, 2)]
        stopped = pm.TrendShare(owner_id=carys.id, supervisor_id=rhodri.id, created_at=utcnow() - timedelta(days=60),
                                revoked_at=utcnow() - timedelta(days=50))
        his = pm.TrendShare(owner_id=huw.id, supervisor_id=rhodri.id, views=[pm.TrendShareView()])
        db.session.add_all([mine, stopped, his,
                            pm.SurveyLeave(user_id=carys.id, starts_on=date(2026, 8, 3), ends_on=date(2026, 8, 14),
                                           created_by_id=carys.id),
                            pm.SurveyLeave(user_id=carys.id, starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1),
                                           created_by_id=gareth.id),
                            pm.SurveyLeave(user_id=huw.id, starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2))])
        db.session.commit()
        shares = (mine.id, stopped.id, his.id)
    return dict(organisation=organisation, carys=carys, huw=huw, rhodri=rhodri, gareth=gareth, shares=shares,
                rounds=dict(january=january, cbi=cbi, february=february, march=march, current=current))


def test_a_link_workers_download_holds_their_surveys(app, surveys):
    document, raw, pdf = download(app, surveys["carys"])
    section = document["wellbeing_surveys"]
    responses = section["responses"]
    assert sorted((r["instrument"], r["submitted"], r["month"] if r["submitted"] else None) for r in responses) == [
        ("cbi", True, 1), ("monthly", False, None), ("monthly", True, 1)]
    monthly = next(r for r in responses if r["instrument"] == "monthly" and r["submitted"])
    assert (monthly["language"], monthly["instrument_version"], monthly["comment"]) == ("cy", "1", COMMENT)
    assert monthly["answers"] == {"B1": 3, "S1": 4, "S2": 2}
    assert monthly["scores"] == {"single_item": 3, "burning_out": True, "needs_support": True}
    cbi = next(r for r in responses if r["instrument"] == "cbi")
    assert cbi["scores"]["scales"] == {
        "personal": {"score": 50.0, "answered": 6, "needed": 3, "of": 6},
        "work": {"score": None, "answered": 2, "needed": 4, "of": 7},
        "client": {"score": 25.0, "answered": 6, "needed": 3, "of": 6},
    }
    draft = next(r for r in responses if not r["submitted"])
    assert draft["answers"] == {"B1": 2} and draft["scores"]["burning_out"] is False
    assert sorted((i["month"], i["instrument"], i["answered"]) for i in section["invitations"]
                  if i["year"] == 2026 and i["month"] < 3) == [(1, "cbi", True), (1, "monthly", True),
                                                               (2, "monthly", False)]
    assert [(p["starts_on"], p["ends_on"], p["marked_by_you"]) for p in section["leave"]] == [
        ("2026-08-03", "2026-08-14", True), ("2026-12-21", "2027-01-01", False)]
    shares = {s["id"]: s for s in section["trend_shares"]}
    mine, stopped, his = surveys["shares"]
    assert set(shares) == {mine, stopped} and section["trend_shares_with_you"] == []
    assert shares[mine]["supervisor_id"] == surveys["rhodri"].id and len(shares[mine]["viewed_at"]) == 2
    assert shares[stopped]["revoked_at"] is not None and shares[stopped]["viewed_at"] == []
    # Nobody else's answers, and other people by id only.
    for other in (OTHER, "Huw", "Rhodri", "Gareth"):
        assert other not in raw and other not in pdf, other
    assert "respondent" not in raw
    for expected in ("Your wellbeing survey answers", "January 2026", "Monthly wellbeing pulse",
                     "Quarterly Copenhagen Burnout Inventory", "Cymraeg", "3 of 5: burning out",
                     "Personal burnout: 50.0", "not scored (2 of 7 answered)", "Draft",
                     "Your answers, question by question", "In the last month I had supervision that helped me.",
                     "Agree", "Disagree", "Seldom", "Sometimes", "To a very high degree", COMMENT,
                     "Not answered", "An admin of your organisation", "Your wellbeing trend shared with a supervisor"):
        assert expected in pdf, expected
    assert "Wellbeing trends shared with you" not in pdf


def test_a_supervisors_download_has_the_shares_with_them_by_id_only(app, surveys):
    document, raw, pdf = download(app, surveys["rhodri"])
    section = document["wellbeing_surveys"]
    assert section["responses"] == section["invitations"] == section["leave"] == section["trend_shares"] == []
    mine, stopped, his = surveys["shares"]
    with_me = {s["id"]: s for s in section["trend_shares_with_you"]}
    assert set(with_me) == {mine, stopped, his}
    assert set(with_me[his]) == {"id", "owner_id", "created_at", "revoked_at", "viewed_at"}
    assert with_me[mine]["owner_id"] == surveys["carys"].id
    for private in (COMMENT, OTHER, "Carys", "Huw", "burning out"):
        assert private not in raw and private not in pdf, private
    assert "Wellbeing trends shared with you" in pdf and "You have not answered a wellbeing survey." in pdf


def test_a_welsh_speakers_months_are_in_welsh(app, make):
    organisation = make.organisation()
    nia = make.user(Role.link_worker, organisation=organisation, language="cy")
    make.pulse_response(nia, _round(make, organisation, 2026, 3), {"B1": 1}, language="cy")
    _, _, pdf = download(app, nia)
    assert "Mawrth 2026" in pdf


def test_the_section_costs_the_same_however_many_surveys(app, make, surveys):
    counts = []
    for year in (2024, 2025):
        for month in range(1, 13):
            make.pulse_response(surveys["carys"], _round(make, surveys["organisation"], year, month), {"B1": 2},
                                comment="Fine.")
        with app.test_request_context():
            for person in ("carys", "rhodri"):
                with counting_queries(app) as statements:
                    pulse_section(db.session.get(User, surveys[person].id))
                counts.append(len(statements))
    assert counts[:2] == counts[2:]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_deleting_a_link_worker_deletes_their_survey_data(app, surveys):
    carys, huw = surveys["carys"], surveys["huw"]
    with app.app_context():
        key = respondent_key(carys.id)
        before = _count(pm.PulseAnswer)
    delete_account(app, carys)
    mine, stopped, his = surveys["shares"]
    with app.app_context():
        assert _count(pm.PulseResponse, pm.PulseResponse.respondent_key == key) == 0
        # Carys answered 3 + 14 + 1 items; Huw's two answers are all that is left.
        assert before == 20 and _count(pm.PulseAnswer) == 2
        assert _count(pm.PulseInvitation, pm.PulseInvitation.user_id == carys.id) == 0
        assert _count(pm.SurveyLeave, pm.SurveyLeave.user_id == carys.id) == 0
        assert _count(pm.TrendShare, pm.TrendShare.id.in_([mine, stopped])) == 0
        assert _count(pm.TrendShareView) == 1
        # Huw's answers, comment, leave and share are untouched.
        theirs = db.session.scalars(select(pm.PulseResponse).where(
            pm.PulseResponse.respondent_key == respondent_key(huw.id))).all()
        assert len(theirs) == 2 and OTHER in {r.comment for r in theirs}
        assert _count(pm.SurveyLeave, pm.SurveyLeave.user_id == huw.id) == 1
        assert db.session.get(pm.TrendShare, his).owner_id == huw.id
        # The rounds stay: they belong to the organisation.
        assert _count(pm.PulseRound) == 5


def test_deleting_the_supervisor_deletes_the_shares_with_them_only(app, surveys):
    delete_account(app, surveys["rhodri"])
    with app.app_context():
        assert _count(pm.TrendShare) == 0 and _count(pm.TrendShareView) == 0
        assert _count(pm.PulseResponse) == 5 and _count(pm.SurveyLeave) == 3


def test_an_admin_who_marked_leave_leaves_the_dates_with_the_person(app, surveys, make):
    make.user(Role.admin, organisation=surveys["organisation"])  # so Gareth is not the last admin
    delete_account(app, surveys["gareth"])
    with app.app_context():
        marked = db.session.scalars(select(pm.SurveyLeave).where(pm.SurveyLeave.user_id == surveys["carys"].id)
                                    .order_by(pm.SurveyLeave.starts_on)).all()
        assert [(p.starts_on, p.created_by_id) for p in marked] == [
            (date(2026, 8, 3), surveys["carys"].id), (date(2026, 12, 21), None)]


def test_the_deletion_page_says_what_happens_to_survey_data(app, surveys):
    client = app.test_client()
    assert sign_in(client, surveys["carys"].email).status_code == 302
    page = client.get(DELETE).get_data(as_text=True)
    assert "wellbeing survey answers and comments" in page and "already anonymous" in page
    assert "wellbeing survey answers, scores and comments" in client.get("/account/my-data").get_data(as_text=True)
