"""Debrief requests, each step taken on them, and the check-ins that follow a debrief.

The description, the reason for declining and the outcome notes are encrypted, as reflections
are. Every step is timestamped, because the reports use response times (never the content).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User, _enum
from ..booking.models import Booking
from ..crypto import EncryptedText
from ..db import Base, utcnow

MAX_DESCRIPTION = 2_000
MAX_REASON = 1_000
MAX_NOTES = 5_000
# Check-ins after a completed debrief, in days.
CHECK_IN_DAYS = (3, 28)


class Urgency(str, enum.Enum):
    today = "today"  # a hot debrief, answered the same working day
    three_days = "three_days"
    this_week = "this_week"  # a cold debrief


class Category(str, enum.Enum):
    client_death = "client_death"
    safeguarding = "safeguarding"
    aggression = "aggression"
    disclosure = "disclosure"
    suicide_concern = "suicide_concern"
    other = "other"


class ContactWay(str, enum.Enum):
    phone = "phone"
    video = "video"
    in_person = "in_person"


class RequestStatus(str, enum.Enum):
    open = "open"  # waiting for a supervisor to accept it
    accepted = "accepted"
    completed = "completed"  # the debrief happened and its outcome is recorded
    declined = "declined"
    withdrawn = "withdrawn"  # the link worker no longer wants it: it is always voluntary


class HeldBy(str, enum.Enum):
    session = "session"  # a session booked through Cwtch
    phone = "phone"


class Outcome(str, enum.Enum):
    supported = "supported"
    signposted = "signposted"
    occupational_health = "occupational_health"
    eap = "eap"
    follow_up_booked = "follow_up_booked"


class Alternative(str, enum.Enum):
    """What a supervisor who declines offers instead."""
    eap = "eap"
    occupational_health = "occupational_health"
    another_supervisor = "another_supervisor"
    other = "other"


class CheckInAnswer(str, enum.Enum):
    better = "better"
    same = "same"
    worse = "worse"


class DebriefRequest(Base):
    __tablename__ = "debrief_request"
    __table_args__ = (
        CheckConstraint("half_due_at <= due_at", name="half_before_due"),
        CheckConstraint("status NOT IN ('accepted', 'completed') OR accepted_at IS NOT NULL",
                        name="accepted_has_time"),
        CheckConstraint("(status IN ('completed', 'declined', 'withdrawn')) = (closed_at IS NOT NULL)",
                        name="closed_has_time"),
        CheckConstraint("(status = 'completed') = (outcome IS NOT NULL)", name="completed_has_outcome"),
        Index("ix_debrief_request_organisation_id_status", "organisation_id", "status"),
        Index("ix_debrief_request_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    link_worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency, "debrief_urgency"))
    category: Mapped[Category] = mapped_column(_enum(Category, "debrief_category"))
    description: Mapped[str] = mapped_column(EncryptedText())
    contact_way: Mapped[ContactWay] = mapped_column(_enum(ContactWay, "debrief_contact_way"))
    # The supervisor the link worker asked for, or a colleague it was passed to. None: any of the
    # link worker's supervisors in the organisation.
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "debrief_status"),
                                                  default=RequestStatus.open)
    # The response-time target, and the half-way point at which every supervisor of the
    # organisation is asked. Worked out once, when the request is made (clock.targets).
    half_due_at: Mapped[datetime]
    due_at: Mapped[datetime]
    widened_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # The supervisor who accepted it and handles it from then on.
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    accepted_at: Mapped[datetime | None]
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"), unique=True)
    held_by: Mapped[HeldBy | None] = mapped_column(_enum(HeldBy, "debrief_held_by"))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "debrief_outcome"))
    # Seen by both parties, like a session record.
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    decline_reason: Mapped[str | None] = mapped_column(EncryptedText())
    alternative: Mapped[Alternative | None] = mapped_column(_enum(Alternative, "debrief_alternative"))
    # When it was completed, declined or withdrawn.
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    link_worker: Mapped[User] = relationship(foreign_keys=[link_worker_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    booking: Mapped[Booking | None] = relationship()
    events: Mapped[list[DebriefEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DebriefEvent.id")
    check_ins: Mapped[list[DebriefCheckIn]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DebriefCheckIn.day")


class DebriefEvent(Base):
    """Each step on a request: who took it and when. The link worker sees every one."""

    __tablename__ = "debrief_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("debrief_request.id", ondelete="CASCADE"), index=True)
    # None: Cwtch itself (widening to every supervisor, escalation).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # One of debriefs.events.Step.
    action: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[DebriefRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class DebriefCheckIn(Base):
    """"How are you now?", 3 and 28 days after a debrief is completed."""

    __tablename__ = "debrief_check_in"
    __table_args__ = (
        UniqueConstraint("request_id", "day", name="uq_debrief_check_in_request_id_day"),
        CheckConstraint("day IN (3, 28)", name="day_known"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answer_has_time"),
        Index("ix_debrief_check_in_due_at_sent_at", "due_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("debrief_request.id", ondelete="CASCADE"))
    day: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    answer: Mapped[CheckInAnswer | None] = mapped_column(_enum(CheckInAnswer, "check_in_answer"))
    answered_at: Mapped[datetime | None]

    request: Mapped[DebriefRequest] = relationship(back_populates="check_ins")
