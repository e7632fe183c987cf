"""Leave that pauses survey reminders: the dates only, never a reason. They flush, never commit.

A person marks their own leave, or an admin of one of their organisations marks it for them.
While someone is on leave the jobs send them no survey messages; they can still answer.
Overlapping periods are simply allowed: `on_leave` asks only whether any period covers the day.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..extensions import db
from .models import SurveyLeave
from .rounds import LONDON

# Further ahead than this is surely a typing mistake (the booking forms use the same limit).
FAR_AHEAD = timedelta(days=2 * 365 + 1)

MESSAGES = {
    "end_before_start": _l("The last day of leave must be the same as or after the first day"),
    "in_the_past": _l("The last day of leave must be today or in the future"),
    "too_far_ahead": _l("Enter a date within the next 2 years"),
}


class LeaveError(ValueError):
    """`code` is a key of MESSAGES; `field` is the form field the message belongs beside."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field

    @property
    def message(self):
        return MESSAGES[self.code]


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def can_change_leave(user: User, leave: SurveyLeave) -> bool:
    """A person's own leave only; admins go through permissions.can_mark_leave_for."""
    return user.is_authenticated and leave.user_id == user.id


def add_leave(person: User, starts_on: date, ends_on: date, by: User, now: datetime, *,
              organisation_id: int | None = None) -> SurveyLeave:
    """A period of leave for `person`, marked by `by` (themselves, or an admin of `organisation_id`)."""
    today = london_today(now)
    if ends_on < starts_on:
        raise LeaveError("end_before_start", "ends_on")
    if ends_on < today:
        raise LeaveError("in_the_past", "ends_on")
    if starts_on > today + FAR_AHEAD:
        raise LeaveError("too_far_ahead", "starts_on")
    if ends_on > today + FAR_AHEAD:
        raise LeaveError("too_far_ahead", "ends_on")
    leave = SurveyLeave(user_id=person.id, starts_on=starts_on, ends_on=ends_on, created_by_id=by.id,
                        created_at=now)
    db.session.add(leave)
    db.session.flush()
    # Only who changed whose leave: no dates, no reason.
    record(action="survey_leave_add", actor_id=by.id, organisation_id=organisation_id,
           target_type="user", target_id=person.id)
    return leave


def remove_leave(leave: SurveyLeave, *, by: User | None = None, organisation_id: int | None = None) -> None:
    user_id = leave.user_id
    db.session.delete(leave)
    db.session.flush()
    record(action="survey_leave_remove", actor_id=by.id if by else None, organisation_id=organisation_id,
           target_type="user", target_id=user_id)


def leave_of(person: User, *, since: date | None = None) -> list[SurveyLeave]:
    """This person's leave, soonest first; with `since`, only periods not over by that day."""
    query = select(SurveyLeave).where(SurveyLeave.user_id == person.id)
    if since is not None:
        query = query.where(SurveyLeave.ends_on >= since)
    return list(db.session.scalars(query.order_by(SurveyLeave.starts_on, SurveyLeave.ends_on, SurveyLeave.id)))


def leave_or_none(person: User, leave_id: int) -> SurveyLeave | None:
    """One of this person's periods, or None (the route answers 404 for anyone else's)."""
    leave = db.session.get(SurveyLeave, leave_id)
    return leave if leave is not None and leave.user_id == person.id else None


def on_leave(user_ids: Iterable[int], day: date) -> set[int]:
    """Which of these people are on leave on this London date, in one query."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        select(SurveyLeave.user_id).distinct()
        .where(SurveyLeave.user_id.in_(ids), SurveyLeave.starts_on <= day, SurveyLeave.ends_on >= day)))
