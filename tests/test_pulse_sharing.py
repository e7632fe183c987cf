"""Sharing a summary of one's trend with a supervisor: off by default, only with one's own
supervisor, never duplicated, revocable; the supervisor's view, logged for the owner; what the
summary never holds (comments, S1–S3 answers); every route against every role; bounded queries."""
from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select

from supervision.accounts.models import Role, SupervisorAssignment
from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import Notification
from supervision.pulse import services, sharing
from supervision.pulse.models import TrendShare, TrendShareView
from supervision.pulse.trend import summary_of

from .conftest import counting_queries, post, sign_in
from .test_pulse_trend import COMMENT, answered_surveys, table_rows


@dataclass
class World:
    organisation: object
    owner: object
    supervisor: object
    other_supervisor: object
    other_link_worker: object
    employer: object
    admin: object
    share_id: int  # the owner's live share with their supervisor
    others_share_id: int  # another link worker's share with another supervisor
    revoked_id: int  # the owner's revoked share

    def people(self) -> dict:
        return {"owner": self.owner, "supervisor": self.supervisor, "other_supervisor": self.other_supervisor,
                "other_link_worker": self.other_link_worker, "employer": self.employer, "admin": self.admin}


def make_share(app, owner, supervisor, *, revoked: bool = False) -> int:
    with app.app_context():
        share = TrendShare(owner_id=owner.id, supervisor_id=supervisor.id, revoked_at=utcnow() if revoked else None)
        db.session.add(share)
        db.session.commit()
        return share.id


@pytest.fixture
def world(app, make) -> World:
    organisation = make.organisation(name="Ogmore Valleys")
    owner = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    other_supervisor = make.user(Role.supervisor, organisation=organisation, name="Bethan Howells")
    other = make.user(Role.link_worker, organisation=organisation, name="Huw Parry")
    make.assign(supervisor, owner, organisation)
    make.assign(other_supervisor, other, organisation)
    answered_surveys(make, organisation, owner)
    return World(organisation, owner, supervisor, other_supervisor, other,
                 make.user(Role.employer, organisation=organisation), make.user(Role.admin, organisation=organisation),
                 share_id=make_share(app, owner, supervisor), others_share_id=make_share(app, other, other_supervisor),
                 revoked_id=make_share(app, owner, supervisor, revoked=True))


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shares_of(app, owner) -> list[TrendShare]:
    with app.app_context():
        found = list(db.session.scalars(select(TrendShare).where(TrendShare.owner_id == owner.id)
                                        .order_by(TrendShare.id)))
        db.session.expunge_all()
        return found


def notifications(app, user) -> list[Notification]:
    with app.app_context():
        found = list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))
        db.session.expunge_all()
        return found


# --- the owner shares and revokes ---------------------------------------------------------------------

def test_sharing_is_off_by_default(client, make, world):
    newcomer = make.user(Role.link_worker, organisation=world.organisation)
    make.assign(world.supervisor, newcomer, world.organisation)
    sign_in(client, newcomer.email)
    text = page(client.get("/wellbeing/trend/sharing"))
    assert "Who can see a summary now" not in text
    assert "You are not sharing your trend with anyone" in page(client.get("/wellbeing/trend"))
    assert shares_of(client.application, newcomer) == []


def test_sharing_with_ones_supervisor_tells_them_without_a_score(app, client, make, world, outbox):
    newcomer = make.user(Role.link_worker, organisation=world.organisation, name="Nia Thomas")
    make.assign(world.supervisor, newcomer, world.organisation)
    answered_surveys(make, make.organisation(), newcomer)
    sign_in(client, newcomer.email)
    response = post(client, "/wellbeing/trend/sharing", {"supervisor": str(world.supervisor.id)})
    assert response.status_code == 302 and response.headers["Location"] == "/wellbeing/trend/sharing"
    [share] = shares_of(app, newcomer)
    assert share.supervisor_id == world.supervisor.id and share.live
    [notice] = [n for n in notifications(app, world.supervisor) if n.kind == "trend_shared"]
    assert notice.link == f"/wellbeing/shared/{share.id}"
    assert notice.dedupe_key == f"trend-shared:{share.id}"
    [email] = [m for m in outbox() if m["To"] == world.supervisor.email]
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "shared a summary of their wellbeing trend" in body
    for figure in ("62.5", "33.3", "100.0", "Burning out", COMMENT):
        assert figure not in body
    text = page(client.get("/wellbeing/trend/sharing"))
    assert "You are sharing a summary of your trend with Rhodri Evans" in text
    assert "Not viewed yet" in text


