"""What every aggregation query of a report shares: its scope (an organisation or the nation, one
quarter up to a cut-off) and the SQL that must be written per dialect (durations, medians)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (BindParameter, ColumnElement, Float, Integer, Select, String, bindparam, cast, extract, func,
                        null, or_, select)

from ..db import UTCDateTime
from ..extensions import db
from .figures import PersonKey
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


    def values(self) -> dict[str, object]:
        """The values of a statement built from a BoundScope of this scope's shape."""
        return {"start": self.start, "cutoff": self.cutoff, "organisation_id": self.organisation_id,
                "year": self.quarter.year, "months": list(self.quarter.months)}


@dataclass(frozen=True)
class BoundScope:
    """A scope's shape, one organisation or all of them, with its values left as bound parameters
    (named as Scope.values() names them): a statement built from it once per process serves every
    scope of that shape. Building a statement costs more than an organisation's SQL takes to run.
    It offers what the statement builders use of a Scope: start, cutoff, organisation_id (None
    nationally), the quarter's year and months, within() and of_organisation()."""

    organisation: bool

    @property
    def start(self) -> BindParameter[datetime]:
        return bindparam("start", type_=UTCDateTime())

    @property
    def cutoff(self) -> BindParameter[datetime]:
        return bindparam("cutoff", type_=UTCDateTime())

    @property
    def organisation_id(self) -> BindParameter[int] | None:
        return bindparam("organisation_id", type_=Integer()) if self.organisation else None

    @property
    def year(self) -> BindParameter[int]:
        return bindparam("year", type_=Integer())

    @property
    def months(self) -> BindParameter[list[int]]:
        return bindparam("months", expanding=True)

    def within(self, column: ColumnElement[datetime]) -> ColumnElement[bool]:
        return (column >= self.start) & (column < self.cutoff)

    def of_organisation(self, column: ColumnElement[int]) -> list[ColumnElement[bool]]:
        return [] if self.organisation_id is None else [column == self.organisation_id]


def seconds_between(start: ColumnElement[datetime], end: ColumnElement[datetime]) -> ColumnElement[float]:
    """end − start in seconds, in the database. SQLite keeps times as text, so its julianday()
    difference is rounded to the millisecond it resolves: without that, 30 days could come out a
    few microseconds short or long, and a boundary test would flip."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", end - start), Float)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)


def epoch_seconds(value: ColumnElement[datetime]) -> ColumnElement[float]:
    """A stored time as seconds since 1970 UTC, to compare with datetime.timestamp(). SQLite's
    julianday() is rounded to the millisecond it resolves, as in seconds_between."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", value), Float)
    return func.round((func.julianday(value) - 2440587.5) * 86400.0, 3)


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


def key_list(scope: BoundScope, key: ColumnElement[str | None]) -> ColumnElement[str | None]:
    """Rule 5's keys (the non-NULL values of `key` in the group) joined by commas, as one aggregate:
    they come back in the statement that counts them, not as rows of their own. NULL when there is
    none, and always nationally: the benchmark is never compared, so it carries no keys. Written per
    dialect, so a statement using it is cached by dialect too."""
    if scope.organisation_id is None:
        return null()
    if db.session.get_bind().dialect.name == "postgresql":
        return func.string_agg(key, ",")
    return func.group_concat(key, ",")


def key_pair(person: ColumnElement[int], row_id: ColumnElement[int]) -> ColumnElement[str]:
    """"person:row", one key of key_list, split again by split_keys."""
    return cast(person, String).concat(":").concat(cast(row_id, String))


def split_keys(ids: str | None, suffix: str = "") -> frozenset[PersonKey]:
    """key_list's text back as (person, row + suffix) keys; none for NULL."""
    pairs = (key.split(":", 1) for key in ids.split(",")) if ids else ()
    return frozenset((person, f"{key}{suffix}") for person, key in pairs)
