"""My data: building a person's download, and deleting their account. They flush, never commit."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from ..accounts.models import Invitation, InvitationRole, LoginAttempt, Membership, Organisation, Role, User
from ..audit.models import AuditEvent
from ..audit.services import record
from ..debriefs.models import DebriefRequest
from ..extensions import db
from ..notifications.models import EmailAttachment, OutboundEmail
from ..notifications.services import queue_email
from ..pulse.models import PulseAnswer, PulseResponse, SurveyLeave, TrendShare, TrendShareView
from ..pulse.respondent import respondent_key
from ..reflections.models import Reflection
from .exporters import EXPORTERS
from .pdf import render_pdf
from .sections import ExportSection, iso

JSON_NAME = "cwtch-my-data.json"
PDF_NAME = "cwtch-my-data.pdf"
ARCHIVE_NAME = "cwtch-my-data.zip"
FORMAT_VERSION = 1


# --- export ----------------------------------------------------------------------------------

def export_sections(user: User) -> list[ExportSection]:
    sections = [exporter(user) for exporter in EXPORTERS]
    keys = [section.key for section in sections]
    if len(keys) != len(set(keys)):
        raise RuntimeError(f"two exporters share a section key: {keys}")
    return sections


def export_document(sections: list[ExportSection], *, now: datetime) -> dict:
    document: dict = {"format": "cwtch-my-data", "version": FORMAT_VERSION, "generated_at": iso(now)}
    document.update({section.key: section.data for section in sections})
    return document


def export_archive(*, user: User, now: datetime) -> bytes:
    """One ZIP with the JSON and the PDF, both in the person's own language, and an audit record."""
    language = user.preferred_language
    with force_locale(language):
        sections = export_sections(user)
        pdf = render_pdf(user=user, sections=sections, generated_at=now, language=language)
    document = json.dumps(export_document(sections, now=now), ensure_ascii=False, indent=2)
    # ZIP times have no zone: use the time the person sees on their clock.
    stamp = now.astimezone(ZoneInfo("Europe/London")).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((JSON_NAME, document.encode("utf-8")), (PDF_NAME, pdf)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    record(action="data_export", actor_id=user.id, target_type="user", target_id=user.id)
    return buffer.getvalue()


# --- deletion --------------------------------------------------------------------------------

class LastAdminError(Exception):
    """Deleting this account would leave these organisations without an active admin."""

    def __init__(self, organisations: list[Organisation]) -> None:
        super().__init__(", ".join(o.name for o in organisations))
        self.organisations = organisations


def organisations_needing(user: User) -> list[Organisation]:
    """Organisations where this person is the only active admin, in one query."""
    another_admin = (
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.organisation_id == Organisation.id,
            Membership.role == Role.admin,
            Membership.user_id != user.id,
            User.active.is_(True),
        )
        .exists()
    )
    theirs = select(Membership.organisation_id).where(Membership.user_id == user.id,
                                                      Membership.role == Role.admin)
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(theirs), ~another_admin).order_by(Organisation.name)
    ))


# Each domain that keeps a person's data adds an eraser here. Erasers run first, in the same
# transaction, and must clear every row that points at the account without an ON DELETE rule:
# - reflections and the person's own notes: deleted;
# - wellbeing survey answers (found by the respondent key), leave dates and trend shares: deleted;
#   invitations go with the account (ON DELETE CASCADE);
# - bookings and sessions: keep only what the other party needs, and show the person as "a former
#   user";
# - debrief requests: a link worker's own go with everything on them; a supervisor's deletion
#   leaves the requests they handled to the link worker, with no handler (ON DELETE SET NULL),
#   and keeps the notes they wrote, which both parties see.
def erase_reflections(user: User) -> None:
    """The person's reflections go, and with them (ON DELETE CASCADE) their themes, shares, the
    views of those shares and supervisors' comments on them. The account's own foreign key would
    take them too; saying so here keeps the deletion visible and independent of that rule."""
    db.session.execute(delete(Reflection.__table__).where(Reflection.__table__.c.author_id == user.id))


