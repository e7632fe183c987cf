"""Stage 1: one quarter's aggregates for an organisation or nationally, and everything stage 2
needs for one organisation's report.

Every figure is a COUNT, SUM, AVG or median worked out in the database (aggregate_*.py), in a fixed
number of queries whatever the amount of data. Beside the figures, only the opaque keys the
comparison rule needs are read (figures.py: people, responses, requests, bookings, reflections),
and only for one organisation; nothing here reads text, names or comments.
"""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Select, distinct, func, select

from ..accounts.models import MIN_REPORT_K, Organisation
from ..db import utcnow
from ..extensions import db
from ..reflections.models import Reflection as ReflectionRow
from ..reflections.models import Status as ReflectionStatus
from .aggregate_debriefs import debriefs
from .aggregate_national import contributions
from .aggregate_people import headcount, organisations_and_standard, people
from .aggregate_sql import BoundScope, Scope, key_list, key_pair, split_keys
from .aggregate_supervision import supervision
from .aggregate_wellbeing import wellbeing
from .figures import QuarterFigures, Reflection, ReportInput
from .quarters import Quarter

PREVIOUS_QUARTERS = 4


@functools.cache
def _reflection_statement(dialect: str, organisation: bool) -> Select:
    """Built once per process for each shape of scope (BoundScope); `dialect` keys the cache, since
    the keys are written per dialect."""
    scope = BoundScope(organisation)
    return (select(func.count(distinct(ReflectionRow.author_id)),
                   key_list(scope, key_pair(ReflectionRow.author_id, ReflectionRow.id)))
            .where(ReflectionRow.author_id.in_(headcount(scope, scope.cutoff)),
                   ReflectionRow.status != ReflectionStatus.draft, scope.within(ReflectionRow.created_at)))


def _reflection(scope: Scope) -> Reflection:
    """Link workers of the headcount who wrote at least one reflection in the quarter (created in it,
    and not left a draft), and for an organisation the (author, reflection) keys of those reflections."""
    statement = _reflection_statement(db.session.get_bind().dialect.name, scope.organisation_id is not None)
    reflecting, ids = db.session.execute(statement, scope.values()).one()
    return Reflection(link_workers_reflecting=reflecting or 0, reflection_keys=split_keys(ids))


def quarter_figures(quarter: Quarter, organisation_id: int | None, *,
                    until: datetime | None = None) -> QuarterFigures:
    """The quarter's figures for one organisation, or for every organisation when `organisation_id`
    is None. `until` (aware) cuts a draft of the quarter so far off at that moment; None counts the
    whole quarter. ValueError when `until` is before the quarter began; LookupError for an
    organisation that does not exist."""
    scope = Scope.of(quarter, organisation_id, until)
    organisations, standard_days, longest_days = organisations_and_standard(scope)
    wellbeing_figures, answered = wellbeing(scope)
    return QuarterFigures(
        quarter=quarter,
        organisation_id=organisation_id,
        organisations=organisations,
        people=people(scope, answered),
        wellbeing=wellbeing_figures,
        supervision=supervision(scope, standard_days, longest_days),
        debriefs=debriefs(scope),
        reflection=_reflection(scope),
        contributions=contributions(scope) if organisation_id is None else None,
    )


def draft_cutoff(quarter: Quarter, now: datetime) -> datetime | None:
    """Where a draft made at `now` stops: the quarter's whole months so far, up to the London
    midnight that began `now`'s month (the quarter's end once it is over). Two drafts a day apart
    would differ by one person's answers; two drafts made in the same month are the same. None in
    the quarter's first month (or before it): there is no whole month to draft yet."""
    ends = [end for end in quarter.month_ends() if end <= now]
    return ends[-1] if ends else None


def report_input(organisation: Organisation, quarter: Quarter, *, draft: bool = False,
                 now: datetime | None = None, drafted_at: datetime | None = None) -> ReportInput:
    """The organisation's quarter beside the national benchmark of the same quarter, with the
    organisation's previous four quarters for the trend. A draft counts the current quarter up to
    draft_cutoff(now), ValueError when there is none yet, and has no benchmark: two drafts a month
    apart would show national figures that differ by everyone who answered nationally in between,
    perhaps 1 to k - 1 people, which rule 5 never compares; the issued report shows it. The earlier
    quarters are always whole. The earlier cuts (rule 5 only) are the quarter at each month end
    before the report's own cut-off that an admin may have seen in a draft: a draft's own earlier
    ones, or, for an issued report, those up to the cut-off of the quarter's draft made at
    `drafted_at` (None: the quarter has no draft)."""
    until = None
    seen = None if drafted_at is None else draft_cutoff(quarter, drafted_at)
    if draft:
        until = seen = draft_cutoff(quarter, now or utcnow())
        if until is None:
            raise ValueError(f"{quarter.key} has no whole month to draft yet")
    cuts = [end for end in quarter.month_ends() if seen is not None and end <= seen and end < (until or quarter.end)]
    return ReportInput(
        organisation=quarter_figures(quarter, organisation.id, until=until),
        national=None if draft else quarter_figures(quarter, None),
        previous=tuple(quarter_figures(earlier, organisation.id) for earlier in quarter.previous_ones(PREVIOUS_QUARTERS)),
        k=max(organisation.report_k, MIN_REPORT_K),
        draft=draft,
        earlier_cuts=tuple(quarter_figures(quarter, organisation.id, until=end) for end in cuts),
    )
