"""The second sign-in step: enrolment (mandatory for admins, supervisors and employers), codes at
sign-in, the time window and replay, recovery codes, turning it off, an admin's reset, and the
secret's encryption at rest."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import func, select, text

from supervision.accounts import services as account_services
from supervision.accounts.models import LoginAttempt, Role, User
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.mfa import services
from supervision.mfa.forms import MESSAGES
from supervision.mfa.models import RecoveryCode, TotpCredential
from supervision.notifications.models import OutboundEmail

from .conftest import PASSWORD, TOTP_SECRET, csrf_token, fresh_totp_code, post, sign_in, steady_totp_code

SETUP = "/account/second-step/set-up"
MANAGE = "/account/second-step"
CODES = "/account/second-step/recovery-codes"
NEW_CODES = "/account/second-step/recovery-codes/new"
TURN_OFF = "/account/second-step/turn-off"
CODE_STEP = "/sign-in/code"
# Half a minute before the clocks go forward: a frozen time for the service tests.
NOW = datetime(2026, 3, 29, 0, 59, 40, tzinfo=timezone.utc)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def message(code: str) -> str:
    return str(MESSAGES[code])


def location(response) -> str:
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def password_step(client, email: str, next_path: str | None = None):
    return client.post("/sign-in", query_string={"next": next_path} if next_path else None,
                       data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)})


def code_step(client, code: str):
    return client.post(CODE_STEP, data={"code": code, "csrf_token": csrf_token(client, CODE_STEP)})


def current_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(datetime.now(timezone.utc), counter_offset=offset)


def wrong_codes(secret: str = TOTP_SECRET, count: int = 1) -> list[str]:
    """Six-digit codes that no step near now would accept."""
    live = {current_code(secret, k) for k in (-2, -1, 0, 1, 2)}
    return [c for c in (f"{n:06d}" for n in range(100000, 100100)) if c not in live][:count]


def secret_on_page(response) -> str:
    match = re.search(r'id="mfa-secret"[^>]*>([A-Z2-7 ]+)</code>', page(response))
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


def codes_on_page(response) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", page(response))


def audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def failures(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginAttempt)
                                 .where(LoginAttempt.email == email))


def enrolled(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user_id)) is not None


def recovery_codes(app, user_id: int) -> list[str]:
    with app.app_context():
        codes = services.regenerate_recovery_codes(user=db.session.get(User, user_id), now=NOW)
        db.session.commit()
        return codes


def signed_in_home(client) -> bool:
    return client.get("/home").status_code == 200


# --- enrolment is mandatory for admins, supervisors and employers --------------------------------

@pytest.mark.parametrize("role", [Role.admin, Role.supervisor, Role.employer])
def test_these_roles_set_up_a_second_step_before_anything_else(app, client, make, role):
    person = make.user(role, mfa=False)
    response = sign_in(client, person.email)
    assert location(response) == f"{SETUP}?next=/home"
    for path in ("/home", "/account", "/account/password", MANAGE, "/notifications/",
                 f"/admin/organisations/{person.organisation.id}/people"):
        assert location(client.get(path)) == f"{SETUP}?next={path}", path
    assert client.get(SETUP).status_code == 200
    # What stays open: the privacy and accessibility pages, the language switch and signing out.
    assert client.get("/cookies-and-privacy").status_code == 200
    assert client.get("/accessibility").status_code == 200
    assert location(post(client, "/sign-out")).startswith("/sign-in")
    assert location(client.get("/home")).startswith("/sign-in")


def test_a_link_worker_may_go_without_and_is_offered_it(app, client, make):
    person = make.user(Role.link_worker)
    assert not enrolled(app, person.id)
    response = sign_in(client, person.email)
    assert location(response) == "/home"
    assert signed_in_home(client)
    account = page(client.get("/account"))
    assert "Add a second step to sign in" in account and f'href="{SETUP}"' in account
    assert re.search(r"Second step to sign in\s*</dt>\s*<dd[^>]*>\s*Off\s*</dd>", account)


def test_enrolment_from_the_set_up_page(app, client, make, outbox):
    person = make.user(Role.supervisor, mfa=False)
    sign_in(client, person.email)
    response = client.get(SETUP)
    text_ = page(response)
    assert "<h1" in text_ and "Set up a second step to sign in" in text_
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"[^>]*alt="QR code', text_)
    secret = secret_on_page(response)
    assert len(secret) == 32
    assert secret_on_page(client.get(SETUP)) == secret  # a reload shows the same secret

    wrong = post(client, SETUP, {"code": wrong_codes(secret)[0]}, token_from=SETUP)
    assert wrong.status_code == 200 and message("code_wrong") in page(wrong)
    assert "govuk-error-summary" in page(wrong)
    assert not enrolled(app, person.id)

    done = post(client, SETUP, {"code": current_code(secret)}, token_from=SETUP)
    assert location(done) == "/account/second-step/recovery-codes?next=/account/second-step"
    shown = client.get(location(done))
    codes = codes_on_page(shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "You will not see these codes again" in page(shown)
    assert location(client.get(CODES)) == MANAGE  # shown once
    assert signed_in_home(client)
    with app.app_context():
        credential = db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == person.id))
        assert credential.secret == secret
        assert credential.last_used_step is not None  # the code that enrolled cannot sign in
        stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id)))
    assert stored == {services.hash_recovery_code(c) for c in codes}
    assert not stored & set(codes)
    assert [e.outcome for e in audit(app, "mfa_enrol")] == ["failure", "success"]
    assert outbox() == []  # enrolling sends no email


def test_mandatory_enrolment_returns_to_where_the_person_was_going(app, client, make):
    person = make.user(Role.admin, mfa=False)
    response = password_step(client, person.email, next_path="/account")
    assert location(response) == f"{SETUP}?next=/account"
    secret = secret_on_page(client.get(location(response)))
    done = post(client, location(response), {"code": current_code(secret)}, token_from=SETUP)
    assert location(done) == "/account/second-step/recovery-codes?next=/account"
    assert 'href="/account"' in page(client.get(location(done)))
    assert client.get("/account").status_code == 200


def test_the_secret_is_encrypted_at_rest(app, client, make):
    person = make.user(Role.link_worker)
    sign_in(client, person.email)
    secret = secret_on_page(client.get(SETUP))
    codes = codes_on_page(client.get(location(post(client, SETUP, {"code": current_code(secret)},
                                                    token_from=SETUP))))
    with app.app_context():
        raw = db.session.execute(text("SELECT secret FROM totp_credential WHERE user_id = :id"),
                                 {"id": person.id}).scalar_one()
        raw_codes = db.session.execute(text("SELECT code_hash FROM recovery_code WHERE user_id = :id"),
                                       {"id": person.id}).scalars().all()
    assert secret not in raw and secret.lower() not in raw.lower()
    assert raw.startswith("gAAAA")  # a Fernet token
    for code in codes:
        assert all(code not in value and code.replace("-", "") not in value for value in raw_codes)
    # The session cookie never carried the secret in the clear either.
    cookie = client.get_cookie("cwtch_session").value
    assert secret not in cookie


# --- the time window and replay (services, at frozen times) --------------------------------------

@pytest.fixture
def enrolled_person(app, make):
    return make.user(Role.supervisor)  # enrolled with TOTP_SECRET by the factory


def _check(user_id: int, code: str, now: datetime = NOW) -> str:
    return services.check_second_step(user=db.session.get(User, user_id), code=code, ip="192.0.2.1",
                                      now=now, purpose="login")


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_one_step_either_side_is_accepted(ctx, enrolled_person, steps):
    code = pyotp.TOTP(TOTP_SECRET).at(NOW + timedelta(seconds=30 * steps))
    assert _check(enrolled_person.id, code) == "totp"


@pytest.mark.parametrize("steps", [-2, 2, -20])
def test_two_steps_away_is_refused(ctx, enrolled_person, steps):
    code = pyotp.TOTP(TOTP_SECRET).at(NOW + timedelta(seconds=30 * steps))
    with pytest.raises(services.MfaError) as error:
        _check(enrolled_person.id, code)
    assert error.value.code == "code_wrong"


def test_a_code_works_once(ctx, enrolled_person):
    code = pyotp.TOTP(TOTP_SECRET).at(NOW)
    assert _check(enrolled_person.id, code) == "totp"
    with pytest.raises(services.MfaError) as error:
        _check(enrolled_person.id, code, NOW + timedelta(seconds=5))
    assert error.value.code == "code_used"


def test_an_older_step_is_refused_after_a_newer_one(ctx, enrolled_person):
    totp = pyotp.TOTP(TOTP_SECRET)
    assert _check(enrolled_person.id, totp.at(NOW, counter_offset=1)) == "totp"
    for older in (0, -1):
        with pytest.raises(services.MfaError) as error:
            _check(enrolled_person.id, totp.at(NOW, counter_offset=older))
        assert error.value.code == "code_used"
    # The next step, once it comes, works.
    assert _check(enrolled_person.id, totp.at(NOW, counter_offset=2), NOW + timedelta(seconds=30)) == "totp"


@pytest.mark.parametrize(("steps", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
def test_enrolment_uses_the_same_window(ctx, make, steps, accepted):
    user = db.session.get(User, make.user(Role.link_worker).id)
    secret = services.new_secret()
    code = pyotp.TOTP(secret).at(NOW + timedelta(seconds=30 * steps))
    if accepted:
        assert len(services.enrol(user=user, secret=secret, code=code, now=NOW)) == 10
        # The code used to enrol cannot then be used to sign in.
        with pytest.raises(services.MfaError):
            _check(user.id, code)
    else:
        with pytest.raises(services.MfaError):
            services.enrol(user=user, secret=secret, code=code, now=NOW)
        assert not services.is_enrolled(user)


def test_codes_are_read_leniently(ctx, enrolled_person):
    code = pyotp.TOTP(TOTP_SECRET).at(NOW)
    assert _check(enrolled_person.id, f" {code[:3]} {code[3:]} ") == "totp"


# --- signing in with a code --------------------------------------------------------------------

def test_the_code_step_comes_before_the_session(app, client, make):
    person = make.user(Role.supervisor, name="Rhodri Evans")
    response = password_step(client, person.email)
    assert location(response) == CODE_STEP
    assert location(client.get("/home")).startswith("/sign-in")  # not signed in yet
    with client.session_transaction() as session:
        assert "_user_id" not in session
    form = page(client.get(CODE_STEP))
    assert "Enter the code from your authenticator app" in form and "<h1" in form
    assert 'autocomplete="one-time-code"' in form
    assert location(code_step(client, fresh_totp_code(app, person.email))) == "/home"
    assert "Hello, Rhodri Evans" in page(client.get("/home"))
    assert [e.detail for e in audit(app, "login")] == ["password right, code awaited",
                                                       "with an authenticator code"]


def test_sign_in_keeps_a_local_next_through_the_code_step(app, client, make):
    person = make.user(Role.employer)
    password_step(client, person.email, next_path="/account")
    assert location(code_step(client, fresh_totp_code(app, person.email))) == "/account"


def test_a_wrong_code_is_refused_and_counts_towards_the_throttle(app, client, make):
    person = make.user(Role.supervisor)
    password_step(client, person.email)
    response = code_step(client, wrong_codes()[0])
    assert response.status_code == 200
    assert message("code_wrong") in page(response) and "govuk-error-summary" in page(response)
    assert failures(app, person.email) == 1
    assert [e.outcome for e in audit(app, "mfa_failure")] == ["failure"]
    assert location(client.get("/home")).startswith("/sign-in")


def test_a_reused_code_is_refused(app, client, make):
    person = make.user(Role.supervisor)
    code = steady_totp_code()
    password_step(client, person.email)
    assert location(code_step(client, code)) == "/home"
    post(client, "/sign-out")
    password_step(client, person.email)
    response = code_step(client, code)
    assert response.status_code == 200 and message("code_used") in page(response)
    assert failures(app, person.email) == 1
    assert audit(app, "mfa_failure")[0].detail == "login: code_used"


def test_ten_wrong_codes_throttle_even_the_right_one(app, client, make):
    person = make.user(Role.admin)
    password_step(client, person.email)
    wrong = wrong_codes(count=10)
    for code in wrong[:5]:
        code_step(client, code)
    # A right password again does not wipe the code failures: only a right code does.
    password_step(client, person.email)
    assert failures(app, person.email) == 5
    for code in wrong[5:]:
        code_step(client, code)
    response = code_step(client, fresh_totp_code(app, person.email))
    assert response.status_code == 200 and message("throttled") in page(response)
    assert location(client.get("/home")).startswith("/sign-in")
    assert audit(app, "mfa_failure")[-1].outcome == "denied"


def test_a_right_code_clears_earlier_failures(app, client, make):
    person = make.user(Role.supervisor)
    password_step(client, person.email)
    code_step(client, wrong_codes()[0])
    assert failures(app, person.email) == 1
    assert location(code_step(client, fresh_totp_code(app, person.email))) == "/home"
    assert failures(app, person.email) == 0


def test_the_half_signed_in_state_expires_after_five_minutes(app, client, make):
    person = make.user(Role.supervisor)
    password_step(client, person.email)
    with client.session_transaction() as session:
        pending = dict(session["mfa_pending"])
        pending["at"] -= 5 * 60 + 1
        session["mfa_pending"] = pending
    response = client.post(CODE_STEP, data={"code": fresh_totp_code(app, person.email),
                                            "csrf_token": csrf_token(client)})
    assert location(response) == "/sign-in"
    assert "longer than 5 minutes" in page(client.get("/sign-in"))
    assert location(client.get("/home")).startswith("/sign-in")
    assert location(client.get(CODE_STEP)) == "/sign-in"


def test_the_half_signed_in_state_is_bound_to_the_session_token(app, client, make):
    person = make.user(Role.supervisor)
    password_step(client, person.email)
    with app.app_context():
        account_services.rotate_session_token(db.session.get(User, person.id))  # e.g. a password reset
        db.session.commit()
    response = client.post(CODE_STEP, data={"code": fresh_totp_code(app, person.email),
                                            "csrf_token": csrf_token(client)})
    assert location(response) == "/sign-in"
    assert location(client.get("/home")).startswith("/sign-in")


def test_the_code_step_without_a_password_goes_to_sign_in(client):
    assert location(client.get(CODE_STEP)) == "/sign-in"
    assert location(client.post(CODE_STEP, data={"code": "123456", "csrf_token": csrf_token(client)})) \
        == "/sign-in"


def test_the_code_step_needs_csrf(app, client, make):
    person = make.user(Role.supervisor)
    password_step(client, person.email)
    response = client.post(CODE_STEP, data={"code": fresh_totp_code(app, person.email)})
    assert response.status_code == 400
    assert location(client.get("/home")).startswith("/sign-in")


def test_a_signed_in_person_is_sent_home_from_the_code_step(client, make, signed_in):
    signed_in(make.user(Role.supervisor))
    assert location(client.get(CODE_STEP)) == "/home"


# --- recovery codes ----------------------------------------------------------------------------

def test_a_recovery_code_signs_in_once(app, client, make):
    person = make.user(Role.supervisor)
    codes = recovery_codes(app, person.id)
    password_step(client, person.email)
    response = code_step(client, codes[3].upper().replace("-", " "))
    assert location(response) == "/home"
    assert "Recovery codes left: 9" in page(client.get("/home"))
    assert len(audit(app, "mfa_recovery_code_used")) == 1
    post(client, "/sign-out")

    password_step(client, person.email)
    spent = code_step(client, codes[3])
    assert spent.status_code == 200 and message("recovery_used") in page(spent)
    assert failures(app, person.email) == 1
    unknown = code_step(client, "abcd-efgh-jkmn-pqrs")
    assert unknown.status_code == 200 and message("code_wrong") in page(unknown)
    assert failures(app, person.email) == 2
    assert location(code_step(client, codes[4])) == "/home"


def test_new_recovery_codes_replace_the_old_ones(app, client, make, signed_in):
    person = make.user(Role.link_worker, mfa=True)
    old = recovery_codes(app, person.id)
    signed_in(person)
    response = post(client, NEW_CODES, token_from=MANAGE)
    assert location(response) == f"{CODES}?next={MANAGE}"
    new = codes_on_page(client.get(location(response)))
    assert len(new) == 10 and not set(new) & set(old)
    with app.app_context():
        user = db.session.get(User, person.id)
        for code in old[:2]:
            with pytest.raises(services.MfaError):
                services.check_second_step(user=user, code=code, ip="192.0.2.1", now=NOW, purpose="login")
        assert services.check_second_step(user=user, code=new[0], ip="192.0.2.1", now=NOW,
                                          purpose="login") == "recovery"
    assert len(audit(app, "mfa_recovery_codes_replaced")) == 2


def test_new_recovery_codes_need_a_recent_sign_in(app, client, make, signed_in):
    person = make.user(Role.supervisor)
    old = recovery_codes(app, person.id)
    signed_in(person)
    with client.session_transaction() as session:
        session["authenticated_at"] -= 11 * 60
    response = post(client, NEW_CODES, token_from=MANAGE, headers={"Referer": "http://localhost" + MANAGE})
    assert urlsplit(location(response)).path == "/account/confirm-identity"
    with app.app_context():
        stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id)))
    assert stored == {services.hash_recovery_code(c) for c in old}


# --- the manage page, turning off ----------------------------------------------------------------

def test_manage_page_for_someone_with_a_second_step(app, client, make, signed_in):
    person = make.user(Role.supervisor)
    recovery_codes(app, person.id)
    signed_in(person)
    text_ = page(client.get(MANAGE))
    assert "<h1" in text_ and "Second step to sign in" in text_
    assert "10 of 10" in text_
    assert "you cannot turn it off" in text_ and TURN_OFF not in text_
    assert 'href="/account/second-step"' in page(client.get("/account"))


def test_a_link_worker_can_turn_it_off(app, client, make, signed_in):
    person = make.user(Role.link_worker, mfa=True)
    recovery_codes(app, person.id)
    signed_in(person)
    assert TURN_OFF in page(client.get(MANAGE))
    assert location(post(client, TURN_OFF, token_from=MANAGE)) == MANAGE
    assert not enrolled(app, person.id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert len(audit(app, "mfa_disable")) == 1
    post(client, "/sign-out")
    assert location(sign_in(client, person.email, totp_secret=None)) == "/home"


def test_a_supervisor_cannot_turn_it_off(app, client, make, signed_in):
    person = make.user(Role.supervisor)
    signed_in(person)
    assert location(post(client, TURN_OFF, token_from=MANAGE)) == MANAGE
    assert message("required") in page(client.get(MANAGE))
    assert enrolled(app, person.id)
    assert audit(app, "mfa_disable") == []


def test_turning_off_needs_a_recent_sign_in(app, client, make, signed_in):
    person = make.user(Role.link_worker, mfa=True)
    signed_in(person)
    with client.session_transaction() as session:
        session["authenticated_at"] -= 11 * 60
    response = post(client, TURN_OFF, token_from=MANAGE)
    assert urlsplit(location(response)).path == "/account/confirm-identity"
    assert enrolled(app, person.id)


def test_setting_up_again_needs_a_recent_sign_in(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    secret = secret_on_page(client.get(SETUP))  # the page itself still opens
    with client.session_transaction() as session:
        session["authenticated_at"] -= 11 * 60
    response = post(client, SETUP, {"code": current_code(secret)}, token_from=SETUP)
    assert urlsplit(location(response)).path == "/account/confirm-identity"
    assert not enrolled(app, person.id)


def test_setting_up_on_a_new_phone_replaces_the_secret(app, client, make, signed_in):
    person = make.user(Role.supervisor)
    old_codes = recovery_codes(app, person.id)
    signed_in(person)
    response = client.get(SETUP)
    assert "The old ones will stop working" in page(response)
    secret = secret_on_page(response)
    assert secret != TOTP_SECRET
    post(client, SETUP, {"code": current_code(secret)}, token_from=SETUP)
    with app.app_context():
        assert db.session.scalar(select(TotpCredential.secret).where(TotpCredential.user_id == person.id)) == secret
        stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert not stored & {services.hash_recovery_code(c) for c in old_codes}
    assert audit(app, "mfa_enrol")[-1].detail == "replaced an earlier authenticator"


@pytest.mark.parametrize("path", [MANAGE, SETUP, CODES])
def test_account_pages_need_sign_in(client, path):
    assert urlsplit(location(client.get(path))).path == "/sign-in"


@pytest.mark.parametrize("path", [SETUP, NEW_CODES, TURN_OFF])
def test_account_posts_need_sign_in(client, path):
    response = client.post(path, data={"code": "123456", "csrf_token": csrf_token(client)})
    assert urlsplit(location(response)).path == "/sign-in"


@pytest.mark.parametrize("path", [SETUP, NEW_CODES, TURN_OFF])
def test_account_posts_need_csrf(app, client, make, signed_in, path):
    person = make.user(Role.link_worker, mfa=True)
    signed_in(person)
    assert client.post(path, data={"code": "123456"}).status_code == 400
    assert enrolled(app, person.id)


# --- an admin's reset ------------------------------------------------------------------------

@pytest.fixture
def team(app, make):
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans",
                           email="rhodri@example.org")
    recovery_codes(app, supervisor.id)
    return organisation, admin, supervisor


def reset_path(organisation_id: int, user_id: int) -> str:
    return f"/admin/organisations/{organisation_id}/people/{user_id}/second-step/reset"


def test_an_admin_resets_a_person_s_second_step(app, client, make, signed_in, outbox, team):
    organisation, admin, supervisor = team
    elsewhere = app.test_client()
    sign_in(elsewhere, supervisor.email)
    assert signed_in_home(elsewhere)
    signed_in(admin)
    person_page = f"/admin/organisations/{organisation.id}/people/{supervisor.id}"
    assert "Reset the second step for Rhodri Evans" in page(client.get(person_page))

    response = post(client, reset_path(organisation.id, supervisor.id), token_from=person_page)
    assert location(response) == person_page
    assert "The second step for Rhodri Evans has been reset" in page(client.get(person_page))
    assert not enrolled(app, supervisor.id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    # Their sessions have ended, and at their next sign-in they set it up again.
    assert location(elsewhere.get("/home")).startswith("/sign-in")
    assert location(sign_in(elsewhere, supervisor.email)).startswith(SETUP)

    [event] = audit(app, "mfa_reset")
    assert (event.actor_id, event.organisation_id, event.target_id) == (admin.id, organisation.id, supervisor.id)
    with app.app_context():
        [queued] = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == supervisor.email))
        assert queued.security
    [email] = outbox()
    assert email["To"] == supervisor.email
    assert email["Subject"] == "The second step for signing in to Cwtch has been reset"
    body = email.get_body(("plain",)).get_content()
    assert "Ogmore Valleys" in body and "http://localhost/sign-in" in body
    assert TOTP_SECRET not in body and "recovery code" in body.lower()


def test_an_admin_cannot_reset_their_own_here(app, client, signed_in, team):
    organisation, admin, _ = team
    signed_in(admin)
    person_page = f"/admin/organisations/{organisation.id}/people/{admin.id}"
    assert "Reset the second step" not in page(client.get(person_page))
    post(client, reset_path(organisation.id, admin.id), token_from=person_page)
    assert message("reset_self") in page(client.get(person_page))
    assert enrolled(app, admin.id)
    assert audit(app, "mfa_reset") == []


def test_resetting_someone_without_a_second_step_changes_nothing(app, client, make, signed_in, outbox, team):
    organisation, admin, _ = team
    link_worker = make.user(Role.link_worker, organisation=organisation, name="Carys Jenkins")
    signed_in(admin)
    person_page = f"/admin/organisations/{organisation.id}/people/{link_worker.id}"
    assert "Carys Jenkins has not set up a second step" in page(client.get(person_page))
    post(client, reset_path(organisation.id, link_worker.id), token_from=person_page)
    assert message("not_enrolled") in page(client.get(person_page))
    assert audit(app, "mfa_reset") == [] and outbox() == []


def test_another_organisation_s_person_answers_404(app, client, make, signed_in, outbox, team):
    organisation, admin, _ = team
    other = make.organisation(name="Teifi Valley")
    stranger = make.user(Role.supervisor, organisation=other)
    signed_in(admin)
    assert post(client, reset_path(organisation.id, stranger.id)).status_code == 404
    assert post(client, reset_path(other.id, stranger.id)).status_code == 404
    assert enrolled(app, stranger.id)
    assert audit(app, "mfa_reset") == [] and outbox() == []


@pytest.mark.parametrize("role", [Role.link_worker, Role.supervisor, Role.employer])
def test_only_an_admin_can_reset(app, client, make, signed_in, team, role):
    organisation, _, supervisor = team
    signed_in(make.user(role, organisation=organisation))
    assert post(client, reset_path(organisation.id, supervisor.id)).status_code == 403
    assert enrolled(app, supervisor.id)


def test_reset_needs_csrf_and_sign_in(app, client, signed_in, team):
    organisation, admin, supervisor = team
    path = reset_path(organisation.id, supervisor.id)
    assert urlsplit(location(client.post(path, data={"csrf_token": csrf_token(client)}))).path == "/sign-in"
    signed_in(admin)
    assert client.post(path).status_code == 400
    assert enrolled(app, supervisor.id)


def test_reset_needs_a_recent_sign_in(app, client, signed_in, outbox, team):
    organisation, admin, supervisor = team
    signed_in(admin)
    with client.session_transaction() as session:
        session["authenticated_at"] -= 11 * 60
    response = post(client, reset_path(organisation.id, supervisor.id))
    assert urlsplit(location(response)).path == "/account/confirm-identity"
    assert enrolled(app, supervisor.id) and outbox() == []