def test_sharing_again_does_not_duplicate_the_share(app, client, world):
    sign_in(client, world.owner.email)
    before = shares_of(app, world.owner)
    response = post(client, "/wellbeing/trend/sharing", {"supervisor": str(world.supervisor.id)},
                    follow_redirects=True)
    assert "You were already sharing a summary of your trend with Rhodri Evans" in page(response)
    assert [s.id for s in shares_of(app, world.owner)] == [s.id for s in before]
    assert not [n for n in notifications(app, world.supervisor) if n.kind == "trend_shared"]


@pytest.mark.parametrize("choice,message", [
    (None, "Select the supervisor to share it with"),
    ("other_supervisor", "Select one of your supervisors"),  # a supervisor, but not theirs
    ("employer", "Select one of your supervisors"),
    ("999999", "Select one of your supervisors"),
    ("not-a-number", "Select one of your supervisors"),
])
def test_a_supervisor_who_is_not_theirs_is_a_form_error(app, client, world, choice, message):
    sign_in(client, world.owner.email)
    before = shares_of(app, world.owner)
    value = str(world.people()[choice].id) if choice in world.people() else choice
    response = post(client, "/wellbeing/trend/sharing", {"supervisor": value} if value else {})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text and message in text
    assert "<title>Error: Share a summary of your trend" in text
    assert len(shares_of(app, world.owner)) == len(before)


def test_without_a_supervisor_there_is_nothing_to_choose(client, make, world):
    loner = make.user(Role.link_worker, organisation=world.organisation)
    sign_in(client, loner.email)
    assert "You do not have a supervisor in Cwtch yet" in page(client.get("/wellbeing/trend/sharing"))
    assert post(client, "/wellbeing/trend/sharing", {"supervisor": str(world.supervisor.id)}).status_code == 200
    assert shares_of(client.application, loner) == []


def test_revoking_ends_the_share_for_the_supervisor(app, client, world):
    sign_in(client, world.owner.email)
    response = post(client, f"/wellbeing/trend/sharing/{world.share_id}/revoke", follow_redirects=True)
    assert "Rhodri Evans can no longer see a summary of your trend" in page(response)
    assert not next(s for s in shares_of(app, world.owner) if s.id == world.share_id).live
    assert post(client, f"/wellbeing/trend/sharing/{world.share_id}/revoke").status_code == 302  # a second click
    client.delete_cookie("cwtch_session")
    sign_in(client, world.supervisor.email)
    assert client.get(f"/wellbeing/shared/{world.share_id}").status_code == 404


def test_revoke_needs_the_csrf_token(client, world):
    sign_in(client, world.owner.email)
    assert client.post(f"/wellbeing/trend/sharing/{world.share_id}/revoke").status_code == 400


# --- the supervisor's view ------------------------------------------------------------------------------

def test_the_supervisor_sees_the_summary_and_each_view_is_logged(app, client, world):
    sign_in(client, world.supervisor.email)
    listing = page(client.get("/wellbeing/shared"))
    assert "Carys Jenkins" in listing and f"/wellbeing/shared/{world.share_id}" in listing
    assert "Huw Parry" not in listing
    text = page(client.get(f"/wellbeing/shared/{world.share_id}"))
    assert table_rows(text, "cbi-caption") == [
        ["January to March 2026", "62.5 moderate or higher", "25.0", "Not scored (answered 2 of 6)"],
        ["April to June 2026", "33.3", "25.0", "100.0 moderate or higher"],
    ]
    assert table_rows(text, "single-item-caption")[1] == ["February 2026", "4", "Burning out"]
    svg = client.get(f"/wellbeing/shared/{world.share_id}/chart.svg?measure=single")
    assert svg.mimetype == "image/svg+xml" and b"Answers to the burnout question, by month" in svg.data
    client.get(f"/wellbeing/shared/{world.share_id}")
    with app.app_context():
        assert db.session.query(TrendShareView).filter_by(share_id=world.share_id).count() == 2  # not the chart
    client.delete_cookie("cwtch_session")
    sign_in(client, world.owner.email)
    assert page(client.get("/wellbeing/trend/sharing")).count("Viewed on ") == 2


