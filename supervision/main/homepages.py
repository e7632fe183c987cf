"""What each role's home page shows: the areas a person can use and what is waiting in them."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import Invitation, Membership, Role, User
from ..db import utcnow
from ..extensions import db


@dataclass
class Waiting:
    text: str
    href: str


@dataclass
class HomeSection:
    role: Role
    heading: str
    waiting: list[Waiting] = field(default_factory=list)


ROLE_HEADINGS = {
    Role.link_worker: _l("Your practice and wellbeing"),
    Role.supervisor: _l("Supervision"),
    Role.employer: _l("Wellbeing reports"),
    Role.admin: _l("Organisation admin"),
}

ROLE_ORDER = [Role.link_worker, Role.supervisor, Role.employer, Role.admin]


def sections_for(user: User) -> list[HomeSection]:
    sections = []
    for role in ROLE_ORDER:
        if user.has_role(role):
            section = HomeSection(role=role, heading=str(ROLE_HEADINGS[role]))
            if role == Role.admin:
                section.waiting = _admin_waiting(user)
            elif role == Role.link_worker:
                section.waiting = _link_worker_waiting(user)
            elif role == Role.supervisor:
                section.waiting = _supervisor_waiting(user)
            elif role == Role.employer:
                section.waiting = _employer_waiting(user)
            sections.append(section)
    return sections


def _admin_waiting(user: User) -> list[Waiting]:
    from flask_babel import ngettext

    organisations = user.organisations_where(Role.admin)
    if not organisations:
        return []
    ids = [o.id for o in organisations]
    # One query for every organisation's open invitations, so the page stays cheap.
    open_counts = dict(
        db.session.execute(
            select(Invitation.organisation_id, func.count())
            .where(
                Invitation.organisation_id.in_(ids),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .group_by(Invitation.organisation_id)
        ).all()
    )
    people_counts = dict(
        db.session.execute(
            select(Membership.organisation_id, func.count(func.distinct(Membership.user_id)))
            .where(Membership.organisation_id.in_(ids))
            .group_by(Membership.organisation_id)
        ).all()
    )
    waiting = []
    for organisation in organisations:
        people = people_counts.get(organisation.id, 0)
        invitations = open_counts.get(organisation.id, 0)
        text = ngettext(
            "%(organisation)s: %(num)d person", "%(organisation)s: %(num)d people", people,
            organisation=organisation.name,
        )
        if invitations:
            text += " · " + ngettext(
                "%(num)d invitation not yet accepted", "%(num)d invitations not yet accepted", invitations
            )
        waiting.append(Waiting(text=text, href=url_for("admin.people", organisation_id=organisation.id)))
    return waiting


def _link_worker_waiting(user: User) -> list[Waiting]:
    from flask_babel import ngettext

    from ..reflections.models import Reflection, Status
    from ..reflections.sharing import RECENT_COMMENT_DAYS, recent_comment_count

    waiting = []
    drafts = db.session.scalar(
        select(func.count()).select_from(Reflection)
        .where(Reflection.author_id == user.id, Reflection.status == Status.draft)
    ) or 0
    if drafts:
        waiting.append(Waiting(
            text=ngettext("%(num)d draft reflection", "%(num)d draft reflections", drafts),
            href=url_for("reflections.index"),
        ))
    comments = recent_comment_count(user)
    if comments:
        waiting.append(Waiting(
            text=ngettext("%(num)d comment on your shared reflections in the last %(days)d days",
                          "%(num)d comments on your shared reflections in the last %(days)d days",
                          comments, days=RECENT_COMMENT_DAYS),
            href=url_for("reflections.index"),
        ))
    return waiting


def _supervisor_waiting(user: User) -> list[Waiting]:
    from flask_babel import ngettext

    from ..reflections.sharing import shared_count

    shared = shared_count(user)
    if not shared:
        return []
    return [Waiting(
        text=ngettext("%(num)d reflection shared with you", "%(num)d reflections shared with you", shared),
        href=url_for("reflections.shared_with_me"),
    )]


def _employer_waiting(user: User) -> list[Waiting]:
    """The report of the quarter just ended, once it is issued, for each organisation they employ for."""
    from ..reports.models import QuarterlyReport, ReportStatus
    from ..reports.quarters import Quarter
    from ..reports.labels import quarter_label

    organisations = user.organisations_where(Role.employer)
    if not organisations:
        return []
    latest = Quarter.containing(utcnow()).previous()
    ready = set(db.session.scalars(
        select(QuarterlyReport.organisation_id).where(
            QuarterlyReport.organisation_id.in_([o.id for o in organisations]),
            QuarterlyReport.year == latest.year, QuarterlyReport.quarter == latest.number,
            QuarterlyReport.status == ReportStatus.issued)))
    from flask_babel import gettext as _

    return [Waiting(text=_("%(organisation)s: a new report is ready, for %(quarter)s",
                           organisation=organisation.name, quarter=quarter_label(latest.key)),
                    href=url_for("reports.index"))
            for organisation in organisations if organisation.id in ready]
