"""What one domain's exporter hands back: a JSON section and the tables the PDF shows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from ..accounts.models import User

# A PDF cell: text, a number, a UTC time (shown in Europe/London), or nothing. A yes or no is
# given as the words that fit it ("On", "Sent"): Welsh has no one word for "yes".
Cell = str | int | datetime | None


@dataclass(frozen=True)
class PdfTable:
    heading: str
    columns: list[str]
    rows: list[list[Cell]]
    # Said instead of an empty table, e.g. "You have no notifications".
    empty: str = ""
    # Column widths in percent, for a table with one long column; otherwise the columns share alike.
    widths: list[int] | None = None


@dataclass(frozen=True)
class ExportSection:
    """`key` names the section in cwtch-my-data.json; `data` must be JSON-able as it stands."""

    key: str
    data: Any
    tables: list[PdfTable] = field(default_factory=list)


# Called with the signed-in person only. It must return their own data and nobody else's:
# another person may appear as an id where the record needs one, never by name or email.
Exporter = Callable[[User], ExportSection]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
