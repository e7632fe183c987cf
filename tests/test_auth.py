"""Signing in and out, session lifetime and revocation, cookie flags, CSRF and safe redirects."""
from __future__ import annotations

import re

import pytest

from supervision.accounts import services
from supervision.accounts.messages import MESSAGES
from supervision.accounts.models import Role, User
from supervision.admin import services as admin_services
from supervision.extensions import db
from supervision.security import safe_next
from tests.conftest import PASSWORD, csrf_token, make_test_app, post, sign_in

GENERIC = str(MESSAGES["sign_in_failed"])
COOKIE = "cwtch_session"


def page(response) -> str:
    return response.get_data(as_text=True)


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def session_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app, cookie_value: str):
    """A fresh browser that carries only a copied session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, cookie_value)
    return other.get("/home")


def set_cookie_header(response, name: str = COOKIE) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


# --- signing in and out ------------------------------------------------------------------------

def test_sign_in_page_and_success(client, make):
    person = make.user(Role.link_worker, name="Carys Jenkins")
    assert client.get("/sign-in").status_code == 200
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert "Hello, Carys Jenkins" in page(client.get("/home"))


def test_signed_in_person_visiting_sign_in_goes_home(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    response = client.get("/sign-in")
    assert response.status_code == 302 and response.headers["Location"] == "/home"


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert goes_to_sign_in(client.get("/home"))


def test_sign_out_is_post_only(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    # The GET did not sign anyone out.
    assert client.get("/home").status_code == 200


def test_sign_out_needs_csrf(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    assert client.post("/sign-out").status_code == 400
    assert client.get("/home").status_code == 200


def test_sign_out_ends_the_session(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    response = post(client, "/sign-out")
    assert goes_to_sign_in(response)
    assert "You have signed out" in page(client.get("/sign-in"))
    assert goes_to_sign_in(client.get("/home"))


def _masked(response, email: str) -> str:
    text = page(response).replace(email, "EMAIL")
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "CSRF", text)


def test_failure_message_does_not_reveal_whether_an_account_exists(client, make):
    person = make.user(Role.link_worker, email="known@example.org")
    make.user(Role.link_worker, email="gone@example.org", active=False)
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    wrong = sign_in(client, person.email, "not the right password")
    inactive = sign_in(client, "gone@example.org", PASSWORD)
    for response in (unknown, wrong, inactive):
        assert response.status_code == 200
        assert GENERIC in page(response)
        assert "govuk-error-summary" in page(response)
    # Apart from the address typed in, the three pages are identical.
    assert _masked(unknown, "nobody@example.org") == _masked(wrong, person.email)
    assert _masked(inactive, "gone@example.org") == _masked(wrong, person.email)


def test_inactive_person_cannot_sign_in(client, make):
    person = make.user(Role.link_worker, active=False)
    response = sign_in(client, person.email)
    assert response.status_code == 200 and GENERIC in page(response)
    assert goes_to_sign_in(client.get("/home"))


@pytest.mark.parametrize("typed", ["Mixed.Case@Example.ORG", "  mixed.case@example.org  "])
def test_email_is_case_insensitive_and_trimmed(client, make, typed):
    make.user(Role.link_worker, email="mixed.case@example.org")
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert client.get("/home").status_code == 200


def test_empty_form_shows_field_errors(client):
    response = client.post("/sign-in", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "Enter your email address" in page(response)
    assert "Enter your password" in page(response)


# --- revocation ----------------------------------------------------------------------------------

def test_cookie_replayed_after_sign_out_is_refused(app, client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    copied = session_cookie(client)
    assert replay(app, copied).status_code == 200  # the copy works while the session is live
    post(client, "/sign-out")
    assert goes_to_sign_in(replay(app, copied))


def test_password_change_ends_other_sessions(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    elsewhere = app.test_client()
    sign_in(elsewhere, person.email)
    signed_in(person)
    copied = session_cookie(client)
    new = "a brand new passphrase for cwtch tests"
    response = post(client, "/account/password",
                    {"current_password": PASSWORD, "password": new, "confirm": new},
                    token_from="/account/password")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert goes_to_sign_in(elsewhere.get("/home"))
    assert goes_to_sign_in(replay(app, copied))
    # The person who changed it stays signed in, on a fresh session.
    assert client.get("/home").status_code == 200
    assert session_cookie(client) != copied


def _with_user(app, user_id: int, change) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        change(user)
        db.session.commit()


def test_deactivation_ends_sessions(app, client, make, signed_in):
    organisation = make.organisation()
    admin = make.user(Role.admin, organisation=organisation)
    person = make.user(Role.link_worker, organisation=organisation)
    signed_in(person)
    copied = session_cookie(client)

    def deactivate(user):
        admin_services.deactivate(organisation=user.memberships[0].organisation, user=user,
                                  actor=db.session.get(User, admin.id))

    _with_user(app, person.id, deactivate)
    assert goes_to_sign_in(client.get("/home"))
    # Reactivating does not bring the old session back: its token was rotated.
    _with_user(app, person.id, lambda user: setattr(user, "active", True))
    assert goes_to_sign_in(replay(app, copied))


def test_inactive_flag_alone_ends_sessions(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    _with_user(app, person.id, lambda user: setattr(user, "active", False))
    assert goes_to_sign_in(client.get("/home"))


def test_rotating_the_token_ends_sessions(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    _with_user(app, person.id, services.rotate_session_token)
    assert goes_to_sign_in(client.get("/home"))


# --- session lifetime -------------------------------------------------------------------------

def _shift(client, key: str, seconds: float) -> None:
    with client.session_transaction() as session:
        session[key] = session[key] - seconds


@pytest.mark.parametrize(
    ("key", "seconds", "still_in"),
    [
        ("seen_at", 29 * 60, True),
        ("seen_at", 31 * 60, False),
        ("login_at", 11 * 3600 + 59 * 60, True),
        ("login_at", 12 * 3600 + 60, False),
    ],
)
def test_idle_timeout_and_absolute_limit(client, make, signed_in, key, seconds, still_in):
    signed_in(make.user(Role.link_worker))
    _shift(client, key, seconds)
    response = client.get("/home")
    if still_in:
        assert response.status_code == 200
    else:
        assert goes_to_sign_in(response)
        assert "you were signed out" in page(client.get("/sign-in"))
        with client.session_transaction() as session:
            assert "_user_id" not in session


def test_activity_keeps_an_idle_session_alive(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    _shift(client, "seen_at", 20 * 60)
    assert client.get("/home").status_code == 200
    # That request counted as activity: 20 more minutes is not 30 idle minutes.
    _shift(client, "seen_at", 20 * 60)
    assert client.get("/home").status_code == 200


def test_session_without_timestamps_is_ended(client, make, signed_in):
    signed_in(make.user(Role.link_worker))
    with client.session_transaction() as session:
        del session["login_at"]
    assert goes_to_sign_in(client.get("/home"))


# --- cookies -------------------------------------------------------------------------------------

def test_no_remember_me_cookie(client, make):
    person = make.user(Role.link_worker)
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert not any(h.startswith("remember_token") for h in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None


def test_session_cookie_flags(client, make):
    person = make.user(Role.link_worker)
    header = set_cookie_header(sign_in(client, person.email))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # tests run over plain http


def test_session_cookie_is_secure_when_configured(app, make, tmp_path):
    secure_app = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path),
                               SESSION_COOKIE_SECURE=True)
    try:
        person = make.user(Role.link_worker)
        client = secure_app.test_client()
        https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/sign-in"}}
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page(client.get("/sign-in", **https)))
        response = client.post("/sign-in", **https,
                               data={"email": person.email, "password": PASSWORD, "csrf_token": token[1]})
        assert response.status_code == 302
        header = set_cookie_header(response)
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    finally:
        with secure_app.app_context():
            db.engine.dispose()


def test_secure_cookie_is_the_default_outside_tests_and_development(tmp_path):
    production = make_test_app("sqlite://", str(tmp_path), TESTING=False)
    assert production.config["SESSION_COOKIE_SECURE"] is True


# --- CSRF ----------------------------------------------------------------------------------------

def test_sign_in_without_csrf_gets_the_friendly_page(client, make):
    person = make.user(Role.link_worker)
    response = client.post("/sign-in", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    text = page(response)
    assert "The form you sent had expired or could not be checked" in text
    assert "Traceback" not in text
    assert goes_to_sign_in(client.get("/home"))


# --- where sign-in leads ---------------------------------------------------------------------

UNSAFE_NEXT = [
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "http://host\\@evil.example",
    "https://evil.example",
    "https:evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "/\tevil.example",
    "/\r\nLocation: https://evil.example",
    " //evil.example",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_is_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target",
    ["/home", "/account/password?tab=1", "/invitation/abc.DEF-123_x", "/admin/?a=%2F%2Fb#part"],
)
def test_local_next_is_kept(target):
    assert safe_next(target) == target


def test_safe_next_of_none():
    assert safe_next(None) is None


def _sign_in_with_next(client, email: str, target: str):
    token = csrf_token(client)
    return client.post("/sign-in", query_string={"next": target},
                       data={"email": email, "password": PASSWORD, "csrf_token": token})


def test_sign_in_follows_a_local_next(client, make):
    person = make.user(Role.link_worker)
    response = _sign_in_with_next(client, person.email, "/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", [t for t in UNSAFE_NEXT if t])
def test_sign_in_refuses_an_unsafe_next(client, make, target):
    person = make.user(Role.link_worker)
    response = _sign_in_with_next(client, person.email, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
