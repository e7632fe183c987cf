"""Forgotten passwords: the same answer for every address, a single-use expiring link, revocation."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from supervision.accounts import passwords, services, tokens
from supervision.accounts.messages import MESSAGES
from supervision.accounts.models import LoginAttempt, Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from tests.conftest import PASSWORD, csrf_token, sign_in

NEW_PASSWORD = "otter kettle pebble lighthouse"
LINK = re.compile(r"http://localhost(/password/reset/[A-Za-z0-9._-]+)")


def read(outbox) -> list:
    return outbox()


def text(response) -> str:
    return response.get_data(as_text=True)


def forgot(client, email: str):
    return client.post("/password/forgot",
                       data={"email": email, "csrf_token": csrf_token(client, "/password/forgot")})


def reset(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password,
                                   "confirm": password if confirm is None else confirm,
                                   "csrf_token": csrf_token(client, path)})


def emailed_link(outbox) -> str:
    (message,) = read(outbox)
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def _masked(response) -> str:
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "CSRF", text(response))


def _hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


class _PastSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3 * 3600


# --- asking for a link ---------------------------------------------------------------------------

def test_same_answer_whether_or_not_the_account_exists(app, make, outbox):
    person = make.user(Role.link_worker)
    known = forgot(app.test_client(), person.email)
    assert len(read(outbox)) == 1
    unknown = forgot(app.test_client(), "nobody@example.org")
    assert len(read(outbox)) == 1  # nothing more was written
    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in text(known)
    assert _masked(known) == _masked(unknown)


def test_inactive_account_gets_no_email(make, client, outbox):
    person = make.user(Role.link_worker, active=False)
    response = forgot(client, person.email)
    assert "Check your email" in text(response)
    assert read(outbox) == []


def test_address_is_matched_case_insensitively(make, client, outbox):
    make.user(Role.link_worker, email="dewi.rees@example.org")
    forgot(client, "Dewi.Rees@EXAMPLE.org")
    (message,) = read(outbox)
    assert message["To"] == "dewi.rees@example.org"


def test_a_malformed_address_is_a_form_error(client, outbox):
    response = forgot(client, "not an email")
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in text(response)
    assert read(outbox) == []


@pytest.mark.parametrize("language", ["en", "cy"])
def test_reset_email(app, make, client, outbox, language):
    person = make.user(Role.link_worker, email="mari@example.org", name="Mari Lwyd", language=language)
    forgot(client, person.email)
    (message,) = read(outbox)
    assert message["To"] == "mari@example.org"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert LINK.search(plain) and LINK.search(html)
    assert f'lang="{language}"' in html
    assert html.count("<html") == 1  # one language: the person's own
    whole = message.as_string()
    assert PASSWORD not in whole and "$argon2" not in whole
    assert _hash(app, person.id) not in whole


# --- using the link --------------------------------------------------------------------------

def test_link_resets_the_password_once(app, make, client, outbox):
    person = make.user(Role.link_worker)
    forgot(client, person.email)
    path = emailed_link(outbox)
    assert client.get(path).status_code == 200
    response = reset(client, path)
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert passwords.verify_password(_hash(app, person.id), NEW_PASSWORD)
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "There is a problem with this link" in text(again)
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "password_reset")).one()
        assert event.actor_id == person.id
        assert NEW_PASSWORD not in str(event.detail)


def test_reset_revokes_sessions_and_the_new_password_works(app, make, client, outbox):
    person = make.user(Role.link_worker)
    elsewhere = app.test_client()
    assert sign_in(elsewhere, person.email).status_code == 302
    assert elsewhere.get("/home").status_code == 200
    forgot(client, person.email)
    assert reset(client, emailed_link(outbox)).status_code == 302
    home = elsewhere.get("/home")
    assert home.status_code == 302 and home.headers["Location"].startswith("/sign-in")
    fresh = app.test_client()
    assert sign_in(fresh, person.email, PASSWORD).status_code == 200  # the old password fails
    assert sign_in(fresh, person.email, NEW_PASSWORD).status_code == 302


def test_reset_lifts_the_sign_in_throttle(app, make, client, outbox):
    person = make.user(Role.link_worker)
    for _ in range(10):
        sign_in(app.test_client(), person.email, "a wrong guess entirely")
    assert sign_in(app.test_client(), person.email).status_code == 200  # throttled
    forgot(client, person.email)
    assert reset(client, emailed_link(outbox)).status_code == 302
    with app.app_context():
        assert not db.session.scalars(db.select(LoginAttempt).where(LoginAttempt.email == person.email)).all()
    assert sign_in(app.test_client(), person.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_another_way_spends_the_link(app, make, client, outbox):
    person = make.user(Role.link_worker)
    forgot(client, person.email)
    path = emailed_link(outbox)
    with app.app_context():
        services.change_password(user=db.session.get(User, person.id), current_password=PASSWORD,
                                 new_password="a different passphrase for cwtch", ip="127.0.0.1")
        db.session.commit()
    assert client.get(path).status_code == 400


def test_deactivated_person_cannot_use_the_link(app, make, client, outbox):
    person = make.user(Role.link_worker)
    forgot(client, person.email)
    path = emailed_link(outbox)
    with app.app_context():
        db.session.get(User, person.id).active = False
        db.session.commit()
    assert client.get(path).status_code == 400
    attempt = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                      "csrf_token": csrf_token(client, "/password/forgot")})
    assert attempt.status_code == 400
    assert passwords.verify_password(_hash(app, person.id), PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("password1234", None, str(MESSAGES["password_common"])),
        ("too short", None, str(MESSAGES["password_too_short"])),
        ("cwtch cwtch cwtch", None, str(MESSAGES["password_context"])),
        (NEW_PASSWORD, "something else here", "The passwords do not match"),
    ],
)
def test_weak_new_password_is_refused_and_the_link_still_works(app, make, client, outbox,
                                                              new, confirm, message):
    person = make.user(Role.link_worker)
    forgot(client, person.email)
    path = emailed_link(outbox)
    response = reset(client, path, new, confirm)
    assert response.status_code == 200
    page = text(response)
    assert "govuk-error-summary" in page and message in page
    assert passwords.verify_password(_hash(app, person.id), PASSWORD)
    assert reset(client, path).status_code == 302


# --- broken and expired links -----------------------------------------------------------------

@pytest.mark.parametrize("token", ["garbled", "eyJ1IjoxfQ.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_garbled_token_explains_what_to_do(client, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem with this link" in page
    assert "This link is not valid" in page
    assert "Ask for a new password reset link" in page and 'href="/password/forgot"' in page
    assert client.post(f"/password/reset/{token}", data={}).status_code == 400


def test_expired_token_explains_what_to_do(app, make, client):
    person = make.user(Role.link_worker)
    with app.app_context():
        user = db.session.get(User, person.id)
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=services.RESET_SALT,
                                     signer=_PastSigner).dumps(
            {"u": user.id, "p": tokens.fingerprint(user.password_hash)})
        with pytest.raises(tokens.TokenExpired):
            services.user_for_reset_token(old)
    response = client.get(f"/password/reset/{old}")
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert "Ask for a new password reset link" in text(response)


def test_token_for_another_purpose_is_refused(app, make, client):
    person = make.user(Role.link_worker)
    with app.app_context():
        user = db.session.get(User, person.id)
        wrong_salt = tokens.make_token(services.INVITE_SALT,
                                       {"u": user.id, "p": tokens.fingerprint(user.password_hash)})
    assert client.get(f"/password/reset/{wrong_salt}").status_code == 400
