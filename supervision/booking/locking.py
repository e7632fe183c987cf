"""Serialising calendar changes, so that two bookings never overlap and a group never overfills.

Every service that creates or moves a booking calls `lock_calendars` first, with the supervisor and
the link worker involved, then reads again whatever it checks. The lock is held until the route
commits or rolls back, so the check and the write happen as one step for everyone else.

- PostgreSQL: `SELECT … FOR UPDATE` on the people's rows, in id order so that two requests locking
  the same two people cannot deadlock.
- SQLite: `BEGIN IMMEDIATE`, which takes the database's single write lock up front. A deferred
  transaction that read first and wrote later could fail with "database is locked" when another
  writer got in between; with IMMEDIATE the second writer waits (busy timeout) instead. This relies
  on pysqlite not having opened a transaction yet, which holds as long as nothing was written
  before the lock in this request.
"""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db


class LockOrderError(RuntimeError):
    """lock_calendars was called after a write: a programming error, never a user's."""


def lock_calendars(*user_ids: int) -> None:
    ids = sorted({i for i in user_ids if i is not None})
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        db.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())
    elif dialect == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw.in_transaction:
            raise LockOrderError("lock_calendars must come before any write in the transaction")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"no calendar lock for {dialect}")
