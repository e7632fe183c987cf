"""Demo data for development: two Welsh organisations, one documented account per role, and reflections."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from .support.services import seed_default_helplines
from .accounts import passwords
from .accounts.models import (
    Invitation,
    InvitationRole,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)
from .db import utcnow
from .demo_booking import seed_bookings
from .demo_debriefs import seed_debriefs
from .demo_pulse import seed_pulse
from .demo_reflection_history import seed_reflection_history
from .demo_reflections import seed_reflections
from .demo_reports import seed_reports
from .extensions import db


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    organisation: str
    language: str = "en"


OGMORE = "Ogmore Valleys Community Connectors"
TEIFI = "Teifi Valley Primary Care Cluster"

# The accounts the README lists. Everyone in the demo shares the one documented password.
DEMO_ACCOUNTS = [
    DemoAccount("linkworker@example.org", "Carys Jenkins", Role.link_worker, OGMORE),
    DemoAccount("supervisor@example.org", "Dr Rhodri Evans", Role.supervisor, OGMORE),
    DemoAccount("employer@example.org", "Siân Morgan", Role.employer, OGMORE),
    DemoAccount("admin@example.org", "Gareth Price", Role.admin, OGMORE),
    DemoAccount("cymraeg@example.org", "Nia Llywelyn", Role.link_worker, TEIFI, language="cy"),
]

# A senior link worker who also supervises peers: a person with two roles.
SENIOR = DemoAccount("senior@example.org", "Owain Davies", Role.link_worker, OGMORE)

OGMORE_LINK_WORKERS = [
    "Ffion Thomas", "Dylan Hughes", "Megan Roberts", "Rhys Williams", "Elin Lewis", "Tomos Griffiths",
    "Lowri Edwards", "Iwan Jones", "Catrin Powell", "Aled Rees",
]
TEIFI_LINK_WORKERS = ["Gwenllian Bowen", "Huw Parry", "Angharad James"]


def _slug(name: str) -> str:
    return "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")


def _organisation(name: str, **fields) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, **fields)
        db.session.add(organisation)
        db.session.flush()
    seed_default_helplines(organisation)
    return organisation


def _person(email: str, name: str, password_hash: str, language: str = "en") -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, preferred_language=language)
        db.session.add(user)
        db.session.flush()
    return user


def _grant(user: User, organisation: Organisation, role: Role) -> None:
    if role not in user.roles_in(organisation.id):
        user.memberships.append(Membership(organisation=organisation, role=role))


def _demo_activity(ogmore: Organisation) -> None:
    """Things waiting in the demo: an open invitation and a few notifications."""
    from datetime import timedelta

    from .db import utcnow
    from .notifications.services import notify, path_for

    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    if db.session.scalar(select(Invitation.id).where(Invitation.email == "new.starter@ogmore.example.org")) is None:
        db.session.add(Invitation(
            organisation=ogmore, email="new.starter@ogmore.example.org", invited_by_id=admin.id,
            expires_at=utcnow() + timedelta(days=6),
            roles=[InvitationRole(role=Role.link_worker)],
        ))
    notify(user=admin, kind="invitation_accepted", dedupe_key="demo:invitation-accepted:1",
           link=path_for("admin.people", organisation_id=ogmore.id), email=False)
    for email in ("linkworker@example.org", "senior@example.org"):
        person = db.session.scalar(select(User).where(User.email == email))
        notify(user=person, kind="roles_changed", dedupe_key=f"demo:roles-changed:{person.id}",
               link=path_for("accounts.settings"), email=False)


def seed_demo(now: datetime | None = None) -> str:
    """Create or complete the demo data. Running it twice changes nothing. `now` places the
    supervision calendar in time (tests freeze it); it defaults to the real time."""
    password_hash = passwords.hash_password(current_app.config["DEMO_PASSWORD"])
    ogmore = _organisation(
        OGMORE, kind=OrganisationKind.county_voluntary_council, region=Region.cwm_taf_morgannwg,
        report_k=5, job_title_en="community connector", job_title_cy="cysylltydd cymunedol",
    )
    teifi = _organisation(
        TEIFI, kind=OrganisationKind.primary_care, region=Region.hywel_dda, report_k=5,
        job_title_en="social prescribing practitioner",
        job_title_cy="ymarferydd rhagnodi cymdeithasol",
    )
    by_name = {OGMORE: ogmore, TEIFI: teifi}
    for account in DEMO_ACCOUNTS:
        user = _person(account.email, account.name, password_hash, account.language)
        _grant(user, by_name[account.organisation], account.role)

    senior = _person(SENIOR.email, SENIOR.name, password_hash)
    _grant(senior, ogmore, Role.link_worker)
    _grant(senior, ogmore, Role.supervisor)

    # Ogmore: 12 link workers (the demo one, the senior one and ten more); Teifi: 4.
    for name in OGMORE_LINK_WORKERS:
        _grant(_person(f"{_slug(name)}@ogmore.example.org", name, password_hash), ogmore, Role.link_worker)
    for name in TEIFI_LINK_WORKERS:
        _grant(_person(f"{_slug(name)}@teifi.example.org", name, password_hash), teifi, Role.link_worker)

    _grant(_person("bethan.howells@ogmore.example.org", "Bethan Howells", password_hash), ogmore,
           Role.supervisor)
    _grant(_person("mererid.hopkin@teifi.example.org", "Mererid Hopcyn", password_hash, "cy"), teifi,
           Role.supervisor)
    _grant(_person("alun.vaughan@teifi.example.org", "Alun Vaughan", password_hash), teifi, Role.employer)
    _grant(_person("sioned.prys@teifi.example.org", "Sioned Prys", password_hash, "cy"), teifi, Role.admin)
    db.session.flush()
    _demo_activity(ogmore)
    written = seed_reflections(by_name) + seed_reflection_history(now or utcnow())
    sessions = seed_bookings(by_name, now=now)
    debriefs = seed_debriefs(by_name, now=now)
    surveys = seed_pulse(by_name, now=now)
    reports = seed_reports(by_name, draft_for=OGMORE, now=now)
    return (
        f"Demo data ready: {OGMORE} and {TEIFI}"
        + (f", with {written} reflections" if written else "")
        + (f", {sessions} supervision sessions" if sessions else "")
        + (f", {debriefs} debrief requests" if debriefs else "")
        + (f", {surveys} wellbeing survey responses" if surveys else "")
        + (f", {reports} quarterly reports" if reports else "")
        + f". Sign in as {DEMO_ACCOUNTS[0].email} (or supervisor@, employer@, admin@, cymraeg@) "
        "with the password in README.md."
    )
