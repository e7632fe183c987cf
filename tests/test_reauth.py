"""Sensitive actions need a sign-in within the last 10 minutes; the confirm-identity page asks again,
for the password and, from someone with a second step, a current code."""
from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from supervision.accounts import passwords
from supervision.accounts.messages import MESSAGES as ACCOUNT_MESSAGES
from supervision.accounts.models import LoginAttempt, Organisation, Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.mfa.forms import MESSAGES

from .conftest import PASSWORD, csrf_token, fresh_totp_code, post, sign_in, steady_totp_code

CONFIRM = "/account/confirm-identity"
NEW_PASSWORD = "a brand new passphrase for cwtch tests"


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def age_sign_in(client, minutes: float) -> None:
    with client.session_transaction() as session:
        session["authenticated_at"] -= minutes * 60


def sent_to_confirm(response, expected_next: str) -> bool:
    if response.status_code != 302:
        return False
    where = urlsplit(response.headers["Location"])
    return where.path == CONFIRM and parse_qs(where.query)["next"] == [expected_next]


def roles_of(app, user_id: int, organisation_id: int) -> set[Role]:
    with app.app_context():
        return db.session.get(User, user_id).roles_in(organisation_id)


def failures(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginAttempt)
                                 .where(LoginAttempt.email == email))


@pytest.fixture
def team(make):
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    member = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    return organisation, admin, member


def code_step(client, code: str):
    return client.post("/sign-in/code", data={"code": code, "csrf_token": csrf_token(client, "/sign-in/code")})


def person_path(organisation, person) -> str:
    return f"/admin/organisations/{organisation.id}/people/{person.id}"


# --- an old sign-in is sent to confirm, and nothing changes --------------------------------------

def test_changing_roles_with_an_old_sign_in_changes_nothing(app, client, signed_in, team):
    organisation, admin, member = team
    signed_in(admin)
    age_sign_in(client, 11)
    path = person_path(organisation, member)
    assert client.get(path).status_code == 200  # looking is fine
    response = post(client, path, {"roles": ["admin", "supervisor"]}, token_from=path,
                    headers={"Referer": f"http://localhost{path}"})
    assert sent_to_confirm(response, path)
    assert roles_of(app, member.id, organisation.id) == {Role.link_worker}
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role_change")) is None


def test_nine_minutes_is_recent_enough(app, client, signed_in, team):
    organisation, admin, member = team
    signed_in(admin)
    age_sign_in(client, 9)
    path = person_path(organisation, member)
    response = post(client, path, {"roles": ["link_worker", "supervisor"]}, token_from=path)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path != CONFIRM
    assert roles_of(app, member.id, organisation.id) == {Role.link_worker, Role.supervisor}


def test_raising_k_with_an_old_sign_in_changes_nothing(app, client, signed_in, team):
    organisation, admin, _ = team
    signed_in(admin)
    age_sign_in(client, 11)
    path = f"/admin/organisations/{organisation.id}/settings"
    assert client.get(path).status_code == 200
    response = post(client, path, {"name": organisation.name, "kind": "primary_care",
                                   "region": "cardiff_and_vale", "report_k": "9"}, token_from=path)
    assert sent_to_confirm(response, path)
    with app.app_context():
        assert db.session.get(Organisation, organisation.id).report_k == 5


def test_changing_password_with_an_old_sign_in_changes_nothing(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    age_sign_in(client, 11)
    response = post(client, "/account/password",
                    {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                    token_from="/account/password")
    assert sent_to_confirm(response, "/account/password")
    with app.app_context():
        assert passwords.verify_password(db.session.get(User, person.id).password_hash, PASSWORD)


def test_a_session_without_a_sign_in_time_is_asked_to_confirm(app, client, signed_in, team):
    organisation, admin, member = team
    signed_in(admin)
    with client.session_transaction() as session:
        del session["authenticated_at"]
    response = post(client, person_path(organisation, member), {"roles": ["admin"]})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == CONFIRM
    assert roles_of(app, member.id, organisation.id) == {Role.link_worker}


# --- the confirm-identity page -------------------------------------------------------------

def test_someone_without_a_second_step_confirms_with_their_password(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    age_sign_in(client, 11)
    form = page(client.get(f"{CONFIRM}?next=/account/password"))
    assert "<h1" in form and "Confirm it is you" in form
    assert 'name="code"' not in form
    response = post(client, f"{CONFIRM}?next=/account/password", {"password": PASSWORD}, token_from=CONFIRM)
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    response = post(client, "/account/password",
                    {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                    token_from="/account/password")
    assert response.headers["Location"] == "/account"


def test_someone_with_a_second_step_must_give_a_code_too(app, client, signed_in, team):
    organisation, admin, member = team
    signed_in(admin)
    age_sign_in(client, 11)
    path = person_path(organisation, member)
    confirm = f"{CONFIRM}?next={path}"
    assert 'name="code"' in page(client.get(confirm))

    missing = post(client, confirm, {"password": PASSWORD}, token_from=CONFIRM)
    assert missing.status_code == 200 and "Enter the code" in page(missing)
    wrong = post(client, confirm, {"password": PASSWORD, "code": "12345"}, token_from=CONFIRM)
    assert wrong.status_code == 200 and str(MESSAGES["code_wrong"]) in page(wrong)
    assert "govuk-error-summary" in page(wrong)
    assert failures(app, admin.email) == 1
    assert sent_to_confirm(post(client, path, {"roles": ["admin"]}, token_from=path,
                                headers={"Referer": f"http://localhost{path}"}), path)

    right = post(client, confirm, {"password": PASSWORD, "code": fresh_totp_code(app, admin.email)},
                 token_from=CONFIRM)
    assert right.status_code == 302 and right.headers["Location"] == path
    response = post(client, path, {"roles": ["link_worker", "supervisor"]}, token_from=path)
    assert urlsplit(response.headers["Location"]).path == f"/admin/organisations/{organisation.id}/people"
    assert roles_of(app, member.id, organisation.id) == {Role.link_worker, Role.supervisor}


def test_a_code_used_to_sign_in_cannot_confirm_again(app, client, team):
    _, admin, _ = team
    code = steady_totp_code()
    sign_in(client, admin.email, totp_secret=None)
    assert code_step(client, code).headers["Location"] == "/home"
    age_sign_in(client, 11)
    response = post(client, CONFIRM, {"password": PASSWORD, "code": code}, token_from=CONFIRM)
    assert response.status_code == 200 and str(MESSAGES["code_used"]) in page(response)


def test_a_wrong_password_is_refused_and_counts(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    response = post(client, CONFIRM, {"password": "not the password at all"}, token_from=CONFIRM)
    assert response.status_code == 200
    assert str(ACCOUNT_MESSAGES["current_password_wrong"]) in page(response)
    assert failures(app, person.email) == 1


def test_a_confirmed_identity_goes_only_to_a_local_page(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    response = post(client, f"{CONFIRM}?next=//evil.example", {"password": PASSWORD}, token_from=CONFIRM)
    assert response.headers["Location"] == "/account"


def test_confirm_identity_needs_sign_in_and_csrf(client, make, signed_in):
    response = client.get(CONFIRM)
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    signed_in(make.user(Role.link_worker))
    assert client.post(CONFIRM, data={"password": PASSWORD}).status_code == 400
    token = csrf_token(client, CONFIRM)
    assert client.post(CONFIRM, data={"password": PASSWORD, "csrf_token": token}).status_code == 302
