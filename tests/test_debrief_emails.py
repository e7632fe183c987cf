"""Every email the debrief feature sends, to an English and to a Welsh reader: it goes out, in the
reader's language, and carries no content (no description, reason, notes, category or name), the
admin's not even the urgency. Then one of each language through a real SMTP server."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from supervision.accounts.models import Organisation, Role, User
from supervision.db import utcnow
from supervision.debriefs import jobs, services
from supervision.debriefs.labels import CATEGORY, URGENCY
from supervision.debriefs.models import (
    Alternative, Category, CheckInAnswer, ContactWay, DebriefCheckIn, DebriefRequest, HeldBy, Outcome, Urgency,
)
from supervision.extensions import db
from supervision.notifications.kinds import KINDS
from supervision.notifications.sending import send_pending_emails

from .conftest import make_test_app
from .smtp import SMTPServer

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday 10:00 GMT
NAME = "Nia Griffiths"
DESCRIPTION = "Mrs Bowen told me her son hits her, and she showed me the bruises on her arm."
REASON = "I supervised her brother last year, so Catrin is better placed."
NOTES = "We went through the visit step by step and agreed she rings the duty social worker."
SECRETS = (DESCRIPTION, "Bowen", "bruises", REASON, "brother", NOTES, "duty social worker", NAME, "Griffiths")
DEBRIEF_KINDS = ("requested", "waiting", "passed", "passed_on", "accepted", "declined", "withdrawn", "completed",
                 "check_in", "check_in_answered", "waiting_admin")


def in_language(language: str, text) -> str:
    with current_app.test_request_context(), force_locale(language):
        return str(text) if not isinstance(text, str) else _(text)


def bodies(message) -> str:
    """Subject, text and HTML as a reader sees them."""
    text = message.get_body(("plain",)).get_content()
    markup = html.unescape(message.get_body(("html",)).get_content())
    return "\n".join((message["Subject"], text, markup))


@dataclass
class People:
    link_worker: object
    own: object
    colleague: object
    admin: object


class Mailbag:
    """The emails delivered since the last look, from the outbox fixture."""

    def __init__(self, outbox) -> None:
        self.outbox, self.seen = outbox, set()

    def new(self) -> list:
        found = [m for m in self.outbox() if m["Message-ID"] not in self.seen]
        self.seen.update(m["Message-ID"] for m in found)
        return found


def user(person) -> User:
    return db.session.get(User, person.id)


def debrief(request_id: int) -> DebriefRequest:
    return db.session.get(DebriefRequest, request_id, populate_existing=True)


def every_step(make, outbox, language: str) -> tuple[People, dict[str, list[tuple[str, object]]]]:
    """Walk requests through every step that tells someone; the email each step sent, by kind."""
    organisation = make.organisation(name=f"Cwm Taf Connect {language}")
    people = People(*(make.user(role, organisation=organisation, name=name, language=language)
                      for role, name in ((Role.link_worker, NAME), (Role.supervisor, "Rhodri Evans"),
                                         (Role.supervisor, "Catrin Lloyd"), (Role.admin, "Gareth Price"))))
    make.assign(people.own, people.link_worker)
    bag, sent = Mailbag(outbox), {}

    def step(action, *expected) -> None:
        """Run one step; it must send exactly these emails (kind, recipient), known by their first line."""
        action()
        db.session.commit()
        delivered = {(m["To"], m.get_body(("plain",)).get_content().splitlines()[0]): m for m in bag.new()}
        wanted = {(person.email, in_language(language, KINDS[f"debrief_{kind}"])): kind for kind, person in expected}
        assert set(delivered) == set(wanted), (set(delivered), set(wanted))
        for key, kind in wanted.items():
            sent.setdefault(kind, []).append((key[0], delivered[key]))

    lw, own, colleague = people.link_worker, people.own, people.colleague
    holder = {}

    def ask():
        holder["a"] = services.create_request(
            link_worker=user(lw), organisation=db.session.get(Organisation, organisation.id),
            urgency=Urgency.today, category=Category.disclosure, description=DESCRIPTION,
            contact_way=ContactWay.phone, now=NOW).id

    step(ask, ("requested", own))
    step(lambda: services.pass_to(request=debrief(holder["a"]), supervisor=user(own), colleague=user(colleague),
                                  now=NOW), ("passed", colleague), ("passed_on", lw))
    step(lambda: services.accept(request=debrief(holder["a"]), supervisor=user(colleague), now=NOW),
         ("accepted", lw))
    step(lambda: services.record_outcome(request=debrief(holder["a"]), supervisor=user(colleague),
                                         held_by=HeldBy.phone, outcome=Outcome.signposted, notes=NOTES,
                                         now=NOW + timedelta(hours=1)), ("completed", lw))
    step(lambda: jobs.send_check_ins(now=NOW + timedelta(days=3, hours=1)), ("check_in", lw))
    step(lambda: services.answer_check_in(
        check_in=db.session.scalar(select(DebriefCheckIn).where(DebriefCheckIn.request_id == holder["a"],
                                                                DebriefCheckIn.day == 3)),
        link_worker=user(lw), answer=CheckInAnswer.worse, now=NOW + timedelta(days=3, hours=2)),
        ("check_in_answered", colleague))

    declined = make.debrief_request(lw, created_at=NOW, category="disclosure", description=DESCRIPTION,
                                    due_at=NOW + timedelta(days=30), half_due_at=NOW + timedelta(days=29))
    step(lambda: services.decline(request=debrief(declined), supervisor=user(own), reason=REASON,
                                  alternative=Alternative.another_supervisor, now=NOW), ("declined", lw))
    waiting = make.debrief_request(lw, created_at=NOW, urgency="today", category="disclosure",
                                   description=DESCRIPTION, half_due_at=NOW + timedelta(hours=1),
                                   due_at=NOW + timedelta(hours=2))
    step(lambda: jobs.widen_due(now=NOW + timedelta(hours=1)), ("waiting", own), ("waiting", colleague))
    step(lambda: jobs.escalate_due(now=NOW + timedelta(hours=2)), ("waiting_admin", people.admin))
    step(lambda: services.withdraw(request=debrief(waiting), link_worker=user(lw), now=NOW),
         ("withdrawn", own), ("withdrawn", colleague))
    return people, sent


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_debrief_email_is_in_the_readers_language_and_carries_no_content(make, ctx, outbox, language):
    people, sent = every_step(make, outbox, language)
    assert set(sent) == set(DEBRIEF_KINDS)
    labels = [in_language(lang, label) for lang in ("en", "cy") for label in CATEGORY.values()]
    urgencies = [in_language(lang, label) for lang in ("en", "cy") for label in URGENCY.values()]
    for kind, address, message in ((k, a, m) for k, pairs in sent.items() for a, m in pairs):
        assert message["Content-Language"] == language, kind
        assert message["Subject"] == in_language(language, "You have a new notification in Cwtch"), kind
        text = message.get_body(("plain",)).get_content()
        assert in_language(language, KINDS[f"debrief_{kind}"]) in text.splitlines()[0], kind
        assert in_language(language, "Sign in to Cwtch to see it:") in text, kind
        everything = bodies(message)
        for secret in (*SECRETS, *labels):
            assert secret not in everything, (kind, secret)
        if kind == "waiting_admin":
            assert address == people.admin.email
            assert "/debriefs/" not in everything  # the link goes to the admin's own pages
            for urgency in urgencies:
                assert urgency not in everything, urgency
    if language == "cy":  # the shared wording is in Welsh already, whatever the debrief titles are
        assert sent["accepted"][0][1]["Subject"] == "Mae gennych chi hysbysiad newydd yn Cwtch"


# --- through a real SMTP server -------------------------------------------------------------------

@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app, smtp, tmp_path):
    """The test database and its keys (queued bodies are encrypted), but sending through real SMTP."""
    return make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), MAIL_SERVER="127.0.0.1",
                         MAIL_PORT=smtp.port, MAIL_TIMEOUT=5, ENCRYPTION_KEYS=list(app.config["ENCRYPTION_KEYS"]))


def test_one_english_and_one_welsh_debrief_email_delivered_by_smtp(make, app, smtp_app, smtp):
    organisation = make.organisation(name="Ceredigion Cysylltu")
    supervisor = make.user(Role.supervisor, organisation=organisation, name="Rhodri Evans")
    readers = {language: make.user(Role.link_worker, organisation=organisation, language=language, name=NAME,
                                   email=f"nia-{language}@example.org") for language in ("en", "cy")}
    with app.app_context():
        for reader in readers.values():
            request_id = make.debrief_request(reader, created_at=NOW, widened=True, description=DESCRIPTION)
            services.accept(request=debrief(request_id), supervisor=user(supervisor), now=NOW)
            db.session.commit()
    with smtp_app.app_context():
        report = send_pending_emails(now=utcnow(), worker="tests")
        assert len(report.sent) == 2 and not report.failed
        received = {message["To"]: message for message in smtp.inbox.messages}
        assert set(received) == {"nia-en@example.org", "nia-cy@example.org"}
        for language, reader in readers.items():
            message = received[reader.email]
            assert message["Content-Language"] == language
            assert message["Subject"] == in_language(language, "You have a new notification in Cwtch")
            text = message.get_body(("plain",)).get_content()
            assert text.splitlines()[0] == in_language(language, KINDS["debrief_accepted"])
            assert "http://localhost/debriefs/" in text
            for secret in SECRETS:
                assert secret not in bodies(message)
        assert received["nia-cy@example.org"]["Subject"] != received["nia-en@example.org"]["Subject"]
