"""Throttling failed sign-ins per account and per IP address, counted in the database."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from ..db import utcnow
from ..extensions import db
from .models import LoginAttempt


def _window_start(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


def is_throttled(*, email: str, ip: str) -> bool:
    limit = current_app.config["LOGIN_THROTTLE_LIMIT"]
    since = _window_start()
    by_email, by_ip = db.session.execute(
        select(
            func.count().filter(LoginAttempt.email == email),
            func.count().filter(LoginAttempt.ip == ip),
        ).where(
            LoginAttempt.created_at >= since,
            or_(LoginAttempt.email == email, LoginAttempt.ip == ip),
        )
    ).one()
    return by_email >= limit or by_ip >= limit


def record_failure(*, email: str, ip: str) -> None:
    db.session.add(LoginAttempt(email=email, ip=ip))
    db.session.flush()


def clear_for(*, email: str) -> None:
    """A successful sign-in clears that account's failures (not the address's)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))


def purge_old(*, now: datetime | None = None) -> int:
    """Drop attempts older than the window; they no longer count for anything."""
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < _window_start(now)))
    return result.rowcount or 0
