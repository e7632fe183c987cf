"""The notification jobs the scheduler runs."""
from __future__ import annotations

from ..scheduler.registry import Job
from .sending import send_pending_emails


def send_email_job(*, now, worker: str) -> None:
    send_pending_emails(now=now, worker=worker)


JOBS = [Job(id="notifications.send_email", func=send_email_job, seconds=30)]
