"""An organisation's list of helplines, seeded with the national ones and edited by its admin."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class Helpline(Base):
    __tablename__ = "helpline"
    __table_args__ = (Index("ix_helpline_organisation_id_position", "organisation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    name_en: Mapped[str] = mapped_column(String(120))
    name_cy: Mapped[str | None] = mapped_column(String(120))
    # As people dial it, e.g. "116 123" or "111" (the details say "press 2").
    number: Mapped[str] = mapped_column(String(60))
    # When it is open and what it costs, e.g. "Free, 24 hours a day".
    details_en: Mapped[str | None] = mapped_column(String(200))
    details_cy: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name(self, language: str) -> str:
        return (self.name_cy if language == "cy" and self.name_cy else self.name_en)

    def details(self, language: str) -> str | None:
        return (self.details_cy if language == "cy" and self.details_cy else self.details_en)
