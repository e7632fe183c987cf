"""A person's authenticator secret and their single-use recovery codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..crypto import EncryptedText
from ..db import Base, utcnow


class TotpCredential(Base):
    """A confirmed authenticator. A row exists only once the person has entered a right code."""

    __tablename__ = "totp_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    # The shared secret is encrypted at rest like other sensitive text (DESIGN.md).
    secret: Mapped[str] = mapped_column(EncryptedText())
    # The 30-second step of the last code accepted: a code from that step or earlier is refused,
    # so an overheard or replayed code cannot be used again.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    """One of ten codes for when the authenticator is lost. Each works once."""

    __tablename__ = "recovery_code"
    __table_args__ = (
        UniqueConstraint("user_id", "code_hash", name="uq_recovery_code_user_id_code_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the code, never the code itself (see services.hash_recovery_code for why a fast
    # hash is enough here).
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
