"""Survey rounds, who was invited to them, the answers, leave that pauses reminders, and shares of
a person's trend with their supervisor.

Privacy is in the shape of the tables:
- `pulse_invitation` says who was asked and whether they answered. It holds no answers.
- `pulse_response` and `pulse_answer` hold the answers. They have no user id and no timestamp:
  only the round (a month), the organisation at the time, the language, the instrument version,
  and a pseudonymous respondent key (respondent.py) so that a person can see their own trend.
- A response's id is random, so the order rows were written in cannot be joined to the
  invitations either.
"""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User, _enum
from ..crypto import UndatedEncryptedText
from ..db import Base, utcnow

ROUND_DAYS = 14
REMINDER_DAYS = (3, 10)
MAX_COMMENT = 2_000
LANGUAGES = ("en", "cy")


class InstrumentKey(str, enum.Enum):
    monthly = "monthly"
    cbi = "cbi"


def new_response_id() -> str:
    return secrets.token_hex(16)


class PulseRound(Base):
    """One organisation's round of one instrument in one month, open for 14 days."""
    __tablename__ = "pulse_round"
    __table_args__ = (
        UniqueConstraint("organisation_id", "instrument", "year", "month", name="uq_pulse_round_period"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        Index("ix_pulse_round_closes_at", "closes_at"),
        # Every organisation's rounds of one quarter: the national benchmark of the quarterly report.
        Index("ix_pulse_round_year_month", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    instrument: Mapped[InstrumentKey] = mapped_column(_enum(InstrumentKey, "pulse_instrument"))
    year: Mapped[int]
    month: Mapped[int]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Set by the close job once it has removed the drafts nobody submitted.
    closed_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class PulseInvitation(Base):
    """Participation: who was asked, and whether they answered. Never what they answered."""
    __tablename__ = "pulse_invitation"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", name="uq_pulse_invitation_round_user"),
        CheckConstraint("reminders_sent BETWEEN 0 AND 2", name="reminders_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 0, 1 (the day-3 reminder went) or 2 (the day-10 one went too); claimed with a conditional UPDATE.
    reminders_sent: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    round: Mapped[PulseRound] = relationship()
    user: Mapped[User] = relationship()


class PulseResponse(Base):
    """One person's answers to one round, by respondent key: no user id, no timestamp."""
    __tablename__ = "pulse_response"
    __table_args__ = (
        UniqueConstraint("round_id", "respondent_key", name="uq_pulse_response_round_respondent"),
        CheckConstraint("language IN ('en', 'cy')", name="language_known"),
        Index("ix_pulse_response_respondent_key", "respondent_key"),
        Index("ix_pulse_response_organisation_id_round_id", "organisation_id", "round_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("pulse_round.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    respondent_key: Mapped[str] = mapped_column(String(64))
    instrument: Mapped[InstrumentKey] = mapped_column(_enum(InstrumentKey, "pulse_instrument"))
    instrument_version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    # A draft until the person submits it; drafts are removed when the round closes.
    submitted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Seen by its writer only: never by a supervisor, an employer or a report. Encrypted without
    # the time a Fernet token would otherwise carry in clear.
    comment: Mapped[str | None] = mapped_column(UndatedEncryptedText())

    round: Mapped[PulseRound] = relationship()
    answers: Mapped[list[PulseAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="PulseAnswer.item")

    def values(self) -> dict[str, int]:
        return {a.item: a.value for a in self.answers}


class PulseAnswer(Base):
    __tablename__ = "pulse_answer"
    __table_args__ = (CheckConstraint("value BETWEEN 0 AND 100", name="value_range"),)

    response_id: Mapped[str] = mapped_column(ForeignKey("pulse_response.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(4), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[PulseResponse] = relationship(back_populates="answers")


class SurveyLeave(Base):
    """Dates when a person is away: no survey reminders. No reason is ever stored, so an admin who
    marks leave for someone records only the dates."""
    __tablename__ = "pulse_leave"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive
    # Who marked it: the person, or an admin of one of their organisations.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class TrendShare(Base):
    """A summary of a person's trend shared with one supervisor, until revoked. Off by default."""
    __tablename__ = "pulse_trend_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    views: Mapped[list[TrendShareView]] = relationship(
        cascade="all, delete-orphan", order_by="TrendShareView.viewed_at.desc()")

    @property
    def live(self) -> bool:
        return self.revoked_at is None


class TrendShareView(Base):
    """Each time the supervisor opened the shared trend: the owner can see the log."""
    __tablename__ = "pulse_trend_share_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("pulse_trend_share.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
