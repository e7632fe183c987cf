"""Loading a supervisor's calendar for a range of time in a fixed number of queries: settings,
weekly windows, blocks, and the sessions that hold time for them (and for one link worker)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, or_, select

from ..extensions import db
from .loaders import settings_for
from .models import (
    HOLDING_STATUSES,
    AvailabilityBlock,
    AvailabilityWindow,
    Booking,
    SessionKind,
    SessionStatus,
    SupervisionSession,
    SupervisorSettings,
)


@dataclass(frozen=True)
class Busy:
    session_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class Calendar:
    """Everything the slot rules need, for [range_start, range_end) in UTC."""

    settings: SupervisorSettings
    windows: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # weekday -> (start, end)
    blocks: list[AvailabilityBlock] = field(default_factory=list)
    supervisor_busy: list[Busy] = field(default_factory=list)
    link_worker_busy: list[Busy] = field(default_factory=list)


def _holding_session_filter():
    """A session holds its time when it is an active group session, or has a holding booking."""
    held = exists().where(and_(Booking.session_id == SupervisionSession.id,
                               Booking.status.in_(HOLDING_STATUSES)))
    return and_(SupervisionSession.status == SessionStatus.active,
                or_(SupervisionSession.kind == SessionKind.group, held))


def supervisor_busy(supervisor_id: int, range_start: datetime, range_end: datetime) -> list[Busy]:
    rows = db.session.execute(
        select(SupervisionSession.id, SupervisionSession.starts_at, SupervisionSession.ends_at)
        .where(SupervisionSession.supervisor_id == supervisor_id,
               SupervisionSession.starts_at < range_end, SupervisionSession.ends_at > range_start,
               _holding_session_filter())
        .order_by(SupervisionSession.starts_at)
    ).all()
    return [Busy(*row) for row in rows]


def link_workers_busy(link_worker_ids: tuple[int, ...], range_start: datetime, range_end: datetime) -> list[Busy]:
    """Sessions where any of these people holds a place, or that any of them runs: one person can
    be a link worker and a supervisor, and must not be in two sessions at once either way.
    Waiting lists hold no time."""
    if not link_worker_ids:
        return []
    holds_place = exists().where(and_(Booking.session_id == SupervisionSession.id,
                                      Booking.link_worker_id.in_(link_worker_ids),
                                      Booking.status.in_(HOLDING_STATUSES)))
    runs = and_(SupervisionSession.supervisor_id.in_(link_worker_ids), _holding_session_filter())
    rows = db.session.execute(
        select(SupervisionSession.id, SupervisionSession.starts_at, SupervisionSession.ends_at)
        .where(or_(holds_place, runs), SupervisionSession.status == SessionStatus.active,
               SupervisionSession.starts_at < range_end, SupervisionSession.ends_at > range_start)
        .order_by(SupervisionSession.starts_at)
    ).all()
    return [Busy(*row) for row in rows]


def blocks_between(supervisor_id: int, range_start: datetime, range_end: datetime) -> list[AvailabilityBlock]:
    return list(db.session.scalars(
        select(AvailabilityBlock)
        .where(AvailabilityBlock.supervisor_id == supervisor_id,
               AvailabilityBlock.starts_at < range_end, AvailabilityBlock.ends_at > range_start)
        .order_by(AvailabilityBlock.starts_at)
    ))


def load_calendar(supervisor_id: int, range_start: datetime, range_end: datetime, *,
                  link_worker_id: int | None = None, settings: SupervisorSettings | None = None) -> Calendar:
    """Five queries at most, whatever the number of sessions in the range. Busy times are loaded
    for the whole range given; callers widen it to whole weeks (for the cap) and the buffer."""
    calendar = Calendar(settings=settings or settings_for(supervisor_id))
    windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start, end in db.session.execute(
        select(AvailabilityWindow.weekday, AvailabilityWindow.start_minute, AvailabilityWindow.end_minute)
        .where(AvailabilityWindow.supervisor_id == supervisor_id)
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
    ):
        windows[weekday].append((start, end))
    calendar.windows = dict(windows)
    calendar.blocks = blocks_between(supervisor_id, range_start, range_end)
    calendar.supervisor_busy = supervisor_busy(supervisor_id, range_start, range_end)
    # The supervisor's own places in other people's sessions count too (a supervisor who is also a
    # link worker), as do the link worker's places and any sessions they run.
    people = (supervisor_id,) if link_worker_id is None else (supervisor_id, link_worker_id)
    calendar.link_worker_busy = link_workers_busy(people, range_start, range_end)
    return calendar
