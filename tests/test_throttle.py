"""Throttling failed sign-ins per account and per IP address, across processes, and auditing them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from supervision.accounts import throttle
from supervision.accounts.messages import MESSAGES
from supervision.accounts.models import LoginAttempt, Role
from supervision.audit.models import AuditEvent
from supervision.db import utcnow
from supervision.extensions import db
from tests.conftest import PASSWORD, make_test_app

GENERIC = str(MESSAGES["sign_in_failed"])
WRONG = "this is not the password"


def attempt(client, email: str, password: str, ip: str = "192.0.2.1"):
    """One sign-in from a fresh session at this address."""
    environ = {"REMOTE_ADDR": ip}
    client.delete_cookie("cwtch_session")
    token = csrf_token_from(client, "/sign-in", ip)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token},
                       environ_base=environ)


def csrf_token_from(client, path: str, ip: str) -> str:
    # Flask-Login's "strong" protection ties a session to its address, so the token is fetched
    # from the same address as the request that uses it.
    response = client.get(path, environ_base={"REMOTE_ADDR": ip})
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))[1]


def succeeded(response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/home"


def refused(response) -> bool:
    return response.status_code == 200 and GENERIC in response.get_data(as_text=True)


def fail(client, email: str, times: int, ip: str | None = None) -> None:
    for n in range(times):
        # Without a fixed address, each failure comes from a different one.
        assert refused(attempt(client, email, WRONG, ip or f"198.51.100.{n + 1}"))


# --- per account ---------------------------------------------------------------------------------

def test_nine_failures_still_allow_the_right_password(client, make):
    person = make.user(Role.link_worker)
    fail(client, person.email, 9)
    assert succeeded(attempt(client, person.email, PASSWORD, "203.0.113.9"))


def test_eleventh_attempt_is_refused_even_with_the_right_password(client, make):
    person = make.user(Role.link_worker)
    fail(client, person.email, 10)
    response = attempt(client, person.email, PASSWORD, "203.0.113.9")
    assert refused(response)
    assert client.get("/home", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302


def test_account_throttle_ignores_the_case_of_the_email(client, make):
    person = make.user(Role.link_worker, email="case.test@example.org")
    for n, typed in enumerate(["Case.Test@example.org", "CASE.TEST@EXAMPLE.ORG"] * 5):
        assert refused(attempt(client, typed, WRONG, f"198.51.100.{n + 1}"))
    assert refused(attempt(client, person.email, PASSWORD, "203.0.113.9"))


def test_unknown_accounts_are_throttled_the_same_way(client):
    fail(client, "nobody@example.org", 10)
    response = attempt(client, "nobody@example.org", WRONG, "203.0.113.9")
    assert refused(response)
    with client.application.app_context():
        # Throttled attempts are not counted again, so the table cannot be flooded through one account.
        assert db.session.scalar(select(db.func.count()).select_from(LoginAttempt)) == 10


# --- per IP address -----------------------------------------------------------------------------

def test_one_address_is_throttled_across_accounts(client, make):
    person = make.user(Role.link_worker)
    for n in range(10):
        assert refused(attempt(client, f"guess{n}@example.org", WRONG, "192.0.2.50"))
    assert refused(attempt(client, person.email, PASSWORD, "192.0.2.50"))
    # The same person from another address is not held back by someone else's guessing.
    assert succeeded(attempt(client, person.email, PASSWORD, "192.0.2.51"))


def test_success_clears_the_account_not_the_address(client, make):
    person = make.user(Role.link_worker)
    fail(client, person.email, 9, ip="192.0.2.60")
    assert succeeded(attempt(client, person.email, PASSWORD, "192.0.2.61"))
    with client.application.app_context():
        assert not db.session.scalars(select(LoginAttempt).where(LoginAttempt.email == person.email)).all()
    # The address still carries its own failures against other accounts.
    for n in range(10):
        assert refused(attempt(client, f"guess{n}@example.org", WRONG, "192.0.2.70"))
    assert refused(attempt(client, person.email, PASSWORD, "192.0.2.70"))


# --- across processes and over time ---------------------------------------------------------

def test_throttle_holds_across_two_app_instances(app, client, make, tmp_path):
    other_app = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    try:
        other = other_app.test_client()
        person = make.user(Role.link_worker)
        for n in range(10):
            which = client if n % 2 == 0 else other
            assert refused(attempt(which, person.email, WRONG, f"198.51.100.{n + 1}"))
        assert refused(attempt(other, person.email, PASSWORD, "203.0.113.9"))
        assert refused(attempt(client, person.email, PASSWORD, "203.0.113.10"))
    finally:
        with other_app.app_context():
            db.session.remove()
            db.engine.dispose()


def _old_failures(app, *, email: str, ip: str, minutes_ago: float, count: int = 10) -> None:
    with app.app_context():
        when = utcnow() - timedelta(minutes=minutes_ago)
        db.session.add_all(LoginAttempt(email=email, ip=ip, created_at=when) for _ in range(count))
        db.session.commit()


@pytest.mark.parametrize(("minutes_ago", "allowed"), [(4, False), (6, True)])
def test_only_failures_inside_the_window_count(app, client, make, minutes_ago, allowed):
    person = make.user(Role.link_worker)
    _old_failures(app, email=person.email, ip="198.51.100.1", minutes_ago=minutes_ago)
    response = attempt(client, person.email, PASSWORD, "203.0.113.9")
    assert succeeded(response) if allowed else refused(response)


@pytest.mark.parametrize(("minutes_ago", "allowed"), [(4, False), (6, True)])
def test_address_window(app, client, make, minutes_ago, allowed):
    person = make.user(Role.link_worker)
    _old_failures(app, email="someone.else@example.org", ip="192.0.2.80", minutes_ago=minutes_ago)
    response = attempt(client, person.email, PASSWORD, "192.0.2.80")
    assert succeeded(response) if allowed else refused(response)


def test_purge_drops_only_old_attempts(app):
    _old_failures(app, email="a@example.org", ip="192.0.2.1", minutes_ago=6, count=3)
    _old_failures(app, email="a@example.org", ip="192.0.2.1", minutes_ago=1, count=2)
    with app.app_context():
        assert throttle.purge_old() == 3
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(LoginAttempt)) == 2


# --- audit -----------------------------------------------------------------------------------

def _events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def _columns(event: AuditEvent) -> str:
    return " ".join(str(getattr(event, c.key)) for c in AuditEvent.__table__.columns)


def test_sign_ins_are_audited_without_passwords(app, client, make):
    person = make.user(Role.link_worker)
    assert refused(attempt(client, person.email, WRONG, "192.0.2.7"))
    assert refused(attempt(client, "nobody@example.org", WRONG, "192.0.2.7"))
    assert succeeded(attempt(client, person.email, PASSWORD, "192.0.2.8"))
    wrong, unknown, success = _events(app)
    assert (wrong.action, wrong.outcome, wrong.actor_id, wrong.target_id, wrong.ip) == (
        "login", "failure", person.id, person.id, "192.0.2.7")
    assert (unknown.action, unknown.outcome, unknown.actor_id) == ("login", "failure", None)
    assert (success.action, success.outcome, success.actor_id, success.ip) == (
        "login", "success", person.id, "192.0.2.8")
    for event in (wrong, unknown, success):
        assert WRONG not in _columns(event)
        assert PASSWORD not in _columns(event)
        assert "nobody@example.org" not in _columns(event)


def test_inactive_and_throttled_attempts_are_audited(app, client, make):
    person = make.user(Role.link_worker, active=False)
    assert refused(attempt(client, person.email, PASSWORD, "192.0.2.7"))
    fail(client, "someone@example.org", 10)
    assert refused(attempt(client, "someone@example.org", PASSWORD, "192.0.2.9"))
    events = _events(app)
    inactive, throttled = events[0], events[-1]
    assert (inactive.outcome, inactive.detail, inactive.actor_id) == ("failure", "inactive", person.id)
    assert (throttled.action, throttled.outcome, throttled.detail) == ("login", "denied", "throttled")
    assert all(PASSWORD not in _columns(e) and WRONG not in _columns(e) for e in events)


def test_sign_out_is_audited(app, client, make):
    person = make.user(Role.link_worker)
    assert succeeded(attempt(client, person.email, PASSWORD, "192.0.2.7"))
    token = csrf_token_from(client, "/cookies-and-privacy", "192.0.2.7")
    client.post("/sign-out", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert [(e.action, e.outcome, e.actor_id) for e in _events(app)][-1] == ("logout", "success", person.id)
