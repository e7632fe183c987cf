"""The outbox against a real SMTP server: delivery, language, attachments, outages and bad addresses."""
from __future__ import annotations

from datetime import timedelta

import pytest

from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import EmailStatus, OutboundEmail
from supervision.notifications.sending import backoff, send_pending_emails
from supervision.notifications.services import Attachment, notify, queue_email
from supervision.accounts.models import Role, User

from .conftest import make_test_app
from .smtp import SMTPServer

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cwtch//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app, smtp, tmp_path):
    """The test database, but an app that sends through the real SMTP server."""
    application = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path),
                                MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=5)
    yield application


def _queue(app, **overrides):
    with app.app_context():
        fields = dict(dedupe_key="test:1", to="nia@example.org", language="en",
                      template="notification", subject=__import__("flask_babel").lazy_gettext(
                          "You have a new notification in Cwtch"),
                      kind="roles_changed", link="http://localhost/home")
        fields.update(overrides)
        email = queue_email(**fields)
        db.session.commit()
        return email.id if email else None


def _status(app, email_id):
    with app.app_context():
        email = db.session.get(OutboundEmail, email_id)
        return email.status, email.attempts, email.next_attempt_at, email.last_error


def test_delivered_in_the_recipients_language_with_attachment(smtp_app, smtp):
    email_id = _queue(smtp_app, language="cy", attachments=[Attachment("sesiwn.ics", "text/calendar", ICS)])
    with smtp_app.app_context():
        report = send_pending_emails(now=utcnow(), worker="t")
    assert report.sent == [email_id]
    [message] = smtp.inbox.messages
    assert message["To"] == "nia@example.org"
    assert message["Content-Language"] == "cy"
    with smtp_app.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("cy"):
            welsh_subject = gettext("You have a new notification in Cwtch")
    assert welsh_subject != "You have a new notification in Cwtch"
    assert message["Subject"] == welsh_subject
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= parts
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "sesiwn.ics" and attachment.get_content().encode() == ICS
    assert _status(smtp_app, email_id)[0] == EmailStatus.sent


def test_nothing_is_lost_while_smtp_is_down(smtp_app, smtp):
    smtp.stop()
    email_id = _queue(smtp_app)
    start = utcnow()
    with smtp_app.app_context():
        report = send_pending_emails(now=start, worker="t")
    assert report.retrying == [email_id] and not report.sent
    status, attempts, next_at, error = _status(smtp_app, email_id)
    assert status == EmailStatus.pending and attempts == 1 and error
    assert next_at == start + backoff(1)
    # Not due yet: running again at once does nothing, even with the server back.
    smtp.start()
    with smtp_app.app_context():
        assert send_pending_emails(now=start + timedelta(seconds=5), worker="t").sent == []
    with smtp_app.app_context():
        assert send_pending_emails(now=start + backoff(1), worker="t").sent == [email_id]
    assert len(smtp.inbox.messages) == 1


def test_gives_up_after_the_set_number_of_attempts(smtp_app, smtp):
    smtp.stop()
    smtp_app.config["MAIL_MAX_ATTEMPTS"] = 3
    email_id = _queue(smtp_app)
    moment = utcnow()
    for attempt in range(1, 4):
        with smtp_app.app_context():
            send_pending_emails(now=moment, worker="t")
        moment += backoff(attempt)
    status, attempts, _next, _error = _status(smtp_app, email_id)
    assert (status, attempts) == (EmailStatus.failed, 3)


@pytest.mark.parametrize("address", ["not an address", "nia@@example.org", "nia@refused.example.org"])
def test_a_bad_recipient_fails_with_a_reason_and_others_still_go(smtp_app, smtp, address):
    bad = _queue(smtp_app, dedupe_key="test:bad", to=address)
    good = _queue(smtp_app, dedupe_key="test:good", to="huw@example.org")
    with smtp_app.app_context():
        report = send_pending_emails(now=utcnow(), worker="t")
    assert report.failed == [bad] and report.sent == [good]
    status, attempts, _next, error = _status(smtp_app, bad)
    assert status == EmailStatus.failed and attempts == 1
    assert "recipient" in error.lower() or "550" in error
    assert [m["To"] for m in smtp.inbox.messages] == ["huw@example.org"]


def test_the_same_event_never_makes_two_emails(smtp_app, smtp):
    first = _queue(smtp_app, dedupe_key="booking-reminder:7:24h")
    second = _queue(smtp_app, dedupe_key="booking-reminder:7:24h")
    assert first is not None and second is None
    with smtp_app.app_context():
        send_pending_emails(now=utcnow(), worker="t")
        send_pending_emails(now=utcnow() + timedelta(hours=1), worker="t")
    assert len(smtp.inbox.messages) == 1


def test_a_claimed_row_is_not_sent_by_another_sender(smtp_app, smtp):
    email_id = _queue(smtp_app)
    with smtp_app.app_context():
        from supervision.notifications.sending import _claim

        assert _claim(email_id, now=utcnow(), worker="first")
        assert send_pending_emails(now=utcnow(), worker="second").sent == []
    assert smtp.inbox.messages == []


def test_emails_carry_no_sensitive_content_only_a_link(smtp_app, smtp, make):
    person = make.user(Role.link_worker)
    with smtp_app.app_context():
        notify(user=db.session.get(User, person.id), kind="roles_changed", dedupe_key="roles-changed:1",
               link="/account")
        db.session.commit()
        send_pending_emails(now=utcnow(), worker="t")
    [message] = smtp.inbox.messages
    body = message.get_body(("plain",)).get_content()
    assert "http://localhost/account" in body
    assert "Sign in to Cwtch to see it" in body


def test_mistaken_mail_settings_are_logged_and_never_stop_the_web_app(app, tmp_path, caplog):
    application = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), MAIL_SERVER="smtp.example.org",
                                MAIL_USE_SSL=True, MAIL_USE_STARTTLS=True, MAIL_USERNAME="cwtch")
    assert application.test_client().get("/sign-in").status_code == 200
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "MAIL_USE_SSL and MAIL_USE_STARTTLS are both on" in messages
    assert "MAIL_PASSWORD is empty" in messages


def test_the_scheduler_reports_an_unreachable_smtp_server(app, tmp_path):
    from supervision.scheduler.runner import check_mail
    from .smtp import free_port

    application = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path),
                                MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    [problem] = check_mail(application)
    assert "cannot reach SMTP server 127.0.0.1" in problem


def test_the_scheduler_finds_a_working_smtp_server(smtp_app):
    from supervision.scheduler.runner import check_mail

    assert check_mail(smtp_app) == []