def test_the_summary_never_holds_comments_or_the_support_questions(app, client, world):
    with app.test_request_context():
        from supervision.accounts.models import User
        summary = summary_of(services.my_results(db.session.get(User, world.owner.id)))
        for row in summary.months + summary.quarters:
            assert set(vars(row)) <= {"label", "short_label", "value", "burning_out", "scales", "language"}
            assert row.language is None
    sign_in(client, world.supervisor.email)
    shown = [page(client.get(f"/wellbeing/shared/{world.share_id}"))]
    shown += [page(client.get(f"/wellbeing/shared/{world.share_id}/chart.svg?measure={m}")) for m in ("single", "cbi")]
    for text in shown:
        assert COMMENT not in text
        for words in ("In the last month I had supervision", "I know who to talk to", "supported by my employer",
                      "Strongly", "Language answered in"):
            assert words not in text


def test_shared_with_you_links_to_the_trends(client, world):
    sign_in(client, world.supervisor.email)
    text = page(client.get("/reflections/shared"))
    assert "1 person shares a summary of their wellbeing trend with you." in text
    assert 'href="/wellbeing/shared"' in text


def test_a_supervisor_who_no_longer_supervises_them_gets_404(app, client, world):
    with app.app_context():
        db.session.execute(delete(SupervisorAssignment).where(SupervisorAssignment.link_worker_id == world.owner.id))
        db.session.commit()
        assert sharing.revoke_shares_between(owner_id=world.owner.id, supervisor_id=world.supervisor.id) == 1
        db.session.rollback()  # leave the share live: the view must still refuse it
    sign_in(client, world.supervisor.email)
    assert client.get(f"/wellbeing/shared/{world.share_id}").status_code == 404
    assert client.get(f"/wellbeing/shared/{world.share_id}/chart.svg").status_code == 404
    assert "Carys Jenkins" not in page(client.get("/wellbeing/shared"))
    client.delete_cookie("cwtch_session")
    sign_in(client, world.owner.email)
    assert "They no longer supervise you, so they cannot see it." in page(client.get("/wellbeing/trend/sharing"))


def test_ending_the_assignment_ends_the_share_so_reassigning_does_not_revive_it(app, make, world):
    from supervision.accounts.models import Organisation, User
    from supervision.admin.assignments import set_supervisors

    with app.app_context():
        organisation = db.session.get(Organisation, world.organisation.id)
        owner, admin = db.session.get(User, world.owner.id), db.session.get(User, world.admin.id)
        assert set_supervisors(organisation=organisation, link_worker=owner, supervisor_ids=set(), actor=admin)
        db.session.commit()
        assert db.session.get(TrendShare, world.share_id).revoked_at is not None
        set_supervisors(organisation=organisation, link_worker=owner, supervisor_ids={world.supervisor.id}, actor=admin)
        db.session.commit()
        assert db.session.get(TrendShare, world.share_id).revoked_at is not None


def test_a_chart_opened_on_its_own_is_a_logged_view_but_a_page_and_its_chart_are_one(app, client, world):
    sign_in(client, world.supervisor.email)

    def views() -> int:
        with app.app_context():
            return len(db.session.scalars(select(TrendShareView).where(TrendShareView.share_id == world.share_id)).all())

    assert client.get(f"/wellbeing/shared/{world.share_id}/chart.svg?measure=single").status_code == 200
    assert views() == 1
    client.get(f"/wellbeing/shared/{world.share_id}")
    client.get(f"/wellbeing/shared/{world.share_id}/chart.svg?measure=cbi")
    assert views() == 2  # the page is logged; its charts, moments later, are the same look


# --- every route against every role --------------------------------------------------------------------

