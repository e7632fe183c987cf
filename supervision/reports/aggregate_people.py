"""Stage 1, people: the headcount of link workers, who was invited to the quarter's surveys, and
who answered; plus the organisations in scope and their supervision standard."""
from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select

from ..accounts.models import SUPERVISION_STANDARD_DAYS, Membership, Organisation, Role, User
from ..extensions import db
from ..pulse.models import PulseInvitation, PulseRound
from .aggregate_sql import BoundScope, Scope
from .figures import People


def headcount(scope: Scope | BoundScope, moment: datetime | ColumnElement[datetime]) -> Select:
    """The user ids of active link workers whose link-worker membership began before `moment`.
    Accounts record only whether they are active now, so a person who left is out of every quarter."""
    return (select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.role == Role.link_worker, Membership.created_at < moment, User.active.is_(True),
                   *scope.of_organisation(Membership.organisation_id)))


def rounds_of(scope: Scope) -> list[ColumnElement[bool]]:
    """The survey rounds of the quarter (by the month they are for); a draft only those that had
    opened by its cut-off."""
    return round_conditions(scope.quarter.year, scope.quarter.months, scope.organisation_id,
                            scope.cutoff if scope.draft_until is not None else None)


def round_conditions(year: Any, months: Any, organisation_id: Any, opened_before: Any) -> list[ColumnElement[bool]]:
    """rounds_of's conditions, from values or from bound parameters (for a statement built once):
    the organisation's rounds unless organisation_id is None, and only those opened before
    `opened_before` unless that is None."""
    conditions = [PulseRound.year == year, PulseRound.month.in_(months)]
    if organisation_id is not None:
        conditions.append(PulseRound.organisation_id == organisation_id)
    if opened_before is not None:
        conditions.append(PulseRound.opens_at < opened_before)
    return conditions


def bound_rounds(organisation: bool, draft: bool) -> list[ColumnElement[bool]]:
    """rounds_of's conditions for a statement built once per shape (BoundScope), its values bound."""
    scope = BoundScope(organisation)
    return round_conditions(scope.year, scope.months, scope.organisation_id, scope.cutoff if draft else None)


@functools.cache
def _people_statements(organisation: bool, draft: bool) -> tuple[Select, Select]:
    """Built once per process for each shape of scope: the headcount (its keys for an organisation;
    nationally only their number, since the benchmark is never compared), and the number invited."""
    scope = BoundScope(organisation)
    members = headcount(scope, scope.cutoff)
    link_workers = members.distinct() if organisation else members.with_only_columns(
        func.count(distinct(Membership.user_id)))
    invited = (select(func.count(distinct(PulseInvitation.user_id)))
               .join(PulseRound, PulseRound.id == PulseInvitation.round_id).where(*bound_rounds(organisation, draft)))
    return link_workers, invited


def people(scope: Scope, answered: int) -> People:
    """Two queries: the headcount, and the number invited. Those who answered were counted with the
    wellbeing figures."""
    organisation = scope.organisation_id is not None
    link_workers_statement, invited_statement = _people_statements(organisation, scope.draft_until is not None)
    values = scope.values()
    if organisation:
        keys = frozenset(db.session.scalars(link_workers_statement, values))
        link_workers = len(keys)
    else:
        keys, link_workers = frozenset(), db.session.scalar(link_workers_statement, values) or 0
    invited = db.session.scalar(invited_statement, values) or 0
    return People(link_workers=link_workers, invited=invited, answered=answered, people_keys=keys)


def organisations_and_standard(scope: Scope) -> tuple[int, int, int]:
    """How many organisations are in scope, their supervision standard in days (nationally, the
    most common one; the shortest wins a tie), and the longest standard among them (how far back
    a session can count). One grouped query."""
    rows = db.session.execute(
        select(Organisation.supervision_standard_days, func.count())
        .where(*scope.of_organisation(Organisation.id))
        .group_by(Organisation.supervision_standard_days)).all()
    counts = {days: count for days, count in rows}
    if scope.organisation_id is not None and not counts:
        raise LookupError(f"no organisation {scope.organisation_id}")
    standard = min(counts, key=lambda days: (-counts[days], days)) if counts else SUPERVISION_STANDARD_DAYS[0]
    return sum(counts.values()), standard, max(counts, default=standard)
