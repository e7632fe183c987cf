"""Every debrief endpoint, for every role, on the person's own request and on someone else's:
anonymous → sign in, wrong role → 403, not theirs → 404, never a 500, and the admin and the
employer never see a request's description. The list comes from the app's url_map, so a new
endpoint without an expectation fails here."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import url_for

from supervision.accounts.models import Role

from .conftest import post

DESCRIPTION = "Mrs Bowen told me her son hits her, and she showed me the bruises on her arm."

# Each endpoint: who it is for, and which of a person's requests it is about:
#   "lw": a request they made; "check_in": a check-in of theirs; "triage" and "handle": a request in
#   their queue, or one they accepted; None: no request.
ENDPOINTS = {
    "debriefs.index": (Role.link_worker, None),
    "debriefs.new": (Role.link_worker, None),
    "debriefs.view": (Role.link_worker, "lw"),
    "debriefs.withdraw": (Role.link_worker, "lw"),
    "debriefs.check_in": (Role.link_worker, "check_in"),
    "debriefs.queue": (Role.supervisor, None),
    "debriefs.supervisor_view": (Role.supervisor, "triage"),
    "debriefs.accept": (Role.supervisor, "triage"),
    "debriefs.pass_on": (Role.supervisor, "triage"),
    "debriefs.decline": (Role.supervisor, "triage"),
    "debriefs.book": (Role.supervisor, "handle"),
    "debriefs.record": (Role.supervisor, "handle"),
}
ROLES = ["anonymous", "owner", "other_link_worker", "triager", "outsider", "handler", "admin", "employer"]
ROLE_OF = {"owner": Role.link_worker, "other_link_worker": Role.link_worker, "triager": Role.supervisor,
           "outsider": Role.supervisor, "handler": Role.supervisor, "admin": Role.admin,
           "employer": Role.employer}


def _routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("debriefs."):
            found += [(rule.endpoint, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


# Every endpoint with both methods: a method an endpoint does not take must answer 405 to everyone.
ROUTES = [(endpoint, method) for endpoint in ENDPOINTS for method in ("GET", "POST")]


@dataclass
class World:
    people: dict
    open_id: int  # the owner's, open, in the triager's queue
    accepted_id: int  # the owner's, accepted by the handler
    done_id: int  # the owner's, completed by the handler, with a check-in due
    other_id: int  # the other link worker's, completed, with a check-in due


@pytest.fixture
def world(make) -> World:
    organisation, elsewhere = make.organisation(name="Cwm Taf Connect"), make.organisation(name="Teifi Valley")
    people = {
        "owner": make.user(Role.link_worker, organisation=organisation, name="Nia Griffiths"),
        "other_link_worker": make.user(Role.link_worker, organisation=organisation, name="Dewi Jones"),
        "triager": make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans"),
        "handler": make.user(Role.supervisor, organisation=organisation, name="Catrin Lloyd"),
        "outsider": make.user(Role.supervisor, organisation=elsewhere, name="Huw Parry"),
        "admin": make.user(Role.admin, organisation=organisation, name="Gareth Price"),
        "employer": make.user(Role.employer, organisation=organisation, name="Siân Morgan"),
    }
    owner, handler = people["owner"], people["handler"]
    make.assign(people["triager"], owner)
    done_id = make.debrief_request(owner, status="completed", handler=handler, description=DESCRIPTION)
    other_id = make.debrief_request(people["other_link_worker"], status="completed", description=DESCRIPTION)
    for request_id in (done_id, other_id):
        make.check_in(request_id, 3)
    return World(people, make.debrief_request(owner, description=DESCRIPTION),
                 make.debrief_request(owner, status="accepted", handler=handler, description=DESCRIPTION),
                 done_id, other_id)


def theirs(world: World, role: str, about: str | None) -> int | None:
    """The request a person may use this endpoint on, if any."""
    return {
        ("owner", "lw"): world.open_id, ("owner", "check_in"): world.done_id,
        ("other_link_worker", "lw"): world.other_id, ("other_link_worker", "check_in"): world.other_id,
        ("triager", "triage"): world.open_id,
        ("handler", "triage"): world.accepted_id, ("handler", "handle"): world.accepted_id,
    }.get((role, about))


def not_theirs(world: World, role: str, about: str | None) -> list[int]:
    """Requests that exist but are none of this person's business here."""
    if about is None:
        return []
    if role == "owner":
        return [world.other_id]
    if role == "other_link_worker":
        return [world.open_id, world.done_id]
    if role == "triager":
        return [world.other_id] + ([world.open_id] if about == "handle" else [])
    if role == "handler":
        return [world.open_id, world.other_id]
    return [world.open_id, world.accepted_id, world.done_id]  # the outsider


def path(app, endpoint: str, request_id: int | None) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {"request_id": request_id, "day": 3}
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def send(client, method: str, where: str):
    return client.get(where) if method == "GET" else post(client, where, {})


def test_every_debrief_endpoint_has_an_expectation(app):
    actual = {endpoint for endpoint, _ in _routes(app)}
    assert actual == set(ENDPOINTS), (actual ^ set(ENDPOINTS))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint, method", ROUTES, ids=[f"{m}-{e}" for e, m in ROUTES])
def test_debrief_endpoint_by_role(app, client, signed_in, world, role, endpoint, method):
    audience, about = ENDPOINTS[endpoint]
    if role != "anonymous":
        signed_in(world.people[role])
    if (endpoint, method) not in _routes(app):
        assert send(client, method, path(app, endpoint, world.open_id)).status_code == 405
        return
    if role == "anonymous" or ROLE_OF[role] != audience:
        checks = [(world.open_id, "own")]
    else:
        # Someone else's first: a POST may change the person's own request.
        checks = [(request_id, "else") for request_id in not_theirs(world, role, about)]
        own = theirs(world, role, about)
        if about is None or own is not None:
            checks.append((own, "own"))
    for request_id, whose in checks:
        response = send(client, method, path(app, endpoint, request_id))
        said = (endpoint, method, role, whose, request_id, response.status_code)
        assert response.status_code != 500, said
        if role in ("admin", "employer") or response.status_code in (403, 404):
            assert DESCRIPTION not in response.get_data(as_text=True), said
        if role == "anonymous":
            assert response.status_code == 302, said
            assert urlsplit(response.headers["Location"]).path == "/sign-in", said
        elif ROLE_OF[role] != audience:
            assert response.status_code == 403, said
        elif whose == "else":
            assert response.status_code == 404, said
        else:
            assert response.status_code in (200, 302, 303, 400), said
            if endpoint in ("debriefs.view", "debriefs.supervisor_view"):  # the people it is for do see it
                assert DESCRIPTION in response.get_data(as_text=True), said
