"""The jobs every domain defines in its own jobs.py, collected in one list."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

# Each domain with scheduled work adds its jobs module here.
JOB_MODULES = [
    "supervision.notifications.jobs",
    "supervision.accounts.jobs",
    "supervision.retention.jobs",
    "supervision.booking.jobs",
    "supervision.debriefs.jobs",
    "supervision.pulse.jobs",
    "supervision.reports.jobs",
]


@dataclass(frozen=True)
class Job:
    id: str
    # Called as func(now=<aware UTC datetime>, worker=<holder id>) inside an app context.
    func: Callable[..., object]
    seconds: int


def all_jobs() -> list[Job]:
    jobs: list[Job] = []
    for name in JOB_MODULES:
        jobs.extend(import_module(name).JOBS)
    ids = [job.id for job in jobs]
    if len(ids) != len(set(ids)):
        raise RuntimeError(f"duplicate job ids: {ids}")
    return jobs
