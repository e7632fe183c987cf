"""What every aggregation query of a report shares: its scope (an organisation or the nation, one
quarter up to a cut-off) and the SQL that must be written per dialect (durations, medians)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Float, Select, cast, extract, func, literal, or_, select

from ..db import UTCDateTime
from ..extensions import db
from .quarters import Quarter


@dataclass(frozen=True)
class Scope:
    """One quarter of one organisation, or of every organisation (organisation_id None), counted
    over the half-open interval [quarter.start, cutoff)."""

    quarter: Quarter
    organisation_id: int | None
    cutoff: datetime  # the quarter's end, or a draft's earlier cut-off
    draft_until: datetime | None  # the cut-off a draft asked for; None for the whole quarter

    @classmethod
    def of(cls, quarter: Quarter, organisation_id: int | None, until: datetime | None) -> Scope:
        if until is not None and until.tzinfo is None:
            raise ValueError("until must be an aware datetime")
        if until is not None and until <= quarter.start:
            raise ValueError(f"{until.isoformat()} is before {quarter.key} began")
        cutoff = quarter.end if until is None else min(until, quarter.end)
        return cls(quarter, organisation_id, cutoff, until)

    @property
    def start(self) -> datetime:
        return self.quarter.start

    def within(self, column: ColumnElement[datetime]) -> ColumnElement[bool]:
        return (column >= self.start) & (column < self.cutoff)

    def of_organisation(self, column: ColumnElement[int]) -> list[ColumnElement[bool]]:
        """The condition that keeps an organisation's rows; none nationally."""
        return [] if self.organisation_id is None else [column == self.organisation_id]


def moment(value: datetime) -> ColumnElement[datetime]:
    """A time as an SQL value stored the way the columns store it (UTC; text in SQLite)."""
    return literal(value, UTCDateTime())


def seconds_between(start: ColumnElement[datetime], end: ColumnElement[datetime]) -> ColumnElement[float]:
    """end − start in seconds, in the database. SQLite keeps times as text, so its julianday()
    difference is rounded to the millisecond it resolves: without that, 30 days could come out a
    few microseconds short or long, and a boundary test would flip."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", end - start), Float)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)


def minutes_between(start: ColumnElement[datetime], end: ColumnElement[datetime]) -> ColumnElement[float]:
    return seconds_between(start, end) / 60.0


def median(values: Select) -> ColumnElement[float | None]:
    """The median of a one-column select (labelled "value"), as a scalar subquery: number the
    values in order, then average the middle one (odd count) or two (even). NULL when empty."""
    rows = values.subquery()
    ranked = select(
        rows.c.value,
        func.row_number().over(order_by=rows.c.value).label("position"),
        func.count().over().label("total"),
    ).subquery()
    middle = or_(ranked.c.position == (ranked.c.total + 1) // 2, ranked.c.position == (ranked.c.total + 2) // 2)
    return select(func.avg(ranked.c.value)).where(middle).scalar_subquery()


def as_float(value: object) -> float | None:
    """PostgreSQL hands back Decimal for some averages; the figures hold floats."""
    return None if value is None else float(value)  # type: ignore[arg-type]
