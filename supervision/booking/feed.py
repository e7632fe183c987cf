"""Private calendar feeds: each person's secret address, and the sessions it lists.

The token is the only secret: it is looked up by its SHA-256 hash, so a database leak does not
give working addresses away, and kept encrypted so its owner can see the address again.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Role, User
from ..extensions import db
from . import ics
from .models import (
    HOLDING_STATUSES,
    Booking,
    CalendarFeed,
    SessionStatus,
    SupervisionSession,
)

# secrets.token_urlsafe(32) holds 32 random bytes: far beyond guessing.
TOKEN_BYTES = 32
PAST = timedelta(days=30)
AHEAD = timedelta(days=365)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_or_renew(user: User, *, now: datetime) -> str:
    """Give the person a new secret address; any old one stops working at once. Returns the token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _hash(token)
    feed.token = token
    feed.created_at = now
    db.session.flush()
    return token


def owner_of(token: str) -> User | None:
    """The person whose feed this token opens, or None. Inactive people's feeds stay shut."""
    if not token or len(token) > 200:
        return None
    digest = _hash(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    # The index finds the row; comparing in constant time keeps to hmac's rules all the same.
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.active else None


def entries_for(user: User, *, now: datetime) -> list[ics.Entry]:
    """Everything on this person's calendar from 30 days ago to a year ahead, in a fixed number of
    queries however many sessions there are. Built in the current language."""
    earliest, latest = now - PAST, now + AHEAD
    entries: list[ics.Entry] = []
    if user.has_role(Role.link_worker):
        bookings = db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(joinedload(Booking.session).joinedload(SupervisionSession.supervisor),
                     joinedload(Booking.session).joinedload(SupervisionSession.session_type))
            .where(Booking.link_worker_id == user.id, Booking.status.in_(HOLDING_STATUSES),
                   SupervisionSession.status == SessionStatus.active,
                   SupervisionSession.starts_at >= earliest, SupervisionSession.starts_at < latest)
            .order_by(SupervisionSession.starts_at)
        ).unique()
        entries += [ics.link_worker_entry(booking) for booking in bookings]
    if user.has_role(Role.supervisor):
        sessions = db.session.scalars(
            select(SupervisionSession)
            .options(joinedload(SupervisionSession.session_type),
                     selectinload(SupervisionSession.bookings).joinedload(Booking.link_worker))
            .where(SupervisionSession.supervisor_id == user.id,
                   SupervisionSession.status == SessionStatus.active,
                   SupervisionSession.starts_at >= earliest, SupervisionSession.starts_at < latest)
            .order_by(SupervisionSession.starts_at)
        ).unique()
        entries += [ics.supervisor_entry(session) for session in sessions]
    return entries


def calendar_for(user: User, *, now: datetime) -> bytes:
    with force_locale(user.preferred_language):
        return ics.calendar(entries_for(user, now=now), now=now, name=_("Cwtch supervision"))
