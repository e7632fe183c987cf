"""Account housekeeping the scheduler runs."""
from __future__ import annotations

from ..extensions import db
from ..scheduler.registry import Job
from . import throttle


def purge_login_attempts(*, now, worker: str) -> None:
    # Old failures no longer count towards the throttle; keeping them would only grow the table.
    throttle.purge_old(now=now)
    db.session.commit()


JOBS = [Job(id="accounts.purge_login_attempts", func=purge_login_attempts, seconds=3600)]
