"""Fixes from the security review: each is a way in that must stay shut."""
from __future__ import annotations

from sqlalchemy import text

from supervision.accounts.models import LoginAttempt, Membership, Role, User
from supervision.extensions import db
from supervision.mfa.models import TotpCredential
from supervision.notifications.models import OutboundEmail

from .conftest import make_test_app, post


def test_an_admin_cannot_reset_the_second_step_of_someone_who_belongs_elsewhere(app, client, make, signed_in):
    admin = make.user(Role.admin)
    other_org = make.organisation()
    person = make.user(Role.link_worker, organisation=admin.organisation, mfa=True)
    with app.app_context():
        db.session.add(Membership(user_id=person.id, organisation_id=other_org.id, role=Role.admin))
        db.session.commit()
    signed_in(admin)
    post(client, f"/admin/organisations/{admin.organisation.id}/people/{person.id}/second-step/reset")
    with app.app_context():
        assert db.session.query(TotpCredential).filter_by(user_id=person.id).count() == 1


def test_the_change_password_form_counts_towards_the_throttle(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    for _ in range(3):
        post(client, "/account/password", {"current_password": "not my password at all",
                                           "password": "otter kettle pebble lighthouse",
                                           "confirm": "otter kettle pebble lighthouse"},
             token_from="/account/password")
    with app.app_context():
        assert db.session.query(LoginAttempt).filter_by(email=person.email).count() == 3


def test_email_bodies_are_encrypted_at_rest_and_dropped_once_sent(app, client, make, signed_in, outbox):
    admin = make.user(Role.admin)
    signed_in(admin)
    post(client, f"/admin/organisations/{admin.organisation.id}/invite",
         {"email": "newcomer@example.org", "roles": ["admin"]})
    with app.app_context():
        raw = db.session.execute(text("SELECT text_body FROM outbound_email")).scalar()
        assert "/invitation/" not in raw and "newcomer" not in raw
        assert "/invitation/" in db.session.query(OutboundEmail).one().text_body
    [message] = outbox()
    assert "/invitation/" in message.get_body(("plain",)).get_content()
    with app.app_context():
        sent = db.session.query(OutboundEmail).one()
        assert sent.text_body == "" and sent.html_body == ""


def test_setting_up_the_second_step_again_ends_other_sessions(app, make):
    from .conftest import sign_in

    person = make.user(Role.link_worker)
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        assert sign_in(browser, person.email).status_code == 302
    with app.app_context():
        from supervision.mfa import services

        user = db.session.get(User, person.id)
        secret = services.new_secret()
        import pyotp
        from supervision.db import utcnow

        services.enrol(user=user, secret=secret, code=pyotp.TOTP(secret).now(), now=utcnow())
        db.session.commit()
    assert second.get("/home").status_code == 302  # its token is gone


def test_proxy_fix_makes_the_throttle_see_each_client(app, tmp_path):
    behind = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), PROXY_FIX_X_FOR=1)

    @behind.get("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr or ""

    client = behind.test_client()
    assert client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"}).get_data(as_text=True) == "203.0.113.7"
    plain = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    assert plain.config["PROXY_FIX_X_FOR"] == 0
