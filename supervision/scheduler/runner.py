"""Running the jobs: APScheduler's BlockingScheduler in UTC, acting only while holding the lease."""
from __future__ import annotations

import logging
import os
import smtplib
import socket
import uuid
from datetime import timedelta, timezone

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .. import mail
from ..db import utcnow
from ..extensions import db
from . import lease
from .registry import Job, all_jobs  # noqa: F401  (all_jobs is used by the CLI)

log = logging.getLogger("supervision.scheduler")


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_job(app: Flask, job: Job, *, holder: str) -> bool:
    """Run one job if this process holds the lease. Returns whether it acted."""
    with app.app_context():
        ttl = timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"])
        try:
            if not lease.acquire(holder=holder, now=utcnow(), ttl=ttl):
                log.debug("Idle: another scheduler holds the lease (%s skipped)", job.id)
                return False
            job.func(now=utcnow(), worker=holder)
            return True
        except Exception:
            # One job's failure must not stop the scheduler; it runs again at its next time.
            db.session.rollback()
            log.exception("Job %s failed", job.id)
            return False
        finally:
            db.session.remove()


def check_mail(app: Flask) -> list[str]:
    """Report mail problems at start-up: settings first, then whether the server answers."""
    problems = mail.config_problems(app.config)
    if problems or not app.config.get("MAIL_SERVER"):
        return problems
    with app.app_context():
        try:
            smtp = mail.smtp_connection(app.config)
            smtp.quit()
        except (smtplib.SMTPException, OSError) as error:
            problems.append(f"cannot reach SMTP server {app.config['MAIL_SERVER']}:{app.config['MAIL_PORT']}: {error}")
    return problems


def build_scheduler(app: Flask, *, holder: str) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=timezone.utc,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"],
        },
    )
    intervals = app.config.get("SCHEDULER_INTERVALS", {})
    for job in all_jobs():
        scheduler.add_job(
            run_job,
            "interval",
            seconds=intervals.get(job.id, job.seconds),
            args=(app, job),
            kwargs={"holder": holder},
            id=job.id,
            name=job.id,
            next_run_time=utcnow(),
            replace_existing=True,
        )
    return scheduler


def run(app: Flask) -> None:
    holder = holder_id()
    for problem in check_mail(app):
        log.error("Mail settings: %s. Emails will wait in the outbox until this is fixed.", problem)
    scheduler = build_scheduler(app, holder=holder)
    log.info("Scheduler %s starting with jobs: %s", holder, ", ".join(j.id for j in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        with app.app_context():
            lease.release(holder=holder, now=utcnow())
        log.info("Scheduler %s stopped", holder)
