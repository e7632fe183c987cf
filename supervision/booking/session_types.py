"""What a supervisor offers: creating, changing, archiving and restoring session types."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Organisation, Role, User
from ..extensions import db
from .errors import BookingError
from .models import CAPACITY, LENGTH_MINUTES, LocationKind, SessionKind, SessionType

MAX_NAME = 120
MAX_ADDRESS = 500
MAX_LINK = 500
# Shared with the form, which checks the numbers first so that every problem shows at once.
LENGTH_MESSAGE = _l("Length must be between %(low)s and %(high)s minutes", low=LENGTH_MINUTES[0], high=LENGTH_MINUTES[1])
CAPACITY_MESSAGE = _l("Places must be between %(low)s and %(high)s", low=CAPACITY[0], high=CAPACITY[1])
MINIMUM_MESSAGE = _l("Minimum number of people must be between 1 and %(high)s", high=CAPACITY[1])


def _in_range(value, bounds: tuple[int, int], field: str, message) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not bounds[0] <= value <= bounds[1]:
        raise BookingError(f"{field}_out_of_range", message, field=field)


@dataclass(frozen=True)
class SessionTypeData:
    name: str
    kind: SessionKind
    length_minutes: int
    location_kind: LocationKind
    organisation_id: int
    capacity: int = 1
    min_attendees: int = 1
    address: str | None = None
    online_link: str | None = None


def supervising_organisations(supervisor: User) -> list[Organisation]:
    """Where this person may offer sessions: the organisations in which they hold the supervisor role."""
    return supervisor.organisations_where(Role.supervisor)


def types_of(supervisor_id: int) -> list[SessionType]:
    return list(db.session.scalars(
        select(SessionType).where(SessionType.supervisor_id == supervisor_id)
        .order_by(SessionType.active.desc(), SessionType.name, SessionType.id)
    ))


def is_safe_link(link: str) -> bool:
    """Only an https address with a host: never http:, javascript: or data: in an email or page."""
    if any(ch.isspace() for ch in link) or any(ord(ch) < 32 for ch in link):
        return False
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname) and "@" not in parts.netloc


def _checked_type(supervisor: User, data: SessionTypeData) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise BookingError("name_missing", _l("Enter a name for the session type"), field="name")
    if len(name) > MAX_NAME:
        raise BookingError("name_too_long", _l("Name must be %(limit)s characters or fewer", limit=MAX_NAME),
                           field="name")
    if not isinstance(data.kind, SessionKind):
        raise BookingError("kind_invalid", _l("Select one-to-one or group"), field="kind")
    _in_range(data.length_minutes, LENGTH_MINUTES, "length_minutes", LENGTH_MESSAGE)
    capacity, minimum = 1, 1
    if data.kind == SessionKind.group:
        _in_range(data.capacity, CAPACITY, "capacity", CAPACITY_MESSAGE)
        _in_range(data.min_attendees, (1, CAPACITY[1]), "min_attendees", MINIMUM_MESSAGE)
        if data.min_attendees > data.capacity:
            raise BookingError("minimum_above_capacity",
                               _l("Minimum number of people must not be more than the number of places"),
                               field="min_attendees")
        capacity, minimum = data.capacity, data.min_attendees
    address = link = None
    if data.location_kind == LocationKind.in_person:
        address = (data.address or "").strip()
        if not address:
            raise BookingError("address_missing", _l("Enter the address"), field="address")
        if len(address) > MAX_ADDRESS:
            raise BookingError("address_too_long",
                               _l("Address must be %(limit)s characters or fewer", limit=MAX_ADDRESS), field="address")
    elif data.location_kind == LocationKind.online:
        link = (data.online_link or "").strip()
        if not link:
            raise BookingError("link_missing", _l("Enter the link to the online meeting"), field="online_link")
        if len(link) > MAX_LINK or not is_safe_link(link):
            raise BookingError("link_invalid",
                               _l("Enter a link that starts with https://, like https://meet.example.org/room"),
                               field="online_link")
    else:
        raise BookingError("location_invalid", _l("Select in person or online"), field="location_kind")
    if data.organisation_id not in {o.id for o in supervising_organisations(supervisor)}:
        raise BookingError("organisation_invalid", _l("Select an organisation where you supervise"),
                           field="organisation_id")
    return {"name": name, "kind": data.kind, "length_minutes": data.length_minutes, "capacity": capacity,
            "min_attendees": minimum, "location_kind": data.location_kind, "address": address,
            "online_link": link, "organisation_id": data.organisation_id}


def create_type(*, supervisor: User, data: SessionTypeData) -> SessionType:
    session_type = SessionType(supervisor_id=supervisor.id, active=True, **_checked_type(supervisor, data))
    db.session.add(session_type)
    db.session.flush()
    return session_type


def update_type(*, session_type: SessionType, supervisor: User, data: SessionTypeData) -> SessionType:
    """Sessions already made keep the details they copied: only future bookings see the change."""
    for key, value in _checked_type(supervisor, data).items():
        setattr(session_type, key, value)
    db.session.flush()
    return session_type


def archive_type(*, session_type: SessionType) -> None:
    """No longer offered; sessions already booked of this type go ahead."""
    session_type.active = False
    db.session.flush()


def restore_type(*, session_type: SessionType) -> None:
    session_type.active = True
    db.session.flush()
