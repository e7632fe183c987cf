"""Deny by default: every route needs sign-in unless it is on the explicit public list, and every
admin route answers only to the admin of its own organisation."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from supervision.accounts import services as account_services
from supervision.accounts.models import Invitation, Organisation, Role, User
from supervision.extensions import db

from .conftest import csrf_token, post

# Reachable without signing in. Adding an endpoint here is a decision: keep the list short.
PUBLIC = {
    "static",
    "accounts.login",
    "mfa.challenge",  # the code step: half-way through signing in, so not signed in yet
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.accept_invitation",
    "main.switch_language",
    "main.privacy",
    "main.accessibility",
    # A private calendar feed: calendar apps cannot sign in, so the secret token in the address is
    # the credential (tests/test_booking_feed.py: unknown or replaced tokens answer 404).
    "booking.calendar_ics",
}


@dataclass
class World:
    org: Organisation
    other: Organisation
    admin: object
    member: object
    other_admin: object
    other_member: object
    invitation_id: int
    other_invitation_id: int
    people: dict
    theme_id: int = 0
    helpline_id: int = 0


def _invitation(app, organisation_id: int, inviter_id: int, email: str) -> int:
    with app.app_context():
        invitation = account_services.invite(
            organisation=db.session.get(Organisation, organisation_id),
            email=email,
            roles={Role.link_worker},
            invited_by=db.session.get(User, inviter_id),
        )
        db.session.commit()
        return invitation.id


@pytest.fixture
def world(app, make) -> World:
    org = make.organisation(name="Ogmore Valleys")
    other = make.organisation(name="Teifi Valley")
    admin = make.user(Role.admin, organisation=org, name="Gareth Price")
    member = make.user(Role.link_worker, organisation=org, name="Carys Jenkins")
    other_admin = make.user(Role.admin, organisation=other, name="Sioned Prys")
    other_member = make.user(Role.link_worker, organisation=other, name="Huw Parry")
    people = {
        "link_worker": member,
        "supervisor": make.user(Role.supervisor, organisation=org, name="Rhodri Evans"),
        "employer": make.user(Role.employer, organisation=org, name="Siân Morgan"),
        "admin": admin,
        "other_admin": other_admin,
    }
    return World(
        org=org, other=other, admin=admin, member=member, other_admin=other_admin,
        other_member=other_member,
        invitation_id=_invitation(app, org.id, admin.id, "new@example.org"),
        other_invitation_id=_invitation(app, other.id, other_admin.id, "new@example.org"),
        people=people,
        theme_id=_theme(app, org.id),
        helpline_id=_helpline(app, org.id),
    )


def _helpline(app, organisation_id: int) -> int:
    from supervision.support.models import Helpline

    with app.app_context():
        helpline = Helpline(organisation_id=organisation_id, name_en="Samaritans", number="116 123")
        db.session.add(helpline)
        db.session.commit()
        return helpline.id


def _leave(app, user_id: int) -> int:
    import datetime

    from supervision.pulse.models import SurveyLeave

    with app.app_context():
        leave = SurveyLeave(user_id=user_id, starts_on=datetime.date.today(), ends_on=datetime.date.today())
        db.session.add(leave)
        db.session.commit()
        return leave.id


def _theme(app, organisation_id: int) -> int:
    from supervision.reflections.models import Theme

    with app.app_context():
        theme = Theme(organisation_id=organisation_id, name_en="Carers", name_cy="Gofalwyr")
        db.session.add(theme)
        db.session.commit()
        return theme.id


# --- deny by default ---------------------------------------------------------------------------

def _fill(rule, world: World) -> dict:
    real_ids = {
        "organisation_id": world.org.id,
        "user_id": world.member.id,
        "invitation_id": world.invitation_id,
        "theme_id": world.theme_id,
        "helpline_id": world.helpline_id,
    }
    # A real id for every argument, so a route that loads before it checks cannot hide behind a 404.
    return {name: real_ids.get(name, world.member.id) for name in rule.arguments}


def test_public_list_names_real_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC <= endpoints, PUBLIC - endpoints


def test_every_other_route_sends_an_anonymous_visitor_to_sign_in(app, client, world):
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **_fill(rule, world))
        if "GET" in rule.methods:
            response = client.get(path)
        else:
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            response = client.open(path, method=method, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 302, (rule.endpoint, response.status_code)
        location = urlsplit(response.headers["Location"])
        assert location.path == "/sign-in", (rule.endpoint, response.headers["Location"])
        assert parse_qs(location.query)["next"] == [path], rule.endpoint
        checked.append(rule.endpoint)
    assert {"admin.people", "admin.deactivate", "main.home", "accounts.logout"} <= set(checked)


@pytest.mark.parametrize("path", ["/sign-in", "/password/forgot", "/cookies-and-privacy", "/accessibility"])
def test_public_pages_open_without_signing_in(client, path):
    assert client.get(path).status_code == 200


def test_public_token_pages_refuse_a_bad_token_without_sign_in(client):
    assert client.get("/password/reset/not-a-token").status_code == 400
    assert client.get("/invitation/not-a-token").status_code == 400


# --- admin routes × roles -----------------------------------------------------------------------

# (method, endpoint, the arguments it needs beyond organisation_id)
ADMIN_ROUTES = [
    ("GET", "admin.people", ()),
    ("GET", "admin.invite", ()),
    ("POST", "admin.invite", ()),
    ("GET", "admin.person", ("user_id",)),
    ("POST", "admin.person", ("user_id",)),
    ("POST", "admin.deactivate", ("user_id",)),
    ("POST", "admin.reactivate", ("user_id",)),
    ("POST", "admin.reset_second_step", ("user_id",)),
    ("POST", "admin.revoke_invitation", ("invitation_id",)),
    ("GET", "admin.settings", ()),
    ("POST", "admin.settings", ()),
    ("GET", "admin.themes", ()),
    ("POST", "admin.themes", ()),
    ("POST", "admin.archive_theme", ("theme_id",)),
    ("POST", "admin.restore_theme", ("theme_id",)),
    ("GET", "admin.supervisors", ("user_id",)),
    ("POST", "admin.supervisors", ("user_id",)),
    ("GET", "admin.sessions", ()),
    ("GET", "admin.support", ()),
    ("POST", "admin.support", ()),
    ("GET", "admin.helpline_add", ()),
    ("POST", "admin.helpline_add", ()),
    ("GET", "admin.helpline_edit", ("helpline_id",)),
    ("POST", "admin.helpline_edit", ("helpline_id",)),
    ("GET", "admin.helpline_delete", ("helpline_id",)),
    ("POST", "admin.helpline_delete", ("helpline_id",)),
    ("POST", "admin.helpline_move", ("helpline_id",)),
    ("GET", "admin.survey_leave", ("user_id",)),
    ("POST", "admin.survey_leave", ("user_id",)),
    ("POST", "admin.survey_leave_remove", ("user_id", "leave_id")),
]
ROLES = ["link_worker", "supervisor", "employer", "admin", "other_admin"]
PERSON_ROUTES = [r for r in ADMIN_ROUTES if "user_id" in r[2]]


def test_admin_route_list_is_complete(app):
    listed = {endpoint for _, endpoint, _ in ADMIN_ROUTES} | {"admin.index"}
    actual = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert listed == actual


def _path(app, endpoint: str, organisation_id: int, **ids) -> str:
    with app.test_request_context():
        return url_for(endpoint, organisation_id=organisation_id, **ids)


def _send(client, method: str, path: str, data: dict | None = None):
    if method == "GET":
        return client.get(path)
    return post(client, path, data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,endpoint,args", ADMIN_ROUTES, ids=[f"{m}-{e}" for m, e, _ in ADMIN_ROUTES])
def test_admin_route_by_role(app, client, signed_in, world, role, method, endpoint, args):
    ids = {"user_id": world.member.id, "invitation_id": world.invitation_id, "theme_id": world.theme_id,
           "helpline_id": world.helpline_id, "leave_id": _leave(app, world.member.id)}
    path = _path(app, endpoint, world.org.id, **{a: ids[a] for a in args})
    signed_in(world.people[role])
    response = _send(client, method, path)
    if role == "admin":
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path.startswith(f"/admin/organisations/{world.org.id}/")
    elif role == "other_admin":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
        assert "You do not have permission" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_by_role(client, signed_in, world, role):
    signed_in(world.people[role])
    response = client.get("/admin/")
    if role == "admin":
        assert response.headers["Location"] == f"/admin/organisations/{world.org.id}/people"
    elif role == "other_admin":
        assert response.headers["Location"] == f"/admin/organisations/{world.other.id}/people"
    else:
        assert response.status_code == 403


def test_admin_of_two_organisations_chooses_one(app, client, signed_in, world):
    with app.app_context():
        user = db.session.get(User, world.admin.id)
        account_services._add_roles(user, db.session.get(Organisation, world.other.id), {Role.admin})
        db.session.commit()
    signed_in(world.admin)
    page = client.get("/admin/").get_data(as_text=True)
    assert f"/admin/organisations/{world.org.id}/people" in page
    assert f"/admin/organisations/{world.other.id}/people" in page


@pytest.mark.parametrize("method,endpoint,args", PERSON_ROUTES, ids=[f"{m}-{e}" for m, e, _ in PERSON_ROUTES])
def test_another_organisations_person_answers_404(app, client, signed_in, world, method, endpoint, args):
    signed_in(world.admin)
    extra = {"leave_id": _leave(app, world.other_member.id)} if "leave_id" in args else {}
    path = _path(app, endpoint, world.org.id, user_id=world.other_member.id, **extra)
    assert _send(client, method, path, {"roles": ["admin"]}).status_code == 404
    with app.app_context():
        other_member = db.session.get(User, world.other_member.id)
        assert other_member.active
        assert other_member.roles_in(world.other.id) == {Role.link_worker}
        assert other_member.roles_in(world.org.id) == set()


@pytest.mark.parametrize("method,endpoint,args", PERSON_ROUTES, ids=[f"{m}-{e}" for m, e, _ in PERSON_ROUTES])
def test_unknown_person_answers_404(app, client, signed_in, world, method, endpoint, args):
    signed_in(world.admin)
    extra = {"leave_id": _leave(app, world.member.id)} if "leave_id" in args else {}
    assert _send(client, method, _path(app, endpoint, world.org.id, user_id=987654, **extra)).status_code == 404


def test_a_person_without_a_role_here_answers_404(app, client, make, signed_in, world):
    nobody = make.user(name="No Roles")
    signed_in(world.admin)
    assert client.get(_path(app, "admin.person", world.org.id, user_id=nobody.id)).status_code == 404


def test_another_organisations_theme_answers_404(app, client, signed_in, world):
    from supervision.reflections.models import Theme

    their_theme = _theme(app, world.other.id)
    signed_in(world.admin)
    for endpoint in ("admin.archive_theme", "admin.restore_theme"):
        assert post(client, _path(app, endpoint, world.org.id, theme_id=their_theme)).status_code == 404
    with app.app_context():
        assert db.session.get(Theme, their_theme).archived_at is None


def test_another_organisations_invitation_answers_404(app, client, signed_in, world):
    signed_in(world.admin)
    path = _path(app, "admin.revoke_invitation", world.org.id, invitation_id=world.other_invitation_id)
    assert post(client, path).status_code == 404
    with app.app_context():
        assert db.session.get(Invitation, world.other_invitation_id).revoked_at is None


def test_another_organisations_id_in_the_path_answers_404_to_this_admin(app, client, signed_in, world):
    signed_in(world.admin)
    for endpoint in ("admin.people", "admin.invite", "admin.settings", "admin.themes", "admin.sessions"):
        assert client.get(_path(app, endpoint, world.other.id)).status_code == 404
    assert client.get(_path(app, "admin.people", 987654)).status_code == 404


def test_a_deactivated_admin_is_signed_out_of_admin_pages(app, client, signed_in, world, make):
    second = make.user(Role.admin, organisation=world.org, name="Second Admin")
    signed_in(second)
    with app.app_context():
        user = db.session.get(User, second.id)
        user.active = False
        db.session.commit()
    response = client.get(_path(app, "admin.people", world.org.id))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
