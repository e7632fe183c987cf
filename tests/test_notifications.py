"""In-app notifications: the unread count, the page, marking read, privacy, and email preferences."""
from __future__ import annotations

import re

from supervision.accounts.models import Role, User
from supervision.extensions import db
from supervision.notifications.models import Notification, OutboundEmail
from supervision.notifications.services import notify

from .conftest import post


def _notify(app, person, key="roles-changed:1", kind="roles_changed", link="/account"):
    with app.app_context():
        notification = notify(user=db.session.get(User, person.id), kind=kind, dedupe_key=key, link=link)
        db.session.commit()
        return notification.id if notification else None


def test_unread_count_in_header_and_page(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    _notify(app, person, "roles-changed:1")
    _notify(app, person, "roles-changed:2")
    signed_in(person)
    home = client.get("/home").get_data(as_text=True)
    assert re.search(r'cwtch-header__count">2<', home)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count("Your roles in Cwtch have changed") == 2
    assert "Mark all as read" in page


def test_the_same_event_never_notifies_twice(app, make):
    person = make.user(Role.link_worker)
    assert _notify(app, person, "roles-changed:9") is not None
    assert _notify(app, person, "roles-changed:9") is None
    with app.app_context():
        assert db.session.query(Notification).count() == 1
        assert db.session.query(OutboundEmail).count() == 1


def test_opening_marks_read_and_follows_the_link(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    notification_id = _notify(app, person)
    signed_in(person)
    response = post(client, f"/notifications/{notification_id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "cwtch-header__count" not in client.get("/home").get_data(as_text=True)


def test_a_foreign_link_is_not_followed(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    notification_id = _notify(app, person, link="//evil.example/")
    signed_in(person)
    response = post(client, f"/notifications/{notification_id}/read")
    assert response.headers["Location"] == "/notifications/"


def test_mark_all_as_read(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    for n in range(3):
        _notify(app, person, f"roles-changed:{n}")
    signed_in(person)
    post(client, "/notifications/read-all")
    with app.app_context():
        assert db.session.query(Notification).filter(Notification.read_at.is_(None)).count() == 0


def test_another_persons_notification_answers_404(app, client, make, signed_in):
    owner = make.user(Role.link_worker)
    other = make.user(Role.admin)
    notification_id = _notify(app, owner)
    signed_in(other)
    assert post(client, f"/notifications/{notification_id}/read").status_code == 404
    assert "Your roles in Cwtch have changed" not in client.get("/notifications/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, notification_id).read_at is None


def test_post_without_csrf_is_refused(app, client, make, signed_in):
    person = make.user(Role.link_worker)
    notification_id = _notify(app, person)
    signed_in(person)
    assert client.post(f"/notifications/{notification_id}/read").status_code == 400


def test_email_can_be_turned_off_but_security_email_still_goes(app, client, make, signed_in, outbox):
    person = make.user(Role.link_worker)
    signed_in(person)
    response = post(client, "/account", {"language": "en", "email_notifications": "off"}, token_from="/account")
    assert response.status_code == 302
    _notify(app, person, "roles-changed:5")
    with app.app_context():
        assert db.session.query(OutboundEmail).count() == 0
        assert db.session.query(Notification).count() == 1
    # A password reset is a security email: it is sent whatever the preference.
    anonymous = app.test_client()
    post(anonymous, "/password/forgot", {"email": person.email}, token_from="/password/forgot")
    assert [m["To"] for m in outbox()] == [person.email]


def test_settings_need_a_choice(client, make, signed_in):
    person = make.user(Role.link_worker)
    signed_in(person)
    page = post(client, "/account", {"language": "en"}, token_from="/account").get_data(as_text=True)
    assert "govuk-error-summary" in page and "Choose whether you want email notifications" in page


def test_changing_roles_tells_the_person(app, client, make, signed_in):
    admin = make.user(Role.admin)
    person = make.user(Role.link_worker, organisation=admin.organisation)
    signed_in(admin)
    post(client, f"/admin/organisations/{admin.organisation.id}/people/{person.id}",
         {"roles": ["link_worker", "supervisor"]})
    with app.app_context():
        [notification] = db.session.query(Notification).all()
        assert notification.user_id == person.id and notification.kind == "roles_changed"


def test_accepting_an_invitation_tells_the_inviter(app, client, make, signed_in):
    admin = make.user(Role.admin)
    signed_in(admin)
    post(client, f"/admin/organisations/{admin.organisation.id}/invite",
         {"email": "newcomer@example.org", "roles": ["link_worker"]})
    with app.app_context():
        from supervision.accounts import services
        from supervision.accounts.models import Invitation

        invitation = db.session.query(Invitation).one()
        services.accept_invitation(invitation=invitation, name="Newcomer", password="otter kettle pebble lighthouse",
                                   language="en")
        db.session.commit()
        [notification] = db.session.query(Notification).all()
        assert notification.user_id == admin.id and notification.kind == "invitation_accepted"


def test_a_password_change_is_reported_to_the_owner_by_email(app, client, make, signed_in, outbox):
    from .conftest import PASSWORD

    person = make.user(Role.link_worker, language="cy")
    signed_in(person)
    new = "otter kettle pebble lighthouse"
    response = post(client, "/account/password",
                    {"current_password": PASSWORD, "password": new, "confirm": new}, token_from="/account/password")
    assert response.status_code == 302
    [message] = [m for m in outbox() if m["To"] == person.email]
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("cy"):
            subject = gettext("Your Cwtch password has been changed")
    assert message["Subject"] == subject != "Your Cwtch password has been changed"
    body = message.get_body(("plain",)).get_content()
    assert new not in body and PASSWORD not in body
