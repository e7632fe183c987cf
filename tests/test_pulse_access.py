"""Every survey endpoint, for every role, on the person's own objects and on someone else's:
anonymous → sign in, wrong role → 403, not theirs → 404, never a 500, and nobody but the writer
ever sees a comment. The list comes from the app's url_map, so a new endpoint without an
expectation fails here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for

from supervision.accounts.models import Role
from supervision.extensions import db

from .conftest import post

COMMENTS = {"owner": "Dydd Llun was hard: the Pritchard family again, and I cried in the car park.",
            "other": "Teifi floods again; Mr Hughes lost everything and I had nothing to offer him."}

# Each endpoint: who it is for, and which kind of object it is about (None: no object).
ENDPOINTS = {
    "pulse.index": (Role.link_worker, None),
    "pulse.about": (Role.link_worker, None),
    "pulse.start": (Role.link_worker, "round"),
    "pulse.answer": (Role.link_worker, "round"),
    "pulse.result": (Role.link_worker, "round"),
    "pulse.trend": (Role.link_worker, None),
    "pulse.trend_chart": (Role.link_worker, None),
    "pulse.shares": (Role.link_worker, None),
    "pulse.revoke_share": (Role.link_worker, "share"),
    "pulse.leave": (Role.link_worker, None),
    "pulse.leave_remove": (Role.link_worker, "leave"),
    "pulse.shared_trends": (Role.supervisor, None),
    "pulse.shared_trend": (Role.supervisor, "shared"),
    "pulse.shared_trend_chart": (Role.supervisor, "shared"),
}
ROLES = ["anonymous", "owner", "other_link_worker", "supervisor", "outsider", "admin", "employer"]
ROLE_OF = {"owner": Role.link_worker, "other_link_worker": Role.link_worker, "supervisor": Role.supervisor,
           "outsider": Role.supervisor, "admin": Role.admin, "employer": Role.employer}
ROUTES = [(endpoint, method) for endpoint in ENDPOINTS for method in ("GET", "POST")]


def _routes(app) -> list[tuple[str, str]]:
    return sorted((rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("pulse.")
                  for method in rule.methods - {"HEAD", "OPTIONS"})


@dataclass
class World:
    people: dict
    ids: dict  # (whose, kind) -> id: whose is "owner" or "other"


def _leave_and_share(app, person, supervisor) -> tuple[int, int]:
    from supervision.pulse.models import SurveyLeave, TrendShare

    with app.app_context():
        leave = SurveyLeave(user_id=person.id, starts_on=date.today() + timedelta(days=3),
                            ends_on=date.today() + timedelta(days=9), created_by_id=person.id)
        share = TrendShare(owner_id=person.id, supervisor_id=supervisor.id)
        db.session.add_all([leave, share])
        db.session.commit()
        return leave.id, share.id


@pytest.fixture
def world(app, make) -> World:
    here, elsewhere = make.organisation(name="Cwm Taf Connect"), make.organisation(name="Teifi Valley")
    people = {
        "owner": make.user(Role.link_worker, organisation=here, name="Nia Griffiths"),
        "other_link_worker": make.user(Role.link_worker, organisation=elsewhere, name="Dewi Jones"),
        "supervisor": make.user(Role.supervisor, organisation=here, name="Rhodri Evans"),
        "outsider": make.user(Role.supervisor, organisation=elsewhere, name="Huw Parry"),
        "admin": make.user(Role.admin, organisation=here, name="Gareth Price"),
        "employer": make.user(Role.employer, organisation=here, name="Siân Morgan"),
    }
    make.assign(people["supervisor"], people["owner"], here)
    make.assign(people["outsider"], people["other_link_worker"], elsewhere)
    ids = {}
    for whose, person, organisation, supervisor in (("owner", people["owner"], here, people["supervisor"]),
                                                   ("other", people["other_link_worker"], elsewhere,
                                                    people["outsider"])):
        ids[whose, "round"] = make.pulse_round(organisation)
        make.pulse_response(person, ids[whose, "round"], {"B1": 4, "S1": 2}, comment=COMMENTS[whose])
        ids[whose, "leave"], ids[whose, "share"] = _leave_and_share(app, person, supervisor)
        ids[whose, "shared"] = ids[whose, "share"]
    return World(people, ids)


def _checks(world: World, role: str, kind: str | None) -> list[tuple[int | None, str]]:
    """(object id, "own" or "else") pairs to try: someone else's first, since a POST may change one's own."""
    if kind is None:
        return [(None, "own")]
    mine = {"owner": "owner", "other_link_worker": "other", "supervisor": "owner", "outsider": "other"}[role]
    theirs = "other" if mine == "owner" else "owner"
    return [(world.ids[theirs, kind], "else"), (world.ids[mine, kind], "own")]


def path(app, endpoint: str, object_id: int | None) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{name: object_id or 1 for name in rule.arguments})


def send(client, method: str, where: str):
    return client.get(where) if method == "GET" else post(client, where, {})


def test_every_survey_endpoint_has_an_expectation(app):
    actual = {endpoint for endpoint, _ in _routes(app)}
    assert actual == set(ENDPOINTS), actual ^ set(ENDPOINTS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint, method", ROUTES, ids=[f"{m}-{e}" for e, m in ROUTES])
def test_survey_endpoint_by_role(app, client, signed_in, world, role, endpoint, method):
    audience, kind = ENDPOINTS[endpoint]
    if role != "anonymous":
        signed_in(world.people[role])
    if (endpoint, method) not in _routes(app):
        assert send(client, method, path(app, endpoint, world.ids["owner", kind] if kind else None)).status_code == 405
        return
    if role == "anonymous" or ROLE_OF[role] != audience:
        checks = [(world.ids["owner", kind] if kind else None, "own")]
    else:
        checks = _checks(world, role, kind)
    for object_id, whose in checks:
        response = send(client, method, path(app, endpoint, object_id))
        said = (endpoint, method, role, whose, object_id, response.status_code)
        assert response.status_code != 500, said
        for writer, comment in COMMENTS.items():
            if role != {"owner": "owner", "other": "other_link_worker"}[writer]:
                assert comment not in response.get_data(as_text=True), said
        if role == "anonymous":
            assert response.status_code == 302, said
            assert urlsplit(response.headers["Location"]).path == "/sign-in", said
        elif ROLE_OF[role] != audience:
            assert response.status_code == 403, said
        elif whose == "else":
            assert response.status_code == 404, said
        else:
            assert response.status_code in (200, 302, 303, 400, 409), said


def _current_area(html: str) -> list[str]:
    import re

    items = re.findall(r'<li class="[^"]*navigation__item--active[^"]*">(.*?)</li>', html, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in items]


def test_the_navigation_marks_wellbeing_for_ones_own_pages_and_shared_with_you_for_a_supervisors(
        client, make, signed_in, world):
    both = make.user(Role.link_worker, Role.supervisor, organisation=make.organisation())
    signed_in(both)
    assert _current_area(client.get("/wellbeing/trend").get_data(as_text=True)) == ["Wellbeing"]
    assert _current_area(client.get("/wellbeing/shared").get_data(as_text=True)) == ["Shared with you"]
