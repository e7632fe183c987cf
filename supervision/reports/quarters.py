"""Quarters of the calendar year, in London time: the only unit of time a report ever shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4) or not 2000 <= self.year <= 2999:
            raise ValueError(f"no such quarter: {self.year} Q{self.number}")

    @classmethod
    def containing(cls, moment: datetime | date) -> Quarter:
        """The quarter a UTC moment (read in London time) or a date falls in."""
        if isinstance(moment, datetime):
            moment = moment.astimezone(LONDON).date()
        return cls(moment.year, (moment.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """From "2026-Q3", as in URLs and file names; ValueError for anything else."""
        year, _, number = text.upper().partition("-Q")
        if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
            raise ValueError(f"not a quarter: {text!r}")
        return cls(int(year), int(number))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * (self.number - 1) + 1
        return first, first + 1, first + 2

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def end_day(self) -> date:
        """The first day after the quarter."""
        return self.next().first_day

    @property
    def start(self) -> datetime:
        """Midnight in London on the quarter's first day, as an aware UTC datetime."""
        return _london_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """Midnight in London on the day after the quarter (exclusive), as an aware UTC datetime."""
        return _london_midnight(self.end_day)

    def month_ends(self) -> tuple[datetime, datetime, datetime]:
        """Midnight in London after each month of the quarter (aware UTC): the moments at which
        the supervision standard is checked."""
        ends = []
        for month in self.months:
            year, following = (self.year + 1, 1) if month == 12 else (self.year, month + 1)
            ends.append(_london_midnight(date(year, following, 1)))
        return tuple(ends)  # type: ignore[return-value]

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def previous_ones(self, count: int) -> tuple[Quarter, ...]:
        """The `count` quarters before this one, oldest first."""
        quarters = []
        current = self
        for _ in range(count):
            current = current.previous()
            quarters.append(current)
        return tuple(reversed(quarters))


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(timezone.utc)
