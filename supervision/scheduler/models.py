"""The lease row that lets only one scheduler process act at a time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class SchedulerLease(Base):
    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime]
