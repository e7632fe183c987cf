"""The exporters that make up a person's download, one per domain that holds their data."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Invitation, Membership, User
from ..extensions import db
from ..booking.export import bookings_section
from ..debriefs.export import debriefs_section
from ..labels import role_label
from ..notifications.kinds import title as notification_title
from ..notifications.models import Notification, OutboundEmail
from ..reflections.export import reflections_section
from .activity import action_label, activity_of, outcome_label
from .sections import ExportSection, Exporter, PdfTable, iso


def account_section(user: User) -> ExportSection:
    data = {
        "name": user.name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "email_notifications": user.email_notifications,
        "created_at": iso(user.created_at),
        "password_changed_at": iso(user.password_changed_at),
    }
    language = {"en": "English", "cy": "Cymraeg"}.get(user.preferred_language, user.preferred_language)
    rows = [
        [_("Name"), user.name],
        [_("Email address"), user.email],
        [_("Language"), language],
        [_("Emails about notifications"), _("On") if user.email_notifications else _("Off")],
        [_("Account created"), user.created_at],
        [_("Password last changed"), user.password_changed_at],
    ]
    return ExportSection("account", data, [PdfTable(_("Your account"), [_("Detail"), _("Value")], rows)])


def roles_section(user: User) -> ExportSection:
    memberships = _memberships(user)
    data = [
        {"organisation_id": m.organisation_id, "organisation": m.organisation.name, "role": m.role.value,
         "since": iso(m.created_at)}
        for m in memberships
    ]
    rows = [[m.organisation.name, role_label(m.role, m.organisation), m.created_at] for m in memberships]
    table = PdfTable(_("Your roles"), [_("Organisation"), _("Role"), _("Since")], rows,
                     empty=_("You have no roles in any organisation."))
    return ExportSection("roles", data, [table])


def _memberships(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.organisation))
            .order_by(Membership.organisation_id, Membership.role)
        )
    )


def notifications_section(user: User) -> ExportSection:
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)
    ).all()
    data = [
        {"kind": n.kind, "title": notification_title(n.kind), "link": n.link,
         "created_at": iso(n.created_at), "read_at": iso(n.read_at)}
        for n in notifications
    ]
    rows = [[notification_title(n.kind), n.created_at, n.read_at] for n in notifications]
    table = PdfTable(_("Notifications"), [_("Notification"), _("Created"), _("Read")], rows,
                     empty=_("You have no notifications."))
    return ExportSection("notifications", data, [table])


def emails_section(user: User) -> ExportSection:
    """Emails sent to this person. Bodies are left out: they only repeat what is here, and links."""
    emails = db.session.scalars(
        select(OutboundEmail)
        .where(or_(OutboundEmail.user_id == user.id,
                   # An invitation to a new person is sent before their account exists.
                   and_(OutboundEmail.user_id.is_(None), OutboundEmail.to_address == user.email)))
        .order_by(OutboundEmail.created_at, OutboundEmail.id)
    ).all()
    data = [
        {"subject": e.subject, "to": e.to_address, "status": e.status.value, "created_at": iso(e.created_at),
         "sent_at": iso(e.sent_at)}
        for e in emails
    ]
    statuses = {"pending": _("Waiting to be sent"), "sent": _("Sent"), "failed": _("Could not be sent")}
    rows = [[e.subject, statuses[e.status.value], e.created_at, e.sent_at] for e in emails]
    table = PdfTable(_("Emails to you"), [_("Subject"), _("Status"), _("Created"), _("Sent")], rows,
                     empty=_("Cwtch has no emails to you on record."))
    return ExportSection("emails", data, [table])


def activity_section(user: User) -> ExportSection:
    """The audit log's record of what this person did. Targets are ids, never another person's name."""
    events = activity_of(user)
    data = [
        {"created_at": iso(e.created_at), "action": e.action, "outcome": e.outcome, "ip": e.ip,
         "organisation_id": e.organisation_id, "target_type": e.target_type, "target_id": e.target_id,
         "detail": e.detail}
        for e in events
    ]
    rows = [[e.created_at, action_label(e.action), outcome_label(e.outcome), e.ip] for e in events]
    table = PdfTable(_("Sign-ins and other activity"), [_("Time"), _("What happened"), _("Result"), _("IP address")],
                     rows, empty=_("There is no activity on record."))
    return ExportSection("activity", data, [table])


def invitations_section(user: User) -> ExportSection:
    """Invitations this person accepted. Who sent them is left out: that is another person."""
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.email == user.email, Invitation.used_at.is_not(None))
        .options(selectinload(Invitation.organisation), selectinload(Invitation.roles))
        .order_by(Invitation.used_at, Invitation.id)
    ).all()
    data = [
        {"organisation_id": i.organisation_id, "organisation": i.organisation.name,
         "roles": sorted(r.value for r in i.role_set), "created_at": iso(i.created_at),
         "accepted_at": iso(i.used_at)}
        for i in invitations
    ]
    rows = [[i.organisation.name,
             ", ".join(role_label(r, i.organisation) for r in sorted(i.role_set, key=lambda r: r.value)),
             i.created_at, i.used_at] for i in invitations]
    table = PdfTable(_("Invitations you accepted"), [_("Organisation"), _("Roles"), _("Sent"), _("Accepted")],
                     rows, empty=_("There are no accepted invitations on record."))
    return ExportSection("invitations_accepted", data, [table])


# Each domain that holds a person's data adds its exporter here, in the order the PDF shows them.
# Pulse answers come with that feature.
EXPORTERS: list[Exporter] = [
    account_section,
    roles_section,
    reflections_section,
    bookings_section,
    debriefs_section,
    notifications_section,
    emails_section,
    activity_section,
    invitations_section,
]
