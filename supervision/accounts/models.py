"""Organisations, people, their roles, invitations and sign-in attempts."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow

MIN_REPORT_K = 5

# How long an organisation keeps each kind of record: (default, minimum, maximum), in the unit
# its name ends with. The retention job purges what is older; the privacy page shows them.
RETENTION_LIMITS: dict[str, tuple[int, int, int]] = {
    "retention_pulse_months": (36, 12, 120),
    "retention_debrief_months": (24, 6, 120),
    "retention_audit_months": (72, 12, 120),
    "retention_invitation_days": (7, 1, 30),
}


def _retention_column(name: str) -> Mapped[int]:
    default = RETENTION_LIMITS[name][0]
    return mapped_column(Integer, default=default, server_default=text(str(default)))


def _retention_checks() -> list[CheckConstraint]:
    return [
        CheckConstraint(f"{name} BETWEEN {low} AND {high}", name=f"{name}_in_range")
        for name, (_default, low, high) in RETENTION_LIMITS.items()
    ]

# Working days as a bit mask, Monday = 1 ... Sunday = 64; Monday to Friday by default. Debrief
# targets ("the same working day") count in these days and hours, in Europe/London.
WORKING_DAYS_DEFAULT = 0b0011111
WORKING_HOURS_DEFAULT = (9 * 60, 17 * 60)

# One supervision session a month by default: (default, minimum, maximum) days between sessions.
SUPERVISION_STANDARD_DAYS = (30, 7, 92)


class Role(str, enum.Enum):
    link_worker = "link_worker"
    supervisor = "supervisor"
    employer = "employer"
    admin = "admin"


class OrganisationKind(str, enum.Enum):
    health_board = "health_board"
    primary_care = "primary_care"
    county_voluntary_council = "county_voluntary_council"
    third_sector = "third_sector"
    local_authority = "local_authority"
    other = "other"


class Region(str, enum.Enum):
    """The seven Welsh health-board areas."""

    betsi_cadwaladr = "betsi_cadwaladr"
    hywel_dda = "hywel_dda"
    swansea_bay = "swansea_bay"
    cwm_taf_morgannwg = "cwm_taf_morgannwg"
    cardiff_and_vale = "cardiff_and_vale"
    aneurin_bevan = "aneurin_bevan"
    powys = "powys"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as text with a CHECK constraint: portable, and new values need only a migration.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=40,
                values_callable=lambda e: [m.value for m in e])


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(f"report_k >= {MIN_REPORT_K}", name="report_k_at_least_5"),
        *_retention_checks(),
        CheckConstraint(f"supervision_standard_days BETWEEN {SUPERVISION_STANDARD_DAYS[1]} AND "
                        f"{SUPERVISION_STANDARD_DAYS[2]}", name="supervision_standard_days_in_range"),
        CheckConstraint("working_days BETWEEN 1 AND 127", name="working_days_in_range"),
        CheckConstraint("working_day_start_minute >= 0 AND working_day_end_minute <= 1440 "
                        "AND working_day_start_minute < working_day_end_minute", name="working_hours_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    region: Mapped[Region] = mapped_column(_enum(Region, "region"))
    report_k: Mapped[int] = mapped_column(Integer, default=MIN_REPORT_K)
    # How this organisation names the link-worker role, e.g. "community connector".
    job_title_en: Mapped[str | None] = mapped_column(String(80))
    job_title_cy: Mapped[str | None] = mapped_column(String(80))
    retention_pulse_months: Mapped[int] = _retention_column("retention_pulse_months")
    retention_debrief_months: Mapped[int] = _retention_column("retention_debrief_months")
    retention_audit_months: Mapped[int] = _retention_column("retention_audit_months")
    retention_invitation_days: Mapped[int] = _retention_column("retention_invitation_days")
    # The supervision standard: each link worker should attend a session at least this often.
    supervision_standard_days: Mapped[int] = mapped_column(
        Integer, default=SUPERVISION_STANDARD_DAYS[0], server_default=text(str(SUPERVISION_STANDARD_DAYS[0])))
    working_days: Mapped[int] = mapped_column(
        Integer, default=WORKING_DAYS_DEFAULT, server_default=text(str(WORKING_DAYS_DEFAULT)))
    working_day_start_minute: Mapped[int] = mapped_column(
        Integer, default=WORKING_HOURS_DEFAULT[0], server_default=text(str(WORKING_HOURS_DEFAULT[0])))
    working_day_end_minute: Mapped[int] = mapped_column(
        Integer, default=WORKING_HOURS_DEFAULT[1], server_default=text(str(WORKING_HOURS_DEFAULT[1])))
    # The employee assistance programme and occupational health contacts people are offered when
    # they need more support, as the admin wrote them (Welsh falls back to English when empty).
    eap_en: Mapped[str | None] = mapped_column(String(500))
    eap_cy: Mapped[str | None] = mapped_column(String(500))
    occupational_health_en: Mapped[str | None] = mapped_column(String(500))
    occupational_health_cy: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(UserMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("preferred_language IN ('en', 'cy')", name="preferred_language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept lower-cased so that the unique index is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    preferred_language: Mapped[str] = mapped_column(String(2), default="en")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Security emails (invitations, password resets) are sent whatever this says.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Rotated to revoke every session at once: a copied cookie names the old token.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login identifies the session by the token, not the id, so rotating it revokes.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def roles_in(self, organisation_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.organisation_id == organisation_id}

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def organisations_where(self, role: Role) -> list[Organisation]:
        return sorted(
            {m.organisation for m in self.memberships if m.role == role}, key=lambda o: o.name
        )

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", "role", name="uq_membership_user_org_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(Base):
    """A pending invitation. The emailed link is signed; used_at makes it single-use."""

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # A random value inside the signed token, so a token cannot be forged from the id alone.
    nonce: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    roles: Mapped[list[InvitationRole]] = relationship(cascade="all, delete-orphan")

    @property
    def role_set(self) -> set[Role]:
        return {r.role for r in self.roles}


class InvitationRole(Base):
    __tablename__ = "invitation_role"
    __table_args__ = (UniqueConstraint("invitation_id", "role", name="uq_invitation_role_invitation_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))


class LoginAttempt(Base):
    """Failed sign-ins, kept in the database so that every worker sees the same count."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created_at", "email", "created_at"),
        Index("ix_login_attempt_ip_created_at", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisorAssignment(Base):
    """An admin's decision that this supervisor supervises this link worker in this organisation.

    It is what makes someone "one of my supervisors": the people a link worker may share a
    reflection with, book with and send debrief requests to.
    """

    __tablename__ = "supervisor_assignment"
    __table_args__ = (
        UniqueConstraint("organisation_id", "supervisor_id", "link_worker_id",
                         name="uq_supervisor_assignment_org_supervisor_link_worker"),
        CheckConstraint("supervisor_id <> link_worker_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    link_worker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    link_worker: Mapped[User] = relationship(foreign_keys=[link_worker_id])
