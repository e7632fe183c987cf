"""The retention purge the scheduler runs."""
from __future__ import annotations

from ..extensions import db
from ..scheduler.registry import Job
from .services import purge_expired


def purge_expired_job(*, now, worker: str) -> None:
    purge_expired(now=now)
    db.session.commit()


JOBS = [Job(id="retention.purge_expired", func=purge_expired_job, seconds=3600)]
