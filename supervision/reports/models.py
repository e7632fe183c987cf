"""A stored quarterly report: its published cells (stage 2's output, never the raw aggregates) and
the files made from them under instance/reports/.

An issued report is final: generating it again replaces nothing (one per organisation and
quarter, unique in the database). An admin's draft of the quarter so far is one row per
organisation and quarter that each regeneration rewrites.
"""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, _enum
from ..db import Base, utcnow
from .published import PublishedReport
from .quarters import Quarter

LANGUAGES = ("en", "cy")
FORMATS = ("pdf", "csv")


class ReportStatus(str, enum.Enum):
    issued = "issued"
    draft = "draft"


def _file_stem() -> str:
    # Random so that a file name says nothing and cannot be guessed; files are only ever served
    # through the reports routes, after the permission check.
    return secrets.token_hex(16)


class QuarterlyReport(Base):
    __tablename__ = "quarterly_report"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", "quarter", "status", name="uq_quarterly_report_once"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_in_range"),
        CheckConstraint("year BETWEEN 2000 AND 2999", name="year_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus, "report_status"))
    # PublishedReport.to_json(): publishable cells only.
    published: Mapped[str] = mapped_column(Text)
    # Rule 5's keys and bases, sealed (sealed.py), as JSON (disclosure_figures.kept_to_dict): an
    # issued report's own, which the reports of later quarters compare with; a draft's, a list of
    # every draft of the quarter its admins saw. Server only: never rendered, downloaded or shown.
    # None for a report made before they were kept.
    comparison_keys: Mapped[str | None] = mapped_column(Text)
    file_stem: Mapped[str] = mapped_column(String(32), default=_file_stem, unique=True)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def report(self) -> PublishedReport:
        return PublishedReport.from_json(self.published)

    def file_name(self, language: str, fmt: str) -> str:
        """The stored file's name inside instance/reports/<organisation id>/."""
        if language not in LANGUAGES or fmt not in FORMATS:
            raise ValueError(f"{language} {fmt}")
        return f"{self.file_stem}-{language}.{fmt}"

    def __repr__(self) -> str:
        return f"<QuarterlyReport {self.id} org {self.organisation_id} {self.period.key} {self.status.value}>"