def erase_debrief_requests(user: User) -> None:
    """The person's own debrief requests go, and with them (ON DELETE CASCADE) their steps and
    check-ins. The account's own foreign key would take them too; saying so here keeps the
    deletion visible. Requests they handled, were assigned or took a step on as a supervisor stay
    with the link worker: the database sets those references to NULL."""
    db.session.execute(delete(DebriefRequest.__table__).where(DebriefRequest.__table__.c.link_worker_id == user.id))


def erase_pulse(user: User) -> None:
    """The person's survey answers carry no user id, so no foreign key would ever take them: they
    are found by the respondent key. Their leave dates and the shares of their trend (either way,
    with the log of views) go too. Reports already made keep their totals, which name no one."""
    responses = select(PulseResponse.id).where(PulseResponse.respondent_key == respondent_key(user.id))
    # Children first: SQLite enforces ON DELETE CASCADE only when asked to.
    db.session.execute(delete(PulseAnswer.__table__).where(PulseAnswer.__table__.c.response_id.in_(responses)))
    db.session.execute(delete(PulseResponse.__table__).where(
        PulseResponse.__table__.c.respondent_key == respondent_key(user.id)))
    db.session.execute(delete(SurveyLeave.__table__).where(SurveyLeave.__table__.c.user_id == user.id))
    shares = select(TrendShare.id).where(or_(TrendShare.owner_id == user.id, TrendShare.supervisor_id == user.id))
    db.session.execute(delete(TrendShareView.__table__).where(TrendShareView.__table__.c.share_id.in_(shares)))
    db.session.execute(delete(TrendShare.__table__).where(
        or_(TrendShare.__table__.c.owner_id == user.id, TrendShare.__table__.c.supervisor_id == user.id)))


ERASERS: list[Callable[[User], None]] = [erase_reflections, erase_debrief_requests, erase_pulse]


def delete_account(*, user: User, now: datetime) -> None:
    """Delete the account and what belongs only to it; keep the audit log without the person.

    Every session ends with the row: a copied cookie names a session token nobody has.
    """
    blocked = organisations_needing(user)
    if blocked:
        raise LastAdminError(blocked)
    user_id, email, language = user.id, user.email, user.preferred_language
    for eraser in ERASERS:
        eraser(user)
    db.session.flush()
    db.session.expunge(user)

    # Emails to them: their bodies hold their name and links. Failed sign-ins name their address.
    emails = select(OutboundEmail.id).where(or_(OutboundEmail.user_id == user_id, OutboundEmail.to_address == email))
    db.session.execute(delete(EmailAttachment.__table__).where(EmailAttachment.email_id.in_(emails)))
    db.session.execute(delete(OutboundEmail.__table__).where(OutboundEmail.id.in_(emails)))
    db.session.execute(delete(LoginAttempt.__table__).where(LoginAttempt.email == email))
    # Invitations they accepted name their address; open ones belong to the inviting organisation.
    accepted = select(Invitation.id).where(Invitation.email == email, Invitation.used_at.is_not(None))
    db.session.execute(delete(InvitationRole.__table__).where(InvitationRole.invitation_id.in_(accepted)))
    db.session.execute(delete(Invitation.__table__).where(Invitation.id.in_(accepted)))

    # The log keeps what happened but not who it was about: the person's own rows lose the
    # account id and address (a sanctioned Core update, like retention's deletes), and the
    # deletion itself names no one.
    audit = AuditEvent.__table__
    db.session.execute(update(audit).where(audit.c.actor_id == user_id).values(ip=None))
    db.session.execute(
        update(audit).where(audit.c.target_type == "user", audit.c.target_id == user_id)
        .values(target_id=None, ip=None)
    )
    # Roles and notifications go with the row (ON DELETE CASCADE). Audit events stay and their
    # actor becomes NULL (ON DELETE SET NULL): the database applies its own foreign-key rules
    # (SQLite too: see extensions.py), so the ORM never touches the log.
    db.session.execute(delete(User.__table__).where(User.__table__.c.id == user_id))

    db.session.add(AuditEvent(action="account_delete", target_type="user", target_id=None, ip=None,
                              created_at=now))
    queue_email(
        dedupe_key=f"account-deleted:{user_id}:{now.isoformat()}",
        to=email,
        language=language,
        security=True,
        template="account_deleted",
        subject=_l("Your Cwtch account has been deleted"),
    )
    db.session.flush()
