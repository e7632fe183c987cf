"""Supervision booking: a supervisor's availability, the sessions on their calendar, the people
booked into them, each step taken, the record kept afterwards, and private calendar feeds.

Times are stored in UTC. A session occupies the half-open interval [starts_at, ends_at).
Availability windows are wall-clock minutes in Europe/London, so 09:00 stays 09:00 across the
clock changes. Free text that may be sensitive (agendas, reasons, session records) is encrypted.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User, _enum
from ..crypto import EncryptedText
from ..db import Base, utcnow

# Limits shared by the forms, the services and the CHECK constraints.
BUFFER_MINUTES = (0, 120)
MIN_NOTICE_HOURS = (0, 336)
MAX_DAYS_AHEAD = (1, 365)
WEEKLY_CAP = (1, 40)
CANCEL_CUTOFF_HOURS = (0, 336)
LENGTH_MINUTES = (15, 480)
CAPACITY = (1, 30)
# A link worker may move the same booking at most this many times.
RESCHEDULE_CAP = 2
# A request nobody reviews expires after this many hours.
REQUEST_EXPIRY_HOURS = 72
MAX_REASON = 500
MAX_AGENDA = 5_000
MAX_RECORD_SECTION = 20_000


def _uid() -> str:
    return f"{uuid.uuid4()}@cwtch"


class LocationKind(str, enum.Enum):
    in_person = "in_person"
    online = "online"


class SessionKind(str, enum.Enum):
    one_to_one = "one_to_one"
    group = "group"


class SessionStatus(str, enum.Enum):
    active = "active"
    cancelled = "cancelled"


class BookingStatus(str, enum.Enum):
    requested = "requested"  # waiting for the supervisor's approval; holds the time
    proposed = "proposed"  # the supervisor proposed another time; waiting for the link worker
    confirmed = "confirmed"
    waitlisted = "waitlisted"  # a full group session; promoted in order when a place frees up
    declined = "declined"
    cancelled = "cancelled"
    expired = "expired"


# Bookings that still hold a place or a place in the queue.
OPEN_STATUSES = (BookingStatus.requested, BookingStatus.proposed, BookingStatus.confirmed,
                 BookingStatus.waitlisted)
# Bookings that occupy the session's time for the supervisor and the link worker.
HOLDING_STATUSES = (BookingStatus.requested, BookingStatus.proposed, BookingStatus.confirmed)


class Attendance(str, enum.Enum):
    attended = "attended"
    no_show = "no_show"


def _between(column: str, bounds: tuple[int, int]) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {bounds[0]} AND {bounds[1]}", name=f"{column}_in_range")


class SupervisorSettings(Base):
    """How a supervisor takes bookings. Created with the defaults the first time it is needed."""

    __tablename__ = "supervisor_settings"
    __table_args__ = (
        _between("buffer_minutes", BUFFER_MINUTES),
        _between("min_notice_hours", MIN_NOTICE_HOURS),
        _between("max_days_ahead", MAX_DAYS_AHEAD),
        CheckConstraint(f"weekly_cap IS NULL OR weekly_cap BETWEEN {WEEKLY_CAP[0]} AND {WEEKLY_CAP[1]}",
                        name="weekly_cap_in_range"),
        _between("cancel_cutoff_hours", CANCEL_CUTOFF_HOURS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    max_days_ahead: Mapped[int] = mapped_column(Integer, default=56)
    # None: no cap.
    weekly_cap: Mapped[int | None] = mapped_column(Integer)
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class AvailabilityWindow(Base):
    """A weekly window, e.g. Tuesdays 09:30 to 12:30, in Europe/London wall-clock time."""

    __tablename__ = "availability_window"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_range"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
                        name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Monday is 0, as in Python's date.weekday().
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class SessionType(Base):
    """What a supervisor offers: one-to-one supervision, or a group peer-supervision session."""

    __tablename__ = "session_type"
    __table_args__ = (
        _between("length_minutes", LENGTH_MINUTES),
        _between("capacity", CAPACITY),
        CheckConstraint("min_attendees >= 1 AND min_attendees <= capacity", name="minimum_within_capacity"),
        CheckConstraint("kind <> 'one_to_one' OR (capacity = 1 AND min_attendees = 1)",
                        name="one_to_one_has_one_place"),
        CheckConstraint("location_kind <> 'in_person' OR address IS NOT NULL", name="in_person_has_address"),
        CheckConstraint("location_kind <> 'online' OR online_link IS NOT NULL", name="online_has_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Group sessions are offered to the link workers of this organisation (the "network").
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind, "session_kind"))
    # The supervisor's own words, e.g. "Peer supervision: Ogmore group".
    name: Mapped[str] = mapped_column(String(120))
    length_minutes: Mapped[int] = mapped_column(Integer, default=60)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    min_attendees: Mapped[int] = mapped_column(Integer, default=1)
    location_kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind, "location_kind"))
    address: Mapped[str | None] = mapped_column(String(500))
    online_link: Mapped[str | None] = mapped_column(String(500))
    # Archived types stay on sessions already booked, and are no longer offered.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    supervisor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class AvailabilityBlock(Base):
    """A one-off absence, such as leave, with an optional note saying who covers."""

    __tablename__ = "availability_block"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_availability_block_supervisor_id_starts_at", "supervisor_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    cover_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionSession(Base):
    """A session on the supervisor's calendar: one-to-one, or a group with several bookings.

    Kind, length, capacity and location are copied from the type when the session is made, so
    changing a type later does not move or relocate sessions people have already booked.
    """

    __tablename__ = "supervision_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        _between("capacity", CAPACITY),
        CheckConstraint("min_attendees >= 1 AND min_attendees <= capacity", name="minimum_within_capacity"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_has_time"),
        Index("ix_supervision_session_supervisor_id_starts_at", "supervisor_id", "starts_at"),
        Index("ix_supervision_session_status_starts_at", "status", "starts_at"),
        # An organisation's sessions in a span of time: the quarterly report's supervision figures.
        Index("ix_supervision_session_organisation_id_starts_at", "organisation_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    session_type_id: Mapped[int] = mapped_column(ForeignKey("session_type.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind, "session_kind"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    min_attendees: Mapped[int] = mapped_column(Integer, default=1)
    location_kind: Mapped[LocationKind] = mapped_column(_enum(LocationKind, "location_kind"))
    address: Mapped[str | None] = mapped_column(String(500))
    online_link: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[SessionStatus] = mapped_column(_enum(SessionStatus, "session_status"),
                                                  default=SessionStatus.active)
    cancelled_at: Mapped[datetime | None]
    # The supervisor's calendar entry: a stable UID and a SEQUENCE raised on every change.
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the group-minimum job has looked at this session 24 hours before it, so it looks once.
    minimum_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    supervisor: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    session_type: Mapped[SessionType] = relationship()
    bookings: Mapped[list[Booking]] = relationship(back_populates="session", order_by="Booking.id")


class Booking(Base):
    """One link worker's place in a session (or in its waiting list), and its calendar entry."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(f"reschedule_count BETWEEN 0 AND {RESCHEDULE_CAP}", name="reschedule_count_in_range"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        # At most one open booking per person per session, whatever races happen.
        Index("uq_booking_open_per_person", "session_id", "link_worker_id", unique=True,
              sqlite_where=text("status IN ('requested', 'proposed', 'confirmed', 'waitlisted')"),
              postgresql_where=text("status IN ('requested', 'proposed', 'confirmed', 'waitlisted')")),
        Index("ix_booking_session_id_status", "session_id", "status"),
        Index("ix_booking_link_worker_id_status", "link_worker_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_session.id", ondelete="CASCADE"))
    link_worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus, "booking_status"))
    agenda: Mapped[str | None] = mapped_column(EncryptedText())
    # Times this link worker moved the booking; at most RESCHEDULE_CAP.
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    attendance: Mapped[Attendance | None] = mapped_column(_enum(Attendance, "attendance"))
    # For a request: when it expires unless reviewed.
    expires_at: Mapped[datetime | None]
    # The link worker's calendar entry, separate from the supervisor's so that a group attendee's
    # file never names anyone else.
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[SupervisionSession] = relationship(back_populates="bookings")
    link_worker: Mapped[User] = relationship()
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingEvent.id"
    )
    record: Mapped[SessionRecord | None] = relationship(back_populates="booking", cascade="all, delete-orphan")


