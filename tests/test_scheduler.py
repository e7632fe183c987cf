"""The scheduler: the lease keeps a second process idle, jobs are registered by id, and two
real scheduler processes deliver each email exactly once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l

from supervision.db import utcnow
from supervision.extensions import db
from supervision.notifications.models import EmailStatus, OutboundEmail
from supervision.notifications.services import queue_email
from supervision.scheduler import lease
from supervision.scheduler.models import SchedulerLease
from supervision.scheduler.registry import all_jobs
from supervision.scheduler.runner import build_scheduler, run_job
from supervision.scheduler.registry import Job

from .conftest import make_test_app
from .smtp import SMTPServer

TTL = timedelta(seconds=30)


def test_only_one_holder_at_a_time_and_takeover_after_expiry(ctx):
    now = utcnow()
    assert lease.acquire(holder="a", now=now, ttl=TTL)
    assert not lease.acquire(holder="b", now=now + timedelta(seconds=10), ttl=TTL)
    # The holder renews; the other stays idle.
    assert lease.acquire(holder="a", now=now + timedelta(seconds=20), ttl=TTL)
    assert not lease.acquire(holder="b", now=now + timedelta(seconds=45), ttl=TTL)
    # The holder stops renewing (crashed): once the lease runs out, the other takes over.
    assert lease.acquire(holder="b", now=now + timedelta(seconds=51), ttl=TTL)
    assert not lease.acquire(holder="a", now=now + timedelta(seconds=52), ttl=TTL)
    assert db.session.get(SchedulerLease, lease.LEASE_NAME).holder == "b"


def test_release_hands_over_at_once(ctx):
    now = utcnow()
    assert lease.acquire(holder="a", now=now, ttl=TTL)
    lease.release(holder="a", now=now + timedelta(seconds=1))
    assert lease.acquire(holder="b", now=now + timedelta(seconds=2), ttl=TTL)


def test_jobs_have_explicit_unique_ids_and_scheduler_settings(app):
    ids = [job.id for job in all_jobs()]
    assert "notifications.send_email" in ids and len(ids) == len(set(ids))
    scheduler = build_scheduler(app, holder="test")
    assert {job.id for job in scheduler.get_jobs()} == set(ids)
    assert str(scheduler.timezone) == "UTC"
    defaults = scheduler._job_defaults
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1
    assert defaults["misfire_grace_time"] == app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"]


def test_a_process_without_the_lease_does_not_act(app):
    calls = []
    job = Job(id="test.record", func=lambda now, worker: calls.append(worker), seconds=1)
    with app.app_context():
        assert lease.acquire(holder="other", now=utcnow(), ttl=TTL)
    assert run_job(app, job, holder="me") is False and calls == []
    with app.app_context():
        lease.release(holder="other", now=utcnow())
    assert run_job(app, job, holder="me") is True and calls == ["me"]


def test_a_failing_job_does_not_stop_the_scheduler(app):
    def broken(now, worker):
        raise RuntimeError("boom")

    assert run_job(app, Job(id="test.broken", func=broken, seconds=1), holder="me") is False


# --- two real processes ------------------------------------------------------------------------

def _spawn(database_url: str, smtp_port: int, instance: Path, log: Path, keys: list[str]) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")},
        "FLASK_SECRET_KEY": "scheduler-test-" + "x" * 32,
        "FLASK_PULSE_RESPONDENT_KEY": "scheduler-test-pulse-" + "p" * 32,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp_port),
        "FLASK_SCHEDULER_LEASE_SECONDS": "3",
        "FLASK_SCHEDULER_INTERVALS": json.dumps({"notifications.send_email": 1}),
        "FLASK_SESSION_COOKIE_SECURE": "true",
        # The same keys as the app that queued the emails: their bodies are encrypted.
        "FLASK_ENCRYPTION_KEYS": json.dumps(keys),
    }
    flask = Path(sys.executable).parent / "flask"
    with open(log, "w") as output:
        return subprocess.Popen([str(flask), "--app", "supervision", "scheduler"], env=env, cwd=instance,
                                stdout=output, stderr=subprocess.STDOUT)


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _queue(app, start: int, count: int) -> None:
    with app.app_context():
        for number in range(start, start + count):
            queue_email(dedupe_key=f"test:{number}", to=f"person{number}@example.org", language="en",
                        template="notification", subject=_l("You have a new notification in Cwtch"),
                        kind="roles_changed", link="http://localhost/home")
        db.session.commit()


def test_two_scheduler_processes_deliver_each_email_exactly_once(databases, tmp_path):
    smtp = SMTPServer()
    smtp.start()
    database_url = databases.new("scheduler")
    app = make_test_app(database_url, str(tmp_path))
    with app.app_context():
        db.create_all()
    _queue(app, 0, 25)
    logs = [tmp_path / f"scheduler-{n}.log" for n in range(2)]
    processes = [_spawn(database_url, smtp.port, tmp_path, log, app.config["ENCRYPTION_KEYS"]) for log in logs]
    try:
        assert _wait_for(lambda: len(smtp.inbox.messages) >= 25, 40), logs[0].read_text() + logs[1].read_text()
        # Whoever holds the lease dies without releasing it; the other takes over when it expires.
        with app.app_context():
            holder = db.session.get(SchedulerLease, lease.LEASE_NAME).holder
        pid = int(holder.split(":")[1])
        victim = next(p for p in processes if p.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        _queue(app, 25, 5)
        assert _wait_for(lambda: len(smtp.inbox.messages) >= 30, 40), "the survivor did not take over"
        time.sleep(2.5)  # room for any duplicate to show up
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
    output = "\n".join(log.read_text() for log in logs)
    assert "Traceback" not in output, output
    recipients = sorted(m["To"] for m in smtp.inbox.messages)
    assert recipients == sorted(f"person{n}@example.org" for n in range(30))
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 30
    with app.app_context():
        statuses = {e.status for e in db.session.query(OutboundEmail)}
        db.session.remove()
        db.engine.dispose()
    assert statuses == {EmailStatus.sent}


def test_purge_login_attempts_job_at_a_frozen_time(app, ctx):
    from supervision.accounts.jobs import purge_login_attempts
    from supervision.accounts.models import LoginAttempt

    frozen = utcnow().replace(microsecond=0) - timedelta(days=3)
    for minutes in (1, 4, 6, 60):
        db.session.add(LoginAttempt(email="a@example.org", ip="10.0.0.1",
                                    created_at=frozen - timedelta(minutes=minutes)))
    db.session.commit()
    purge_login_attempts(now=frozen, worker="t")
    purge_login_attempts(now=frozen, worker="t")  # running twice is harmless
    ages = sorted(round((frozen - a.created_at).total_seconds() / 60) for a in db.session.query(LoginAttempt))
    assert ages == [1, 4]
