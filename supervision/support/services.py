"""The helplines and support contacts an organisation offers. Functions flush, never commit."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..accounts.models import Membership, Organisation, User
from ..audit.services import record
from ..extensions import db
from .models import Helpline

# Seeded into every new organisation (wales.md). Their Welsh names are the services' own.
DEFAULT_HELPLINES = (
    {"name_en": "Samaritans", "name_cy": "Y Samariaid", "number": "116 123",
     "details_en": "Free, 24 hours a day. Also available in Welsh.",
     "details_cy": "Am ddim, 24 awr y dydd. Ar gael yn Gymraeg hefyd."},
    {"name_en": "NHS 111 Wales", "name_cy": "GIG 111 Cymru", "number": "111",
     "details_en": "Press 2 for mental health. Free, 24 hours a day.",
     "details_cy": "Pwyswch 2 i gael cymorth iechyd meddwl. Am ddim, 24 awr y dydd."},
    {"name_en": "C.A.L.L. Mental Health Listening Line", "name_cy": "Llinell Wrando Iechyd Meddwl C.A.L.L.",
     "number": "0800 132 737",
     "details_en": "Free, 24 hours a day.", "details_cy": "Am ddim, 24 awr y dydd."},
)
MAX_HELPLINES = 12


def seed_default_helplines(organisation: Organisation) -> None:
    """Give a new organisation the national helplines, unless it has some already."""
    if db.session.scalar(select(Helpline.id).where(Helpline.organisation_id == organisation.id).limit(1)):
        return
    for position, helpline in enumerate(DEFAULT_HELPLINES):
        db.session.add(Helpline(organisation_id=organisation.id, position=position, **helpline))
    db.session.flush()


def helplines_for(organisation_id: int) -> list[Helpline]:
    return list(db.session.scalars(
        select(Helpline).where(Helpline.organisation_id == organisation_id).order_by(Helpline.position, Helpline.id)))


def helplines_for_user(user: User) -> list[Helpline]:
    """The helplines of every organisation the person belongs to, each number once."""
    organisations = select(Membership.organisation_id).where(Membership.user_id == user.id)
    rows = db.session.scalars(
        select(Helpline).where(Helpline.organisation_id.in_(organisations))
        .order_by(Helpline.organisation_id, Helpline.position, Helpline.id)).all()
    seen: set[str] = set()
    result = []
    for row in rows:
        key = _digits(row.number)
        if key not in seen:
            seen.add(key)
            result.append(row)
    if not result:  # someone in no organisation still sees the national numbers
        result = [Helpline(**h) for h in DEFAULT_HELPLINES]
    return result


def _digits(number: str) -> str:
    return re.sub(r"[^0-9]", "", number)


def helpline_numbers() -> frozenset[str]:
    """Every number any organisation shows as a helpline, as digits, for the client-identifier
    check: a note that mentions calling one of them says nothing about a client."""
    numbers = db.session.scalars(select(Helpline.number).distinct()).all()
    return frozenset(d for d in (_digits(n) for n in numbers) if len(d) >= 3)


@dataclass(frozen=True)
class Contacts:
    """The employer's own support, in the reader's language; None where the admin set nothing."""
    eap: str | None
    occupational_health: str | None


def contacts_for(organisation: Organisation, language: str) -> Contacts:
    def pick(en: str | None, cy: str | None) -> str | None:
        return (cy if language == "cy" and cy else en) or None

    return Contacts(eap=pick(organisation.eap_en, organisation.eap_cy),
                    occupational_health=pick(organisation.occupational_health_en,
                                             organisation.occupational_health_cy))


def next_position(organisation_id: int) -> int:
    return (db.session.scalar(select(func.max(Helpline.position))
                              .where(Helpline.organisation_id == organisation_id)) or 0) + 1


# --- the admin's changes. Each flushes and writes an audit event that names no free text. ----------

class SupportError(Exception):
    """`code` says which rule was broken: "too_many_helplines"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def update_working_week(*, organisation: Organisation, actor: User, days: int, start_minute: int,
                        end_minute: int) -> bool:
    """The days (bit mask, Monday = 1 ... Sunday = 64) and hours that debrief targets count in.
    The form checks them; the table's CHECK constraints are the last guard. True if anything changed."""
    if not 1 <= days <= 127 or not 0 <= start_minute < end_minute <= 24 * 60:
        raise ValueError(f"not a working week: {days}, {start_minute}-{end_minute}")
    new = (days, start_minute, end_minute)
    if new == (organisation.working_days, organisation.working_day_start_minute,
               organisation.working_day_end_minute):
        return False
    organisation.working_days, organisation.working_day_start_minute, organisation.working_day_end_minute = new
    db.session.flush()
    record(action="working_week_update", actor_id=actor.id, organisation_id=organisation.id,
           target_type="organisation", target_id=organisation.id)
    return True