class BookingEvent(Base):
    """Each step in a booking's life, with who took it, when, and the reason they gave."""

    __tablename__ = "booking_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    # None: Cwtch itself (an expiry, a promotion from the waiting list, a group below its minimum).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # One of booking.events.ACTIONS.
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(EncryptedText())
    # For reschedules and proposals: the old and new start.
    from_starts_at: Mapped[datetime | None]
    to_starts_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class SessionRecord(Base):
    """What was discussed, under Proctor's three headings, and the actions agreed. Seen only by
    the two people in the booking: never by admins or employers."""

    __tablename__ = "session_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), unique=True)
    normative: Mapped[str | None] = mapped_column(EncryptedText())
    formative: Mapped[str | None] = mapped_column(EncryptedText())
    restorative: Mapped[str | None] = mapped_column(EncryptedText())
    # One action per line, like a reflection's "what I'll try next".
    actions: Mapped[str | None] = mapped_column(EncryptedText())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="record")
    updated_by: Mapped[User | None] = relationship()

    @property
    def action_list(self) -> list[str]:
        return [line.strip() for line in (self.actions or "").splitlines() if line.strip()]


class CalendarFeed(Base):
    """A person's private calendar-feed address. Looked up by a hash of its secret token; the token
    itself is kept encrypted so that the person can see their address again."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
