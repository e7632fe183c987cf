"""Stage 1, people: the headcount of link workers, who was invited to the quarter's surveys, and
who answered; plus the organisations in scope and their supervision standard."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, distinct, func, select

from ..accounts.models import SUPERVISION_STANDARD_DAYS, Membership, Organisation, Role, User
from ..extensions import db
from ..pulse.models import PulseInvitation, PulseRound
from .aggregate_sql import Scope
from .figures import People


def headcount(scope: Scope, moment: datetime | ColumnElement[datetime]) -> Select:
    """The user ids of active link workers whose link-worker membership began before `moment`.
    Accounts record only whether they are active now, so a person who left is out of every quarter."""
    return (select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.role == Role.link_worker, Membership.created_at < moment, User.active.is_(True),
                   *scope.of_organisation(Membership.organisation_id)))


def rounds_of(scope: Scope) -> list[ColumnElement[bool]]:
    """The survey rounds of the quarter (by the month they are for); a draft only those that had
    opened by its cut-off."""
    conditions = [PulseRound.year == scope.quarter.year, PulseRound.month.in_(scope.quarter.months),
                  *scope.of_organisation(PulseRound.organisation_id)]
    if scope.draft_until is not None:
        conditions.append(PulseRound.opens_at < scope.cutoff)
    return conditions


def people(scope: Scope, respondent_keys: frozenset[str]) -> People:
    """Two queries: the headcount's keys, and the number invited. Those who answered are the
    respondents behind the wellbeing figures, whose keys the caller already has."""
    keys = frozenset(db.session.scalars(headcount(scope, scope.cutoff).distinct()))
    invited = db.session.scalar(
        select(func.count(distinct(PulseInvitation.user_id)))
        .join(PulseRound, PulseRound.id == PulseInvitation.round_id).where(*rounds_of(scope))) or 0
    return People(link_workers=len(keys), invited=invited, answered=len(respondent_keys), people_keys=keys)


def organisations_and_standard(scope: Scope) -> tuple[int, int]:
    """How many organisations are in scope, and their supervision standard in days (nationally, the
    most common one; the shortest wins a tie). One grouped query."""
    rows = db.session.execute(
        select(Organisation.supervision_standard_days, func.count())
        .where(*scope.of_organisation(Organisation.id))
        .group_by(Organisation.supervision_standard_days)).all()
    counts = {days: count for days, count in rows}
    if scope.organisation_id is not None and not counts:
        raise LookupError(f"no organisation {scope.organisation_id}")
    standard = min(counts, key=lambda days: (-counts[days], days)) if counts else SUPERVISION_STANDARD_DAYS[0]
    return sum(counts.values()), standard