CONTACT_COLUMNS = ("eap_en", "eap_cy", "occupational_health_en", "occupational_health_cy")


def update_contacts(*, organisation: Organisation, actor: User, eap_en: str | None, eap_cy: str | None,
                    occupational_health_en: str | None, occupational_health_cy: str | None) -> bool:
    """The employee assistance programme and occupational health details, as the admin wrote them;
    empty means none (and an empty Welsh one shows the English). True if anything changed."""
    new = {"eap_en": _clean(eap_en), "eap_cy": _clean(eap_cy),
           "occupational_health_en": _clean(occupational_health_en),
           "occupational_health_cy": _clean(occupational_health_cy)}
    if all(getattr(organisation, column) == value for column, value in new.items()):
        return False
    for column, value in new.items():
        setattr(organisation, column, value)
    db.session.flush()
    record(action="support_contacts_update", actor_id=actor.id, organisation_id=organisation.id,
           target_type="organisation", target_id=organisation.id)
    return True


@dataclass(frozen=True)
class HelplineData:
    name_en: str
    name_cy: str | None
    number: str
    details_en: str | None
    details_cy: str | None

    def cleaned(self) -> dict[str, str | None]:
        return {"name_en": self.name_en.strip(), "name_cy": _clean(self.name_cy),
                "number": " ".join(self.number.split()),
                "details_en": _clean(self.details_en), "details_cy": _clean(self.details_cy)}


def helpline_or_none(organisation: Organisation, helpline_id: int) -> Helpline | None:
    helpline = db.session.get(Helpline, helpline_id)
    return helpline if helpline is not None and helpline.organisation_id == organisation.id else None


def add_helpline(*, organisation: Organisation, actor: User, data: HelplineData) -> Helpline:
    """A new helpline at the end of the list, unless the organisation has MAX_HELPLINES already."""
    # Lock the organisation row (PostgreSQL) so that two admins adding at once cannot pass the limit.
    db.session.scalar(select(Organisation.id).where(Organisation.id == organisation.id).with_for_update())
    count = db.session.scalar(select(func.count(Helpline.id)).where(Helpline.organisation_id == organisation.id))
    if count >= MAX_HELPLINES:
        raise SupportError("too_many_helplines")
    helpline = Helpline(organisation_id=organisation.id, position=next_position(organisation.id), **data.cleaned())
    db.session.add(helpline)
    db.session.flush()
    record(action="helpline_add", actor_id=actor.id, organisation_id=organisation.id,
           target_type="helpline", target_id=helpline.id)
    return helpline


def edit_helpline(*, helpline: Helpline, actor: User, data: HelplineData) -> None:
    for column, value in data.cleaned().items():
        setattr(helpline, column, value)
    db.session.flush()
    record(action="helpline_edit", actor_id=actor.id, organisation_id=helpline.organisation_id,
           target_type="helpline", target_id=helpline.id)


def delete_helpline(*, helpline: Helpline, actor: User) -> None:
    """Removing every one is allowed: link workers then see the national helplines."""
    organisation_id, helpline_id = helpline.organisation_id, helpline.id
    db.session.delete(helpline)
    db.session.flush()
    record(action="helpline_delete", actor_id=actor.id, organisation_id=organisation_id,
           target_type="helpline", target_id=helpline_id)


def move_helpline(*, helpline: Helpline, actor: User, up: bool) -> bool:
    """One place up or down the list people see. False, changing nothing, at either end."""
    ordered = helplines_for(helpline.organisation_id)
    index = ordered.index(helpline)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumbered from 0: the seeds and next_position may have left gaps or ties.
    for position, row in enumerate(ordered):
        row.position = position
    db.session.flush()
    record(action="helpline_move", actor_id=actor.id, organisation_id=helpline.organisation_id,
           target_type="helpline", target_id=helpline.id)
    return True
