"""Stage 2's output, and all that the renderers (HTML, PDF, CSV) and the stored report ever see:
publishable cells, each either a value or the reason it was suppressed.

A cell is addressed by (scope, quarter, measure, category, kind):
- scope: "organisation" or "national" (the national benchmark, current quarter only);
- quarter: "2026-Q3"; the organisation's previous 4 quarters appear as trend cells;
- measure: one of MEASURES below; category: one of its categories, or "" for a single figure;
- kind: "count" (a rounded count of people or events), "percent" (0–100, from rounded counts),
  "mean" (a CBI scale mean, 0–100), "minutes" (a median time), "hours" (per link worker).

Nothing here holds a person, a name, free text, a date finer than the quarter, or a key.
"""
from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass

from .figures import AGREEMENT_ITEMS, CATEGORIES, CHECK_IN_ANSWERS, LIKERT, SCALE_BANDS, SCALES, URGENCIES

ORGANISATION = "organisation"
NATIONAL = "national"


class Reason(str, enum.Enum):
    """Why a cell shows `*` rather than a figure; the method notes explain each."""

    fewer_than_k = "fewer_than_k"  # rule 1: fewer than k people stand behind it
    small_count = "small_count"  # rule 2: a count from 1 to 7
    complementary = "complementary"  # rule 3: it would let a suppressed cell be worked out
    uniform = "uniform"  # rule 4: it would show 0% or 100% of people in a sensitive band
    comparison = "comparison"  # rule 5: the quarters' people differ by fewer than k
    no_data = "no_data"  # there is nothing to work it out from (e.g. no response at all)
    # The national benchmark rests on fewer than 3 organisations, or on too few people beyond its two
    # largest: one organisation's figure could be worked out from it and another's. Added after the
    # others, so stored reports keep their values.
    few_organisations = "few_organisations"


@dataclass(frozen=True)
class Measure:
    id: str
    section: str  # "people", "wellbeing", "supervision", "debriefs", "reflection"
    categories: tuple[str, ...]  # ("",) for a single figure
    kinds: tuple[str, ...]  # the kinds of cell it is published as
    sensitive: bool  # a sensitive category in the sense of rules 2 and 4
    survey: bool  # derived from people's survey answers (rule 1's k applies to respondents)


_ONE = ("",)
MEASURES: tuple[Measure, ...] = (
    Measure("link_workers", "people", _ONE, ("count",), False, False),
    Measure("invited", "people", _ONE, ("count",), False, False),
    Measure("answered", "people", _ONE, ("count",), False, True),
    Measure("participation", "people", _ONE, ("percent",), False, True),  # answered / invited
    Measure("monthly_respondents", "wellbeing", _ONE, ("count",), False, True),
    Measure("single_item", "wellbeing", LIKERT, ("count", "percent"), True, True),
    Measure("burning_out", "wellbeing", _ONE, ("count", "percent"), True, True),
    Measure("cbi_respondents", "wellbeing", _ONE, ("count",), False, True),
    Measure("cbi_mean", "wellbeing", SCALES, ("mean",), True, True),
    *(Measure(f"cbi_{scale}", "wellbeing", SCALE_BANDS, ("count", "percent"), True, True) for scale in SCALES),
    *(Measure(f"agreement_{item}", "wellbeing", LIKERT, ("count", "percent"), True, True)
      for item in AGREEMENT_ITEMS),
    Measure("welsh_respondents", "wellbeing", _ONE, ("count",), False, True),
    Measure("sessions_held", "supervision", _ONE, ("count",), False, False),
    Measure("people_attending", "supervision", _ONE, ("count", "percent"), False, False),
    Measure("met_standard", "supervision", ("month_1", "month_2", "month_3"), ("count", "percent"), False, False),
    Measure("cancelled_by_link_worker", "supervision", _ONE, ("count",), False, False),
    Measure("cancelled_by_supervisor", "supervision", _ONE, ("count",), False, False),
    Measure("no_shows", "supervision", _ONE, ("count",), False, False),
    Measure("hours_per_link_worker", "supervision", _ONE, ("hours",), False, False),
    Measure("requests", "debriefs", _ONE, ("count",), True, False),
    Measure("by_urgency", "debriefs", URGENCIES, ("count",), True, False),
    Measure("by_category", "debriefs", CATEGORIES, ("count",), True, False),
    Measure("accepted", "debriefs", _ONE, ("count",), True, False),
    Measure("accepted_within_target", "debriefs", _ONE, ("count", "percent"), True, False),
    Measure("minutes_to_accept", "debriefs", _ONE, ("minutes",), True, False),
    Measure("held", "debriefs", _ONE, ("count",), True, False),
    Measure("minutes_to_debrief", "debriefs", _ONE, ("minutes",), True, False),
    Measure("escalated", "debriefs", _ONE, ("count",), True, False),
    Measure("check_ins", "debriefs", CHECK_IN_ANSWERS, ("count", "percent"), True, False),
    Measure("reflecting", "reflection", _ONE, ("count", "percent"), False, False),
)
MEASURES_BY_ID = {measure.id: measure for measure in MEASURES}
SECTIONS = ("people", "wellbeing", "supervision", "debriefs", "reflection")


CellKey = tuple[str, str, str]  # a cell's (measure, category, kind) within its scope and quarter


@dataclass(frozen=True)
class Cell:
    scope: str  # ORGANISATION or NATIONAL
    quarter: str  # "2026-Q3"
    measure: str  # a MEASURES id
    category: str  # one of the measure's categories ("" for a single figure)
    kind: str  # one of the measure's kinds
    value: float | None  # None exactly when suppressed
    reason: Reason | None  # None exactly when published

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PublishedReport:
    organisation_name: str
    quarter: str  # the quarter reported on, "2026-Q3"
    previous_quarters: tuple[str, ...]  # the trend's quarters, oldest first
    k: int
    draft: bool  # the quarter so far: "draft – not final"
    standard_days: int  # the organisation's supervision standard
    instrument_versions: tuple[str, ...]
    cells: tuple[Cell, ...]

    def cell(self, measure: str, category: str = "", kind: str = "count", *, scope: str = ORGANISATION,
             quarter: str | None = None) -> Cell:
        """The one cell at that address; KeyError when the report has none."""
        wanted = (scope, quarter or self.quarter, measure, category, kind)
        for cell in self.cells:
            if (cell.scope, cell.quarter, cell.measure, cell.category, cell.kind) == wanted:
                return cell
        raise KeyError(wanted)

    def suppressed_cells(self) -> tuple[Cell, ...]:
        return tuple(cell for cell in self.cells if cell.suppressed)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PublishedReport:
        data = json.loads(text)
        cells = tuple(Cell(**{**cell, "reason": Reason(cell["reason"]) if cell["reason"] else None})
                      for cell in data.pop("cells"))
        return cls(**{**data, "previous_quarters": tuple(data["previous_quarters"]),
                      "instrument_versions": tuple(data["instrument_versions"]), "cells": cells})
