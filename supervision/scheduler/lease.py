"""Taking and renewing the scheduler lease with a conditional UPDATE, so two processes never both act."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import SchedulerLease

LEASE_NAME = "scheduler"


def acquire(*, holder: str, now: datetime, ttl: timedelta, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease. True if `holder` now holds it. Commits, so others see it at once."""
    result = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=now + ttl)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    if db.session.get(SchedulerLease, name) is not None:
        return False
    # First start on this database: create the row. A racing process may win; then we are idle.
    try:
        db.session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def release(*, holder: str, now: datetime, name: str = LEASE_NAME) -> None:
    """Hand the lease back on a clean shutdown, so a waiting process takes over at once."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(holder=None, expires_at=now)
    )
    db.session.commit()
