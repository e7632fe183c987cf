"""Retention: the purge job at a frozen time deletes exactly what has expired, twice over; the
organisation settings that drive it are validated; the privacy page shows the periods."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from supervision.accounts.models import (
    Invitation,
    InvitationRole,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Region,
    Role,
)
from supervision.audit.models import AuditEvent
from supervision.extensions import db
from supervision.notifications.models import EmailAttachment, EmailStatus, Notification, OutboundEmail
from supervision.retention.jobs import purge_expired_job
from supervision.retention.services import months_before, purge_expired
from supervision.scheduler.registry import all_jobs

from .conftest import post

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=timezone.utc)


def days(n: int) -> datetime:
    return NOW - timedelta(days=n)


def months(n: int) -> datetime:
    return months_before(NOW, n)


@pytest.mark.parametrize("moment,n,expected", [
    (datetime(2030, 6, 15, 12, tzinfo=timezone.utc), 72, datetime(2024, 6, 15, 12, tzinfo=timezone.utc)),
    (datetime(2030, 3, 31, 0, 30, tzinfo=timezone.utc), 1, datetime(2030, 2, 28, 0, 30, tzinfo=timezone.utc)),
    (datetime(2028, 3, 31, tzinfo=timezone.utc), 1, datetime(2028, 2, 29, tzinfo=timezone.utc)),
    (datetime(2030, 1, 10, tzinfo=timezone.utc), 13, datetime(2028, 12, 10, tzinfo=timezone.utc)),
])
def test_months_before_counts_calendar_months(moment, n, expected):
    assert months_before(moment, n) == expected


def _organisation(name: str, **retention) -> Organisation:
    organisation = Organisation(name=name, kind=OrganisationKind.other, region=Region.powys, **retention)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _world() -> dict[str, set[int]]:
    """Rows just past and just short of their periods. Returns the ids that must survive."""
    standard = _organisation("Standard")  # the defaults: audit 72 months, invitations 7 days
    short = _organisation("Short", retention_audit_months=24, retention_invitation_days=14)
    keep: dict[str, list] = {"audit": [], "invitations": [], "attempts": [], "emails": [], "notifications": []}
    doomed: list = []

    def audit(created_at, organisation=None, survives=True):
        event = AuditEvent(action="login", created_at=created_at,
                           organisation_id=organisation.id if organisation else None)
        (keep["audit"] if survives else doomed).append(event)
        db.session.add(event)

    audit(months(73), survives=False)
    audit(months(71))
    audit(months(72))  # exactly at the boundary: not yet older than the period
    audit(months(73), standard, survives=False)
    audit(months(71), standard)
    audit(months(25), short, survives=False)
    audit(months(23), short)

    def invitation(organisation, expires_at, survives, **state):
        row = Invitation(organisation_id=organisation.id, email="someone@example.org", created_at=expires_at,
                         expires_at=expires_at, roles=[InvitationRole(role=Role.link_worker)], **state)
        (keep["invitations"] if survives else doomed).append(row)
        db.session.add(row)

    invitation(standard, days(8), False, used_at=days(9))
    invitation(standard, days(8), False, revoked_at=days(10))
    invitation(standard, days(8), False)  # never used, expired
    invitation(standard, days(6), True, used_at=days(9))
    invitation(standard, NOW + timedelta(days=3), True)  # still open
    invitation(short, days(8), True)
    invitation(short, days(15), False)

    for created_at, survives in ((days(8), False), (days(6), True)):
        attempt = LoginAttempt(email="someone@example.org", ip="192.0.2.1", created_at=created_at)
        (keep["attempts"] if survives else doomed).append(attempt)
        db.session.add(attempt)

    def email(status, created_at, survives):
        row = OutboundEmail(dedupe_key=f"e:{status}:{created_at.isoformat()}", to_address="someone@example.org",
                            language="en", subject="Subject", text_body="body", html_body="<p>body</p>",
                            status=status, created_at=created_at, next_attempt_at=created_at,
                            sent_at=created_at if status == EmailStatus.sent else None)
        row.attachments.append(EmailAttachment(filename="a.ics", content_type="text/calendar", content=b"x"))
        (keep["emails"] if survives else doomed).append(row)
        db.session.add(row)

    email(EmailStatus.sent, days(8), False)
    email(EmailStatus.failed, days(8), False)
    email(EmailStatus.pending, days(8), True)  # still trying: never purged
    email(EmailStatus.sent, days(6), True)

    from supervision.accounts.models import User

    user = User(email="reader@example.org", name="Reader", password_hash="x")
    db.session.add(user)
    db.session.flush()

    def notification(created_at, read_at, survives):
        row = Notification(dedupe_key=f"n:{created_at.isoformat()}:{read_at}", user_id=user.id,
                           kind="roles_changed", created_at=created_at, read_at=read_at)
        (keep["notifications"] if survives else doomed).append(row)
        db.session.add(row)

    notification(months(13), months(12), False)
    notification(months(13) - timedelta(days=1), None, True)  # unread: kept however old
    notification(months(11), months(11), True)
    db.session.commit()
    return {kind: {row.id for row in rows} for kind, rows in keep.items()}


def _remaining() -> dict[str, set[int]]:
    return {
        "audit": set(db.session.scalars(select(AuditEvent.id))),
        "invitations": set(db.session.scalars(select(Invitation.id))),
        "attempts": set(db.session.scalars(select(LoginAttempt.id))),
        "emails": set(db.session.scalars(select(OutboundEmail.id))),
        "notifications": set(db.session.scalars(select(Notification.id))),
    }


def test_the_job_deletes_exactly_what_has_expired_and_is_idempotent(app, ctx):
    survivors = _world()
    purge_expired_job(now=NOW, worker="test")
    db.session.expire_all()
    assert _remaining() == survivors
    # Children went with their parents, even where the database does not cascade by itself.
    assert set(db.session.scalars(select(InvitationRole.invitation_id))) == survivors["invitations"]
    assert set(db.session.scalars(select(EmailAttachment.email_id))) == survivors["emails"]

    assert purge_expired(now=NOW) == {name: 0 for name in purge_expired(now=NOW)}
    purge_expired_job(now=NOW, worker="test")
    db.session.expire_all()
    assert _remaining() == survivors


def test_the_first_run_reports_what_it_deleted(app, ctx):
    _world()
    report = purge_expired(now=NOW)
    db.session.rollback()
    assert report == {"audit_events": 3, "invitations": 4, "login_attempts": 1, "outbound_emails": 2,
                      "read_notifications": 1, "debrief_requests": 0, "pulse_invitations": 0, "pulse_responses": 0,
                      "report_comparison_keys": 0}


def test_the_job_is_registered_with_the_scheduler():
    assert "retention.purge_expired" in {job.id for job in all_jobs()}


def test_the_database_refuses_a_period_out_of_range(app, ctx):
    db.session.add(Organisation(name="Reckless", kind=OrganisationKind.other, region=Region.powys,
                                retention_audit_months=1))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_new_organisations_get_the_defaults(app, ctx):
    organisation = _organisation("Fresh")
    assert (organisation.retention_pulse_months, organisation.retention_debrief_months,
            organisation.retention_audit_months, organisation.retention_invitation_days) == (36, 24, 72, 7)


# --- organisation settings ---------------------------------------------------------------------

SETTINGS = {
    "name": "Ogmore Valleys",
    "kind": "primary_care",
    "region": "cardiff_and_vale",
    "report_k": "5",
    "retention_pulse_months": "48",
    "retention_debrief_months": "12",
    "retention_audit_months": "84",
    "retention_invitation_days": "14",
}


@pytest.fixture
def admin_client(make, signed_in):
    organisation = make.organisation(name="Ogmore Valleys")
    admin = make.user(Role.admin, organisation=organisation, name="Gareth Price")
    client = signed_in(admin)
    client.organisation_id = organisation.id
    return client


def _settings_path(client) -> str:
    return f"/admin/organisations/{client.organisation_id}/settings"


def _saved(app, organisation_id: int) -> tuple[int, int, int, int]:
    with app.app_context():
        o = db.session.get(Organisation, organisation_id)
        return (o.retention_pulse_months, o.retention_debrief_months, o.retention_audit_months,
                o.retention_invitation_days)


def test_settings_page_shows_the_retention_periods(admin_client):
    text = html.unescape(admin_client.get(_settings_path(admin_client)).get_data(as_text=True))
    assert "How long information is kept" in text
    for name, value in (("retention_pulse_months", 36), ("retention_debrief_months", 24),
                        ("retention_audit_months", 72), ("retention_invitation_days", 7)):
        assert re.search(rf'name="{name}" type="text" value="{value}"', text), name


def test_retention_settings_are_saved(app, admin_client):
    response = post(admin_client, _settings_path(admin_client), SETTINGS)
    assert response.status_code == 302
    assert _saved(app, admin_client.organisation_id) == (48, 12, 84, 14)


def test_an_empty_period_means_the_default(app, admin_client):
    post(admin_client, _settings_path(admin_client), SETTINGS)
    post(admin_client, _settings_path(admin_client), {**SETTINGS, "retention_audit_months": " "})
    assert _saved(app, admin_client.organisation_id) == (48, 12, 72, 14)


@pytest.mark.parametrize("field,value,message", [
    ("retention_pulse_months", "11", "Survey answers must be kept for between 12 and 120 months"),
    ("retention_pulse_months", "121", "Survey answers must be kept for between 12 and 120 months"),
    ("retention_debrief_months", "0", "Debrief requests must be kept for between 6 and 120 months"),
    ("retention_audit_months", "-72", "The audit log must be kept for between 12 and 120 months"),
    ("retention_audit_months", "6 years", "Enter how many months to keep the audit log, as a whole number"),
    ("retention_invitation_days", "31", "Invitations must be kept for between 1 and 30 days"),
    ("retention_invitation_days", "7.5", "Enter how many days to keep invitations, as a whole number"),
    ("retention_invitation_days", "99999999999999999999", "Invitations must be kept for between 1 and 30 days"),
])
def test_a_bad_period_is_refused_clearly(app, admin_client, field, value, message):
    response = post(admin_client, _settings_path(admin_client), {**SETTINGS, field: value})
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', text, re.S)
    assert summary and message in summary.group(0)
    assert f'href="#{field}"' in summary.group(0)
    assert _saved(app, admin_client.organisation_id) == (36, 24, 72, 7)


# --- privacy page --------------------------------------------------------------------------------

def _privacy(client) -> str:
    return re.sub(r"\s+", " ", html.unescape(client.get("/cookies-and-privacy").get_data(as_text=True)))


def test_privacy_page_lists_the_default_periods(client):
    text = _privacy(client)
    assert "How long Cwtch keeps information" in text
    for label, period in (
        ("wellbeing survey answers", "3 years"),
        ("Debrief requests, after they are closed", "2 years"),
        ("The audit log of sign-ins and changes", "6 years"),
        ("Invitations, after they expire", "7 days"),
    ):
        assert re.search(rf"{label}[^<]*</th> <td[^>]*>{period}, unless your organisation chooses otherwise", text), label
    assert "What your organisations have chosen" not in text


def test_privacy_page_shows_a_signed_in_persons_organisations_own_periods(app, client, make, signed_in):
    ours = make.organisation(name="Ogmore Valleys", retention_audit_months=30, retention_invitation_days=14)
    theirs = make.organisation(name="Teifi Valley", retention_pulse_months=24)
    make.organisation(name="Not Mine", retention_debrief_months=99)
    person = make.user(Role.link_worker, organisation=ours)
    with app.app_context():
        from supervision.accounts.models import Membership

        db.session.add(Membership(user_id=person.id, organisation_id=theirs.id, role=Role.link_worker))
        db.session.commit()
    signed_in(person)
    text = _privacy(client)
    table = re.search(r"What your organisations have chosen</caption>.*?</table>", text).group(0)
    assert re.search(r"Ogmore Valleys</th> <th[^>]*>Teifi Valley</th>", table)
    assert re.search(r"survey answers[^<]*</th> <td[^>]*>3 years</td> <td[^>]*>2 years</td>", table)
    assert re.search(r"audit log[^<]*</th> <td[^>]*>30 months</td> <td[^>]*>6 years</td>", table)
    assert re.search(r"expire</th> <td[^>]*>14 days</td> <td[^>]*>7 days</td>", table)
    assert "Not Mine" not in text and "99 months" not in text


def test_a_report_forgets_its_comparison_keys_once_no_report_can_be_compared_with_it(app, ctx, make):
    """The fourth quarter after a report's compares with it, and may be issued as late as the quarter
    after that: the keys go at the start of the sixth quarter after. The report stays."""
    from supervision.reports.models import QuarterlyReport

    organisation = make.organisation()
    ids = {quarter: make.quarterly_report(organisation, quarter, files=False) for quarter in ("2025-Q1", "2025-Q2")}
    db.session.execute(update(QuarterlyReport).values(comparison_keys='{"seal": "s", "keys": {}, "bases": []}'))
    db.session.commit()
    # 2025-Q1 + 6 = 2026-Q3: from 1 July 2026 its keys go; 2025-Q2's stay until October.
    assert purge_expired(now=datetime(2026, 6, 30, 23, tzinfo=timezone.utc))["report_comparison_keys"] == 0
    assert purge_expired(now=datetime(2026, 7, 1, 9, tzinfo=timezone.utc))["report_comparison_keys"] == 1
    kept = dict(db.session.execute(select(QuarterlyReport.id, QuarterlyReport.comparison_keys)).all())
    assert kept[ids["2025-Q1"]] is None and kept[ids["2025-Q2"]] is not None
    assert purge_expired(now=datetime(2026, 7, 1, 9, tzinfo=timezone.utc))["report_comparison_keys"] == 0
