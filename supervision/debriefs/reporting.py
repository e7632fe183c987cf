"""The debrief figures the quarterly reports may use: counts by category and urgency, and how
quickly requests were accepted. Nothing else about debriefs ever leaves this module for a report.

These are raw aggregates. Disclosure control (a count of 1 to 7 shown as `*`, others rounded to
the nearest 5, percentages worked out from the rounded counts, complementary suppression) is the
reports' job (issue 9), in its own pure step: nothing here may reach an employer without it.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from .models import Category, DebriefRequest, Urgency


@dataclass(frozen=True)
class DebriefFigures:
    """Requests made in [start, end), for one organisation or nationally. Counts and durations only:
    no ids, no text, no person, no row."""

    requests: int
    by_category: dict[str, int]  # every Category value, zero included: the breakdown is fixed
    by_urgency: dict[str, int]  # every Urgency value, zero included
    accepted: int  # accepted so far, whenever that was (declined and withdrawn ones never were)
    minutes_to_accept_median: float | None  # None when none was accepted
    minutes_to_accept_p90: float | None
    accepted_within_target: int  # accepted at or before the response-time target
    # accepted_within_target / accepted; None when none was accepted.
    accepted_within_target_share: float | None
    escalated: int  # passed its target unaccepted, so the organisation's admin was told


def _percentile_90(minutes: list[float]) -> float:
    """Linear interpolation between the closest ranks (numpy's default, and statistics' "inclusive")."""
    if len(minutes) == 1:
        return minutes[0]
    return statistics.quantiles(minutes, n=10, method="inclusive")[8]


def debrief_figures(organisation_id: int | None, start: datetime, end: datetime) -> DebriefFigures:
    """The figures for requests created in [start, end) (aware UTC times) in one organisation, or
    across every organisation when `organisation_id` is None (the national benchmark).

    One query of the five columns the figures need; the rows never leave this function."""
    query = select(DebriefRequest.category, DebriefRequest.urgency, DebriefRequest.created_at,
                   DebriefRequest.accepted_at, DebriefRequest.due_at, DebriefRequest.escalated_at.is_not(None)
                   ).where(DebriefRequest.created_at >= start, DebriefRequest.created_at < end)
    if organisation_id is not None:
        query = query.where(DebriefRequest.organisation_id == organisation_id)
    by_category = {c.value: 0 for c in Category}
    by_urgency = {u.value: 0 for u in Urgency}
    minutes: list[float] = []
    within_target = escalated = 0
    for category, urgency, created_at, accepted_at, due_at, was_escalated in db.session.execute(query):
        by_category[category.value] += 1
        by_urgency[urgency.value] += 1
        escalated += bool(was_escalated)
        if accepted_at is not None:
            minutes.append((accepted_at - created_at).total_seconds() / 60)
            within_target += accepted_at <= due_at
    accepted = len(minutes)
    return DebriefFigures(
        requests=sum(by_category.values()),
        by_category=by_category,
        by_urgency=by_urgency,
        accepted=accepted,
        minutes_to_accept_median=float(statistics.median(minutes)) if minutes else None,
        minutes_to_accept_p90=float(_percentile_90(minutes)) if minutes else None,
        accepted_within_target=within_target,
        accepted_within_target_share=within_target / accepted if accepted else None,
        escalated=escalated,
    )
