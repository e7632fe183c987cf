"""Reflections, their themes, and the shares an author gives a supervisor (with views and comments).

Every free-text column is EncryptedText or EncryptedJSON. What stays in clear is only what the
list needs to filter on without decrypting: the author, status, structure, date and themes.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User, _enum
from ..crypto import EncryptedJSON, EncryptedText
from ..db import Base, utcnow
from .structures import Structure


class Status(str, enum.Enum):
    draft = "draft"
    complete = "complete"


class ShareLength(str, enum.Enum):
    week = "week"  # 7 days
    month = "month"  # 30 days
    next_session = "next_session"  # until the next supervision session with that supervisor


class Reflection(Base):
    __tablename__ = "reflection"
    __table_args__ = (
        CheckConstraint("feeling BETWEEN 1 AND 5", name="feeling_1_to_5"),
        # A finished reflection has its date; a draft may not yet.
        CheckConstraint("status = 'draft' OR practice_date IS NOT NULL", name="complete_has_date"),
        Index("ix_reflection_author_id_practice_date", "author_id", "practice_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[Status] = mapped_column(_enum(Status, "reflection_status"), default=Status.draft)
    structure: Mapped[Structure] = mapped_column(_enum(Structure, "reflection_structure"))
    title: Mapped[str | None] = mapped_column(EncryptedText())
    practice_date: Mapped[date | None] = mapped_column(Date)
    # {section key: text}, keys from structures.SECTIONS[structure].
    sections: Mapped[dict] = mapped_column(EncryptedJSON(), default=dict)
    # "What I'll try next": one action per line.
    actions: Mapped[str | None] = mapped_column(EncryptedText())
    feeling: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship()
    themes: Mapped[list[ReflectionTheme]] = relationship(
        cascade="all, delete-orphan", back_populates="reflection"
    )
    shares: Mapped[list[ReflectionShare]] = relationship(
        cascade="all, delete-orphan", back_populates="reflection", order_by="ReflectionShare.created_at.desc()"
    )

    @property
    def action_list(self) -> list[str]:
        return [line.strip() for line in (self.actions or "").splitlines() if line.strip()]

    def texts(self) -> list[str]:
        """Every piece of free text, for the client-identifier check and for search."""
        return [t for t in (self.title, *(self.sections or {}).values(), self.actions) if t]

    def __repr__(self) -> str:  # never the text
        return f"<Reflection {self.id}>"


class Theme(Base):
    """A theme an organisation's admin added to the built-in ones (structures.BUILTIN_THEMES)."""

    __tablename__ = "theme"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name_en", name="uq_theme_organisation_id_name_en"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_cy: Mapped[str] = mapped_column(String(80))
    # Archived themes stay on the reflections that have them but are no longer offered.
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class ReflectionTheme(Base):
    """One theme on one reflection: either a built-in key or an organisation's theme."""

    __tablename__ = "reflection_theme"
    __table_args__ = (
        CheckConstraint("(builtin IS NULL) <> (theme_id IS NULL)", name="builtin_or_theme"),
        UniqueConstraint("reflection_id", "builtin", name="uq_reflection_theme_reflection_id_builtin"),
        UniqueConstraint("reflection_id", "theme_id", name="uq_reflection_theme_reflection_id_theme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflection.id", ondelete="CASCADE"), index=True)
    builtin: Mapped[str | None] = mapped_column(String(40))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)

    reflection: Mapped[Reflection] = relationship(back_populates="themes")
    theme: Mapped[Theme | None] = relationship()

    @property
    def choice(self) -> str:
        """The value used in forms and filters: "b:<key>" or "t:<id>"."""
        return f"b:{self.builtin}" if self.builtin else f"t:{self.theme_id}"


class ReflectionShare(Base):
    """One reflection shared with one supervisor until expires_at, unless revoked first."""

    __tablename__ = "reflection_share"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index("ix_reflection_share_supervisor_id_expires_at", "supervisor_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflection.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    length: Mapped[ShareLength] = mapped_column(_enum(ShareLength, "share_length"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Always set: "until the next session" also has a latest end (sharing.NEXT_SESSION_CAP).
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Set when a "next session" share ended because that session ended.
    ended_by_session: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    reflection: Mapped[Reflection] = relationship(back_populates="shares")
    supervisor: Mapped[User] = relationship()
    views: Mapped[list[ShareView]] = relationship(
        cascade="all, delete-orphan", order_by="ShareView.viewed_at.desc()"
    )
    comments: Mapped[list[ShareComment]] = relationship(
        cascade="all, delete-orphan", order_by="ShareComment.created_at"
    )

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


class ShareView(Base):
    """Each time the supervisor opened the shared reflection. The author sees these."""

    __tablename__ = "reflection_share_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("reflection_share.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareComment(Base):
    """The supervisor's comment on a shared reflection, for the author to read."""

    __tablename__ = "reflection_share_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("reflection_share.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
