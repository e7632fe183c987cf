"""Invitations: signed, expiring, single-use links; creating an account; joining with an existing one."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from supervision.accounts import passwords, services, tokens
from supervision.accounts.messages import MESSAGES
from supervision.accounts.models import Invitation, Organisation, Role, User
from supervision.admin import services as admin_services
from supervision.db import utcnow
from supervision.extensions import db
from tests.conftest import PASSWORD, csrf_token, post

NEW_PASSWORD = "granite harbour lantern fig"


@pytest.fixture
def org(make):
    return make.organisation(name="Tŷ Hapus Surgery")


@pytest.fixture
def admin(make, org):
    return make.user(Role.admin, organisation=org, name="Angharad Admin")


def invite(app, org, admin, email: str = "new.person@example.org",
           roles=(Role.link_worker, Role.supervisor)) -> tuple[int, str]:
    with app.app_context():
        invitation = services.invite(
            organisation=db.session.get(Organisation, org.id), email=email, roles=set(roles),
            invited_by=db.session.get(User, admin.id),
        )
        token = services.invitation_token(invitation)
        db.session.commit()
        return invitation.id, token


def change_invitation(app, invitation_id: int, **fields) -> None:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        for key, value in fields.items():
            setattr(invitation, key, value)
        db.session.commit()


def read(outbox) -> list:
    return outbox()


def accept(client, token: str, *, name="Nia Evans", password=NEW_PASSWORD, language="cy", confirm=None):
    path = f"/invitation/{token}"
    return client.post(path, data={
        "name": name, "language": language, "password": password,
        "confirm": password if confirm is None else confirm,
        "csrf_token": csrf_token(client, path),
    })


def text(response) -> str:
    return response.get_data(as_text=True)


class _PastSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 8 * 86400


# --- the link --------------------------------------------------------------------------------

def test_invitation_page_shows_the_form(app, client, org, admin):
    _, token = invite(app, org, admin)
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 200
    page = text(response)
    assert "Create your account" in page and "Tŷ Hapus Surgery" in page
    assert "new.person@example.org" in page


@pytest.mark.parametrize("how", ["payload", "signature", "garbage"])
def test_tampered_token_is_refused(app, client, org, admin, how):
    _, token = invite(app, org, admin)
    if how == "payload":
        bad = ("A" if token[0] != "A" else "B") + token[1:]
    elif how == "signature":
        body, _, signature = token.rpartition(".")
        bad = body + "." + signature[::-1]
    else:
        bad = "not-a-token"
    response = client.get(f"/invitation/{bad}")
    assert response.status_code == 400
    assert "There is a problem with this invitation" in text(response)
    assert "This link is not valid" in text(response)


def test_token_signed_with_another_key_is_refused(app, client, org, admin):
    invitation_id, _ = invite(app, org, admin)
    with app.app_context():
        nonce = db.session.get(Invitation, invitation_id).nonce
    forged = URLSafeTimedSerializer("someone else's key", salt=services.INVITE_SALT).dumps(
        {"i": invitation_id, "n": nonce})
    assert client.get(f"/invitation/{forged}").status_code == 400


def test_token_for_a_password_reset_is_not_an_invitation(app, client, org, admin, make):
    person = make.user(Role.link_worker)
    with app.app_context():
        reset = services.make_reset_token(db.session.get(User, person.id))
    assert client.get(f"/invitation/{reset}").status_code == 400


def test_expired_invitation_is_refused(app, client, org, admin):
    invitation_id, token = invite(app, org, admin)
    change_invitation(app, invitation_id, expires_at=utcnow() - timedelta(seconds=1))
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert "Ask your organisation’s admin to send you a new invitation" in text(response)
    assert accept(client, token).status_code == 400


def test_invitation_lasts_seven_days(app, org, admin):
    invitation_id, _ = invite(app, org, admin)
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        lifetime = invitation.expires_at - invitation.created_at
        assert timedelta(days=7) - timedelta(minutes=1) < lifetime <= timedelta(days=7)


def test_token_older_than_seven_days_is_refused(app, client, org, admin):
    invitation_id, _ = invite(app, org, admin)
    with app.app_context():
        nonce = db.session.get(Invitation, invitation_id).nonce
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=services.INVITE_SALT,
                                     signer=_PastSigner).dumps({"i": invitation_id, "n": nonce})
        with pytest.raises(tokens.TokenExpired):
            services.invitation_for_token(old)
    response = client.get(f"/invitation/{old}")
    assert response.status_code == 400 and "This link has expired" in text(response)


def test_revoked_invitation_is_refused(app, client, org, admin):
    invitation_id, token = invite(app, org, admin)
    with app.app_context():
        admin_services.revoke_invitation(invitation=db.session.get(Invitation, invitation_id),
                                         actor=db.session.get(User, admin.id))
        db.session.commit()
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 400 and "This link is not valid" in text(response)
    assert accept(client, token).status_code == 400
    with app.app_context():
        assert services.find_user_by_email("new.person@example.org") is None


def test_a_new_invitation_replaces_the_old_one(app, client, org, admin):
    _, first = invite(app, org, admin)
    _, second = invite(app, org, admin, roles=(Role.link_worker,))
    assert client.get(f"/invitation/{first}").status_code == 400
    assert client.get(f"/invitation/{second}").status_code == 200


# --- a new person accepts -------------------------------------------------------------------

def test_new_person_creates_an_account_with_the_invited_roles(app, client, org, admin, make):
    invitation_id, token = invite(app, org, admin)
    response = accept(client, token, name="  Nia Evans ", language="cy")
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    # A supervisor sets up a second step to sign in before anything else.
    assert client.get("/home").headers["Location"] == "/account/second-step/set-up?next=/home"
    with app.app_context():
        make.enrol_mfa(services.find_user_by_email("new.person@example.org").id)
    home = text(client.get("/home"))
    assert "Nia Evans" in home
    assert 'id="section-link_worker"' in home and 'id="section-supervisor"' in home
    assert 'id="section-admin"' not in home
    with app.app_context():
        user = services.find_user_by_email("new.person@example.org")
        assert user.name == "Nia Evans"
        assert user.preferred_language == "cy"
        assert user.roles_in(org.id) == {Role.link_worker, Role.supervisor}
        assert user.password_hash.startswith("$argon2id$")
        assert db.session.get(Invitation, invitation_id).used_at is not None


def test_invitation_works_once(app, client, org, admin):
    invitation_id, token = invite(app, org, admin)
    assert accept(client, token).status_code == 302
    again = app.test_client().get(f"/invitation/{token}")
    assert again.status_code == 400
    assert "This invitation has already been used" in text(again)
    with app.app_context():
        with pytest.raises(services.AccountError) as error:
            services.invitation_for_token(token)
        assert error.value.code == "invitation_used"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Tŷ Hapus Surgery", "password_context"),  # the organisation's name
        ("tyhapussurgery1", "password_context"),
        ("new.person2024", "password_context"),    # the invited email's local part
        ("password1234", "password_common"),
        ("short", "password_too_short"),
    ],
)
def test_password_rules_apply_at_acceptance(app, client, org, admin, password, code):
    invitation_id, token = invite(app, org, admin)
    response = accept(client, token, password=password)
    assert response.status_code == 200
    page = text(response)
    assert "govuk-error-summary" in page and "govuk-error-message" in page
    assert str(MESSAGES[code]) in page
    with app.app_context():
        assert services.find_user_by_email("new.person@example.org") is None
        assert db.session.get(Invitation, invitation_id).used_at is None


def test_acceptance_needs_a_name_and_matching_passwords(app, client, org, admin):
    _, token = invite(app, org, admin)
    page = text(accept(client, token, name="", confirm="something else entirely"))
    assert "Enter your full name" in page and "The passwords do not match" in page
    with app.app_context():
        assert services.find_user_by_email("new.person@example.org") is None


def test_acceptance_needs_csrf(app, client, org, admin):
    _, token = invite(app, org, admin)
    response = client.post(f"/invitation/{token}", data={
        "name": "Nia", "language": "en", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    with app.app_context():
        assert services.find_user_by_email("new.person@example.org") is None


# --- someone who already has an account ----------------------------------------------------------

def test_existing_person_signs_in_then_accepts(app, client, org, admin, make):
    other_org = make.organisation(name="Another Practice")
    person = make.user(Role.link_worker, organisation=other_org, email="already@example.org")
    _, token = invite(app, org, admin, email="Already@Example.org", roles=(Role.supervisor,))
    path = f"/invitation/{token}"

    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    signed = client.post(response.headers["Location"], data={
        "email": person.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert signed.headers["Location"] == path
    page = text(client.get(path))
    assert "Accept your invitation" in page and "Tŷ Hapus Surgery" in page
    accepted = post(client, path, token_from=path)
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/home"
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.roles_in(org.id) == {Role.supervisor}
        assert user.roles_in(other_org.id) == {Role.link_worker}
    # Now a supervisor, they must set up a second step before anything else.
    assert client.get("/home").headers["Location"] == "/account/second-step/set-up?next=/home"
    assert app.test_client().get(path).status_code == 400  # used


def test_existing_account_cannot_be_taken_over_through_the_form(app, client, org, admin, make):
    person = make.user(Role.link_worker, email="already@example.org")
    _, token = invite(app, org, admin, email=person.email)
    response = post(client, f"/invitation/{token}", {
        "name": "Mallory", "language": "en", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user.roles_in(org.id) == set()
        assert passwords.verify_password(user.password_hash, PASSWORD)


def test_a_different_signed_in_person_is_refused(app, client, org, admin, make, signed_in):
    invitee = make.user(Role.link_worker, email="invitee@example.org")
    stranger = make.user(Role.link_worker, email="stranger@example.org")
    invitation_id, token = invite(app, org, admin, email=invitee.email)
    signed_in(stranger)
    path = f"/invitation/{token}"
    response = client.get(path)
    assert response.status_code == 403
    assert "different email address" in text(response)
    assert post(client, path, token_from="/cookies-and-privacy").status_code == 403
    with app.app_context():
        assert db.session.get(User, stranger.id).roles_in(org.id) == set()
        assert db.session.get(User, invitee.id).roles_in(org.id) == set()
        assert db.session.get(Invitation, invitation_id).used_at is None


def test_service_refuses_the_wrong_person(app, org, admin, make):
    stranger = make.user(Role.link_worker)
    invitation_id, _ = invite(app, org, admin)
    with app.app_context():
        with pytest.raises(services.AccountError) as error:
            services.accept_invitation_as(invitation=db.session.get(Invitation, invitation_id),
                                          user=db.session.get(User, stranger.id))
        assert error.value.code == "invitation_other_person"


# --- the email ---------------------------------------------------------------------------------

LINK = re.compile(r"http://localhost(/invitation/[A-Za-z0-9._-]+)")


def _send_invitation(client, org, email: str, roles: list[str]):
    return post(client, f"/admin/organisations/{org.id}/invite", {"email": email, "roles": roles},
                token_from=f"/admin/organisations/{org.id}/invite")


def test_invitation_email_for_a_new_person(app, client, org, admin, signed_in, outbox):
    signed_in(admin)
    response = _send_invitation(client, org, "Newcomer@Example.org", ["link_worker", "employer"])
    assert response.status_code == 302
    (message,) = read(outbox)
    assert message["To"] == "newcomer@example.org"
    assert " / " in message["Subject"]  # Welsh, then English
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert html.index('lang="cy"') < html.index('lang="en"')
    assert "Angharad Admin" in plain and "Tŷ Hapus Surgery" in plain
    links = set(LINK.findall(plain)) | set(LINK.findall(html))
    assert len(links) == 1
    whole = message.as_string()
    assert PASSWORD not in whole and "$argon2" not in whole
    # The link in the email is the one that works.
    anonymous = app.test_client()
    assert anonymous.get(links.pop()).status_code == 200
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.role_set == {Role.link_worker, Role.employer}


def test_invitation_email_for_an_existing_person_is_in_their_language(
        app, client, org, admin, make, signed_in, outbox):
    make.user(Role.link_worker, email="siaradwr@example.org", language="cy")
    signed_in(admin)
    assert _send_invitation(client, org, "siaradwr@example.org", ["supervisor"]).status_code == 302
    (message,) = read(outbox)
    html = message.get_body(("html",)).get_content()
    assert 'lang="cy"' in html and 'lang="en"' not in html
    assert " / " not in message["Subject"]
    assert LINK.search(message.get_body(("plain",)).get_content())


def test_inviting_someone_who_already_has_the_roles_sends_nothing(app, client, org, admin, make,
                                                                   signed_in, outbox):
    make.user(Role.supervisor, organisation=org, email="member@example.org")
    signed_in(admin)
    response = _send_invitation(client, org, "member@example.org", ["supervisor"])
    assert response.status_code == 200
    assert str(MESSAGES["already_member"]) in text(response)
    assert read(outbox) == []