OWNER_ROUTES = [("GET", "/wellbeing/trend/sharing"), ("POST", "/wellbeing/trend/sharing"),
                ("POST", "/wellbeing/trend/sharing/{share}/revoke")]
SUPERVISOR_ROUTES = [("GET", "/wellbeing/shared"), ("GET", "/wellbeing/shared/{share}"),
                     ("GET", "/wellbeing/shared/{share}/chart.svg?measure=cbi")]
EXPECTED = {
    # who: (owner routes, supervisor routes)
    "owner": ((200, 200, 302), (403, 403, 403)),
    "other_link_worker": ((200, 200, 404), (403, 403, 403)),  # another person's share: 404
    "supervisor": ((403, 403, 403), (200, 200, 200)),
    "other_supervisor": ((403, 403, 403), (200, 404, 404)),  # another supervisor's share: 404
    "employer": ((403, 403, 403), (403, 403, 403)),
    "admin": ((403, 403, 403), (403, 403, 403)),
}


@pytest.mark.parametrize("who", [*EXPECTED, "anonymous"])
def test_every_route_and_role(client, world, who):
    if who != "anonymous":
        sign_in(client, world.people()[who].email)
    for (method, path), expected in zip(OWNER_ROUTES + SUPERVISOR_ROUTES,
                                        sum(EXPECTED.get(who, ((302,) * 3, (302,) * 3)), ())):
        target = path.format(share=world.share_id)
        if method == "GET":
            response = client.get(target)
        elif who == "anonymous":
            response = client.post(target, data={})
            expected = 400  # refused by CSRF before anything else
        else:
            response = post(client, target, {})
        assert response.status_code == expected, (method, target)
        if response.status_code == 302 and who == "anonymous":
            assert "/sign-in" in response.headers["Location"]


def test_a_revoked_share_and_another_supervisors_share_answer_404(client, world):
    sign_in(client, world.supervisor.email)
    for share_id in (world.revoked_id, world.others_share_id, 999_999):
        assert client.get(f"/wellbeing/shared/{share_id}").status_code == 404
        assert client.get(f"/wellbeing/shared/{share_id}/chart.svg").status_code == 404
    client.delete_cookie("cwtch_session")
    sign_in(client, world.other_link_worker.email)
    assert post(client, f"/wellbeing/trend/sharing/{world.share_id}/revoke", {}).status_code == 404


# --- bounded queries, Welsh ----------------------------------------------------------------------------------

def test_queries_stay_bounded(app, client, make, world):
    sign_in(client, world.supervisor.email)
    with counting_queries(app) as list_before:
        client.get("/wellbeing/shared")
    with counting_queries(app) as view_before:
        client.get(f"/wellbeing/shared/{world.share_id}")
    for n in range(4):
        person = make.user(Role.link_worker, organisation=world.organisation, name=f"Person {n}")
        make.assign(world.supervisor, person, world.organisation)
        make_share(app, person, world.supervisor)
    for year in range(2020, 2024):
        for month in range(1, 10):
            make.pulse_response(world.owner, make.pulse_round(world.organisation, year=year, month=month), {"B1": 1})
    with counting_queries(app) as list_after:
        assert page(client.get("/wellbeing/shared")).count("/wellbeing/shared/") == 5
    with counting_queries(app) as view_after:
        assert page(client.get(f"/wellbeing/shared/{world.share_id}")).count("Not burned out") == 37
    assert len(list_after) == len(list_before)
    assert len(view_after) == len(view_before)


@pytest.mark.parametrize("path", ["/wellbeing/trend/sharing", "/wellbeing/shared", "/wellbeing/shared/{share}"])
def test_the_pages_render_in_welsh(app, client, world, path):
    from supervision.accounts.models import User
    with app.app_context():
        for person in (world.owner, world.supervisor):
            db.session.get(User, person.id).preferred_language = "cy"
        db.session.commit()
    who = world.owner if path.startswith("/wellbeing/trend") else world.supervisor
    sign_in(client, who.email)
    response = client.get(path.format(share=world.share_id))
    assert response.status_code == 200 and '<html lang="cy"' in page(response)
